"""Which file an operation means, when the model names it loosely.

A path that differs from an existing file or folder only in letter case is taken as that
one, unless the answer names the existing path too (then both are meant, and they would
collide). An edit of a file that does not exist goes to the one file of that name when all
its blocks apply there; otherwise the failure suggests a file where they do match. A whole
file written under a bare name that restates the one file of that name in a folder is that
file's new version, misnamed: a failure that names the file, never a second copy at the root.
"""

from orchestrator.blocks import apply_block
from orchestrator.errors import EditFailed
from orchestrator.file_text import lines_of
from orchestrator.matching import find
from orchestrator.operations import SearchReplace
from orchestrator.paths import case_twin, clean_path


def folders(files: dict[str, str]) -> set[str]:
    return {
        "/".join(parts[:depth])
        for parts in (path.split("/") for path in files)
        for depth in range(1, len(parts))
    }


def is_folder(files: dict[str, str], path: str) -> bool:
    prefix = path + "/"
    return any(other.startswith(prefix) for other in files)


def resolve(raw: str, files: dict[str, str], mentioned: set[str]) -> tuple[str, str | None]:
    """(the path meant, a note when it is not the path as written)."""
    path = clean_path(raw)
    if path in files or is_folder(files, path):
        return path, None
    twin = case_twin(path, files)
    if twin is not None and twin not in mentioned:
        return twin, f"The model wrote {path}; it was taken as the existing {twin}."
    parts = path.split("/")
    existing_folders = folders(files)
    for depth in range(len(parts) - 1, 0, -1):
        existing = case_twin("/".join(parts[:depth]), existing_folders)
        if existing is not None and existing not in mentioned:
            resolved = existing + "/" + "/".join(parts[depth:])
            return resolved, f"The model wrote {path}; it was taken as {resolved}."
    return path, None


def same_name_file(
    files: dict[str, str], path: str, blocks: tuple[SearchReplace, ...]
) -> str | None:
    """The one file named like `path` (in any folder, any letter case) where every block
    applies, or None."""
    name = path.rsplit("/", 1)[-1].casefold()
    same_name = [p for p in files if p.rsplit("/", 1)[-1].casefold() == name]
    if len(same_name) != 1:
        return None
    text = files[same_name[0]]
    try:
        for block in blocks:
            text = apply_block(text, block)
    except EditFailed:
        return None
    return same_name[0]


def named_elsewhere(files: dict[str, str], path: str) -> list[str]:
    """For a bare file name (no folder), the files of that name in folders."""
    if "/" in path:
        return []
    name = path.casefold()
    return sorted(p for p in files if "/" in p and p.rsplit("/", 1)[-1].casefold() == name)


def restated_elsewhere(files: dict[str, str], path: str, content: str) -> str | None:
    """The one file in a folder named like the bare name `path` whose lines the content
    mostly restates: a new version of that file, written under its base name only."""
    others = named_elsewhere(files, path)
    if len(others) != 1:
        return None
    old = {line.strip() for line in lines_of(files[others[0]]) if line.strip()}
    new = {line.strip() for line in lines_of(content) if line.strip()}
    return others[0] if old and 2 * len(old & new) > len(old) else None


def file_matching(files: dict[str, str], blocks: tuple[SearchReplace, ...]) -> str | None:
    """The first file (by path) where every block's search matches once."""
    searches = [b.search for b in blocks if b.search.strip()]  # none: nothing to go by
    if not searches:
        return None
    return next(
        (
            other
            for other, content in sorted(files.items())
            if all(matches_once(content, search) for search in searches)
        ),
        None,
    )


def matches_once(text: str, search: str) -> bool:
    lines = lines_of(text)
    wanted = lines_of(search)
    return any(len(find(lines, wanted, level)) == 1 for level in (0, 1, 2))


def matches_anywhere(text: str, search: str) -> bool:
    lines = lines_of(text)
    return any(find(lines, lines_of(search), level) for level in (0, 1, 2))
