"""Prose with fenced files: the dialect of an answer that holds no other operation.

Answers written with file tags (`<file path=...>`, bolt.diy's and Dyad's) are read by
orchestrator.answers.tagged, JSON answers by orchestrator.answers.json_answers. A fenced block
becomes a whole file when the answer says, with certainty, which file it is: in the
fence's info string ("```python app/main.py"), in a first comment line naming the path, or
on the line just before the fence. Such files are marked `loose`, so the merge refuses one
that looks like a part of an existing file rather than all of it. Code whose file is not
named is refused and the model asked again, never taken as "no changes": unless it is
unmistakably a new version of one existing file (identify_file), or the model then says it
was only an example.
"""

import re
from dataclasses import dataclass, field

from orchestrator.answers.json_answers import json_operations
from orchestrator.fences import FENCE
from orchestrator.operations import (
    Operation,
    Refusal,
    WriteFile,
)
from orchestrator.path_mentions import looks_like_path, path_in_line
from orchestrator.paths import BLANKS

SHELL_LANGUAGES = frozenset(
    [
        "bash",
        "sh",
        "shell",
        "console",
        "zsh",
        "fish",
        "powershell",
        "ps1",
        "cmd",
        "bat",
        "terminal",
        "shell-session",
    ]
)
_PATH_COMMENT = re.compile(
    r"^[ \t]*(?:#|//|--|;|/\*|<!--)[ \t]*(?:file(?:name)?[ \t]*:[ \t]*|path[ \t]*:[ \t]*)?"
    r"(?P<path>[^ \t*]+?)[ \t]*(?:\*/|-->)?[ \t]*$",
    re.IGNORECASE,
)
# Shell that writes files: a redirect into a file, sed -i, tee, rm, mv, cp, touch.
_WRITES_FILES = re.compile(
    r"(?:^|[^0-9&])>>?[ \t]*(?!/dev/null)[\w./-]+|\bsed[ \t]+-i|\btee\b"
    r"|(?:^|[;&|][ \t]*)[ \t]*(?:rm|mv|cp|touch)[ \t]",
    re.MULTILINE,
)
_INFO_PATH = re.compile(
    r"(?:title|file(?:name)?|path)[ \t]*=[ \t]*[\"']?([^\"' \t]+)", re.IGNORECASE
)


@dataclass
class FencedBlock:
    """A fenced block of the answer outside any operation."""

    info: str  # what follows the opening backticks: "python app/main.py"
    before: list[str]  # up to three lines before the fence, newest last
    lines: list[str] = field(default_factory=list)
    had_operations: bool = False  # the fence wrapped operations: it is not a file
    closed: bool = True
    opener: str = "```"
    openers: list[str] = field(default_factory=list)  # the fences still open inside it

    def __post_init__(self) -> None:
        self.openers = [self.opener]

    @property
    def language(self) -> str:
        return self.info.split(" ", 1)[0].split(":", 1)[0].lower()


def loose_operations(
    text: str, blocks: list[FencedBlock], known: frozenset[str]
) -> tuple[list[Operation], list[Refusal]]:
    """Operations from an answer without edit-format operations, and what must be refused."""
    named: dict[str, list[FencedBlock]] = {}
    unnamed: list[FencedBlock] = []
    for block in blocks:
        path = block_path(block, known)
        if path is None:
            unnamed.append(block)
        else:
            named.setdefault(path, []).append(block)
    operations: list[Operation] = []
    refusals: list[Refusal] = []
    if not named:
        from_json = json_operations(text, [b.lines for b in unnamed if b.language in ("json", "")])
        if from_json is not None:
            return from_json
    for path, found in named.items():
        if len(found) > 1:
            refusals.append(Refusal(path, "the answer gives it in several fenced blocks"))
        elif not found[0].closed:
            refusals.append(Refusal(path, "its fenced block was cut off"))
        else:
            operations.append(WriteFile(path, _content(found[0], path), loose=True))
    for block in unnamed:
        code = "".join(block.lines)
        if block.language in SHELL_LANGUAGES and _WRITES_FILES.search(code):
            refusals.append(
                Refusal(
                    None,
                    "the answer changes files with shell commands (a redirect, sed -i, rm...), "
                    "which are not applied; give the changes as operations",
                    code,
                )
            )
            continue
        if block.language in SHELL_LANGUAGES or not code.strip():
            continue  # commands for the person, not files
        refusals.append(
            Refusal(
                None,
                "the answer has code in a fence without saying which file it belongs to",
                "".join(block.lines),
                kind="unnamed_code",
            )
        )
    return operations, refusals


def mentioned_files(prose: list[str], known: frozenset[str]) -> Refusal | None:
    """For an answer that holds no operation: a refusal when its prose names files of the
    project ("I updated app.py to ..."), so the model is asked once and "no changes" never
    rests on its word alone. A second answer without an operation is its word that none is
    needed (orchestrator.repair)."""
    found: dict[str, None] = {}
    for line in prose:
        if (path := path_in_line(line, known)) is not None and path in known:
            found[path] = None
    if not found:
        return None
    names = ", ".join(list(found)[:3])
    return Refusal(
        None,
        f"the answer names {names} but holds no operation that could be read",
        kind="mentioned",
    )


def identify_file(code: str, files: dict[str, str]) -> str | None:
    """The existing file a fenced block that names no file is a new version of, when its
    lines are unmistakably that file's: most of the block's lines are in it, most of its
    lines are in the block, and no other file comes close. None otherwise."""
    lines = _filled(code)
    if len(lines) < 5:
        return None
    shares = []
    for path, content in files.items():
        theirs = _filled(content)
        common = len(lines & theirs)
        shares.append((common / len(lines), common / max(len(theirs), 1), path))
    likely = [path for ours, theirs, path in shares if ours >= 0.6 and theirs >= 0.6]
    close = [path for ours, _, path in shares if ours >= 0.3]
    return likely[0] if len(likely) == 1 and len(close) == 1 else None


def _filled(text: str) -> set[str]:
    """The distinct lines that say something (not blank, not a lone bracket)."""
    return {line.strip() for line in text.splitlines() if len(line.strip()) > 2}


def block_path(block: FencedBlock, known: frozenset[str]) -> str | None:
    """The file a fenced block is, when the answer says so with certainty."""
    info = block.info.strip(BLANKS)
    if match := _INFO_PATH.search(info):
        return match.group(1)
    words = re.split(r"[ \t:]+", info)
    in_info = [word for word in words if looks_like_path(word)]
    if len(in_info) == 1:
        return in_info[0]
    in_comment = _comment_path(block)
    before = next(
        (path_in_line(line, known) for line in reversed(block.before) if not FENCE.match(line)),
        None,
    )
    if in_comment and before and in_comment != before:
        return None  # the comment and the prose disagree
    return in_comment or before


def _comment_path(block: FencedBlock) -> str | None:
    first = next((line for line in block.lines if line.strip()), "")
    match = _PATH_COMMENT.match(first)
    return match.group("path") if match and looks_like_path(match.group("path")) else None


def _content(block: FencedBlock, path: str) -> str:
    """The block's text, without a first comment line that only names the file."""
    lines = list(block.lines)
    for index, line in enumerate(lines):
        if line.strip():
            match = _PATH_COMMENT.match(line)
            if match and match.group("path") == path:
                del lines[index]
            break
    return "".join(lines)
