"""Provenance, checked after the dry run and before its result is kept.

Every line a change adds must be text the model wrote as content: a line of a whole file
it wrote, or of a block's replacement. Some lines the model wrote are the medium, not the
message, and are refused even then: the format's own marker lines, a line-number gutter
copied from a numbered listing (`  12→`, `12:`, `cat -n`), `+` and `-` diff prefixes left
on the lines of a replacement, a fence around a snippet put into a code file. Numbered
data stays data: a gutter counts only when its numbers run on line by line and, in an
existing file, what follows them is the file's own lines. Every line a change removes must
have been named by the model: in a block's SEARCH (a diff's context and `-` lines), a
deleted file, or a whole-file rewrite that the laziness guard accepted.

A violation is a Failure naming the file; the file is left as it was for the repair round.
"""

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from orchestrator.code_lines import is_trivial
from orchestrator.failures import Failure
from orchestrator.fences import FENCE, is_closing_fence, is_prose_file
from orchestrator.file_text import lines_of, without_bom
from orchestrator.matching import TRAILING, find
from orchestrator.operations import EditFile, Operation, RenameFile, SearchReplace, WriteFile

_MARKER = re.compile(
    r"^(?:@@@[ \t]*(?:FILE|EDIT|END|DELETE|RENAME|PLAN)\b.*|<{5,9}[ \t]*(?:SEARCH|ORIGINAL)"
    r"|>{5,9}[ \t]*(?:REPLACE|UPDATED)|\*\*\*[ \t]*(?:Begin Patch|End Patch|Update File:.*"
    r"|Add File:.*|Delete File:.*))[ \t]*$",
    re.IGNORECASE,
)
# "  12→code" (an editor's read tool), "    12\tcode" (cat -n), "12: code", "12 | code".
_GUTTER = re.compile(r"^[ \t]*(\d{1,6})(?:→|[ \t]*\|[ \t]?|:[ \t]|:$|\t)(.*)$")
_SURE_GUTTER = re.compile(r"^[ \t]*\d{1,6}→|^ {2,}\d{1,6}\t")  # nothing else looks so
_DIFF_FILES = (".diff", ".patch")
GUTTER_RUN = 3  # consecutive numbered lines that make a gutter


@dataclass(frozen=True)
class Violation:
    failure: Failure
    source: str | None  # the file's path before the operations, to put it back


def check(
    before: dict[str, str], after: dict[str, str], applied: list[Operation]
) -> list[Violation]:
    """The provenance failures of the applied operations, one per file at most."""
    violations = []
    for path, history in _by_final_path(applied).items():
        if path not in after or not history.items:
            continue
        source = before.get(history.source or "", "")
        reason = _artefact(path, source, history.items) or _unexplained(
            source, after[path], history.items
        )
        if reason:
            violations.append(Violation(Failure(path, reason, kind="provenance"), history.source))
    return violations


