"""Where a diff's hunks go: their line numbers, tracked as `patch` tracks them.

The line numbers of a diff count lines of the file before it. Hunks are applied in the order
of those numbers (a diff written out of order is put in order, as `git apply` finds each
hunk wherever it is). Each hunk's expected line is its header's, moved by what the hunks
before it added and removed, and by how far from its number the last hunk was found (GNU
patch's offset: a diff whose numbers are all 300 lines off is found 300 lines away once,
then where its numbers say). The expected line only chooses among several exact places
(orchestrator.matching); a hunk whose lines are in one place applies there whatever its
number says. A hunk that only adds lines quotes nothing to check: its number is trusted at
the file's start or end, or when another hunk of the same diff was found exactly at its
own number, which proves the numbers were counted, not guessed.
"""

from collections.abc import Sequence

from orchestrator.file_text import lines_of
from orchestrator.matching import TRAILING, find
from orchestrator.operations import SearchReplace


def has_old_lines(block: SearchReplace) -> bool:
    """A hunk that quotes lines of the file (context or removed), blank ones included."""
    return bool(lines_of(block.search))


class Positions:
    """The expected place of each hunk of one file's diff, as the earlier hunks moved it."""

    def __init__(self, blocks: Sequence[SearchReplace], original: list[str]) -> None:
        self.length = len(original)  # lines of the file before the diff
        self.shift = 0  # lines added minus lines removed by the hunks placed so far
        self.offset = 0  # how far from its expected line the last hunk was found
        self.proven = any(_at_its_line(block, original) for block in blocks)

    @staticmethod
    def order(blocks: Sequence[SearchReplace]) -> list[int]:
        """The order to apply the blocks in: by line number when every one has one."""
        indices = list(range(len(blocks)))
        if blocks and all(b.from_diff and b.line_hint is not None for b in blocks):
            indices.sort(key=lambda i: blocks[i].line_hint or 0)
        return indices

    def expected(self, block: SearchReplace) -> int | None:
        """The index where the hunk's first line should be now, if it has a number."""
        if not block.from_diff or block.line_hint is None:
            return None
        return block.line_hint - 1 + self.shift + self.offset

    def insertion(self, block: SearchReplace, current_length: int) -> int | None:
        """Where a hunk that only adds lines goes, when its number can be trusted."""
        if not block.from_diff or block.line_hint is None:
            return None
        # "@@ -5,0 +6,2 @@" adds after line 5. A header that counts old lines the hunk does
        # not quote ("-5,3") contradicts its body: where it adds is unknown.
        if block.old_count not in (0, None):
            return None
        index = block.line_hint + self.shift + self.offset
        if not 0 <= index <= current_length:
            return None
        if block.line_hint == 0 or index == current_length or self.proven:
            return index
        return None

    def placed(self, block: SearchReplace, start: int, removed: int, added: int) -> None:
        """Learn from where a hunk was found, and how it moved the lines after it."""
        if block.from_diff and block.line_hint is not None:
            expected = block.line_hint - 1 + self.shift
            if not has_old_lines(block):
                expected += 1  # an insertion's number is the line before it
            self.offset = start - expected
        self.shift += added - removed

    def skipped(self, block: SearchReplace) -> None:
        """A hunk an earlier round applied: its lines are in the file, moving the rest."""
        self.shift += len(lines_of(block.replace)) - len(lines_of(block.search))


def _at_its_line(block: SearchReplace, original: list[str]) -> bool:
    """A hunk with lines to check, found exactly at its own number in the original file."""
    if not block.from_diff or not block.line_hint or not has_old_lines(block):
        return False
    wanted = lines_of(block.search)
    start = block.line_hint - 1
    if start == 0 and wanted:
        # The original's lines come without its byte-order mark; a diff quotes it.
        wanted = [wanted[0].removeprefix("\ufeff"), *wanted[1:]]
    return find(original[start : start + len(wanted)], wanted, TRAILING) == [0]
