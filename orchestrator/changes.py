"""What a run did to each file, counted from the files themselves (by the one diff engine,
orchestrator.diffing), for the UI."""

from dataclasses import dataclass

from orchestrator.diffing import count_lines, line_delta


@dataclass(frozen=True)
class FileChange:
    """What one run did to one path, with line counts for the UI."""

    path: str
    action: str  # added, modified, deleted, renamed
    lines_added: int = 0
    lines_removed: int = 0
    old_path: str | None = None


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
