"""The claims an answer makes about files as a whole, checked before anything applies.

"This file is new" (a diff from /dev/null, apply_patch's Add File) is false when the file
exists with other content. "Here is the whole file" said twice in one answer is one claim
when both say the same, and no claim at all when they differ: a fragment of the file given
after (or before) the whole of it, or two different versions, would leave the file as
whichever came last. An empty SEARCH says "add these lines at the end", but a REPLACE that
holds the file's own content says "here is the whole file": appended, the file would hold
everything twice. Each failed claim is a Failure for the repair round, never a choice.
"""

import difflib
from collections.abc import Iterable

from orchestrator.failures import Failure
from orchestrator.file_text import lines_of, without_bom
from orchestrator.operations import DeleteFile, Operation, RenameFile, SearchReplace, WriteFile
from orchestrator.paths import clean_path
from orchestrator.targets import matches_anywhere, matches_once


def _filled(text: str) -> list[str]:
    """The text's non-blank lines, without their indentation's trailing noise."""
    return [line.rstrip() for line in lines_of(without_bom(text)) if line.strip()]


def same_text(one: str, other: str) -> bool:
    """The same lines, whatever their endings, trailing spaces or blank edges."""
    return _filled(one) == _filled(other)


def new_file_conflict(
    existing: str | None, content: str, claim: str = "the answer says"
) -> str | None:
    """Why a claim that a file is new is false, or None: it exists, with other content."""
    if existing is None or not existing.strip() or same_text(existing, content):
        return None
    return (
        f"{claim} it is a new file, but it exists ({len(lines_of(existing))} lines); to "
        "change it, give an edit, or the whole new version with @@@ FILE"
    )


def restates_file(text: str, block: SearchReplace) -> bool:
    """An empty SEARCH (or a diff hunk from line 0) whose REPLACE holds most of the file:
    a whole new version of the file, not lines to add to it."""
    if any(line.strip() for line in lines_of(block.search)):
        return False
    if block.from_diff and block.line_hint != 0:
        return False  # a hunk that adds lines after a line it names
    old = [line.strip() for line in _filled(text)]
    new = [line.strip() for line in _filled(block.replace)]
    if not old:
        return False
    if new[: len(old)] == old:
        # The file, then more: the model wrote the whole file. A hunk that only repeats a
        # file too short to tell is lines inserted at the top, as git applies it.
        return not (block.from_diff and len(old) < 3 and len(new) == len(old))
    if len(old) < 3:
        return False  # too short to tell a restatement from lines that happen to repeat
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return 2 * sum(match.size for match in matcher.get_matching_blocks()) > len(old)


def settle_repeated_writes(
    operations: list[Operation],
) -> tuple[list[Operation], list[Operation], list[Failure], list[str]]:
    """(operations to apply, operations refused, failures, notes): a file written whole
    twice in one answer is written once when both say the same, else refused."""
    refused: list[Operation] = []
    dropped: set[int] = set()
    failures: list[Failure] = []
    notes: list[str] = []
    for writes in _repeated_writes(operations):
        first = operations[writes[0]]
        assert isinstance(first, WriteFile)
        contents = [operations[i].content for i in writes]  # type: ignore[union-attr]
        if all(same_text(contents[0], other) for other in contents[1:]):
            dropped.update(writes[1:])
            notes.append(f"The answer wrote {first.path} {len(writes)} times, the same each time.")
            continue
        dropped.update(writes)
        refused += [operations[i] for i in writes]
        failures.append(Failure(clean_path(first.path), _why_refused(contents), kind="claim"))
    kept = [op for index, op in enumerate(operations) if index not in dropped]
    return kept, refused, failures, notes


def _why_refused(contents: list[str]) -> str:
    sets = [set(_filled(content)) for content in contents]
    part = any(a < b for a in sets for b in sets)
    what = (
        "one of them is only a part of another"
        if part
        else "with different content each time, so which one is meant is unclear"
    )
    return (
        f"the answer writes the whole file {len(contents)} times, {what}; give the whole file once"
    )


def _repeated_writes(operations: Iterable[Operation]) -> list[list[int]]:
    """The indices of whole-file writes of one path with no delete or rename between them,
    where there are several."""
    open_runs: dict[str, list[int]] = {}
    runs: list[list[int]] = []
    for index, operation in enumerate(operations):
        keys = [clean_path(path) for path in paths_of(operation)]
        if isinstance(operation, WriteFile):
            open_runs.setdefault(keys[0], []).append(index)
        elif isinstance(operation, DeleteFile | RenameFile):
            for key in keys:
                runs.append(open_runs.pop(key, []))
    runs += open_runs.values()
    return [run for run in runs if len(run) > 1]


def paths_of(operation: Operation) -> list[str]:
    if isinstance(operation, RenameFile):
        return [operation.path, operation.new_path]
    return [operation.path]


def resent(original: str | None, text: str, block: SearchReplace) -> bool:
    """A block re-sent after it applied in an earlier round: it reads one way only, its
    search is in the project as it was and nowhere in the file now, and its replacement
    is in the file now, once."""
    if original is None or block.alternatives or not block.search.strip():
        return False
    if not block.replace.strip() or matches_anywhere(text, block.search):
        return False
    return matches_once(original, block.search) and matches_once(text, block.replace)
