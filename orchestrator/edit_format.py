"""The edit format the models answer in, the prompt text that teaches it, and its parser.

A model's answer is prose plus operations, each on marker lines of its own:

    @@@ PLAN app/main.py, README.md   first: every file the answer will touch

    @@@ FILE app/main.py          a whole file (new files, version 1)
    ...every line of the file...
    @@@ END

    @@@ EDIT app/main.py          search/replace blocks for an existing file
    <<<<<<< SEARCH
    lines that appear exactly once in the current file
    =======
    the lines that replace them
    >>>>>>> REPLACE
    @@@ END

    @@@ DELETE docs/old.md
    @@@ RENAME app/old.py -> app/new.py

`parse_edit_stream` reads the answer chunk by chunk and yields each operation the moment
its closing line arrives, so the pipeline can report files while the model still writes.
Paths are not trusted here; the merge cleans them (orchestrator.paths).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from orchestrator.errors import ModelAnswerInvalid

FORMAT_INSTRUCTIONS = """\
Answer with operations in this exact format. Marker lines start at the first column.

Begin with one line naming every file you will write, edit, delete or rename:
@@@ PLAN path/one.py, path/two.md

To write a whole file (use this for every new file):
@@@ FILE path/relative/to/project.ext
<the complete file content>
@@@ END

To change an existing file, give one or more search/replace blocks. SEARCH must copy
lines of the current file exactly, enough of them to match in one place only:
@@@ EDIT path/relative/to/project.ext
<<<<<<< SEARCH
<exact current lines>
=======
<new lines>
>>>>>>> REPLACE
@@@ END

To delete a file:            @@@ DELETE path/to/file
To rename or move a file:    @@@ RENAME old/path -> new/path

Never write "rest of the code unchanged" or similar placeholders: give real lines.
Paths are relative, use forward slashes and never contain "..".
If no change is needed, answer with one sentence and no operations."""

_MARK = "@@@ "
_SEARCH = "<<<<<<< SEARCH"
_DIVIDER = "======="
_REPLACE = ">>>>>>> REPLACE"


@dataclass(frozen=True)
class WriteFile:
    path: str
    content: str


@dataclass(frozen=True)
class SearchReplace:
    search: str
    replace: str


@dataclass(frozen=True)
class EditFile:
    path: str
    blocks: tuple[SearchReplace, ...]


@dataclass(frozen=True)
class DeleteFile:
    path: str


@dataclass(frozen=True)
class RenameFile:
    path: str
    new_path: str


Operation = WriteFile | EditFile | DeleteFile | RenameFile


@dataclass
class _Open:
    """The operation being read: its kind, path and the lines so far."""

    kind: str
    path: str
    lines: list[str] = field(default_factory=list)
    blocks: list[SearchReplace] = field(default_factory=list)
    part: str = "between"  # EDIT only: between, search or replace
    search: list[str] = field(default_factory=list)


class EditStreamParser:
    """Feed it text as it arrives; it returns the operations completed by each piece."""

    def __init__(self) -> None:
        self._pending = ""
        self._open: _Open | None = None
        self.prose: list[str] = []
        self.planned: list[str] | None = None  # from the PLAN line, if the model gave one

    @property
    def open_path(self) -> str | None:
        """The path of the operation still being read (set when an answer is cut off)."""
        return self._open.path if self._open else None

    def feed(self, text: str) -> list[Operation]:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        done: list[Operation] = []
        for line in lines:
            operation = self._line(line + "\n")
            if operation is not None:
                done.append(operation)
        return done

    def finish(self, allow_open: bool = False) -> list[Operation]:
        """Read what is left; an operation still open means the answer was cut off."""
        done = self.feed("\n") if self._pending else []
        if self._open is not None and not allow_open:
            raise ModelAnswerInvalid(
                f"The model's answer stopped in the middle of {self._open.path} "
                "(no closing @@@ END). Try again, or ask for a smaller change."
            )
        return done

    def _line(self, line: str) -> Operation | None:
        marker = line.rstrip() if line.startswith(_MARK) else ""
        if self._open is None:
            return self._outside(line, marker)
        if marker == "@@@ END":
            return self._close()
        if self._open.kind == "FILE":
            self._open.lines.append(line)
        else:
            self._edit_line(line)
        return None

    def _outside(self, line: str, marker: str) -> Operation | None:
        if not marker:
            if line.strip() and not line.startswith("```"):
                self.prose.append(line.strip())
            return None
        keyword, _, argument = marker[len(_MARK) :].partition(" ")
        argument = argument.strip()
        if keyword == "PLAN":
            self.planned = [path.strip() for path in argument.split(",") if path.strip()]
        elif keyword in ("FILE", "EDIT") and argument:
            self._open = _Open(kind=keyword, path=argument)
        elif keyword == "DELETE" and argument:
            return DeleteFile(path=argument)
        elif keyword == "RENAME" and " -> " in argument:
            old, _, new = argument.partition(" -> ")
            return RenameFile(path=old.strip(), new_path=new.strip())
        else:
            raise ModelAnswerInvalid(f"The model wrote a marker this format lacks: {marker!r}.")
        return None

    def _edit_line(self, line: str) -> None:
        edit = self._open
        stripped = line.rstrip()
        if edit.part == "between":
            if stripped == _SEARCH:
                edit.part, edit.search = "search", []
            # Anything else between blocks (blank lines, stray fences) carries no change.
        elif edit.part == "search":
            if stripped == _DIVIDER:
                edit.part, edit.lines = "replace", []
            else:
                edit.search.append(line)
        elif stripped == _REPLACE:
            edit.blocks.append(SearchReplace("".join(edit.search), "".join(edit.lines)))
            edit.part = "between"
        else:
            edit.lines.append(line)

    def _close(self) -> Operation:
        operation, self._open = self._open, None
        if operation.kind == "FILE":
            return WriteFile(path=operation.path, content="".join(operation.lines))
        if operation.part != "between":
            raise ModelAnswerInvalid(
                f"The model left a search/replace block in {operation.path} unfinished."
            )
        if not operation.blocks:
            raise ModelAnswerInvalid(f"The model's edit of {operation.path} has no blocks.")
        return EditFile(path=operation.path, blocks=tuple(operation.blocks))


def parse_edit_stream(chunks: Iterable[str]) -> Iterator[Operation]:
    """Yield operations from an iterable of text chunks as each one completes."""
    parser = EditStreamParser()
    for chunk in chunks:
        yield from parser.feed(chunk)
    yield from parser.finish()


def render_operations(operations: Iterable[Operation]) -> str:
    """Write operations in the edit format (the demo model answers with this)."""
    out: list[str] = []
    for operation in operations:
        match operation:
            case WriteFile(path, content):
                body = content if content.endswith("\n") or not content else content + "\n"
                out.append(f"@@@ FILE {path}\n{body}@@@ END\n")
            case EditFile(path, blocks):
                rendered = "".join(
                    f"{_SEARCH}\n{b.search}{_DIVIDER}\n{b.replace}{_REPLACE}\n" for b in blocks
                )
                out.append(f"@@@ EDIT {path}\n{rendered}@@@ END\n")
            case DeleteFile(path):
                out.append(f"@@@ DELETE {path}\n")
            case RenameFile(path, new_path):
                out.append(f"@@@ RENAME {path} -> {new_path}\n")
    return "\n".join(out)
