"""Where a block's SEARCH lines are in a file: one place, at one indentation level, or none.

A block claims that its lines are in the file once, as written. Models quote with small
slips, so the claim is relaxed one part at a time: trailing whitespace, then the blank
lines at the block's edges, then indentation. Each relaxation must find one place, and the
relaxations must agree: when a block starting with a blank line matches one method once
the blank line is dropped and another once indentation is ignored, it reads two ways and
is refused, as is a block found only by ignoring indentation at two levels. A diff hunk's
line number (orchestrator.hunks) chooses among several exact places only when it points at
one clearly; a place found only by ignoring indentation must be the only one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.errors import EditFailed

EXACT, TRAILING, INDENTATION = 0, 1, 2
NORMALISE: list[Callable[[str], str]] = [lambda s: s, str.rstrip, str.strip]
# A line number settles which of several places is meant only when it points at one: the
# nearest place within NEAR_LINES of it, and at most half as far as the next nearest.
NEAR_LINES = 5
NOWHERE = "its SEARCH text matches nowhere in the current file"


@dataclass(frozen=True)
class Place:
    """Where a block matched: its first line, the lines it matched and how loosely."""

    start: int
    wanted: tuple[str, ...]  # the block's lines as matched (blank edges dropped or not)
    level: int  # EXACT, TRAILING or INDENTATION
    dropped_top: int = 0  # blank lines dropped from the top of the block
    dropped_bottom: int = 0


def find(lines: list[str], wanted: list[str], level: int) -> list[int]:
    """Every index where `wanted` starts in `lines`, compared at the given level."""
    if not wanted:
        return []
    normal = NORMALISE[level]
    target = [normal(line) for line in wanted]
    current = [normal(line) for line in lines]
    first, size = target[0], len(target)
    return [
        i
        for i in range(len(lines) - size + 1)
        if current[i] == first and current[i : i + size] == target
    ]


def trim_blank(lines: list[str]) -> tuple[list[str], int, int]:
    """The lines without blank lines at either edge, and how many went from each."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end], start, len(lines) - end


def locate(
    lines: list[str],
    wanted: list[str],
    expected: int | None = None,
    first: str = "any",
    last: bool = False,
) -> Place:
    """The one place `wanted` matches in `lines`, or EditFailed saying why there is none.

    `expected`: the index a diff hunk's line number points at, to choose among several
    exact places. `first`: "only" when the block quoted the file's byte-order mark (it
    claims the first line); "last resort" when a diff hunk did not, though the file has
    one: as for `git apply`, the first line's bytes then differ, and another exact place
    is the one meant. `last`: a diff said its last line has no newline, so it is the file's
    last line."""
    trimmed, top, bottom = trim_blank(wanted)
    readings = [(wanted, 0, 0)] + ([(trimmed, top, bottom)] if trimmed != wanted else [])
    for search, dropped_top, dropped_bottom in readings:
        for level in (EXACT, TRAILING):
            starts = _at(
                find(lines, search, level),
                first,
                last,
                (search, dropped_top, dropped_bottom, lines),
            )
            if not starts:
                continue
            hint = None if expected is None else expected + dropped_top
            start = _choose(starts, hint)
            place = Place(start, tuple(search), level, dropped_top, dropped_bottom)
            if dropped_top or dropped_bottom:
                _agrees_with_indentation_reading(lines, wanted, place)
            return place
    for search, dropped_top, dropped_bottom in readings:
        starts = _at(
            find(lines, search, INDENTATION),
            first,
            last,
            (search, dropped_top, dropped_bottom, lines),
        )
        if len(starts) > 1:
            raise EditFailed(
                f"its SEARCH text matches {len(starts)} places once indentation is ignored, "
                "at different indentation levels; it needs the exact indentation, or more "
                "lines, to match one"
            )
        if starts:
            return Place(starts[0], tuple(search), INDENTATION, dropped_top, dropped_bottom)
    raise EditFailed(NOWHERE)


def _at(
    starts: list[int], first: str, last: bool, reading: tuple[list[str], int, int, list[str]]
) -> list[int]:
    """The places left by what the block says of the file's first and last lines."""
    search, dropped_top, dropped_bottom, lines = reading
    if last:
        end = len(lines) - dropped_bottom
        starts = [start for start in starts if start + len(search) == end]
    if first == "only":
        return [start for start in starts if start == dropped_top]
    others = [start for start in starts if start != dropped_top]
    return others if first == "last resort" and others else starts


def _choose(starts: list[int], hint: int | None) -> int:
    """The one place, or the one a line number points at clearly."""
    if len(starts) == 1:
        return starts[0]
    if hint is not None:
        by_distance = sorted(starts, key=lambda start: abs(start - hint))
        nearest, second = (abs(start - hint) for start in by_distance[:2])
        if nearest <= NEAR_LINES and second > 2 * nearest:
            return by_distance[0]
        raise EditFailed(
            f"its lines match {len(starts)} places, and its line number ({hint + 1}) does not "
            "point at one of them clearly; it needs more lines of context to match one"
        )
    raise EditFailed(
        f"its SEARCH text matches {len(starts)} places; it needs more lines to match one"
    )


def _agrees_with_indentation_reading(lines: list[str], wanted: list[str], place: Place) -> None:
    """A block found only once its edge blank lines were dropped claims those blank lines
    too: if, with them, it matches once indentation is ignored, that is another place (at the
    same place, the exact readings would have matched), and the block reads two ways."""
    others = find(lines, wanted, INDENTATION)
    if others:
        raise EditFailed(
            f"its SEARCH text matches line {place.start + 1} without its blank edge lines, "
            f"and line {others[0] + place.dropped_top + 1} with them once indentation is "
            "ignored; it needs the exact lines to match one place"
        )
