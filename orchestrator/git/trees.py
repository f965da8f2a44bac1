"""Trees that come from elsewhere (a push, a fetched repository), read under the path
policy: regular files only, no links, no submodules in a push, every path as stored."""

import stat
from collections.abc import Iterator

from dulwich.objects import Commit, Tree

from orchestrator.errors import PipelineError, UnsafePath
from orchestrator.paths import clean_path, collision

GITLINK = 0o160000


class PushRefused(PipelineError):
    """A pushed commit cannot become a version; the message says which and why."""


def walk(store, tree_id: bytes, prefix: str = "") -> Iterator[tuple[str, int, bytes]]:
    """(path, mode, id) of every entry below a tree, folders opened; names must be UTF-8."""
    tree = store[tree_id]
    if not isinstance(tree, Tree):
        raise PushRefused("A commit points at something that is not a tree.")
    for entry in tree.iteritems():
        try:
            name = entry.path.decode("utf-8")
        except UnicodeDecodeError:
            raise PushRefused(
                f"The path {prefix}{entry.path!r} is not UTF-8; Iterum stores text paths."
            ) from None
        path = prefix + name
        if stat.S_ISDIR(entry.mode):
            yield from walk(store, entry.sha, path + "/")
        else:
            yield path, entry.mode, entry.sha


def pushed_files(store, commit: Commit, *, max_files: int) -> dict[str, tuple[bytes, bool]]:
    """{path: (blob id, executable)} of a pushed commit, or PushRefused naming the path."""
    short = commit.id[:7].decode()
    files: dict[str, tuple[bytes, bool]] = {}
    for path, mode, sha in walk(store, commit.tree):
        if stat.S_ISLNK(mode):
            raise PushRefused(f"{short}: {path} is a symbolic link; Iterum stores files only.")
        if mode == GITLINK:
            raise PushRefused(f"{short}: {path} is a submodule; Iterum stores files only.")
        try:
            cleaned = clean_path(path)
        except UnsafePath as refusal:
            raise PushRefused(f"{short}: {refusal.message}") from None
        if cleaned != path:
            raise PushRefused(f"{short}: the path {path!r} is not in its plain form ({cleaned}).")
        files[path] = (sha, bool(mode & 0o111))
        if len(files) > max_files:
            raise PushRefused(f"{short}: more than {max_files:,} files, the most a project holds.")
    if problem := collision(files):
        raise PushRefused(f"{short}: the project cannot hold both: {problem}.")
    return files


def commits_between(store, old: bytes, new: bytes, *, known: set[bytes], most: int) -> list[Commit]:
    """The commits from `old` (excluded) to `new`, oldest first, if `new` descends from
    `old` along single parents; PushRefused otherwise ("non-fast-forward", merges). A walk
    that meets another of the versions' commits (`known`) has left `old`'s line."""
    chain: list[Commit] = []
    sha = new
    while sha != old:
        if sha in known:
            raise PushRefused("non-fast-forward")
        if len(chain) >= most:
            raise PushRefused(f"The push holds more than {most} commits; push fewer at a time.")
        try:
            commit = store[sha]
        except KeyError:
            raise PushRefused("non-fast-forward") from None
        if not isinstance(commit, Commit):
            raise PushRefused("The pushed ref does not point at a commit.")
        if len(commit.parents) > 1:
            raise PushRefused(
                f"{commit.id[:7].decode()} is a merge; Iterum keeps history linear. "
                "Rebase onto main (git pull --rebase) and push again."
            )
        chain.append(commit)
        if not commit.parents:
            raise PushRefused("non-fast-forward")
        sha = commit.parents[0]
    return list(reversed(chain))
