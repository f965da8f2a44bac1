"""One policy for file paths and contents, whoever names them: the model, a manual edit or an
upload. The zip applies it again on the way out.

A clean path is relative, uses forward slashes, has no empty or "." parts, never leaves the
project, and is safe to write on Linux, macOS and Windows and to hand to git:

- no "..", absolute roots, home (~) or drive prefixes, and no backslashes;
- no control, format (bidi, zero-width), surrogate, private-use, unassigned or invisible
  characters, and no spaces other than the plain one;
- no version-control internals (.git, .hg, .svn in any letter case, or git's 8.3 alias);
- no Windows-reserved names (CON, NUL, COM1, ... with or without an extension), no
  characters Windows forbids, and no part ending in a dot or a space;
- bounded length per part and in all.

Paths are compared as Unicode NFC. Two paths of one version may not differ only in letter
case, and a file may not share its name with a folder: both break checkouts on
case-insensitive file systems.
"""

import re
import unicodedata
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

from orchestrator.errors import UnsafePath

# The only characters trimmed from the edges of a path as written: plain spacing. Any other
# character there (U+0085, U+001F, U+3000, ...) is part of the path and judged with it.
BLANKS = " \t\r\n"
MAX_PATH_CHARS = 240
MAX_PART_CHARS = 100
VCS_FOLDERS = frozenset({".git", ".hg", ".svn"})
# Git for Windows also refuses the 8.3 short name of .git.
_VCS_ALIAS = re.compile(r"^git~[0-9]+$")
_WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$"]
    + [f"{port}{n}" for port in ("com", "lpt") for n in "0123456789¹²³"]
)
_WINDOWS_FORBIDDEN = frozenset('<>:"|?*')
_DRIVE = re.compile(r"^[A-Za-z]:")
# Letters and symbols that render as nothing (fillers, blank braille, grapheme joiner).
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _unseen_problem(char: str) -> str | None:
    """Why `char` would hide in a path (or None): it is a control, invisible, or a space
    other than a plain one."""
    category = unicodedata.category(char)
    if category in _REFUSED_CATEGORIES or char in _INVISIBLE:
        kind = "a control" if category == "Cc" else "an invisible or control"
        return f"{kind} character (U+{ord(char):04X})"
    if category == "Zs" and char != " ":
        return f"a space character other than a plain space (U+{ord(char):04X})"
    return None


def character_problem(text: str) -> str | None:
    """Why `text` may not appear in a path (or None): the first character that is unsafe."""
    for char in text:
        if problem := _unseen_problem(char):
            return problem
        if char in _WINDOWS_FORBIDDEN:
            return f"the character {char!r}, which Windows forbids in file names"
    return None


def is_hidden(char: str) -> bool:
    """A character that shows as nothing, or as spacing other than a plain space or tab: where
    it touches a path, it is part of the path, never a separator around it."""
    return char not in BLANKS and _unseen_problem(char) is not None


def _part_problem(part: str) -> str | None:
    folded = part.casefold()
    if part == "..":
        return "leaves the project"
    if len(part) > MAX_PART_CHARS:
        return f"has a part longer than {MAX_PART_CHARS} characters"
    if folded in VCS_FOLDERS or _VCS_ALIAS.match(folded):
        return f"is inside version-control internals ({part})"
    if folded.split(".")[0].rstrip(" ") in _WINDOWS_DEVICES:
        return f"uses {part!r}, a name Windows reserves for a device"
    if part != part.rstrip(". ") or part != part.lstrip(" "):
        return f"has a part that starts with a space or ends in a dot or a space ({part!r})"
    return None


def clean_path(raw: str) -> str:
    """Return `raw` as a clean relative path, or raise UnsafePath saying what is wrong."""
    path = unicodedata.normalize("NFC", raw.strip(BLANKS))
    shown = repr(path[:80])
    if not path:
        raise UnsafePath("The file path is empty.")
    if problem := character_problem(path.replace("\\", "/")):
        raise UnsafePath(f"The path {shown} contains {problem}.")
    if "\\" in path:
        raise UnsafePath(f"The path {shown} contains a backslash; use forward slashes.")
    if path.startswith(("/", "~")) or _DRIVE.match(path):
        raise UnsafePath(f"The path {shown} is absolute; paths are relative to the project.")
    if len(path) > MAX_PATH_CHARS:
        raise UnsafePath(f"The path {shown}... is longer than {MAX_PATH_CHARS} characters.")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if not parts:
        raise UnsafePath(f"The path {shown} names no file.")
    for part in parts:
        if problem := _part_problem(part):
            raise UnsafePath(f"The path {shown} {problem}.")
    if problem := _disguise_problem(path):
        raise UnsafePath(f"The path {shown} {problem}.")
    return "/".join(parts)


