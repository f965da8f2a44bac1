"""The line reader: it reads an answer as it streams, and returns each operation as its
closing line arrives, so the pipeline reports files while the model still writes.

Lines go to the reader of the dialect they open: our markers (orchestrator.answers.ours),
search/replace blocks (orchestrator.answers.search_replace), unified diffs and apply_patch
(orchestrator.answers.unified_diff, orchestrator.answers.apply_patch). Fenced blocks outside
operations are kept for the prose reader (orchestrator.answers.prose), which runs only when
the answer held nothing else. Which of these readings counts is decided once the answer is
whole (orchestrator.answers.dispatch): one dialect per answer.

What it cannot read without guessing becomes a Refusal: never applied, always repaired.
Paths are not trusted here: the merge and the reporter clean them (orchestrator.paths).
"""

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from orchestrator.answers.apply_patch import PATCH_HEADER, open_patch_file
from orchestrator.answers.dispatch import Found, choose, tag_findings
from orchestrator.answers.ours import MARKER, OPENING_KEYWORDS, is_end, rename_sides
from orchestrator.answers.prose import FencedBlock, mentioned_files
from orchestrator.answers.reasoning import CLOSING, OPENING, lone_closing
from orchestrator.answers.restarts import is_restart, withdrawal_refusals
from orchestrator.answers.search_replace import (
    REPLACE,
    SEARCH,
    Block,
    blocks_only,
    closes,
    holds_block_markers,
    new_block,
)
from orchestrator.answers.unified_diff import GIT_HEADER, HUNK_HEADER, DiffReader, header_path
from orchestrator.errors import ModelAnswerInvalid
from orchestrator.fences import FENCE, is_closing_fence, is_prose_file, unwrap_fences
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Operation,
    Refusal,
    RenameFile,
    SearchReplace,
    WriteFile,
)
from orchestrator.path_mentions import looks_like_path, marker_path, path_in_line, split_path_list
from orchestrator.paths import BLANKS

UNNAMED = "(a file the answer did not name)"


@dataclass
class _Open:
    """An operation being read: FILE or EDIT (ours) or BLOCK (Aider style, no markers)."""

    kind: str
    path: str | None
    raw_path: str
    lines: list[str] = field(default_factory=list)  # FILE body, or loose lines of an EDIT
    blocks: list[SearchReplace] = field(default_factory=list)
    block: Block | None = None
    problem: str | None = None


