"""Apply a model's operations to a project's files: exactly as meant, or not at all.

Edits match whole lines, first exactly, then ignoring trailing whitespace, then ignoring
indentation; each way must find exactly one place (or, for a diff hunk, one place at the
line it names). Lines the edit keeps come from the file unchanged; new lines take the
file's line endings, its final-newline style and its indentation character and width
(orchestrator.indentation). A block that matches nowhere, or in several places, or reads
two ways, is a Failure for the repair round, never a guess.

Paths go through orchestrator.paths. A path that differs from an existing one only in
letter case is taken as that file, unless the same answer also names the existing path;
then the two would collide, and the result is refused. The merge works on a copy (the dry
run); the caller saves only a complete result.
"""

import contextlib
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from orchestrator.diffing import count_lines, line_delta
from orchestrator.errors import EditFailed, UnsafePath
from orchestrator.fences import FENCE, is_closing_fence
from orchestrator.indentation import (
    convert_characters,
    indent_unit,
    learn,
    tab_recipes,
)
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Operation,
    RenameFile,
    SearchReplace,
    WriteFile,
)
from orchestrator.paths import ProjectLimits, case_twin, clean_path, collision

# A judge of laziness: (path, old text or None, new text, whole file?, loosely read?) -> reason.
Judge = Callable[[str, str | None, str, bool, bool], str | None]


@dataclass(frozen=True)
class FileChange:
    """What one run did to one path, with line counts for the UI."""

    path: str
    action: str  # added, modified, deleted, renamed
    lines_added: int = 0
    lines_removed: int = 0
    old_path: str | None = None


@dataclass(frozen=True)
class Failure:
    """Something the answer asked for that could not be applied, and why."""

    path: str | None
    reason: str
    kind: str = "edit"  # edit, wrong_path, missing, lazy, refused, unnamed_code, cut_off
    block: int | None = None  # the block's number among the answer's blocks for this path
    search: str = ""  # the block's SEARCH text, quoted back in the repair request
    suggestion: str | None = None  # an existing file the model may have meant


@dataclass
class DryRun:
    """What applying the operations gives: the files, what applied, what failed."""

    files: dict[str, str]
    applied: list[Operation] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)  # new path -> original path
    failed: list[Operation] = field(default_factory=list)  # the given operations that failed


def apply_operations(
    files: dict[str, str], operations: Iterable[Operation], limits: ProjectLimits
) -> tuple[dict[str, str], list[FileChange]]:
    """Apply every operation or raise EditFailed/UnsafePath; the input is never changed."""
    result = dry_run(files, list(operations))
    if result.failures:
        failure = result.failures[0]
        raise EditFailed(failure_message(failure))
    limits.check(result.files)
    return result.files, changes_between(files, result.files, result.renames)


def failure_message(failure: Failure) -> str:
    where = f"Change {failure.block} to {failure.path}" if failure.block else failure.path
    return f"{where or 'The answer'}: {failure.reason}."


def dry_run(
    files: dict[str, str],
    operations: list[Operation],
    *,
    judge: Judge | None = None,
    base: dict[str, str] | None = None,
    renames: dict[str, str] | None = None,
    done: frozenset[tuple[str, str, str]] = frozenset(),
) -> DryRun:
    """Apply what applies, on a copy, and collect what fails. Unsafe paths still raise.

    `base` is the project before this run: a block already applied in an earlier round is
    recognised and skipped, not failed. `renames` carries earlier rounds' renames. `done`
    holds the blocks earlier rounds applied (see block_key): sent again, they are skipped,
    never applied twice (an insertion would be doubled).
    """
    merge = _Merge(dict(files), judge, base or files, dict(renames or {}), done)
    mentioned = {clean_path(path) for op in operations for path in _paths_of(op)}
    failed = []
    for operation in operations:
        before = len(merge.failures)
        merge.apply(operation, mentioned)
        if len(merge.failures) > before:
            failed.append(operation)
    if problem := collision(merge.files):
        raise UnsafePath(f"The model's change would leave a project where {problem}.")
    return DryRun(merge.files, merge.applied, merge.failures, merge.notes, merge.renames, failed)


def block_key(path: str, block: SearchReplace) -> tuple[str, str, str]:
    """What makes two blocks the same change to a file, whatever their trailing spaces."""

    def lines(text: str) -> str:
        return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")

    return path, lines(block.search), lines(block.replace)


def applied_blocks(operations: Iterable[Operation]) -> set[tuple[str, str, str]]:
    """The keys of the blocks among applied operations."""
    return {
        block_key(op.path, block)
        for op in operations
        if isinstance(op, EditFile)
        for block in op.blocks
    }


def _paths_of(operation: Operation) -> list[str]:
    if isinstance(operation, RenameFile):
        return [operation.path, operation.new_path]
    return [operation.path]