_DECODERS = (
    ("percent-decoded", urllib.parse.unquote),
    ("read with compatibility folding", lambda text: unicodedata.normalize("NFKC", text)),
)


def _disguise_problem(path: str) -> str | None:
    """Why a path is unsafe once a tool decodes it (or None): percent escapes that a web
    server or a zip tool turns into "..", a slash or a NUL, and compatibility characters
    (full-width dots and slash, U+FF0E and U+FF0F) that NFKC folding turns into "../"."""
    decoded: list[tuple[str, str]] = []  # (how, the path as a tool would read it)
    frontier = [path]
    for _ in range(3):  # "%252e" is "%2e" once decoded, and ".." twice
        found = [(how, decode(text)) for text in frontier for how, decode in _DECODERS]
        found = [(how, text) for how, text in found if text != path and text not in frontier]
        decoded += found
        frontier = [text for _, text in found]
    for how, other in decoded:
        if any(char in other for char in "\\\x00") or character_problem(other):
            return f"becomes unsafe when {how} ({other[:80]!r})"
        parts = other.split("/")
        if ".." in parts or other.startswith(("/", "~")) or _DRIVE.match(other):
            return f"leaves the project when {how} ({other[:80]!r})"
        if any(_part_problem(part) for part in parts if part not in ("", ".")):
            return f"becomes a reserved or version-control name when {how} ({other[:80]!r})"
    return None


def case_key(path: str) -> str:
    """The form under which a case-insensitive file system sees a path."""
    return unicodedata.normalize("NFC", path).casefold()


def folders_of(path: str) -> list[str]:
    """The folders a path lies in, outermost first: "a/b/c.py" -> ["a", "a/b"]."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def case_twin(path: str, existing: Iterable[str]) -> str | None:
    """The existing path that `path` matches only when letter case is ignored, or None."""
    key = case_key(path)
    for other in existing:
        if other != path and case_key(other) == key:
            return other
    return None


def collision(paths: Iterable[str]) -> str | None:
    """Why a set of paths cannot be checked out everywhere (or None): two that differ only in
    letter case, or a file named like a folder."""
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    for path in paths:
        key = case_key(path)
        if key in files:
            return f"{files[key]} and {path} differ only in letter case"
        files[key] = path
        for folder in folders_of(path):
            folder_key = case_key(folder)
            known = folders.setdefault(folder_key, folder)
            if known != folder:
                return f"the folders {known} and {folder} differ only in letter case"
    for key, path in files.items():
        if key in folders:
            return f"{path} is both a file and a folder ({folders[key]}/...)"
    return None


def content_problem(content: str) -> str | None:
    """Why a file's text cannot be stored (or None): NUL characters or broken Unicode."""
    if "\x00" in content:
        return "it contains NUL characters, which mark binary data"
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:
        return "it contains characters that are not valid Unicode text"
    return None


@dataclass(frozen=True)
class ProjectLimits:
    """Bounds on what one version may hold; checked before anything is saved."""

    max_files: int = 2000
    max_total_bytes: int = 20_000_000
    max_file_bytes: int = 1_000_000

    def check(self, files: dict[str, str | bytes]) -> None:
        """Raise UnsafePath when the files break a bound, hold bad text, or collide. Binary
        files (bytes) are bounded by size only."""
        if len(files) > self.max_files:
            raise UnsafePath(
                f"The project would have {len(files)} files; the limit is {self.max_files}."
            )
        total = 0
        for path, content in files.items():
            if isinstance(content, bytes):
                size = len(content)
            elif problem := content_problem(content):
                raise UnsafePath(f"{path} cannot be saved: {problem}.")
            else:
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
        if problem := collision(files):
            raise UnsafePath(f"The project cannot hold both: {problem}.")
