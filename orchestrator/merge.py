"""Apply a model's operations to a project's files: all of them, exactly, or none.

The merge works on a copy (the dry run); the caller saves only a complete result.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from orchestrator.edit_format import DeleteFile, EditFile, Operation, RenameFile, WriteFile
from orchestrator.errors import EditFailed
from orchestrator.paths import ProjectLimits, clean_path


@dataclass(frozen=True)
class FileChange:
    """What one operation did to one path, with line counts for the UI."""

    path: str
    action: str  # added, modified, deleted, renamed
    lines_added: int = 0
    lines_removed: int = 0
    old_path: str | None = None


def count_lines(text: str) -> int:
    return len(text.splitlines())


def line_delta(old: str, new: str) -> tuple[int, int]:
    """Lines added and removed between two texts (a multiset count, cheap and honest)."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    remaining: dict[str, int] = {}
    for line in old_lines:
        remaining[line] = remaining.get(line, 0) + 1
    added = 0
    for line in new_lines:
        if remaining.get(line, 0) > 0:
            remaining[line] -= 1
        else:
            added += 1
    return added, sum(remaining.values())


def apply_operations(
    files: dict[str, str], operations: Iterable[Operation], limits: ProjectLimits
) -> tuple[dict[str, str], list[FileChange]]:
    """Return the new files and the changes; raise EditFailed/UnsafePath and change nothing."""
    result = dict(files)
    changes: list[FileChange] = []
    for operation in operations:
        changes.append(_apply_one(result, operation))
    limits.check(result)
    return result, changes


def _apply_one(files: dict[str, str], operation: Operation) -> FileChange:
    path = clean_path(operation.path)
    match operation:
        case WriteFile(_, content):
            old = files.get(path)
            files[path] = content
            if old is None:
                return FileChange(path, "added", lines_added=count_lines(content))
            added, removed = line_delta(old, content)
            return FileChange(path, "modified", added, removed)
        case EditFile(_, blocks):
            if path not in files:
                raise EditFailed(f"The model asked to edit {path}, which does not exist.")
            old = files[path]
            new = old
            for number, block in enumerate(blocks, start=1):
                new = apply_block(new, block.search, block.replace, path, number)
            files[path] = new
            added, removed = line_delta(old, new)
            return FileChange(path, "modified", added, removed)
        case DeleteFile(_):
            if path not in files:
                raise EditFailed(f"The model asked to delete {path}, which does not exist.")
            removed = count_lines(files.pop(path))
            return FileChange(path, "deleted", lines_removed=removed)
        case RenameFile(_, new_path):
            new_path = clean_path(new_path)
            if path not in files:
                raise EditFailed(f"The model asked to rename {path}, which does not exist.")
            if new_path in files:
                raise EditFailed(f"The model asked to rename {path} onto {new_path}, which exists.")
            files[new_path] = files.pop(path)
            return FileChange(new_path, "renamed", old_path=path)
    raise EditFailed(f"Unknown operation {operation!r}.")


def apply_block(text: str, search: str, replace: str, path: str, number: int) -> str:
    """Replace the one place `search` matches: exactly, else ignoring trailing whitespace."""
    if not search.strip():
        # An empty SEARCH appends, as in the format's common dialects.
        separator = "" if not text or text.endswith("\n") else "\n"
        return text + separator + replace
    found = text.count(search)
    if found == 1:
        return text.replace(search, replace, 1)
    if found > 1:
        raise EditFailed(
            f"Change {number} to {path} matches {found} places; the model must quote more "
            "lines so it matches one."
        )
    return _apply_ignoring_trailing_whitespace(text, search, replace, path, number)


def _apply_ignoring_trailing_whitespace(
    text: str, search: str, replace: str, path: str, number: int
) -> str:
    lines = text.splitlines(keepends=True)
    wanted = [line.rstrip() for line in search.splitlines()]
    while wanted and not wanted[-1]:
        wanted.pop()
    stripped = [line.rstrip() for line in lines]
    size = len(wanted)
    starts = [i for i in range(len(lines) - size + 1) if stripped[i : i + size] == wanted]
    if len(starts) != 1:
        where = "nowhere" if not starts else f"{len(starts)} places"
        raise EditFailed(
            f"Change {number} to {path} matches {where} in the current file, so it cannot be "
            "applied as written."
        )
    start = starts[0]
    replaced = replace
    if replaced and not replaced.endswith("\n") and start + size < len(lines):
        replaced += "\n"
    return "".join(lines[:start]) + replaced + "".join(lines[start + size :])
