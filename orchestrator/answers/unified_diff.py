"""Unified diffs in a model's answer, read as operations: each hunk becomes a search/replace
block (its context and removed lines are the search, its context and added lines the
replacement), so a diff is applied by the same careful merge as every other edit.

OpenAI's apply_patch format (orchestrator.answers.apply_patch) is read by the same reader:
its hunks are unified-diff hunks without line numbers.

A diff is only taken whole. A hunk line without its " ", "+" or "-" prefix in the middle of
a diff makes the whole file's diff refused, never applied in part.
"""

import re
from dataclasses import dataclass, field

from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Operation,
    Refusal,
    RenameFile,
    SearchReplace,
    WriteFile,
)
from orchestrator.paths import BLANKS

# "@@ -9,7 +9,7 @@ context", and the looser headers models write: "@@ -9 +9 @@", "@@ ... @@"
# (Aider's udiff format), or a bare "@@".
HUNK_HEADER = re.compile(
    r"^@@(?!@)[ \t]*(?:-(\d+)(?:,(\d+))?[ \t]+\+(\d+)(?:,(\d+))?)?[^@\n]*@@(?:[ \t].*)?$"
    r"|^@@[ \t]*$"
)
GIT_HEADER = re.compile(r"^diff --git ([^ \t]+) ([^ \t]+)[ \t]*$")
_META = (
    "index ",
    "new file mode",
    "deleted file mode",
    "similarity index",
    "dissimilarity index",
    "old mode",
    "new mode",
    "Binary files",
)
NULL = "/dev/null"


def patch_hunk(line: str) -> bool:
    """ "@@" or "@@ def anchor():" (apply_patch), but not our own "@@@" marker lines."""
    return line.startswith("@@") and not line.startswith("@@@")


def header_path(line: str) -> str:
    """The path of a `--- x` or `+++ x` line, without a trailing timestamp."""
    return line[4:].split("\t", 1)[0].strip(BLANKS)


def strip_prefixes(old: str, new: str) -> tuple[str, str]:
    """Drop git's a/ and b/ prefixes, but only where the diff uses them."""
    if old == NULL:
        return old, new.removeprefix("b/")
    if new == NULL:
        return old.removeprefix("a/"), new
    if old.startswith("a/") and new.startswith("b/"):
        return old[2:], new[2:]
    return old, new


@dataclass
class _Hunk:
    old_start: int | None
    old_count: int | None = None  # "-9,7": 7; "-9": 1, as the format says; None without
    lines: list[tuple[str, str]] = field(default_factory=list)  # (" "/"+"/"-", text)

    def texts(self) -> tuple[str, str]:
        """The old and new sides; a side's last line lacks its newline when the diff said
        "\\ No newline at end of file" after it (it is the file's last line)."""
        before = [text for kind, text in self.lines if kind != "+"]
        after = [text for kind, text in self.lines if kind != "-"]
        return _joined(before), _joined(after)

    @property
    def changes(self) -> bool:
        return any(kind != " " for kind, _ in self.lines)


def _joined(lines: list[str]) -> str:
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines[:-1]) + "".join(
        lines[-1:]
    )


