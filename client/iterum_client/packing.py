"""A folder packed for `iterum import`: a zip of what git would keep. Version-control,
vendored and build folders are left out, and so is what the folder's .gitignore files name
(git's rules, read with pathspec); the server applies the same rules again."""

import io
import os
import zipfile
from pathlib import Path

from pathspec import GitIgnoreSpec

SKIPPED = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    "dist",
    "build",
    ".next",
    ".nuxt",
    ".gradle",
    ".idea",
}


def packed_files(folder: Path) -> dict[str, Path]:
    """{relative path: file} of what an import of `folder` holds; links are not followed."""
    found: dict[str, Path] = {}
    specs: list[tuple[str, GitIgnoreSpec]] = []
    for directory, subfolders, files in os.walk(folder):
        here = Path(directory)
        relative_dir = here.relative_to(folder).as_posix()
        prefix = "" if relative_dir == "." else relative_dir + "/"
        if ".gitignore" in files:
            lines = (here / ".gitignore").read_text(errors="replace").splitlines()
            specs.append((prefix, GitIgnoreSpec.from_lines(lines)))
        kept = []
        for name in sorted(subfolders):
            path = prefix + name
            if name in SKIPPED or (here / name).is_symlink() or _ignored(path + "/", specs):
                continue
            kept.append(name)
        subfolders[:] = kept
        for name in sorted(files):
            path = prefix + name
            if (here / name).is_symlink() or name.endswith((".pyc", ".pyo")):
                continue
            if name == ".gitignore" or not _ignored(path, specs):
                found[path] = here / name
    return found


def _ignored(path: str, specs: list[tuple[str, GitIgnoreSpec]]) -> bool:
    for prefix, spec in specs:
        if path.startswith(prefix) and spec.match_file(path[len(prefix) :]):
            return True
    return False


def pack_folder(folder: Path) -> tuple[bytes, int]:
    """The folder as zip bytes, and how many files it holds."""
    files = packed_files(folder)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, source in files.items():
            info = zipfile.ZipInfo(path)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = (0o100755 if os.access(source, os.X_OK) else 0o100644) << 16
            archive.writestr(info, source.read_bytes())
    return buffer.getvalue(), len(files)
