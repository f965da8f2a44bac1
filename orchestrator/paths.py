"""Model output is untrusted: every path it names passes through `clean_path` first."""

import re
from dataclasses import dataclass

from orchestrator.errors import UnsafePath

MAX_PATH_CHARS = 240
MAX_PART_CHARS = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


def clean_path(raw: str) -> str:
    """Return `raw` as a normalised relative path, or raise UnsafePath saying why."""
    path = raw.strip()
    shown = path[:80]
    if not path:
        raise UnsafePath("The model named an empty file path.")
    if _CONTROL.search(path):
        raise UnsafePath(f"The model named a path with control characters: {shown!r}.")
    if "\\" in path:
        raise UnsafePath(f"The model named a path with a backslash: {shown!r}.")
    if path.startswith(("/", "~")) or _DRIVE.match(path):
        raise UnsafePath(f"The model named an absolute path: {shown!r}.")
    if len(path) > MAX_PATH_CHARS:
        raise UnsafePath(f"The model named a path longer than {MAX_PATH_CHARS} characters.")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts:
        raise UnsafePath(f"The model named a path that is not a file: {shown!r}.")
    for part in parts:
        if part == "..":
            raise UnsafePath(f"The model named a path that leaves the project: {shown!r}.")
        if len(part) > MAX_PART_CHARS:
            raise UnsafePath(f"A part of {shown!r} is longer than {MAX_PART_CHARS} characters.")
    return "/".join(parts)


@dataclass(frozen=True)
class ProjectLimits:
    """Bounds on what one version may hold; checked before anything is saved."""

    max_files: int = 2000
    max_total_bytes: int = 20_000_000
    max_file_bytes: int = 1_000_000

    def check(self, files: dict[str, str]) -> None:
        if len(files) > self.max_files:
            raise UnsafePath(
                f"The project would have {len(files)} files; the limit is {self.max_files}."
            )
        total = 0
        for path, content in files.items():
            size = len(content.encode())
            if size > self.max_file_bytes:
                raise UnsafePath(
                    f"{path} would be {size:,} bytes; one file may hold at most "
                    f"{self.max_file_bytes:,}."
                )
            total += size
        if total > self.max_total_bytes:
            raise UnsafePath(
                f"The project would be {total:,} bytes; the limit is {self.max_total_bytes:,}."
            )
