"""The repair loop: apply what applies, ask the model to fix the rest, keep what worked.

Every round applies the latest answer on top of everything that already applied, block by
block. What failed (a block that matches nowhere or twice, a lazy rewrite, a file the
answer cut off, a part of the answer that could not be read) goes back to the model with
the reason and the file's current content. A failure stays until an answer touches its
file again; a failure about a file that does not exist, or about a part that named no file,
is settled by an answer that changes another file instead (the file the model meant).
Blocks re-sent after they applied are recognised and skipped.

Three outcomes only: the files the answers asked for, exactly; or EditFailed naming the
file and the reason, with nothing saved.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from orchestrator.answers.prose import identify_file
from orchestrator.answers.restatements import disagreements
from orchestrator.answers.stream import UNNAMED
from orchestrator.calls import Answer, Run
from orchestrator.errors import EditFailed, UnsafePath
from orchestrator.laziness import LazinessPolicy
from orchestrator.merge import Failure, FileChange, applied_blocks, changes_between, dry_run
from orchestrator.operations import EditFile, Operation, RenameFile, WriteFile
from orchestrator.paths import case_key, clean_path
from orchestrator.prompts import repair_request
from orchestrator.results import ProjectBrief

REPAIR_ROUNDS = 2  # targeted repairs; one more request then asks for whole files


@dataclass
class Settled:
    files: dict[str, str]
    changes: list[FileChange]
    notes: list[str]
    renames: dict[str, str] = field(default_factory=dict)  # new path -> path before


def _paths(operation: Operation) -> list[str]:
    if isinstance(operation, RenameFile):
        return [operation.path, operation.new_path]
    return [operation.path]


def _keys(answer: Answer) -> set[str]:
    keys = set()
    for operation in answer.operations:
        for path in _paths(operation):
            keys.add(case_key(clean_path(path)))
    return keys


def _failures_read(answer: Answer) -> list[Failure]:
    """Failures for what the answer itself could not say clearly."""
    failures = [
        Failure(clean_path(r.path) if r.path else None, r.reason, kind=r.kind, search=r.text)
        for r in answer.refusals
    ]
    if answer.cut_off_in:
        failures.append(
            Failure(
                None if answer.cut_off_in == UNNAMED else _clean_or_none(answer.cut_off_in),
                "the answer was cut off while writing it",
                kind="cut_off",
            )
        )
    return failures


def _clean_or_none(path: str) -> str | None:
    try:
        return clean_path(path)
    except UnsafePath:
        return None


def _block_totals(answer: Answer) -> dict[str, int]:
    totals: dict[str, int] = {}
    for operation in answer.operations:
        if isinstance(operation, EditFile):
            path = clean_path(operation.path)
            totals[path] = totals.get(path, 0) + len(operation.blocks)
    return totals


# Failures that a plain "nothing to do" settles: code that was only an example for the
# reader, a delete of a file that is not there, and a change the answer made twice (what
# the model wanted is already so).
SETTLED_BY_SILENCE = {
    "unnamed_code": "The model said its code sample was an example, not a file to change.",
    "missing": "The model wanted to delete {path}, which does not exist; nothing was deleted.",
    "twice": "The model's change to {path} was already made once; it was not made twice.",
    "noop": "The model said no change to {path} was needed after all.",
    "mentioned": "Asked for the change its answer described, the model proposed none.",
}


def _still_open(
    failure: Failure, answer_keys: set[str], fresh: bool, silent: bool, moved: set[str]
) -> bool:
    """Whether a failure from an earlier round still stands after the latest answer.
    `silent`: the answer proposed nothing at all. `moved`: the SEARCH texts the latest
    answer applied to other files; a failed block applied there went where it belongs."""
    if silent and failure.kind in SETTLED_BY_SILENCE:
        return False
    if failure.kind in ("withdrawn", "mentioned"):
        return False  # asked once: the next answer gives the change, or leaves it be
    if failure.search.strip() and _search_key(failure.search) in moved:
        return False
    if (failure.path is None or failure.kind in ("wrong_path", "missing")) and fresh:
        return False  # the answer changed another file: the one the model meant
    return failure.path is None or case_key(failure.path) not in answer_keys


def _answered(planned: str, done: set[str]) -> bool:
    """A planned path the answer touched, or a planned folder it touched files in."""
    return planned in done or any(path.startswith(planned + "/") for path in done)


def _search_key(search: str) -> str:
    return "\n".join(line.strip() for line in search.splitlines() if line.strip())


def _moved(applied: list[Operation], failures: list[Failure]) -> set[str]:
    """The SEARCH texts of earlier failures that the latest answer applied to another file."""
    failed_in = {_search_key(f.search): f.path for f in failures if f.search.strip()}
    return {
        key
        for op in applied
        if isinstance(op, EditFile)
        for block in op.blocks
        if (key := _search_key(block.search)) in failed_in and failed_in[key] != op.path
    }


def _identified(
    answer: Answer, files: dict[str, str], report: Callable[[Operation], None] | None
) -> Answer:
    """The answer with each fenced block that names no file, but is unmistakably a new
    version of an existing file, taken as that file."""
    found = {
        refusal: path
        for refusal in answer.refusals
        if refusal.kind == "unnamed_code" and (path := identify_file(refusal.text, files))
    }
    if not found or len(set(found.values())) < len(found):
        return answer
    writes = [WriteFile(path, refusal.text, loose=True) for refusal, path in found.items()]
    for write in writes:
        if report:
            report(write)
    return replace(
        answer,
        operations=[*answer.operations, *writes],
        refusals=[refusal for refusal in answer.refusals if refusal not in found],
    )


def settle(
    run: Run,
    files: dict[str, str],
    answer: Answer,
    *,
    brief: ProjectBrief,
    prompt: str,
    intent: str,
    report: Callable[[Operation], None] | None = None,
    span: tuple[float, float] = (0.0, 0.0),
) -> Settled:
    """Apply the answer and repair what does not apply; raise EditFailed if that fails."""
    policy = LazinessPolicy.for_request(prompt, intent)
    current, renames, notes = dict(files), {}, []
    touched: set[str] = set()
    applied_before: set[Operation] = set()
    done: Counter = Counter()  # blocks applied, by block_key, as many times as they applied
    carried: list[Failure] = []
    planned = [p for p in (_clean_or_none(p) for p in answer.planned or []) if p]
    unwritten: list[str] = []
    asked_unwritten = False
    asked_noop = False  # asked once about blocks that change nothing
    follow_ups = 0
    while True:
        answer = _identified(answer, current, report)
        if follow_ups:
            # Asked once about files its prose named without an operation, the model's
            # second answer without one is its word that no change is needed.
            kept = [r for r in answer.refusals if r.kind != "mentioned"]
            answer = replace(answer, refusals=kept)
        operations = [op for op in answer.operations if op not in applied_before]
        answer_keys = _keys(answer)
        named = {case_key(f.path) for f in carried if f.path}
        fresh = bool(answer_keys - named - touched)
        before = current
        result = dry_run(current, operations, judge=policy, base=files, renames=renames, done=done)
        current, renames = result.files, result.renames
        done += applied_blocks(result.applied)
        notes += result.notes
        applied_before |= {op for op in operations if op not in result.failed}
        touched |= {case_key(clean_path(p)) for op in result.applied for p in _paths(op)}
        silent = not answer.operations and not answer.refusals and not answer.cut_off_in
        if silent:
            notes += [
                SETTLED_BY_SILENCE[f.kind].format(path=f.path)
                for f in carried
                if f.kind in SETTLED_BY_SILENCE
            ]
        moved = _moved(result.applied, carried)
        if moved:
            notes.append("The model moved a block that failed to the file where its text is.")
        carried = [f for f in carried if _still_open(f, answer_keys, fresh, silent, moved)]
        restated = disagreements(answer.restatements, before, current)
        failures = carried + result.failures + _failures_read(answer) + restated
        if result.noops and not failures and current == files and not asked_noop:
            # The answer proposed a change, and its blocks change nothing: a claim to check
            # with the model once, never "no changes" on its word alone.
            failures, asked_noop = list(result.noops), True
        elif result.noops:
            notes.append(f"A block for {result.noops[0].path} changed nothing; it was left out.")
        failing = {case_key(f.path) for f in failures if f.path}
        if not asked_unwritten:
            unwritten = [p for p in planned if not _answered(case_key(p), touched | failing)]
        if (not failures and (asked_unwritten or not unwritten)) or follow_ups > REPAIR_ROUNDS:
            break
        regenerate = follow_ups == REPAIR_ROUNDS or any(f.kind == "cut_off" for f in failures)
        purpose = "regenerate" if regenerate else "repair"
        names = sorted({f.path or "(part of the answer)" for f in failures} | set(unwritten))
        run.stage(
            "merging_files",
            f"{'Regenerating' if regenerate else 'Repairing'} {', '.join(names)}",
            repairing=names,
        )
        request = repair_request(
            purpose,
            brief,
            prompt,
            current,
            failures,
            _block_totals(answer),
            [] if asked_unwritten else unwritten,
        )
        asked_unwritten = True
        carried = failures
        answer = run.call(request, span=span, known_paths=current, on_operation=report)
        follow_ups += 1
    if failures:
        raise EditFailed(_failure_text(failures[0], follow_ups))
    run.options.limits.check(current)
    if unwritten:
        notes.append(
            f"The model planned to change {', '.join(unwritten)} but did not, even when asked "
            "again; the rest of its changes were applied."
        )
    return Settled(current, changes_between(files, current, renames), notes, renames)


def _failure_text(failure: Failure, follow_ups: int) -> str:
    where = failure.path or "Part of the model's answer"
    block = f" (block {failure.block})" if failure.block else ""
    asked = f"The model was asked {follow_ups} times to fix it" if follow_ups else "It"
    return (
        f"{where}{block} could not be changed as the model intended: {failure.reason}. "
        f"{asked} and did not, so nothing was saved. Try again, or ask for a smaller change."
    )