class _Merge:
    def __init__(
        self,
        files: dict[str, str],
        judge: Judge | None,
        base: dict[str, str],
        renames: dict,
        done: frozenset[tuple[str, str, str]],
    ) -> None:
        self.files = files
        self.done = done
        self.judge = judge
        self.base = base
        self.renames = renames
        self.applied: list[Operation] = []
        self.failures: list[Failure] = []
        self.notes: list[str] = []
        self.block_numbers: dict[str, int] = {}

    def apply(self, operation: Operation, mentioned: set[str]) -> None:
        path = self.resolve(operation.path, mentioned)
        match operation:
            case WriteFile(_, content, loose):
                self.write(path, content, loose)
            case EditFile(_, blocks):
                self.edit(path, operation.path, blocks)
            case DeleteFile():
                self.delete(path)
            case RenameFile(_, new_path):
                self.rename(path, new_path)

    def resolve(self, raw: str, mentioned: set[str]) -> str:
        """The clean path; a path that differs from an existing file or folder only in
        letter case is taken as that one, unless the answer names the existing one too."""
        path = clean_path(raw)
        if path in self.files or self._is_folder(path):
            return path
        twin = case_twin(path, self.files)
        if twin is not None and twin not in mentioned:
            self.notes.append(f"The model wrote {path}; it was taken as the existing {twin}.")
            return twin
        parts = path.split("/")
        folders = self._folders()
        for depth in range(len(parts) - 1, 0, -1):
            existing = case_twin("/".join(parts[:depth]), folders)
            if existing is not None and existing not in mentioned:
                resolved = existing + "/" + "/".join(parts[depth:])
                self.notes.append(f"The model wrote {path}; it was taken as {resolved}.")
                return resolved
        return path

    def _folders(self) -> set[str]:
        return {
            "/".join(parts[:depth])
            for parts in (path.split("/") for path in self.files)
            for depth in range(1, len(parts))
        }

    def _is_folder(self, path: str) -> bool:
        prefix = path + "/"
        return any(other.startswith(prefix) for other in self.files)

    def fail(self, path: str | None, reason: str, **details: object) -> None:
        self.failures.append(Failure(path, reason, **details))

    def write(self, path: str, content: str, loose: bool = False) -> None:
        if self._is_folder(path):
            self.fail(
                path, f"{path} is a folder, so it cannot be written as a file", kind="wrong_path"
            )
            return
        old = self.files.get(path)
        content = tab_recipes(path, content)
        if old is not None:
            content = match_line_endings(old, content)
        if self.judge and (reason := self.judge(path, old, content, True, loose)):
            self.fail(path, reason, kind="lazy")
            return
        self.files[path] = content
        self.applied.append(WriteFile(path, content))

    def edit(self, path: str, named: str, blocks: tuple[SearchReplace, ...]) -> None:
        moved = [new for new, old in self.renames.items() if old == path and new in self.files]
        if path not in self.files and len(moved) == 1:
            # The answer renamed the file, then edited it by the name it had.
            self.notes.append(f"The model edited {named} by its old name; it is now {moved[0]}.")
            self.edit(moved[0], moved[0], blocks)
            return
        first = self.block_numbers.get(path, 0) + 1
        self.block_numbers[path] = first + len(blocks) - 1
        if path not in self.files:
            # An edit that creates: blocks with nothing to find, but a diff's hunk only when
            # its header says the file was empty ("@@ -0,0 +1,2 @@"); a hunk that only adds
            # lines elsewhere was meant for a file that exists.
            if all(not b.search.strip() and (not b.from_diff or b.line_hint == 0) for b in blocks):
                self.write(path, "".join(b.replace for b in blocks))
                return
            self._edit_missing(path, named, blocks)
            return
        text = self.files[path]
        kept: list[SearchReplace] = []
        for number, block in enumerate(blocks, start=first):
            if block_key(path, block) in self.done:
                continue  # applied in an earlier round, and sent again
            try:
                new_text = apply_block(text, block)
            except EditFailed as failure:
                if self._already_applied(path, text, block):
                    continue
                self.fail(path, failure.message, block=number, search=block.search)
                continue
            if self.judge and (
                reason := self.judge(path, block.search, block.replace, False, False)
            ):
                self.fail(path, reason, kind="lazy", block=number, search=block.search)
                continue
            text = new_text
            kept.append(block)
        if kept:
            self.files[path] = text
            self.applied.append(EditFile(path, tuple(kept)))

    def _edit_missing(self, path: str, named: str, blocks: tuple[SearchReplace, ...]) -> None:
        """An edit of a file that does not exist: the one file of that name, if every block
        applies there; otherwise a failure that suggests where the blocks do match."""
        name = path.rsplit("/", 1)[-1].casefold()
        same_name = [p for p in self.files if p.rsplit("/", 1)[-1].casefold() == name]
        if len(same_name) == 1:
            text = self.files[same_name[0]]
            try:
                for block in blocks:
                    text = apply_block(text, block)
            except EditFailed:
                pass
            else:
                self.notes.append(f"The model named {named}; its edit applied to {same_name[0]}.")
                self.edit(same_name[0], same_name[0], blocks)
                return
        searches = [b.search for b in blocks if b.search.strip()]  # none: nothing to go by
        suggestion = next(
            (
                other
                for other, content in sorted(self.files.items())
                if searches and all(_matches_once(content, search) for search in searches)
            ),
            None,
        )
        self.fail(path, f"{path} does not exist", kind="wrong_path", suggestion=suggestion)

    def _already_applied(self, path: str, text: str, block: SearchReplace) -> bool:
        """A block re-sent after it applied in an earlier round: it reads one way only, its
        search is in the project as it was and nowhere in the file now, and its replacement
        is in the file now, once."""
        original = self.base.get(self.renames.get(path, path))
        if original is None or block.alternatives or not block.search.strip():
            return False
        if not block.replace.strip() or _matches_anywhere(text, block.search):
            return False
        return _matches_once(original, block.search) and _matches_once(text, block.replace)

    def delete(self, path: str) -> None:
        if path in self.files:
            del self.files[path]
            self.applied.append(DeleteFile(path))
        elif self._is_folder(path):
            for inner in [p for p in self.files if p.startswith(path + "/")]:
                del self.files[inner]
                self.applied.append(DeleteFile(inner))
        else:
            self.fail(path, f"{path} does not exist, so it cannot be deleted", kind="missing")

    def rename(self, path: str, raw_new: str) -> None:
        new_path = clean_path(raw_new)
        if path not in self.files and self._is_folder(path):
            for inner in sorted(p for p in self.files if p.startswith(path + "/")):
                self.rename(inner, new_path + inner[len(path) :])
            return
        if path not in self.files:
            self.fail(path, f"{path} does not exist, so it cannot be renamed", kind="wrong_path")
            return
        if raw_new.rstrip().endswith("/") or self._is_folder(new_path):
            new_path = f"{new_path}/{path.rsplit('/', 1)[-1]}"  # into a folder: keep the name
        if new_path == path:
            return
        twin = case_twin(new_path, self.files)
        if new_path in self.files or (twin is not None and twin != path):
            self.fail(path, f"it cannot be renamed to {new_path}, which exists", kind="edit")
            return
        self.files[new_path] = self.files.pop(path)
        self.renames[new_path] = self.renames.pop(path, path)
        self.applied.append(RenameFile(path, new_path))


