"""One search/replace block applied to one file's text, exactly as meant or not at all.

The block goes where its lines match (orchestrator.matching; a diff hunk where its line
number points, orchestrator.hunks). Lines the block keeps come from the file byte for byte;
its new lines take the file's line ending, its final newline or lack of one, and its
indentation character and width (orchestrator.indentation). A Makefile's new recipe lines
get their tab and nothing else changes, so continuation lines aligned with spaces keep them.
The file's byte-order mark stays where it is, whether or not the block quotes it.
"""

import contextlib
import difflib
from dataclasses import dataclass

from orchestrator.errors import EditFailed
from orchestrator.fences import FENCE, is_closing_fence
from orchestrator.file_text import (
    BOM,
    line_ending,
    lines_of,
    split_bom,
    split_lines,
    without_bom,
)
from orchestrator.hunks import Positions
from orchestrator.indentation import (
    IndentMap,
    convert_characters,
    indent_unit,
    is_makefile,
    learn,
    tab_recipes,
)
from orchestrator.matching import INDENTATION, NORMALISE, NOWHERE, Place, locate, trim_blank
from orchestrator.operations import SearchReplace

_NO_HINTS = SearchReplace("", "")  # for a reading of a block's own text: no line, no diff


@dataclass(frozen=True)
class Applied:
    """A block's result: the new text, and where and how much it changed (for the hunks)."""

    text: str
    start: int  # the index of the first line it replaced, or where it inserted
    removed: int
    added: int


def apply_block(text: str, block: SearchReplace) -> str:
    """`text` with the block applied at the one place it matches; EditFailed otherwise."""
    return place_block(text, block).text


def place_block(
    text: str, block: SearchReplace, positions: Positions | None = None, path: str = ""
) -> Applied:
    """The block applied; `positions` tracks the hunks of a diff before this one."""
    bom, body = split_bom(text)
    if positions is None:
        positions = Positions([block], lines_of(body))
    readings = [(block.search, block.replace), *block.alternatives]
    results: dict[str, Applied] = {}
    for search, replace in readings:
        reading = Reading(without_bom(search), without_bom(replace), _first(search, bom, block))
        if len(readings) == 1:
            results[""] = _apply_reading(body, reading, block, positions, path)
            continue
        with contextlib.suppress(EditFailed):
            applied = _apply_reading(body, reading, block, positions, path)
            results[applied.text] = applied
    if len(results) > 1:
        raise EditFailed(
            "its block has several ======= lines, and more than one way of reading it matches"
        )
    if not results:
        raise EditFailed(NOWHERE)
    applied = next(iter(results.values()))
    return Applied(bom + applied.text, applied.start, applied.removed, applied.added)


def _first(search: str, bom: str, block: SearchReplace) -> str:
    """What a block says of the file's first line (see orchestrator.matching.locate): a
    model never writes the byte-order mark, so only a diff's bytes can leave it out."""
    if search.startswith(BOM):
        return "only"
    return "last resort" if bom and block.from_diff else "any"


@dataclass(frozen=True)
class Reading:
    """One way to read a block: its search and replacement, and what it says of the file's
    first line (orchestrator.matching.locate)."""

    search: str
    replace: str
    first: str = "any"


def _apply_reading(
    text: str, reading: Reading, block: SearchReplace, positions: Positions, path: str
) -> Applied:
    lines = split_lines(text)
    wanted, new = lines_of(reading.search), lines_of(reading.replace)
    # Our empty SEARCH (blank lines included) appends; a hunk's blank context lines are
    # lines to find like any other.
    if not wanted or (not block.from_diff and not any(line.strip() for line in wanted)):
        return _insert(text, lines, new, block, positions.insertion(block, len(lines)))
    try:
        # A diff's "\ No newline at end of file" left its last line without one: the end.
        last = block.from_diff and not reading.search.endswith("\n")
        bodies = [body for body, _ in lines]
        place = locate(bodies, wanted, positions.expected(block), reading.first, last)
    except EditFailed as failure:
        unfenced = _without_fences(wanted), _without_fences(new)
        if failure.message != NOWHERE or unfenced[0] is None or unfenced[1] is None:
            raise
        return _apply_reading(text, Reading(*unfenced), _NO_HINTS, Positions([], []), path)
    return _replace_at(text, lines, place, new, path)


