"""Importing from a git URL: the newest commit of the default branch, fetched shallow over
HTTPS with dulwich (no `git` process, no hooks, no checkout, no submodules), from allowed
hosts only, never following a redirect. The pack is judged before any object in it is
expanded (orchestrator.git.packs), then the commit's tree is read under the import policy:
links refused, submodules left out, every path as the policy says."""

import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import urllib3
from dulwich.client import HttpGitClient
from dulwich.errors import GitProtocolError, HangupException, NotGitRepository
from dulwich.object_store import DiskObjectStore, ObjectStoreGraphWalker
from dulwich.objects import Blob, Commit

from orchestrator.errors import PipelineError
from orchestrator.git.packs import scan_pack
from orchestrator.git.trees import GITLINK, walk
from orchestrator.imports.tree import ImportedTree, ImportLimits, ImportRefused, TreeCollector

LARGEST_OBJECT = 50_000_000  # a blob this large is read once, then left out as too large


@dataclass(frozen=True)
class GitSource:
    """Where imports may come from: hosts by name, and whether plain HTTP is allowed
    (a loopback server in tests)."""

    hosts: tuple[str, ...]
    allow_http: bool = False
    timeout: float = 30.0


def checked_url(url: str, source: GitSource) -> str:
    """The URL if an import may read it; ImportRefused saying why not."""
    url = url.strip()
    parts = urlsplit(url)
    schemes = ("https", "http") if source.allow_http else ("https",)
    if parts.scheme not in schemes:
        raise ImportRefused("Give the repository's https:// URL (as shown under Clone).")
    if parts.username or parts.password:
        raise ImportRefused("Leave credentials out of the URL: imports read public repositories.")
    host = (parts.hostname or "").lower()
    if host not in source.hosts:
        raise ImportRefused(
            f"Imports may read repositories on {', '.join(source.hosts)} only, not {host or url}."
        )
    return url


def fetch_tree(url: str, limits: ImportLimits, source: GitSource) -> tuple[ImportedTree, str]:
    """The files of the default branch's newest commit, and that commit's id."""
    url = checked_url(url, source)
    pool = urllib3.PoolManager(
        retries=urllib3.Retry(total=2, redirect=0, raise_on_redirect=True),
        timeout=urllib3.Timeout(connect=source.timeout, read=source.timeout),
        headers={"User-Agent": "iterum-import"},
    )
    client = HttpGitClient(url, pool_manager=pool)
    with tempfile.TemporaryDirectory(prefix="iterum-import-") as folder:
        pack_path = Path(folder) / "fetched.pack"
        wanted: list[bytes] = []
        received = 0
        max_pack = limits.max_expanded_bytes

        def determine_wants(refs: dict, depth: int | None = None) -> list[bytes]:
            head = (
                refs.get(b"HEAD") or refs.get(b"refs/heads/main") or refs.get(b"refs/heads/master")
            )
            if head is None:
                raise ImportRefused("The repository has no default branch (HEAD) to import.")
            wanted.append(head)
            return [head]

        with open(pack_path, "wb") as pack:

            def pack_data(chunk: bytes) -> int:
                nonlocal received
                received += len(chunk)
                if received > max_pack:
                    raise ImportRefused(
                        f"The repository sends more than {max_pack:,} bytes for one commit."
                    )
                return pack.write(chunk)

            try:
                client.fetch_pack(
                    "",
                    determine_wants,
                    ObjectStoreGraphWalker([], lambda sha: []),
                    pack_data,
                    depth=1,
                )
            except (NotGitRepository, HangupException) as error:
                raise ImportRefused(f"No git repository answered at {url} ({error}).") from None
            except (GitProtocolError, urllib3.exceptions.HTTPError) as error:
                raise ImportRefused(
                    f"The repository could not be read from {url}: {error}"
                ) from None
        if not wanted or received == 0:
            raise ImportRefused("The repository is empty.")
        with open(pack_path, "rb") as pack:
            try:
                scan_pack(
                    pack,
                    max_objects=limits.max_entries * 2 + 10,
                    max_object_bytes=max(LARGEST_OBJECT, limits.max_file_bytes),
                    max_total_bytes=limits.max_expanded_bytes,
                )
            except PipelineError as refusal:
                raise ImportRefused(f"{refusal.message} Nothing was imported.") from None
        store = DiskObjectStore.init(str(Path(folder) / "objects"))
        try:
            with open(pack_path, "rb") as pack:
                store.add_thin_pack(pack.read, None)
            commit = store[wanted[0]]
            if not isinstance(commit, Commit):
                raise ImportRefused("The repository's HEAD is not a commit.")
            tree = _read_tree(store, commit, limits)
        finally:
            store.close()
    return tree, wanted[0].decode()


def _read_tree(store, commit: Commit, limits: ImportLimits) -> ImportedTree:
    collector = TreeCollector(limits)
    try:
        entries = list(walk(store, commit.tree))
    except PipelineError as refusal:
        raise ImportRefused(refusal.message) from None
    for path, mode, sha in entries:
        collector.count_entry(path)
        relative = collector.path_of(path)
        if relative is None:
            continue
        if stat.S_ISLNK(mode):
            collector.refuse_special(path, "a symbolic link")
        if mode == GITLINK:
            collector.leave_out(path, "submodule")
            continue
        if collector.left_out_early(relative):
            collector.leave_out(relative, "vendored")
            continue
        accepted = collector.accept(relative)
        blob = store[sha]
        if not isinstance(blob, Blob):
            raise ImportRefused(f"{path} is not a file in the repository.")
        collector.keep(accepted, blob.as_raw_string(), executable=bool(mode & 0o111))
    return collector.finish()