def changes_between(
    old: dict[str, str], new: dict[str, str], renames: dict[str, str] | None = None
) -> list[FileChange]:
    """The changes from `old` to `new`, from the files themselves (renames as given)."""
    renames = {n: o for n, o in (renames or {}).items() if n in new and o in old and o not in new}
    changes: list[FileChange] = []
    for path in sorted(set(old) | set(new)):
        if path in renames.values():
            continue
        if path in renames:
            added, removed = line_delta(old[renames[path]], new[path])
            changes.append(FileChange(path, "renamed", added, removed, old_path=renames[path]))
        elif path not in old:
            changes.append(FileChange(path, "added", lines_added=count_lines(new[path])))
        elif path not in new:
            changes.append(FileChange(path, "deleted", lines_removed=count_lines(old[path])))
        elif old[path] != new[path]:
            changes.append(FileChange(path, "modified", *line_delta(old[path], new[path])))
    return changes


# Line endings --------------------------------------------------------------------------------


def line_ending(text: str) -> str:
    """The file's line ending: CRLF when most of its lines end so, else LF."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def match_line_endings(old: str, new: str) -> str:
    """`new` written with `old`'s line endings and its final newline (or lack of one)."""
    ending = line_ending(old)
    lines = new.splitlines()
    text = ending.join(lines)
    if lines and (old.endswith("\n") or not old):
        text += ending
    return text


# One search/replace block ----------------------------------------------------------------------


