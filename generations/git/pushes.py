"""A push to a generation's `main`: each pushed commit becomes one version, through the
same path as manual edits (path policy, limits, checks, events), all or none.

The push must go on from the commit of the newest version (else git's "non-fast-forward"),
along single parents (a merge is refused: history stays linear); every path, mode and size
is judged before anything is saved. The version keeps its commit byte for byte, so the
commit derived for it is the one the pusher has, and their next fetch has nothing new.
"""

from django.conf import settings
from django.db import transaction
from dulwich.objects import ZERO_SHA, Blob
from dulwich.protocol import SIDE_BAND_CHANNEL_PROGRESS
from dulwich.server import ReceivePackHandler

from generations.git.repository import MAIN, sync
from generations.models import Generation, Version
from generations.refusals import ActionRefused
from generations.runs.lifecycle import announce_end
from generations.storage import create_finished_version, plain_files, texts_of
from generations.version_checks import check_version
from orchestrator.git.trees import PushRefused, commits_between, pushed_files

NON_FAST_FORWARD = "non-fast-forward"


class PushReceiver(ReceivePackHandler):
    """dulwich's receive-pack, with each ref update judged and made into versions."""

    def bind(self, *, generation: Generation, user, api_token=None) -> None:
        self.generation = generation
        self.user = user
        self.made: list[Version] = []

    def _tell(self, line: str) -> None:
        if self._client_capabilities is not None and self.has_capability(b"side-band-64k"):
            self.proto.write_sideband(SIDE_BAND_CHANNEL_PROGRESS, (line + "\n").encode())

    def _on_update(self, ref: bytes, old_sha: bytes, new_sha: bytes) -> bytes | None:
        if ref != MAIN:
            self._tell(f"error: Iterum takes pushes to main only, not {ref.decode()}.")
            return b"Iterum takes pushes to main only"
        if new_sha == ZERO_SHA:
            return b"main cannot be deleted"
        try:
            self.made = versions_from_push(
                generation=self.generation,
                repo=self.repo,
                old=old_sha,
                new=new_sha,
                user=self.user,
            )
        except PushRefused as refusal:
            if refusal.message == NON_FAST_FORWARD:
                self._tell(
                    "error: denying non-fast-forward refs/heads/main (you should pull first)"
                )
            else:
                self._tell(f"error: {refusal.message}")
            return refusal.message.encode()[:200]
        for version in self.made:
            checks = version.check_summary if version.checked else "not checked"
            self._tell(f"Iterum: version {version.number} ({checks})")
        return None


def versions_from_push(*, generation: Generation, repo, old: bytes, new: bytes, user):
    """One version per pushed commit, oldest first, all in one transaction."""
    store = repo.object_store
    with transaction.atomic():
        generation = Generation.objects.select_for_update().get(pk=generation.pk)
        done = sync(generation, repo)  # under the generation's lock: the newest stays newest
        newest = (
            generation.versions.filter(
                status__in=(Version.Status.COMPLETED, Version.Status.NO_CHANGES)
            )
            .order_by("-number")
            .first()
        )
        if newest is None or done.get(newest.number) != old:
            raise PushRefused(NON_FAST_FORWARD)
        commits = commits_between(
            store, old, new, known=set(done.values()), most=settings.GIT_PUSH_MAX_COMMITS
        )
        made = []
        parent = newest
        for commit in commits:
            entries = pushed_files(store, commit, max_files=settings.PROJECT_MAX_FILES)
            files = {}
            for path, (blob_id, _) in entries.items():
                blob = store[blob_id]
                if not isinstance(blob, Blob):
                    raise PushRefused(f"{commit.id[:7].decode()}: {path} is not a file.")
                files[path] = blob.as_raw_string()
            message = commit.message.decode("utf-8", "replace").strip()
            try:
                contents = plain_files(files)
                parent = create_finished_version(
                    base=parent,
                    kind=Version.Kind.PUSH,
                    prompt=message or f"Pushed {commit.id[:7].decode()}",
                    user=user,
                    files=contents,
                    executable={p for p, (_, x) in entries.items() if x},
                    pushed_commit=commit.as_raw_string(),
                )
            except ActionRefused as refusal:
                raise PushRefused(f"{commit.id[:7].decode()}: {refusal}") from None
            check_version(parent, texts_of(contents))
            parent.save(update_fields=["findings", "check_notes", "checked_at"])
            version = parent
            transaction.on_commit(lambda version=version: announce_end(version))
            made.append(parent)
        return made
