"""A version pushed to another git host (GitHub, GitLab, any HTTPS git server), with a
token used for this one push: it is never stored, logged or put in a URL."""

import urllib3
from django.conf import settings
from dulwich.client import HttpGitClient, HTTPUnauthorized
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository
from dulwich.objects import Commit

from generations.git.repository import locked, sync
from generations.models import Version
from generations.refusals import ActionRefused
from orchestrator.imports.remote import GitSource, checked_url
from orchestrator.imports.tree import ImportRefused


def git_source() -> GitSource:
    """The hosts imports and remote pushes may reach, from the settings."""
    return GitSource(
        hosts=tuple(settings.IMPORT_GIT_HOSTS),
        allow_http=settings.IMPORT_GIT_ALLOW_HTTP,
        timeout=settings.IMPORT_GIT_TIMEOUT,
    )


def _descends(repo, commit_id: bytes, ancestor: bytes) -> bool:
    """Whether `ancestor` is on `commit_id`'s line (first parents: versions are linear)."""
    while commit_id:
        if commit_id == ancestor:
            return True
        commit = repo.object_store[commit_id]
        assert isinstance(commit, Commit)
        commit_id = commit.parents[0] if commit.parents else b""
    return False


def push_to_remote(
    *, version: Version, url: str, token: str, branch: str = "main", force: bool = False
) -> str:
    """Push the version's commit (and its history) to `branch` at `url`; the commit id."""
    if not version.has_files:
        raise ActionRefused(f"Version {version.number} has no files to push.")
    try:
        url = checked_url(url, git_source())
    except ImportRefused as refusal:
        message = refusal.message.replace("Imports may read", "Pushes may reach")
        raise ActionRefused(message) from None
    ref = f"refs/heads/{branch.strip() or 'main'}".encode()
    pool = urllib3.PoolManager(
        retries=urllib3.Retry(total=1, redirect=0, raise_on_redirect=True),
        timeout=urllib3.Timeout(settings.IMPORT_GIT_TIMEOUT),
        headers={"User-Agent": "iterum-push"},
    )
    client = HttpGitClient(url, pool_manager=pool, username="x-access-token", password=token)
    with locked(version.generation_id) as repo:
        commit_id = sync(version.generation, repo)[version.number]

        def update_refs(remote: dict[bytes, bytes]) -> dict[bytes, bytes]:
            current = remote.get(ref)
            if (
                current
                and current != commit_id
                and not force
                and not (current in repo.object_store and _descends(repo, commit_id, current))
            ):
                raise ActionRefused(
                    f"{branch} at {url} has commits this version does not contain "
                    "(non-fast-forward). Push to another branch, or force it."
                )
            return {ref: commit_id}

        def pack_data(have, want, *, ofs_delta=True, progress=None):
            return repo.generate_pack_data(have, want, ofs_delta=ofs_delta, progress=progress)

        try:
            result = client.send_pack(b"", update_refs, pack_data)
        except HTTPUnauthorized:
            raise ActionRefused(f"{url} refused the token; check it may push there.") from None
        except (NotGitRepository, HangupException, GitProtocolError) as error:
            raise ActionRefused(f"The push to {url} failed: {error}") from None
        except urllib3.exceptions.HTTPError as error:
            raise ActionRefused(f"{url} could not be reached: {error}") from None
        finally:
            del client  # the token goes with it
    problem = (result.ref_status or {}).get(ref)
    if problem:
        raise ActionRefused(f"{url} refused the push to {branch}: {problem}")
    return commit_id.decode()
