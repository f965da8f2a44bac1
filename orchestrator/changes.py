"""What a run did to each file, counted from the files themselves, for the UI."""

from dataclasses import dataclass

from orchestrator.file_text import lines_of


@dataclass(frozen=True)
class FileChange:
    """What one run did to one path, with line counts for the UI."""

    path: str
    action: str  # added, modified, deleted, renamed
    lines_added: int = 0
    lines_removed: int = 0
    old_path: str | None = None


def count_lines(text: str) -> int:
    return len(lines_of(text))


def line_delta(old: str, new: str) -> tuple[int, int]:
    """Lines added and removed between two texts (a multiset count, cheap and honest)."""
    remaining: dict[str, int] = {}
    for line in lines_of(old):
        remaining[line] = remaining.get(line, 0) + 1
    added = 0
    for line in lines_of(new):
        if remaining.get(line, 0) > 0:
            remaining[line] -= 1
        else:
            added += 1
    return added, sum(remaining.values())


def changes_between(
    old: dict[str, str], new: dict[str, str], renames: dict[str, str] | None = None
) -> list[FileChange]:
    """The changes from `old` to `new`, from the files themselves (renames as given)."""
    renames = {n: o for n, o in (renames or {}).items() if n in new and o in old and o not in new}
    changes: list[FileChange] = []
    for path in sorted(set(old) | set(new)):
        if path in renames.values():
            continue
        if path in renames:
            added, removed = line_delta(old[renames[path]], new[path])
            changes.append(FileChange(path, "renamed", added, removed, old_path=renames[path]))
        elif path not in old:
            changes.append(FileChange(path, "added", lines_added=count_lines(new[path])))
        elif path not in new:
            changes.append(FileChange(path, "deleted", lines_removed=count_lines(old[path])))
        elif old[path] != new[path]:
            changes.append(FileChange(path, "modified", *line_delta(old[path], new[path])))
    return changes