class _History:
    """The operations that made one file, and the path it had before them."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.items: list[WriteFile | SearchReplace] = []


def _by_final_path(applied: Iterable[Operation]) -> dict[str, _History]:
    histories: dict[str, _History] = {}
    for operation in applied:
        if isinstance(operation, RenameFile):
            history = histories.pop(operation.path, None) or _History(operation.path)
            histories[operation.new_path] = history
            continue
        history = histories.setdefault(operation.path, _History(operation.path))
        if isinstance(operation, WriteFile):
            history.items.append(operation)
        elif isinstance(operation, EditFile):
            history.items += operation.blocks
        else:
            del histories[operation.path]
    return histories


def _artefact(path: str, source: str, items: list[WriteFile | SearchReplace]) -> str | None:
    prose = is_prose_file(path) or path.endswith(_DIFF_FILES)
    source_lines = {line.strip() for line in lines_of(without_bom(source)) if line.strip()}
    for item in items:
        if isinstance(item, WriteFile):
            added = lines_of(item.content)
        else:
            added = _added_lines(lines_of(item.search), lines_of(item.replace))
            # A hunk's lines were read without their prefixes already.
            if not prose and not item.from_diff and (reason := _diff_prefixes(item)):
                return reason
        if not prose and (marker := next((line for line in added if _MARKER.match(line)), None)):
            return f"its new text holds the edit format's own marker line {marker.strip()!r}"
        whole = isinstance(item, WriteFile) and not path.lower().endswith(_ENTITY_FILES)
        if reason := _gutter(added, source_lines, path, whole and not prose):
            return reason
        if not prose and _fenced(added):
            return "its new text is wrapped in a code fence, which is not part of the file"
        if reason := _escaped(path, source, item, added):
            return reason
        if doubled := _said_twice(item):
            return (
                f"its new text holds the same {doubled} lines twice in a row, where the "
                "answer names them once; give them once"
            )
    return None


def _said_twice(item: WriteFile | SearchReplace) -> int | None:
    """A whole file, or a replacement, that is one text written twice over: the same two
    or more lines, then the same again, where the search (if any) has them at most once.
    Returns how many lines repeat."""
    new = [line.rstrip() for line in lines_of(_text_of(item)) if line.strip()]
    half = len(new) // 2
    if half < 2 or len(new) % 2 or new[:half] != new[half:]:
        return None
    if any(
        half % period == 0 and new == new[:period] * (len(new) // period)
        for period in range(1, half)
    ):
        return None  # a pattern repeated many times (rows of data): the file's, not a double
    if isinstance(item, SearchReplace):
        if item.from_diff:
            return None  # a diff states each line with its context: what it doubles is meant
        old = [line.rstrip() for line in lines_of(item.search) if line.strip()]
        if len(old) >= len(new):
            return None  # the file had them twice already, or the block keeps its length
    return half


def _text_of(item: WriteFile | SearchReplace) -> str:
    return item.content if isinstance(item, WriteFile) else item.replace


_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|apos|#0*39|#x0*27|#0*34);", re.IGNORECASE)
_RAW = re.compile(r"[<>]|&(?!(?:lt|gt|amp|quot|apos|#0*39|#x0*27|#0*34);)", re.IGNORECASE)
# Files whose syntax holds character entities as text of their own: markup, and data whose
# strings may carry them for a page (prose files too, see is_prose_file).
_ENTITY_FILES = (
    ".html",
    ".htm",
    ".xhtml",
    ".xml",
    ".svg",
    ".jsx",
    ".tsx",
    ".vue",
    ".svelte",
    ".json",
    ".yaml",
    ".yml",
    ".toml",
    ".csv",
    ".tsv",
    ".ini",
    ".properties",
    ".po",
    ".strings",
)
_ESCAPED_BREAK = "\\n"
# A typographic double quote before any comment leader on its line: in code, not in prose.
_TYPOGRAPHIC_IN_CODE = re.compile(
    r"^(?![ \t]*\*)(?:(?!#|//|--|/\*|<!--|;)[^\u201c\u201d])*[\u201c\u201d]"
)


def _escaped(
    path: str, source: str, item: WriteFile | SearchReplace, added: list[str]
) -> str | None:
    """Text the transport escaped or typeset: HTML entities for < > & and quotes where the
    file has the characters themselves (in code: markup, data and prose hold entities as
    text), typographic double quotes as a code file's string delimiters, or lines sent as
    one line of literal \\n escapes."""
    new = item.content if isinstance(item, WriteFile) else item.replace
    if (
        not path.lower().endswith(_ENTITY_FILES)
        and not is_prose_file(path)
        and any(_ENTITY.search(line) for line in added)
        and not _RAW.search(new)
        and not _ENTITY.search(source)
    ):
        found = _ENTITY.search("".join(added))
        return (
            f"its new text holds HTML entities ({found.group(0) if found else '&lt;'}) where "
            "the file has the characters themselves; write < > & and quotes as they are"
        )
    if not path.lower().endswith(_ENTITY_FILES) and not is_prose_file(path):
        quoted = next((line for line in added if _TYPOGRAPHIC_IN_CODE.match(line)), None)
        if quoted and '"' not in new and ('"' in source or not source.strip()):
            return (
                f"its new text has typographic quotes where the code has straight ones "
                f'({quoted.strip()[:60]!r}); write the quotes as "'
            )
    if _one_line_of_escapes(source, item, new):
        return (
            "its text came as one line holding \\n escapes instead of line breaks; "
            "write the lines as lines"
        )
    return None


def _one_line_of_escapes(source: str, item: WriteFile | SearchReplace, new: str) -> bool:
    """One line that, its \\n escapes turned into breaks, gives back lines the answer
    replaces or the file holds: a whole file, or a block, sent as one line."""
    lines = [line for line in lines_of(new) if line.strip()]
    if len(lines) != 1 or lines[0].count(_ESCAPED_BREAK) < 1:
        return False
    unescaped = {line.strip() for line in lines[0].split(_ESCAPED_BREAK) if line.strip()}
    if isinstance(item, WriteFile):
        old = [line for line in lines_of(without_bom(source)) if line.strip()]
        if len(old) == 1 and _ESCAPED_BREAK in old[0]:
            return False  # a one-line file with escapes of its own
        if unescaped & {line.strip() for line in old}:
            return True
        # Lines by their look: a blank line between them, or an indented one.
        return re.search(r"\\n(?:\\n|[ \t])", lines[0]) is not None
    searched = [line for line in lines_of(item.search) if line.strip()]
    named = {line.strip() for line in searched}
    if lines[0].strip() in named:
        return False
    if unescaped & named:
        return True
    # Several lines replaced by one that, unescaped, is several lines at their indentation.
    return len(searched) > 1 and len(unescaped) > 1 and _indent(lines[0]) == _indent(searched[0])


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _added_lines(search: list[str], replace: list[str]) -> list[str]:
    matcher = difflib.SequenceMatcher(None, search, replace, autojunk=False)
    return [
        line
        for tag, _, _, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
        for line in replace[j1:j2]
    ]


def _gutter(
    added: list[str], source_lines: set[str], path: str, whole_code: bool = False
) -> str | None:
    """A run of lines numbered one by one, whose text after the numbers is the file's own
    lines (or whose numbers no data would carry: `12→`, cat -n's padded tab). `whole_code`:
    a whole code file (not data, markup or prose), where numbers from 1 on every one of its
    lines are a gutter whatever the text after them."""
    if whole_code and len(added) >= GUTTER_RUN and _numbered_from_one(added):
        return (
            "its new text carries line numbers copied from a numbered listing "
            f"({added[0].strip()[:40]!r}); give the lines without them"
        )
    run: list[tuple[int, str, str]] = []
    for line in added:
        found = _GUTTER.match(line)
        number = int(found.group(1)) if found else None
        if found and run and number == run[-1][0] + 1:
            run.append((number, found.group(2), line))
        elif found:
            run = [(number, found.group(2), line)]
        else:
            run = []
        if len(run) >= GUTTER_RUN and _is_gutter(run, source_lines, path):
            return (
                "its new text carries line numbers copied from a numbered listing "
                f"({run[0][2].strip()[:40]!r}); give the lines without them"
            )
    return None


def _numbered_from_one(lines: list[str]) -> bool:
    """Every line numbered, 1, 2, 3... in order."""
    for expected, line in enumerate(lines, start=1):
        found = _GUTTER.match(line)
        if not found or int(found.group(1)) != expected:
            return False
    return True


def _is_gutter(run: list[tuple[int, str, str]], source_lines: set[str], path: str) -> bool:
    if all(_SURE_GUTTER.match(line) for _, _, line in run) and not path.endswith(".tsv"):
        return True
    texts = [text.strip() for _, text, _ in run if text.strip()]
    return bool(texts) and 2 * sum(text in source_lines for text in texts) > len(texts)


def _diff_prefixes(block: SearchReplace) -> str | None:
    """A replacement written as the search plus `+` lines (or with `-` lines for what goes):
    the prefixes would land in the file."""
    search = [line for line in lines_of(block.search) if line.strip()]
    replace = lines_of(block.replace)
    if not search:
        return None
    minus = [line for line in replace if line.startswith("-") and line[1:] in search]
    if minus:
        return f"its replacement keeps a diff's '-' prefix on {minus[0].strip()!r}"
    plain = [line for line in replace if line.strip() and not line.startswith("+")]
    plus = [line for line in replace if line.startswith("+")]
    if plus and _is_subsequence(search, plain) and len(plain) == len(search):
        return f"its replacement keeps a diff's '+' prefix on {plus[0].strip()!r}"
    return None


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    remaining = iter(long)
    return all(any(item == other for other in remaining) for item in short)


def _fenced(added: list[str]) -> bool:
    filled = [line for line in added if line.strip()]
    if len(filled) < 2 or not FENCE.match(filled[0]) or filled[0].startswith((" ", "\t")):
        return False
    return is_closing_fence(filled[-1], FENCE.match(filled[0]).group(1))  # type: ignore[union-attr]


def _unexplained(source: str, result: str, items: list[WriteFile | SearchReplace]) -> str | None:
    """A line added that no content held, or one removed that no SEARCH named: the merge
    itself went wrong, which must never reach a saved version."""
    written = _stripped_lines(text for item in items for text in _texts(item, 1))
    named = _stripped_lines(text for item in items for text in _texts(item, 0))
    whole = any(isinstance(item, WriteFile) for item in items)
    old, new = _counted(source), _counted(result)
    stray = next((line for line in new - old if line not in written), None)
    if stray is not None:
        return f"the change would add {stray[:60]!r}, which the answer never wrote"
    gone = next((line for line in old - new if line not in named), None)
    if gone is not None and not whole:
        return f"the change would remove {gone[:60]!r}, which the answer never named"
    return None


def _counted(text: str) -> Counter[str]:
    """The text's non-blank lines, stripped, counted: alignment cannot mislead a count."""
    return Counter(line.strip() for line in lines_of(without_bom(text)) if line.strip())


def _stripped_lines(texts: Iterable[str]) -> set[str]:
    return {line.strip() for text in texts for line in lines_of(without_bom(text))}


def _texts(item: WriteFile | SearchReplace, side: int) -> list[str]:
    """A whole file's content, or a block's SEARCH (side 0) or REPLACE (side 1) texts in
    every reading of it."""
    if isinstance(item, WriteFile):
        return [item.content] if side else []
    readings = [(item.search, item.replace), *item.alternatives]
    return [reading[side] for reading in readings]


def made_already(text: str, block: SearchReplace, start: int, added_before: set[str]) -> str | None:
    """A block that only adds lines next to lines it quotes, whose whole replacement is
    already right there, made by an earlier block of the same answer: applied, its change
    would be made a second time."""
    search, replace = lines_of(block.search), lines_of(block.replace)
    added = _added_lines(search, replace)
    if len(replace) - len(added) != len(search) or not any(line.strip() for line in added):
        return None  # it replaces lines, or adds only blank ones
    if not {line.strip() for line in added} & added_before:
        return None
    if block.from_diff:
        # A diff's hunks are placed as patch places them, each where its lines and number
        # say, as git applies them: lines like its own next to it are the file's, not this
        # change made before. (A restatement in another dialect is never applied at all.)
        return None
    lines = lines_of(without_bom(text))
    if not any(line.strip() for line in search):
        there = lines[len(lines) - len(replace) :] == replace  # an append, made already
    else:
        there = any(
            found <= start and found + len(replace) >= start + len(search)
            for found in find(lines, replace, TRAILING)
        )
    if not there:
        return None
    return (
        "its change is already in the file, made by an earlier block of this answer; "
        "applied again it would be made twice"
    )


def restated_neighbour(text: str, block: SearchReplace, start: int, removed: int) -> str | None:
    """A replacement whose first line is the file's line just above the lines its SEARCH
    names (or whose last line is the one just below), while the SEARCH does not begin (or
    end) with it: the model restated an unchanged neighbour, which would then be there
    twice. A bracket or `end` counts only at the neighbour's own indentation: a new block
    nested inside closes deeper."""
    if block.from_diff or removed == 0:
        return None
    lines = lines_of(without_bom(text))
    search = [line.rstrip() for line in lines_of(block.search) if line.strip()]
    replace = [line.rstrip() for line in lines_of(block.replace) if line.strip()]
    if not search or len(replace) <= len(search):
        return None  # a restatement is a line more; a line changed into its neighbour is not
    above = next((line.rstrip() for line in reversed(lines[:start]) if line.strip()), None)
    below = next((line.rstrip() for line in lines[start + removed :] if line.strip()), None)
    for neighbour, ours, theirs, where in (
        (above, replace[0], search[0], "above"),
        (below, replace[-1], search[-1], "below"),
    ):
        if not neighbour or theirs.strip() == neighbour.strip():
            continue
        same = ours == neighbour if is_trivial(ours) else ours.strip() == neighbour.strip()
        if same:
            return (
                f"its replacement restates {neighbour.strip()[:60]!r}, the unchanged line just "
                f"{where} the lines its SEARCH names, so that line would be there twice; put "
                "it in both SEARCH and REPLACE, or in neither"
            )
    return None