def _without_fences(lines: list[str]) -> str | None:
    """The lines inside a fence that wraps them all, or None."""
    filled, _, _ = trim_blank(lines)
    if len(filled) >= 2 and FENCE.match(filled[0]) and is_closing_fence(filled[-1]):
        return "".join(line + "\n" for line in filled[1:-1])
    return None


def _insert(
    text: str, lines: list[tuple[str, str]], new: list[str], block: SearchReplace, at: int | None
) -> Applied:
    """A block with an empty search: ours appends; a diff hunk inserts where its number
    says, when that can be trusted (orchestrator.hunks)."""
    ending = line_ending(text)
    added = "".join(line + ending for line in new)
    if block.from_diff and lines and at is None:
        raise EditFailed(
            "its diff hunk only adds lines and quotes no context, so where they go is unclear"
        )
    if block.from_diff and at is not None and at < len(lines):
        before = "".join(body + eol for body, eol in lines[:at])
        return Applied(before + added + text[len(before) :], at, 0, len(new))
    if text and not text.endswith("\n"):
        return Applied(text + ending + added.removesuffix(ending), len(lines), 0, len(new))
    return Applied(text + added, len(lines), 0, len(new))


def _replace_at(
    text: str, lines: list[tuple[str, str]], place: Place, new: list[str], path: str
) -> Applied:
    ending = line_ending(text)
    wanted = list(place.wanted)
    new = _without_dropped_edges(new, place)
    start, level = place.start, place.level
    matched = lines[start : start + len(wanted)]
    makefile = is_makefile(path)
    if makefile:
        mapping = IndentMap()  # recipe tabs are set below; other lines are as written
    elif level == INDENTATION:
        found = learn(wanted, [body for body, _ in matched], wanted + new, indent_unit_of(lines))
        if found is None:
            raise EditFailed(
                "its SEARCH text matches only with other indentation, and its lines disagree "
                "about how the indentation differs"
            )
        mapping = found
    else:
        mapping = convert_characters(new, indent_unit_of(lines))
    normal = NORMALISE[level]
    kept = difflib.SequenceMatcher(
        None, [normal(w) for w in wanted], [normal(n) for n in new], autojunk=False
    )
    out: list[tuple[str, str]] = []
    fresh: set[int] = set()  # indices in `out` of the lines the block adds
    for tag, i1, i2, j1, j2 in kept.get_opcodes():
        if tag == "equal":
            out += matched[i1:i2]  # lines the edit keeps: exactly as the file has them
        else:
            fresh.update(range(len(out), len(out) + j2 - j1))
            out += [(mapping.apply(line), ending) for line in new[j1:j2]]
    at_end = start + len(wanted) == len(lines)
    out = [(body, eol or ending) for body, eol in out]
    if at_end and out and not matched[-1][1]:
        out[-1] = (out[-1][0], "")  # the file had no final newline; it still has none
    before = "".join(body + eol for body, eol in lines[:start])
    after = "".join(body + eol for body, eol in lines[start + len(wanted) :])
    if at_end and not out and not matched[-1][1]:
        before = before.removesuffix(ending)  # the last lines went; still no final newline
    if makefile and fresh:
        out = _recipe_tabs(path, lines[:start], out, fresh)
    middle = "".join(body + eol for body, eol in out)
    return Applied(before + middle + after, start, len(wanted), len(out))


def indent_unit_of(lines: list[tuple[str, str]]) -> str:
    return indent_unit([body for body, _ in lines])


def _without_dropped_edges(new: list[str], place: Place) -> list[str]:
    """A block matched without the blank lines at its edges: the same blank lines in its
    replacement were the model's picture of the file too, not lines to add."""
    top = 0
    while top < min(place.dropped_top, len(new)) and not new[top].strip():
        top += 1
    bottom = 0
    while bottom < min(place.dropped_bottom, len(new) - top) and not new[-1 - bottom].strip():
        bottom += 1
    return new[top : len(new) - bottom]


def _recipe_tabs(
    path: str, before: list[tuple[str, str]], out: list[tuple[str, str]], fresh: set[int]
) -> list[tuple[str, str]]:
    """The block's new lines with a Makefile's recipe tabs, read in the context of the
    lines before them; kept lines stay as the file has them."""
    context = [body + eol for body, eol in before]
    text = "".join(context) + "".join(body + eol for body, eol in out)
    only = {len(context) + index for index in fresh}
    tabbed = split_lines(tab_recipes(path, text, only))
    return tabbed[len(context) :]
