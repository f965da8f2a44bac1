"""Apply a model's operations to a project's files: all of them, exactly, or none.

The merge works on a copy (the dry run); the caller saves only a complete result.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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


@dataclass
class DryRun:
    """What applying the operations would give, and what could not be applied, per path."""

    files: dict[str, str]
    changes: list[FileChange]
    failures: dict[str, str] = field(default_factory=dict)  # path -> reason


def dry_run(files: dict[str, str], operations: Iterable[Operation]) -> DryRun:
    """Apply what applies, on a copy; collect the rest for repair. Unsafe paths still raise."""
    result = dict(files)
    changes: list[FileChange] = []
    failures: dict[str, str] = {}
    for operation in operations:
        try:
            changes.append(_apply_one(result, operation))
        except EditFailed as failure:
            failures.setdefault(clean_path(operation.path), failure.message)
    return DryRun(result, changes, failures)


_PLACEHOLDER = re.compile(
    r"(rest of (the )?(code|file|implementation|function|class)"
    r"|(existing|remaining|previous|other|original) (code|content|implementation|methods)"
    r"( (here|remains?|stays?|unchanged|goes here|as before))"
    r"|\.\.\.\s*\(?(unchanged|existing|same as (before|above)|omitted)"
    r"|(code|content) (remains|stays|is) (the same|unchanged)"
    r"|(unchanged|omitted) for brevity)",
    re.IGNORECASE,
)


def lazy_reason(operation: Operation, files: dict[str, str], intent: str) -> str | None:
    """Why an operation looks lazy (a placeholder instead of code, a file gutted), or None."""
    if isinstance(operation, WriteFile):
        old = files.get(operation.path, "")
        new_text = operation.content
    elif isinstance(operation, EditFile):
        old = "".join(block.search for block in operation.blocks)
        new_text = "".join(block.replace for block in operation.blocks)
    else:
        return None
    before = set(old.splitlines())
    for line in new_text.splitlines():
        if line not in before and _PLACEHOLDER.search(line):
            return f"it contains a placeholder instead of code: {line.strip()[:80]!r}"
    if isinstance(operation, WriteFile) and intent != "remove":
        old_count, new_count = count_lines(old), count_lines(new_text)
        if old_count >= 20 and new_count < old_count / 2:
            return (
                f"it shrank from {old_count} to {new_count} lines, more than the request explains"
            )
    return None


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
    wanted = search.splitlines()
    while wanted and not wanted[-1].strip():
        wanted.pop()
    # Looser each time: trailing whitespace, then indentation too (re-indenting the result).
    for normalise in (str.rstrip, str.strip):
        target = [normalise(line) for line in wanted]
        current = [normalise(line) for line in lines]
        size = len(target)
        starts = [i for i in range(len(lines) - size + 1) if current[i : i + size] == target]
        if len(starts) > 1:
            raise EditFailed(
                f"Change {number} to {path} matches {len(starts)} places in the current file; "
                "it needs more lines to match one."
            )
        if starts:
            start = starts[0]
            replaced = replace
            if normalise is str.strip:
                replaced = _reindent(replace, wanted[0], lines[start])
            if replaced and not replaced.endswith("\n") and start + size < len(lines):
                replaced += "\n"
            return "".join(lines[:start]) + replaced + "".join(lines[start + size :])
    raise EditFailed(
        f"Change {number} to {path} matches nowhere in the current file, so it cannot be "
        "applied as written."
    )


def _reindent(replace: str, searched_first: str, found_first: str) -> str:
    """Shift the replacement by the indentation the match really had."""
    have = len(searched_first) - len(searched_first.lstrip())
    real = len(found_first) - len(found_first.lstrip())
    if real == have:
        return replace
    out = []
    for line in replace.splitlines(keepends=True):
        if not line.strip():
            out.append(line)
        elif real > have:
            out.append(found_first[: real - have].replace("\n", "") + line)
        else:
            out.append(line[min(have - real, len(line) - len(line.lstrip())) :])
    return "".join(out)
