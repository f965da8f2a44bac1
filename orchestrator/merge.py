"""Apply a model's operations to a project's files: exactly as meant, or not at all.

The merge is a dry run on a copy; the caller saves only a complete result. Before anything
applies, every operation's claim is checked (orchestrator.claims): a new file does not
exist, a file is written whole once, a block's SEARCH is in the file once at one
indentation level (orchestrator.matching), a diff hunk is where its line number, tracked
past the hunks before it, says (orchestrator.hunks), a deleted or renamed file exists.
After it, provenance (orchestrator.provenance): every added line is content the model
wrote, every removed line one it named, no change made twice. A claim that fails is a
Failure for the repair round, never a guess. Files keep their encoding facts
(orchestrator.file_text).

Paths go through orchestrator.paths. A path that differs from an existing one only in
letter case is taken as that file, unless the same answer also names the existing path;
then the two would collide, and the result is refused.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from orchestrator import claims, provenance, targets
from orchestrator.blocks import place_block
from orchestrator.changes import FileChange as FileChange
from orchestrator.changes import changes_between as changes_between
from orchestrator.errors import EditFailed, UnsafePath
from orchestrator.failures import Failure as Failure
from orchestrator.file_text import keep_facts, lines_of, new_file_text, project_ending
from orchestrator.hunks import Positions
from orchestrator.indentation import tab_recipes
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
# A block's path, SEARCH and REPLACE lines, and the line of a diff hunk that only inserts
# (see block_key).
BlockKey = tuple[str, str, str, int | None]


@dataclass
class DryRun:
    """What applying the operations gives: the files, what applied, what failed."""

    files: dict[str, str]
    applied: list[Operation] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)  # new path -> original path
    failed: list[Operation] = field(default_factory=list)  # the given operations that failed
    # Blocks that change nothing (their REPLACE is their SEARCH): a claim of a change that
    # is not one. Left out; the repair round asks about them when nothing else changed.
    noops: list[Failure] = field(default_factory=list)


def apply_operations(
    files: dict[str, str], operations: Iterable[Operation], limits: ProjectLimits
) -> tuple[dict[str, str], list[FileChange]]:
    """Apply every operation or raise EditFailed/UnsafePath; the input is never changed."""
    result = dry_run(files, list(operations))
    if result.failures:
        raise EditFailed(failure_message(result.failures[0]))
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
    done: Iterable[BlockKey] = (),
) -> DryRun:
    """Apply what applies, on a copy, and collect what fails. Unsafe paths still raise.

    `base` is the project before this run: a block already applied in an earlier round is
    recognised and skipped, not failed. `renames` carries earlier rounds' renames. `done`
    counts the blocks earlier rounds applied (see block_key): sent again, they are skipped
    as many times as they applied, never applied twice (an insertion would be doubled),
    while an identical block at another place still applies.
    """
    mentioned = {clean_path(path) for op in operations for path in claims.paths_of(op)}
    operations, failed, failures, notes = claims.settle_repeated_writes(operations)
    merge = _Merge(dict(files), judge, base or files, dict(renames or {}), Counter(done))
    merge.failures += failures
    merge.notes += notes
    made: list[tuple[Operation, set[str]]] = []  # each operation, and the paths it changed
    for operation in operations:
        before, applied = len(merge.failures), len(merge.applied)
        merge.apply(operation, mentioned)
        if len(merge.failures) > before:
            failed.append(operation)
        made.append((operation, {p for op in merge.applied[applied:] for p in claims.paths_of(op)}))
    if problem := collision(merge.files):
        raise UnsafePath(f"The model's change would leave a project where {problem}.")
    for violation in provenance.check(files, merge.files, merge.applied):
        touched = merge.take_back(violation, files)
        failed += [
            op
            for op, paths in made
            if paths & touched and op not in failed and not isinstance(op, RenameFile)
        ]
    return DryRun(
        merge.files, merge.applied, merge.failures, merge.notes, merge.renames, failed, merge.noops
    )


NOOP = (
    "its REPLACE is the same as its SEARCH, so it changes nothing; give the change you "
    "meant, or say that no change is needed"
)


def _changes_nothing(block: SearchReplace) -> bool:
    """A block whose replacement is its search, line for line (endings aside). A diff hunk
    of context lines only arrives here when its whole diff changes nothing
    (orchestrator.answers.unified_diff)."""
    if block.alternatives or not block.search.strip():
        return False
    return lines_of(block.search) == lines_of(block.replace)


def block_key(path: str, block: SearchReplace) -> BlockKey:
    """What makes two blocks the same change to a file, whatever their trailing spaces. A
    diff hunk that only inserts quotes nothing to find: its line is where it goes, so the
    same lines inserted at two lines are two changes (as git applies them)."""

    def lines(text: str) -> str:
        return "\n".join(line.rstrip() for line in lines_of(text)).strip("\n")

    search = lines(block.search)
    where = block.line_hint if block.from_diff and not search else None
    return path, search, lines(block.replace), where


def applied_blocks(operations: Iterable[Operation]) -> Counter[BlockKey]:
    """The keys of the blocks among applied operations, counted."""
    return Counter(
        block_key(op.path, block)
        for op in operations
        if isinstance(op, EditFile)
        for block in op.blocks
    )


class _Merge:
    def __init__(
        self,
        files: dict[str, str],
        judge: Judge | None,
        base: dict[str, str],
        renames: dict,
        done: Counter[BlockKey],
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
        self.added: dict[str, set[str]] = {}  # per path, the lines this answer's blocks added
        self.noops: list[Failure] = []  # blocks whose replacement is their search

    def apply(self, operation: Operation, mentioned: set[str]) -> None:
        path = self.resolve(operation.path, mentioned)
        match operation:
            case WriteFile(_, content, loose, new):
                self.write(path, content, loose, new)
            case EditFile(_, blocks):
                self.edit(path, operation.path, blocks)
            case DeleteFile():
                self.delete(path)
            case RenameFile(_, new_path):
                self.rename(path, new_path)

    def resolve(self, raw: str, mentioned: set[str]) -> str:
        path, note = targets.resolve(raw, self.files, mentioned)
        if note:
            self.notes.append(note)
        return path

    def fail(self, path: str | None, reason: str, **details: object) -> None:
        self.failures.append(Failure(path, reason, **details))

    def _original(self, path: str) -> str | None:
        """The file as it was before this run, under the name it had then."""
        return self.base.get(self.renames.get(path, path))

    def write(self, path: str, content: str, loose: bool = False, new: bool = False) -> None:
        if targets.is_folder(self.files, path):
            self.fail(
                path, f"{path} is a folder, so it cannot be written as a file", kind="wrong_path"
            )
            return
        old = self.files.get(path)
        prompt = str(getattr(self.judge, "prompt", ""))
        if old is None and (other := targets.restated_elsewhere(self.files, path, content, prompt)):
            self.fail(
                path,
                f"{path} does not exist, and what the answer writes is a new version of "
                f"{other}; write it under that path",
                kind="wrong_path",
                suggestion=other,
            )
            return
        conflict = claims.new_file_conflict(old, content) if new else None
        if conflict and self._original(path) is not None:  # not a file this run made
            self.fail(path, conflict, kind="claim")
            return
        if undone := self._undoes_edits(path, content):
            self.fail(
                path,
                f"the answer edits {path} and then writes the whole file without that change "
                f"({undone[:60]!r} is missing), so which of the two is meant is unclear; give "
                "the whole file once, with every change, or only the edits",
                kind="claim",
            )
            return
        content = self._with_facts(old, tab_recipes(path, content))
        if self.judge and (reason := self.judge(path, old, content, True, loose)):
            self.fail(path, reason, kind="lazy")
            return
        self.files[path] = content
        self.applied.append(WriteFile(path, content))

    def _undoes_edits(self, path: str, content: str) -> str | None:
        """A line an earlier block of this answer added to the file that a whole file
        written after it lacks: the whole file would undo that edit."""
        kept = {line.strip() for line in lines_of(content)}
        return next((line for line in sorted(self.added.get(path, ())) if line not in kept), None)

    def _with_facts(self, old: str | None, content: str) -> str:
        """A whole file as written: with the old file's encoding facts, or, new, with the
        project's line ending (looked at only when a file is new: it reads every file)."""
        if old is not None:
            return keep_facts(old, content)
        return new_file_text(content, project_ending(self.base))

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
            creates = all(
                not b.search.strip() and (not b.from_diff or b.line_hint == 0) for b in blocks
            )
            elsewhere = targets.named_elsewhere(self.files, path) if creates else []
            if creates and not elsewhere:
                self.write(path, "".join(b.replace for b in blocks))
                return
            if elsewhere:
                # Lines to add, and nothing to find, for a bare name that folders hold: a new
                # file, or an addition to one of those; the answer does not say which.
                self.fail(
                    path,
                    f"{path} does not exist, and {', '.join(elsewhere[:3])} does: to add to "
                    "that file, give its path; to create a new file, write it with @@@ FILE",
                    kind="wrong_path",
                    suggestion=elsewhere[0],
                )
                return
            self._edit_missing(path, named, blocks)
            return
        # A block with several ways to read it (more than one ======= line) claims nothing
        # about the whole file until one reading is the only one that applies.
        whole = len(blocks) == 1 and not blocks[0].alternatives
        if whole and claims.restates_file(self.files[path], blocks[0]):
            self._restated(path, blocks[0], first)
            return
        self._edit_blocks(path, blocks, first)

    def _restated(self, path: str, block: SearchReplace, number: int) -> None:
        """An empty SEARCH whose REPLACE is most of the file: a whole-file claim, judged
        as one. From a diff ("@@ -0,0"), it claims the file is new."""
        if block.from_diff:
            claim = "its diff hunk from line 0 (@@ -0,0) says"
            if reason := claims.new_file_conflict(self.files[path], block.replace, claim):
                self.fail(path, reason, kind="claim")
                return
        self.notes.append(f"The model's edit of {path} with nothing to find held the whole file.")
        self.write(path, block.replace)

    def _edit_blocks(self, path: str, blocks: tuple[SearchReplace, ...], first: int) -> None:
        text = self.files[path]
        positions = Positions(blocks, lines_of(text.removeprefix("\ufeff")))
        added = self.added.setdefault(path, set())
        kept: list[SearchReplace] = []
        for index in Positions.order(blocks):
            number, block = first + index, blocks[index]
            if self.done[key := block_key(path, block)] > 0:
                self.done[key] -= 1
                positions.skipped(block)
                added.update(line.strip() for line in lines_of(block.replace) if line.strip())
                continue  # applied in an earlier round, and sent again
            if _changes_nothing(block):
                self.noops.append(Failure(path, NOOP, kind="noop", block=number))
                positions.skipped(block)
                continue
            try:
                applied = place_block(text, block, positions, path)
            except EditFailed as failure:
                if claims.resent(self._original(path), text, block):
                    positions.skipped(block)
                    continue
                self.fail(path, failure.message, block=number, search=block.search)
                continue
            if self.judge and (
                reason := self.judge(path, block.search, block.replace, False, False)
            ):
                self.fail(path, reason, kind="lazy", block=number, search=block.search)
                continue
            if provenance.made_already(text, block, applied.start, added):
                self.notes.append(f"The answer made one change to {path} twice; it was made once.")
                positions.skipped(block)
                continue
            if restated := provenance.restated_neighbour(
                text, block, applied.start, applied.removed
            ):
                self.fail(path, restated, kind="twice", block=number, search=block.search)
                continue
            positions.placed(block, applied.start, applied.removed, applied.added)
            added.update(line.strip() for line in lines_of(block.replace) if line.strip())
            text = applied.text
            kept.append(block)
        if kept:
            self.files[path] = text
            self.applied.append(EditFile(path, tuple(kept)))

    def _edit_missing(self, path: str, named: str, blocks: tuple[SearchReplace, ...]) -> None:
        """An edit of a file that does not exist: the one file of that name, if every block
        applies there; otherwise a failure that suggests where the blocks do match."""
        if other := targets.same_name_file(self.files, path, blocks):
            self.notes.append(f"The model named {named}; its edit applied to {other}.")
            self.edit(other, other, blocks)
            return
        suggestion = targets.file_matching(self.files, blocks)
        self.fail(path, f"{path} does not exist", kind="wrong_path", suggestion=suggestion)

    def delete(self, path: str) -> None:
        if path in self.files:
            del self.files[path]
            self.applied.append(DeleteFile(path))
        elif targets.is_folder(self.files, path):
            for inner in [p for p in self.files if p.startswith(path + "/")]:
                del self.files[inner]
                self.applied.append(DeleteFile(inner))
        else:
            self.fail(path, f"{path} does not exist, so it cannot be deleted", kind="missing")

    def rename(self, path: str, raw_new: str) -> None:
        new_path = clean_path(raw_new)
        if path not in self.files and targets.is_folder(self.files, path):
            for inner in sorted(p for p in self.files if p.startswith(path + "/")):
                self.rename(inner, new_path + inner[len(path) :])
            return
        if path not in self.files:
            self.fail(path, f"{path} does not exist, so it cannot be renamed", kind="wrong_path")
            return
        if raw_new.rstrip().endswith("/") or targets.is_folder(self.files, new_path):
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

    def take_back(self, violation: provenance.Violation, before: dict[str, str]) -> set[str]:
        """A file whose change failed provenance goes back to what it was before this dry
        run, for the repair round; returns the paths it had."""
        path, source = violation.failure.path or "", violation.source
        if source is not None and source in before:
            self.files[path] = before[source]
        else:
            self.files.pop(path, None)
        touched = {path, source or path}
        self.applied = [
            op for op in self.applied if op.path not in touched or isinstance(op, RenameFile)
        ]
        self.failures.append(violation.failure)
        return touched