class EditStreamParser:
    """Feed it text as it arrives; it returns the operations completed by each piece.

    `known_paths` are the project's files: they settle which of several names in a line of
    prose is the file a block belongs to.
    """

    def __init__(self, known_paths: Iterable[str] = ()) -> None:
        self._pending = ""
        self._text: list[str] = []
        self.known = frozenset(known_paths)
        self.prose: list[str] = []
        self.planned: list[str] | None = None  # from the PLAN line, if the model gave one
        self.operations: list[Operation] = []
        self.refusals: list[Refusal] = []
        self.fenced_blocks: list[FencedBlock] = []
        self._open: _Open | None = None
        self._diff: DiffReader | None = None
        self._cut_in: str | None = None  # where the answer was cut off, outside an operation
        self._held: str | None = None  # a "--- x" line: a diff header if "+++ y" follows
        self._recent: deque[str] = deque(maxlen=3)  # lines outside operations, newest last
        self._fence: FencedBlock | None = None
        self._block_path: str | None = None  # the file of the last Aider-style block
        self._closed_by_end: Operation | None = None
        self._last_block: Operation | None = None  # an Aider-style block just closed
        self._done: list[Operation] = []
        self.found: list[Found] = []  # every operation and refusal, with dialect and lines
        self.restatements: list[Operation] = []  # other dialects' words: checked, not applied
        self.dialect: str | None = None
        self.reasoning: list[str] = []  # inline reasoning, set aside (never read)
        self._reasoning_open = False
        self._reasoning_seen = False
        self.reasoning_cut = False  # the answer stopped inside a reasoning block
        self._kept: list[str] = []  # the lines read as the answer, since the last restart
        self._line_no = 0
        self._op_start = 0
        self._withdrawn: dict | None = None  # the state of an attempt the answer withdrew
        self._withdrawn_items: list = []  # what every withdrawn attempt found
        self._indent = ""  # the indentation of operations written under a list item

    @property
    def open_path(self) -> str | None:
        """The path of the operation still being read (set when an answer is cut off)."""
        if self._open is not None:
            return self._open.path or self._open.raw_path or UNNAMED
        return self._cut_in

    def feed(self, text: str) -> list[Operation]:
        self._text.append(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._filter(line.removesuffix("\r") + "\n")
        done, self._done = self._done, []
        return done

    # Reasoning and restarts: what never reaches the readers -----------------------------------

    def _filter(self, line: str) -> None:
        """Set inline reasoning aside (orchestrator.answers.reasoning) and drop an attempt
        the answer withdraws (orchestrator.answers.restarts); read the rest."""
        if self._reasoning_open:
            close = CLOSING.search(line)
            self.reasoning.append(line[: close.start()] if close else line)
            if close:
                self._reasoning_open = False
                self._rest(line[close.end() :])
            return
        idle = self._open is None and self._diff is None and self._held is None
        opening = OPENING.match(line) if idle and self._fence is None else None
        if opening:
            self._reasoning_seen = True
            rest = line[opening.end() :]
            close = CLOSING.search(rest)
            self.reasoning.append(rest[: close.start()] if close else rest)
            if close:
                self._rest(rest[close.end() :])
            else:
                self._reasoning_open = True
            return
        if OPENING.match(line):
            self._reasoning_seen = True  # an opening tag in a file's text: its own closing too
        close = None if self._reasoning_seen else lone_closing(line)
        if close:
            # Only the closing tag arrived: everything before it was the model's reasoning.
            self._reasoning_seen = True
            self.reasoning += [*self._kept, line[: close.start()]]
            self._reset()
            self._rest(line[close.end() :])
            return
        if idle and self._fence is None and is_restart(line) and self._has_operations():
            self._withdrawn = self._state()
            self._withdrawn_items += [one.item for one in self.found]
            self._reset()
        self._read(line)

    def _has_operations(self) -> bool:
        return bool(self.found) or bool(tag_findings("".join(self._kept), self.known))

    def _rest(self, text: str) -> None:
        if text.strip():
            self._read(text if text.endswith("\n") else text + "\n")

    def _read(self, line: str) -> None:
        line = self._dedent(line)
        self._line_no = len(self._kept)
        self._kept.append(line)
        self._line(line)

    def _dedent(self, line: str) -> str:
        """Operations indented under a list item ("1. In app.py:" then the block, indented):
        from an indented line that opens an operation or a fence, outside any operation,
        every line that carries the same indentation is read without it, until a line
        that does not."""
        if self._indent:
            if line.startswith(self._indent):
                return line[len(self._indent) :]
            if not line.strip():
                return line.lstrip(" \t")
            self._indent = ""
        idle = self._open is None and self._diff is None and self._held is None
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if indent and idle and _opens_something(line[len(indent) :].rstrip(BLANKS)):
            self._indent = indent
            return line[len(indent) :]
        return line

    _STATE = [
        "prose",
        "planned",
        "operations",
        "refusals",
        "fenced_blocks",
        "found",
        "_kept",
        "_cut_in",
        "_recent",
        "_fence",
        "_block_path",
        "_closed_by_end",
        "_last_block",
        "_open",
        "_diff",
        "_held",
    ]

    def _state(self) -> dict:
        return {name: getattr(self, name) for name in self._STATE}

    def _reset(self) -> None:
        """Forget everything read so far: it was reasoning, or a withdrawn attempt."""
        self.prose, self.planned, self.operations, self.refusals = [], None, [], []
        self.fenced_blocks, self.found, self._kept = [], [], []
        self._cut_in = self._fence = self._block_path = None
        self._closed_by_end = self._last_block = self._open = self._diff = self._held = None
        self._recent = deque(maxlen=3)
        self._indent = ""

    def finish(
        self, allow_open: bool = False, complete: bool = False, cut_off: bool = False
    ) -> list[Operation]:
        """Read what is left; an operation still open means the answer was cut off.

        `complete`: the model said it had finished (not cut off by a length limit), so an
        EDIT whose blocks are all whole is closed, though its END was forgotten.
        `cut_off`: the model stopped at its length limit. A diff has no closing line, so one
        still being read is then cut off too: its last hunk may have lost lines."""
        if self._pending:
            self.feed("\n")
        if self._reasoning_open:
            self.reasoning_cut = True  # nothing after an unclosed reasoning block is read
            self._cut_in = self._cut_in or UNNAMED
        self._release_held()
        if cut_off and self._diff is not None:
            self._cut_in, self._diff = self._diff.path, None
        self._end_diff(at_end=True)
        if complete and self._open is not None and self._open.kind != "FILE":
            self._close_complete_edit()
        tags = tag_findings("".join(self._kept), self.known)
        if self._open is not None and any(t.start <= self._op_start < t.end for t in tags):
            self._open = None  # a block left open inside a closed tag: the tag's own text
        if self.open_path is not None and not allow_open:
            raise ModelAnswerInvalid(
                f"The model's answer stopped in the middle of {self.open_path} "
                "(no closing @@@ END). Try again, or ask for a smaller change."
            )
        if self._fence is not None and not self._fence.had_operations:
            self._fence.closed = False
            self.fenced_blocks.append(self._fence)
        self._decide(cut_off, tags)
        done, self._done = self._done, []
        return done

    def _decide(self, cut_off: bool, tags: list[Found]) -> None:
        """Read the answer in its one dialect (orchestrator.answers.dispatch)."""
        emitted = {id(one.item) for one in self.found}
        reading = choose(self.found, "".join(self._kept), self.fenced_blocks, self.known, tags)
        if self._withdrawn is not None and not reading.operations and not reading.refusals:
            # Nothing followed the sentence that seemed to start over: it was prose.
            withdrawn, self._withdrawn = self._withdrawn, None
            for name, value in withdrawn.items():
                setattr(self, name, value)
            emitted |= {id(one.item) for one in self.found}
            reading = choose(self.found, "".join(self._kept), self.fenced_blocks, self.known)
        if self._withdrawn is not None:
            earlier = [item for item in self._withdrawn_items if not isinstance(item, Refusal)]
            reading.refusals += withdrawal_refusals(earlier, reading.operations)
        self.operations, self.refusals = reading.operations, reading.refusals
        self.restatements, self.dialect = reading.restatements, reading.dialect
        chosen = {id(operation) for operation in self.operations}
        self._done = [op for op in self._done if id(op) in chosen] + [
            op for op in self.operations if id(op) not in emitted
        ]
        if cut_off and not self.operations and not self.refusals and "".join(self._kept).strip():
            self._cut_in = self._cut_in or UNNAMED  # cut off before anything could be read
        complete = not cut_off and self.open_path is None
        silent = complete and not self.operations and not self.refusals
        if silent and (mention := mentioned_files(self.prose, self.known)) is not None:
            self.refusals.append(mention)

    # One line at a time ---------------------------------------------------------------------

    def _line(self, line: str) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            if line.startswith("+++ "):
                if self._diff is not None and not self._diff.hunks:
                    self._diff.set_paths(header_path(held), header_path(line))  # after diff --git
                else:
                    self._start_diff(header_path(held), header_path(line))
                    self._op_start = max(self._line_no - 1, 0)
                return
            self._line_unheld(held)
        if line.startswith("--- ") and self._open is None:
            self._held = line
            return
        self._line_unheld(line)

    def _release_held(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._line_unheld(held)

    def _line_unheld(self, line: str) -> None:
        patch = PATCH_HEADER.match(line.rstrip(BLANKS)) if self._open is None else None
        if patch:
            self._patch_line(patch.group(1).lower(), patch.group(2))
            return
        if self._diff is not None:
            if GIT_HEADER.match(line) or MARKER.match(line.rstrip(BLANKS)) or SEARCH.match(line):
                self._end_diff()  # the next operation, in this format or ours
            elif self._diff.feed(line):
                return
            else:
                self._end_diff()
        if self._open is None:
            self._outside(line)
        elif self._open.kind == "FILE":
            self._file_line(line)
        else:
            self._edit_line(line)

    def _outside(self, line: str) -> None:
        if self._diff is None:
            self._op_start = self._line_no
        stripped = line.rstrip(BLANKS)
        marker = MARKER.match(stripped)
        if marker:
            self._marker(marker.group(1).upper(), marker.group(2))
            self._recent.clear()
            return
        if SEARCH.match(stripped):
            path = self._named_before() or self._block_path
            self._note_operation_in_fence()
            self._open = _Open("BLOCK", path, path or "", block=new_block(stripped))
            if path is None:
                self._open.problem = "a search/replace block does not say which file it edits"
            return
        if git := GIT_HEADER.match(stripped):
            self._note_operation_in_fence()
            self._diff = DiffReader(git.group(1), git.group(2))
            return
        if HUNK_HEADER.match(stripped):
            path = self._named_before() or ""
            self._start_diff(path, path)
            self._diff.start_hunk(stripped)
            return
        if REPLACE.match(stripped) and (self._last_block or self._closed_by_end):
            # A REPLACE line after the block closed: the block held it, and ended too early.
            last = self._last_block or self._closed_by_end
            self._last_block = self._closed_by_end = None
            self._retract(last, "its block's text holds a >>>>>>> REPLACE line")
            return
        fence = FENCE.match(stripped)
        if fence:
            self._fence_line(fence, line)
            return
        if self._fence is not None:
            self._fence.lines.append(line)
        elif stripped:
            self.prose.append(stripped.strip(BLANKS))
        if stripped:
            self._recent.append(stripped)

    def _fence_line(self, fence: re.Match, line: str) -> None:
        if self._fence is None:
            self._fence = FencedBlock(
                info=fence.group(2).strip(BLANKS), before=list(self._recent), opener=fence.group(1)
            )
            self._recent.append(line.rstrip(BLANKS))
            return
        openers = self._fence.openers
        if is_closing_fence(line, openers[-1]):
            openers.pop()
        elif fence.group(2).strip() and openers[-1] == "```":
            # Models nest fences of the same three backticks (```sh inside ```markdown);
            # a longer fence is Markdown's own way, where inner fences are plain text.
            openers.append(fence.group(1))
        if openers:
            self._fence.lines.append(line)
            return
        block, self._fence = self._fence, None
        if not block.had_operations:
            self.fenced_blocks.append(block)
        self._recent.append(line.rstrip(BLANKS))

    def _note_operation_in_fence(self) -> None:
        if self._fence is not None:
            self._fence.had_operations = True

    def _named_before(self) -> str | None:
        """The file named on the lines just before a block (Aider style), if one is certain."""
        for line in reversed(self._recent):
            fence = FENCE.match(line)
            if fence:
                for word in re.split(r"[ \t:]+", fence.group(2)):
                    if looks_like_path(word):
                        return word
                continue
            return path_in_line(line, self.known)
        return None

    def _marker(self, keyword: str, argument: str) -> None:
        self._note_operation_in_fence()
        if keyword == "END":
            self._stray_end()
            return
        self._closed_by_end = None
        if keyword == "PLAN":
            self.planned = split_path_list(argument)
        elif keyword in ("FILE", "EDIT"):
            path = marker_path(argument)
            self._open = _Open(keyword, path, argument.strip(BLANKS))
            if path is None:
                self._open.problem = f"the {keyword} line names no single file: {argument!r}"
        elif keyword == "DELETE":
            paths = split_path_list(argument)
            if not paths:
                self._refuse(None, f"a DELETE line names no file: {argument!r}")
            for path in paths:
                self._emit(DeleteFile(path))
        elif keyword == "RENAME":
            self._rename(argument)
        else:
            self._refuse(
                marker_path(argument), f"the answer used a marker the format lacks: @@@ {keyword}"
            )

    def _rename(self, argument: str) -> None:
        sides = rename_sides(argument, self.known)
        if len(sides) != 2:
            self._refuse(
                None, f"a RENAME line needs one old path, an arrow and a new path: {argument!r}"
            )
            return
        old, new = (marker_path(side) for side in sides)
        if old is None or new is None:
            self._refuse(old, f"a RENAME line names its files unclearly: {argument!r}")
            return
        self._emit(RenameFile(old, new))

    def _stray_end(self) -> None:
        """An END with nothing open, after a block closed by END: that block may have ended
        early, at a line of its own content that read as END, so its true end is unknown."""
        last = self._closed_by_end
        self._closed_by_end = None
        if last is not None:
            self._retract(last, "its block holds an @@@ END line, so where it ends is unclear")

    def _retract(self, operation: Operation, reason: str) -> None:
        """Take back an operation read too early: what follows shows its end was wrong."""
        if operation in self.operations:
            self.operations.remove(operation)
            self.found = [one for one in self.found if one.item is not operation]
            self._refuse(operation.path, reason)

    # Inside an operation ----------------------------------------------------------------------

    def _file_line(self, line: str) -> None:
        marker = MARKER.match(line.rstrip(BLANKS))
        if marker and marker.group(1).upper() == "END":
            self._close_file()
        elif marker and marker.group(1).upper() in OPENING_KEYWORDS:
            self._forgotten_end(line)
        else:
            self._open.lines.append(line)

    def _forgotten_end(self, line: str) -> None:
        """A new operation starts inside a FILE: its END was forgotten, or the file's own text
        holds a marker line. Either way the file's extent is unsure: refuse it."""
        operation, self._open = self._open, None
        self._refuse(
            operation.path, "its block was not closed with @@@ END before the next operation"
        )
        self._outside(line)

    def _close_file(self) -> None:
        operation, self._open = self._open, None
        if operation.problem:
            self._refuse(operation.path, operation.problem, "".join(operation.lines))
            return
        blocks = blocks_only(operation.lines)
        if blocks:  # a FILE holding nothing but search/replace blocks is an EDIT
            self._emit(EditFile(operation.path, blocks), closed_by_end=True)
            return
        if holds_block_markers(operation.lines) and not is_prose_file(operation.path):
            # Blocks mixed with other text, or a block left unfinished: written as the file's
            # text, the markers would land in the code. (A document may be about them.)
            self._refuse(
                operation.path,
                "its FILE holds search/replace markers that do not make whole blocks",
                "".join(operation.lines),
            )
            return
        content = unwrap_fences(operation.path, "".join(operation.lines))
        self._emit(WriteFile(operation.path, content), closed_by_end=True)

    def _edit_line(self, line: str) -> None:
        operation = self._open
        stripped = line.rstrip(BLANKS)
        if operation.block is not None:
            if closes(operation.block, stripped):
                self._close_block()
            elif SEARCH.match(stripped) or MARKER.match(stripped):
                # Only the next block or the END may follow a block's last word; any other
                # marker means the REPLACE line was the block's text, and it is unfinished.
                ends = SEARCH.match(stripped) or is_end(stripped)
                if ends and operation.block.end_loosely():
                    self._close_block()
                else:
                    operation.problem = "a search/replace block is unfinished (no REPLACE line)"
                    operation.block = None
                    if operation.kind != "BLOCK":
                        self._edit_line(line)  # read on: the rest of the EDIT
                        return
                    self._close_edit(closed_by_end=False)
                if self._open is None:
                    self._outside(line)
                else:
                    self._edit_line(line)
            elif (
                operation.kind == "BLOCK"
                and stripped
                and not FENCE.match(stripped)
                and operation.block.loose_end is not None
                and any(FENCE.match(text) for text in operation.block.lines[-3:])
            ):
                # An Aider-style block whose fence closed after a REPLACE of another length.
                operation.block.end_loosely()
                self._close_block()
                self._outside(line)
            else:
                operation.block.add(line)
            return
        marker = MARKER.match(stripped)
        if SEARCH.match(stripped):
            operation.block = new_block(stripped)
        elif marker and marker.group(1).upper() == "END":
            self._close_edit(closed_by_end=True)
        elif marker and marker.group(1).upper() in OPENING_KEYWORDS and operation.blocks:
            self._close_edit(closed_by_end=False)  # END forgotten, but every block was whole
            self._outside(line)
        elif marker:
            self._forgotten_end(line)
        elif REPLACE.match(stripped):
            # A block's text held a REPLACE line, so the block closed early: refuse it.
            operation.problem = "a block's text holds a >>>>>>> REPLACE line, so it ends unclearly"
        else:
            operation.lines.append(line)  # between blocks: fences, blank lines, comments

    def _close_complete_edit(self) -> None:
        operation = self._open
        if operation.block is not None:
            if not operation.block.end_loosely():
                return
            self._close_block()
            if self._open is None:
                return
        if operation.blocks and not "".join(operation.lines).strip("`~ \t\n"):
            self._close_edit(closed_by_end=False)

    def _close_block(self) -> None:
        operation = self._open
        block, operation.block = operation.block.finish(), None
        if isinstance(block, str):
            operation.problem = block
        else:
            operation.blocks.append(block)
        if operation.kind == "BLOCK":
            self._block_path = operation.path
            before = len(self.operations)
            self._close_edit(closed_by_end=False)
            self._last_block = self.operations[-1] if len(self.operations) > before else None

    def _close_edit(self, closed_by_end: bool) -> None:
        operation, self._open = self._open, None
        if operation.problem:
            self._refuse(operation.path, operation.problem)
        elif operation.blocks:
            dialect = "ours" if operation.kind == "EDIT" else "search_replace"
            self._emit(EditFile(operation.path, tuple(operation.blocks)), closed_by_end, dialect)
        elif (content := unwrap_fences(operation.path, "".join(operation.lines))).strip():
            # An EDIT holding a file's text and no blocks: the model meant a whole file.
            self._emit(WriteFile(operation.path, content, loose=True), closed_by_end)
        else:
            self._refuse(operation.path, "its EDIT has no search/replace blocks")

    # Diffs ------------------------------------------------------------------------------------

    def _start_diff(self, old: str, new: str) -> None:
        self._end_diff()
        self._note_operation_in_fence()
        self._diff = DiffReader(old, new)

    def _patch_line(self, keyword: str, argument: str) -> None:
        """A line of the apply_patch format: it opens one file's diff, or frames the patch."""
        if keyword == "end of file":
            return  # the hunk before it ends the file: its context already says where
        if keyword == "move to" and self._diff is not None and self._diff.patch:
            self._diff.move_to(marker_path(argument) or argument)
            return
        self._end_diff()
        self._note_operation_in_fence()
        self._recent.clear()
        self._op_start = self._line_no
        opened = open_patch_file(keyword, argument)
        if isinstance(opened, Refusal):
            self._refuse(opened.path, opened.reason, dialect="apply_patch")
        else:
            self._diff = opened

    def _end_diff(self, at_end: bool = False) -> None:
        """The diff being read is whole: the answer ended, or the current line is not its."""
        diff, self._diff = self._diff, None
        if diff is None:
            return
        dialect = "apply_patch" if diff.patch else "diff"
        line_no = self._line_no
        self._line_no = line_no if at_end else max(line_no - 1, self._op_start)
        for item in diff.operations():
            if isinstance(item, Refusal):
                self.refusals.append(item)
                self.found.append(Found(item, dialect, self._op_start, self._line_no))
            else:
                self._emit(item, dialect=dialect)
        self._op_start = self._line_no = line_no

    # Results ----------------------------------------------------------------------------------

    def _emit(
        self, operation: Operation, closed_by_end: bool = False, dialect: str = "ours"
    ) -> None:
        self._last_block = None
        self.operations.append(operation)
        self.found.append(Found(operation, dialect, self._op_start, self._line_no))
        self._done.append(operation)
        self._closed_by_end = operation if closed_by_end else None
        self._recent.clear()

    def _refuse(
        self, path: str | None, reason: str, text: str = "", dialect: str = "refused"
    ) -> None:
        refusal = Refusal(path, reason, text)
        self.refusals.append(refusal)
        self.found.append(Found(refusal, dialect, self._op_start, self._line_no))
        self._recent.clear()


def _opens_something(stripped: str) -> bool:
    return bool(
        MARKER.match(stripped)
        or SEARCH.match(stripped)
        or GIT_HEADER.match(stripped)
        or PATCH_HEADER.match(stripped)
        or HUNK_HEADER.match(stripped)
        or FENCE.match(stripped)
        or stripped.startswith("--- ")
    )


def parse_edit_stream(chunks: Iterable[str]) -> Iterator[Operation]:
    """Yield operations from an iterable of text chunks as each one completes."""
    parser = EditStreamParser()
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.finish()
