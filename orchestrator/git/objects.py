"""Commits derived from versions. The same version always gives the same commit: its tree
(paths, contents, executable bits), its parent version's commit, its author, its time and
its message fix every byte, so an object store built from versions is a cache."""

from dataclasses import dataclass

from dulwich.objects import Blob, Commit, ShaFile, Tree

FILE_MODE = 0o100644
EXECUTABLE_MODE = 0o100755
TREE_MODE = 0o040000


@dataclass(frozen=True)
class CommitFacts:
    """What a version says about its commit."""

    author: str  # "Name <email>"
    time: int  # seconds since the epoch, UTC
    message: str


def blob_of(content: bytes) -> Blob:
    return Blob.from_string(content)


def trees_of(entries: dict[str, tuple[bytes, bool]]) -> tuple[bytes, list[Tree]]:
    """The tree objects of {path: (blob id, executable)}, the root's id first."""
    root: dict = {}
    for path, (blob_id, executable) in entries.items():
        *folders, name = path.split("/")
        node = root
        for folder in folders:
            node = node.setdefault(folder, {})
        node[name] = (blob_id, EXECUTABLE_MODE if executable else FILE_MODE)
    made: list[Tree] = []

    def build(node: dict) -> bytes:
        tree = Tree()
        for name, value in node.items():
            if isinstance(value, dict):
                tree.add(name.encode(), TREE_MODE, build(value))
            else:
                tree.add(name.encode(), value[1], value[0])
        made.append(tree)
        return tree.id

    return build(root), made


def commit_of(tree_id: bytes, parent: bytes | None, facts: CommitFacts) -> Commit:
    """The commit of a version: committer and author alike, time in UTC."""
    commit = Commit()
    commit.tree = tree_id
    commit.parents = [parent] if parent else []
    commit.author = commit.committer = facts.author.encode()
    commit.author_time = commit.commit_time = facts.time
    commit.author_timezone = commit.commit_timezone = 0
    message = facts.message.strip() or "(no message)"
    commit.message = (message + "\n").encode()
    return commit


def commit_from_raw(raw: bytes) -> Commit:
    """A pushed commit, byte for byte as it came."""
    commit = ShaFile.from_raw_string(Commit.type_num, raw)
    assert isinstance(commit, Commit)
    return commit