def _split(text: str) -> list[tuple[str, str]]:
    """(content, line ending) per line."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((body, line[len(body) :]))
    return out


_LEVELS: list[Callable[[str], str]] = [lambda s: s, str.rstrip, str.strip]
_NO_HINTS = SearchReplace("", "")  # for a reading of a block's own text: no line, no diff


def _matches_once(text: str, search: str) -> bool:
    lines = [body for body, _ in _split(text)]
    wanted = search.splitlines()
    return any(len(_find(lines, wanted, normal)) == 1 for normal in _LEVELS)


def _matches_anywhere(text: str, search: str) -> bool:
    lines = [body for body, _ in _split(text)]
    return any(_find(lines, search.splitlines(), normal) for normal in _LEVELS)


def _find(lines: list[str], wanted: list[str], normal: Callable[[str], str]) -> list[int]:
    if not wanted:
        return []
    target = [normal(line) for line in wanted]
    current = [normal(line) for line in lines]
    first, size = target[0], len(target)
    return [
        i
        for i in range(len(lines) - size + 1)
        if current[i] == first and current[i : i + size] == target
    ]


def apply_block(text: str, block: SearchReplace) -> str:
    """`text` with the block applied at the one place it matches; EditFailed otherwise."""
    readings = [(block.search, block.replace), *block.alternatives]
    if len(readings) == 1:
        return _apply_reading(text, block.search, block.replace, block)
    results = set()
    for search, replace in readings:
        with contextlib.suppress(EditFailed):
            results.add(_apply_reading(text, search, replace, block))
    if len(results) == 1:
        return next(iter(results))
    if results:
        raise EditFailed(
            "its block has several ======= lines, and more than one way of reading it matches"
        )
    raise EditFailed("its SEARCH text matches nowhere in the current file")


def _apply_reading(text: str, search: str, replace: str, block: SearchReplace) -> str:
    lines = _split(text)
    wanted, new = search.splitlines(), replace.splitlines()
    if not any(line.strip() for line in wanted):
        return _insert(text, lines, new, block)
    trimmed = _trim_blank(wanted)
    for attempt in [wanted, trimmed] if trimmed != wanted else [wanted]:
        for level, normal in enumerate(_LEVELS):
            starts = _find([body for body, _ in lines], attempt, normal)
            if block.line_hint:  # a diff's line number settles which of several places
                starts = [s for s in starts if s + 1 == block.line_hint] or starts
            if len(starts) > 1:
                raise EditFailed(
                    f"its SEARCH text matches {len(starts)} places; it needs more lines to "
                    "match one"
                )
            if starts:
                return _replace_at(text, lines, starts[0], attempt, new, level)
    unfenced = _without_fences(wanted), _without_fences(new)
    if unfenced[0] is not None and unfenced[1] is not None:
        return _apply_reading(text, *unfenced, _NO_HINTS)
    raise EditFailed("its SEARCH text matches nowhere in the current file")


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _without_fences(lines: list[str]) -> str | None:
    """The lines inside a fence that wraps them all, or None."""
    filled = _trim_blank(lines)
    if len(filled) >= 2 and FENCE.match(filled[0]) and is_closing_fence(filled[-1]):
        return "".join(line + "\n" for line in filled[1:-1])
    return None


def _insert(text: str, lines: list, new: list[str], block: SearchReplace) -> str:
    """A block with an empty search: ours appends; a diff hunk inserts at its line."""
    ending = line_ending(text)
    added = "".join(line + ending for line in new)
    if block.from_diff and block.line_hint not in (0, len(lines)) and lines:
        raise EditFailed(
            "its diff hunk only adds lines and quotes no context, so where they go is unclear"
        )
    if block.from_diff and block.line_hint == 0 and lines:
        return added + text
    if text and not text.endswith("\n"):
        return text + ending + added.removesuffix(ending)
    return text + added


def _replace_at(
    text: str,
    lines: list[tuple[str, str]],
    start: int,
    wanted: list[str],
    new: list[str],
    level: int,
) -> str:
    ending = line_ending(text)
    file_unit = indent_unit([body for body, _ in lines])
    matched = lines[start : start + len(wanted)]
    if level == 2:
        mapping = learn(wanted, [body for body, _ in matched], wanted + new, file_unit)
        if mapping is None:
            raise EditFailed(
                "its SEARCH text matches only with other indentation, and its lines disagree "
                "about how the indentation differs"
            )
    else:
        mapping = convert_characters(new, file_unit)
    normal = _LEVELS[level]
    kept = difflib.SequenceMatcher(
        None, [normal(w) for w in wanted], [normal(n) for n in new], autojunk=False
    )
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in kept.get_opcodes():
        if tag == "equal":
            out += matched[i1:i2]  # lines the edit keeps: exactly as the file has them
        else:
            out += [(mapping.apply(line), ending) for line in new[j1:j2]]
    at_end = start + len(wanted) == len(lines)
    out = [(body, eol or ending) for body, eol in out]
    if at_end and out and not matched[-1][1]:
        out[-1] = (out[-1][0], "")  # the file had no final newline; it still has none
    before = "".join(body + eol for body, eol in lines[:start])
    after = "".join(body + eol for body, eol in lines[start + len(wanted) :])
    if at_end and not out and not matched[-1][1]:
        before = before.removesuffix(ending)  # the last lines went; still no final newline
    return before + "".join(body + eol for body, eol in out) + after