class DiffReader:
    """Reads the diff of one file, line by line, once its header has been seen."""

    def __init__(self, old_path: str, new_path: str, patch: bool = False) -> None:
        self.old_path, self.new_path = strip_prefixes(old_path, new_path)
        # apply_patch format: "@@ anchor" opens a hunk, and the first hunk may lack its "@@"
        self.patch = patch
        self.hunks: list[_Hunk] = []
        self.meta = False  # git's rename, mode or new/deleted file lines
        self._blank_lines = 0
        self.broken: str | None = None

    @property
    def path(self) -> str:
        return self.new_path if self.new_path != NULL else self.old_path

    def set_paths(self, old_path: str, new_path: str) -> None:
        self.old_path, self.new_path = strip_prefixes(old_path, new_path)

    def start_hunk(self, line: str) -> None:
        match = HUNK_HEADER.match(line)
        start = int(match.group(1)) if match and match.group(1) else None
        count = None if start is None else int(match.group(2) or 1)
        self.hunks.append(_Hunk(start, count))
        self._blank_lines = 0

    def feed(self, line: str) -> bool:
        """Take one line; False when the line is not part of this diff (the diff has ended)."""
        if HUNK_HEADER.match(line) or (self.patch and patch_hunk(line)):
            self.start_hunk(line)
            return True
        if self.patch and not self.hunks:
            if not line.strip():
                self._blank_lines += 1
                return True
            if line[0] in " +-":
                self.start_hunk("@@")
            elif self._blank_lines == 0 and self.new_path != NULL and not line.startswith("```"):
                # Right under "*** Add File:" or "*** Update File:", a line without its
                # prefix is the file's text written bare: never an empty file or no change.
                self.broken = (
                    f"its patch has a line without a ' ', '+' or '-' prefix: {line.strip()[:60]!r}"
                )
                return False
        if not self.hunks:
            if line.startswith(_META) or line.startswith(("rename from ", "rename to ")):
                self._meta(line)
                return True
            return False
        if not line.strip() and not line.startswith(" "):
            self._blank_lines += 1  # a blank context line, or the end of the diff
            return True
        kind = line[0]
        if kind in " +-":
            hunk = self.hunks[-1]
            hunk.lines += [(" ", "\n")] * self._blank_lines
            self._blank_lines = 0
            text = line[1:]
            hunk.lines.append((kind, text if text.endswith("\n") else text + "\n"))
            return True
        if kind == "\\":  # "\ No newline at end of file": the line before is the file's last
            hunk = self.hunks[-1]
            if hunk.lines and self._blank_lines == 0:
                last_kind, last_text = hunk.lines[-1]
                hunk.lines[-1] = (last_kind, last_text.removesuffix("\n"))
            return True
        if self._blank_lines == 0 and not line.startswith("```"):
            self.broken = (
                f"its diff has a line without a ' ', '+' or '-' prefix: {line.strip()[:60]!r}"
            )
        return False

    def move_to(self, new_path: str) -> None:
        """apply_patch's `*** Move to:` line: the file is renamed as it is changed."""
        if self.old_path == NULL or self.new_path == NULL or self.hunks:
            self.broken = f"its patch has a misplaced '*** Move to: {new_path}' line"
        else:
            self.new_path = new_path
            self.meta = True  # a move alone is a whole change, with no hunks

    def _meta(self, line: str) -> None:
        self.meta = True
        if line.startswith("rename from "):
            self.old_path = line[len("rename from ") :].strip(BLANKS)
        elif line.startswith("rename to "):
            self.new_path = line[len("rename to ") :].strip(BLANKS)
        elif line.startswith("deleted file mode"):
            self.new_path = NULL
        elif line.startswith("new file mode"):
            self.old_path = NULL

    def operations(self) -> list[Operation | Refusal]:
        """What the diff asks for, or one refusal naming the file when it is malformed."""
        if self.broken:
            return [Refusal(self.path, self.broken)]
        old, new = self.old_path, self.new_path
        if not old or not new:
            return [Refusal(None, "a diff hunk does not say which file it changes")]
        if not self.hunks and not self.meta:
            return [Refusal(self.path, "its diff has a header but no hunks (@@ lines)")]
        if old == NULL and new == NULL:
            return [Refusal(None, "a diff names /dev/null on both sides")]
        if old == NULL:
            return [WriteFile(new, "".join(h.texts()[1] for h in self.hunks), new=True)]
        if new == NULL:
            return [DeleteFile(old)]
        operations: list[Operation | Refusal] = []
        if old != new:
            operations.append(RenameFile(old, new))
        # A hunk of context lines alone changes nothing and is left out; a diff of nothing
        # else is passed on whole, so the merge asks about a change claimed but not made
        # rather than the run ending with "no changes" on its word.
        changing = [hunk for hunk in self.hunks if hunk.changes] or self.hunks
        blocks = tuple(
            SearchReplace(
                *hunk.texts(), line_hint=hunk.old_start, from_diff=True, old_count=hunk.old_count
            )
            for hunk in changing
        )
        if blocks:
            operations.append(EditFile(new, blocks))
        return operations
