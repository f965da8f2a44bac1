"""Search/replace blocks, as Aider teaches models to write them and as our EDIT holds them:

    <<<<<<< SEARCH
    lines that appear exactly once in the current file
    =======
    the lines that replace them
    >>>>>>> REPLACE

Marker lines of 5 to 9 characters are read; a block's divider and REPLACE line have as many
characters as its SEARCH line, so a line of another length is the block's own text. The
line reader (orchestrator.answers.stream) finds the blocks; this module reads one.
"""

import re
from dataclasses import dataclass, field

from orchestrator.fences import FENCE
from orchestrator.operations import SearchReplace
from orchestrator.paths import BLANKS

SEARCH = re.compile(r"^<{5,9}[ \t]*(?:SEARCH|ORIGINAL)\b", re.IGNORECASE)
DIVIDER = re.compile(r"^={5,9}[ \t]*$")
REPLACE = re.compile(r"^>{5,9}(?:[ \t]*(?:REPLACE|UPDATED)\b.*)?[ \t]*$", re.IGNORECASE)
SEARCH_HEAD = "<<<<<<< SEARCH"
DIVIDER_LINE = "======="
REPLACE_TAIL = ">>>>>>> REPLACE"


@dataclass
class Block:
    """The lines of one search/replace block, from its SEARCH line to its REPLACE line."""

    size: int = 7  # how many "<" its SEARCH line has: its divider has as many "="
    lines: list[str] = field(default_factory=list)
    # A REPLACE line of another length after the divider: the block's end if nothing but
    # blank lines and fences follow it before the next operation, else the block's text.
    loose_end: int | None = None

    def add(self, line: str) -> None:
        stripped = line.rstrip(BLANKS)
        if REPLACE.match(stripped) and any(DIVIDER.match(text) for text in self.lines):
            self.loose_end = len(self.lines)
        elif stripped and not FENCE.match(stripped):
            self.loose_end = None
        self.lines.append(line)

    def end_loosely(self) -> bool:
        """Close at the REPLACE line of another length, if it was the block's last word."""
        if self.loose_end is None:
            return False
        del self.lines[self.loose_end :]
        return True

    def finish(self) -> SearchReplace | str:
        """The block, or the reason it cannot be read. Several ======= lines (a Markdown
        heading underline in the text) give several readings; one of the marker's own length
        is preferred, and the merge keeps the one reading that matches."""
        dividers = [i for i, line in enumerate(self.lines) if DIVIDER.match(line)]
        if not dividers:
            return "a search/replace block has no ======= line between SEARCH and REPLACE"
        same_size = [i for i in dividers if len(self.lines[i].strip()) == self.size]
        splits = [
            ("".join(self.lines[:i]), "".join(self.lines[i + 1 :])) for i in same_size or dividers
        ]
        search, replace = splits[0]
        return SearchReplace(search, replace, alternatives=tuple(splits[1:]))


def new_block(line: str) -> Block:
    return Block(size=len(line) - len(line.lstrip("<")))


def closes(block: Block, line: str) -> bool:
    """A REPLACE line of the block's own marker length: another length is the block's text."""
    return bool(REPLACE.match(line)) and len(line) - len(line.lstrip(">")) == block.size


def blocks_only(lines: list[str]) -> tuple[SearchReplace, ...]:
    """The blocks, when lines hold search/replace blocks and nothing else but blank lines
    and fences; otherwise nothing."""
    blocks: list[SearchReplace] = []
    block: Block | None = None
    for line in lines:
        stripped = line.rstrip(BLANKS)
        if block is not None:
            if closes(block, stripped):
                finished, block = block.finish(), None
                if isinstance(finished, str):
                    return ()
                blocks.append(finished)
            else:
                block.lines.append(line)
        elif SEARCH.match(stripped):
            block = new_block(stripped)
        elif stripped and not FENCE.match(stripped):
            return ()
    return tuple(blocks) if block is None else ()


def holds_block_markers(lines: list[str]) -> bool:
    """A SEARCH line and a divider or REPLACE line: the text of search/replace blocks."""
    stripped = [line.rstrip(BLANKS) for line in lines]
    return any(SEARCH.match(line) for line in stripped) and any(
        DIVIDER.match(line) or REPLACE.match(line) for line in stripped
    )


def render_blocks(blocks: tuple[SearchReplace, ...]) -> str:
    return "".join(
        f"{SEARCH_HEAD}\n{b.search}{DIVIDER_LINE}\n{b.replace}{REPLACE_TAIL}\n" for b in blocks
    )
