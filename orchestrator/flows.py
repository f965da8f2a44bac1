"""The two runs: `generate` writes version 1 in phases, `iterate` changes an existing version.

Both take plain data, a provider and a host (orchestrator.host: events, cancel, the call
log, forecasts, checks), and return a PipelineResult or raise PipelineError/Cancelled.
Neither returns None, and neither saves anything: the host does.
"""

import json

from orchestrator.answers.reasoning import strip_reasoning
from orchestrator.calls import Run
from orchestrator.context import build_context
from orchestrator.diffing import count_lines, line_delta
from orchestrator.errors import ModelAnswerInvalid, PipelineError, UnsafePath
from orchestrator.host import Host
from orchestrator.intent import detect_intent
from orchestrator.merge import FileChange, changes_between
from orchestrator.operations import DeleteFile, EditFile, Operation, RenameFile, WriteFile
from orchestrator.options import RunOptions
from orchestrator.paths import ProjectLimits, clean_path
from orchestrator.prompts import iterate_request, plan_request, write_request
from orchestrator.providers.base import ModelProvider
from orchestrator.repair import settle
from orchestrator.results import PipelineResult, PlannedFile, ProjectBrief
from orchestrator.stages import (
    GENERATION_CHECKING,
    GENERATION_FIX_CALL,
    ITERATION_CALL,
    ITERATION_FIX_CALL,
    PHASES,
    PLAN_CALL,
    REPAIR_CALL,
    STAGES,
)
from orchestrator.verify import verify


def checked_path(raw: str) -> str:
    """The clean path of a file the model names; a hostile one ends the run at once."""
    try:
        return clean_path(raw)
    except UnsafePath as refusal:
        raise UnsafePath(
            f"The model named an unsafe path, so nothing was saved. {refusal.message}"
        ) from None


def generate(
    brief: ProjectBrief,
    provider: ModelProvider,
    host: Host,
    options: RunOptions | None = None,
) -> PipelineResult:
    """Write version 1: plan the files, then write them phase by phase."""
    run = Run(provider, host, "generation", options or RunOptions())
    run.stage("generation_start")
    run.stage("planning", f"Planning the project with {run.model_name}...")
    plan_answer = run.call(plan_request(brief), span=PLAN_CALL)
    planned, phases = parse_plan(plan_answer.text, run.options.limits)
    run.stage(
        "planning",
        f"Planned {len(planned)} files in {len(phases)} phases",
        files=len(planned),
        phases=len(phases),
    )
    files: dict[str, str] = {}
    reported: set[str] = set()

    def report(operation: Operation) -> None:
        path = checked_path(operation.path)
        if not isinstance(operation, WriteFile):
            return
        reported.add(path)
        run.stage(
            "file_generated",
            f"Wrote {path}",
            progress=run.position,
            file=path,
            action="added",
            lines_added=count_lines(operation.content),
            lines_removed=0,
        )

    def write(paths: list[str], span: tuple[float, float]) -> None:
        request = write_request(brief, planned, paths, files)
        answer = run.call(request, span=span, on_operation=report)
        settled = settle(
            run,
            {},
            answer,
            brief=brief,
            prompt="write the planned files",
            intent="add",
            report=report,
            span=(span[1], span[1]),
        )
        files.update(settled.files)

    spans = phase_spans(planned, phases)
    for number, name in phases:
        run.stage(
            "phase_start",
            f"Phase {number} of {len(phases)}: {name}",
            progress=spans[number][0],
            phase=number,
        )
        write([f.path for f in planned if f.phase == number], spans[number])
        run.stage(
            "phase_complete",
            f"Phase {number} complete: {name}",
            progress=spans[number][1],
            phase=number,
        )
    missing = [f.path for f in planned if f.path not in files]
    if missing:
        # One more request for what the model skipped; then say exactly what is missing.
        write(missing, (PHASES[1], PHASES[1]))
        missing = [f.path for f in planned if f.path not in files]
    if missing:
        raise PipelineError(
            f"The model did not write {len(missing)} planned files: {', '.join(missing[:5])}. "
            "Try again, or describe the project in fewer files."
        )
    run.options.limits.check(files)
    verified = verify(
        run,
        {},
        files,
        brief=brief,
        prompt="write the planned files",
        intent="add",
        report=report,
        at=GENERATION_CHECKING,
        fix_span=GENERATION_FIX_CALL,
    )
    files = verified.files
    changes = [FileChange(path, "added", lines_added=count_lines(c)) for path, c in files.items()]
    run.stage("saving", f"Saving {len(files)} files...")
    return PipelineResult(
        outcome="completed",
        files=files,
        changes=tuple(changes),
        summary=" ".join([f"Generated {len(files)} files.", *verified.notes]),
        calls=tuple(run.calls),
        checks=verified.report,
    )


def iterate(
    files: dict[str, str],
    prompt: str,
    brief: ProjectBrief,
    provider: ModelProvider,
    host: Host,
    options: RunOptions | None = None,
) -> PipelineResult:
    """Change an existing project as a follow-up prompt asks."""
    run = Run(provider, host, "iteration", options or RunOptions())
    run.stage("iteration_start")
    intent = detect_intent(prompt)
    run.stage("intent_detection", f"Detected intent: {intent.kind}", intent=intent.kind)
    context = build_context(files, prompt, run.options.context_budget_tokens, host.fact_store)
    run.stage(
        "context_building",
        f"Building context from existing files: {len(context.whole)} in full, "
        f"{len(context.mapped)} as a map, about {context.tokens:,} tokens",
        files_whole=len(context.whole),
        files_mapped=len(context.mapped),
        tokens=context.tokens,
    )
    # iteration_mode and code_generation do no work of their own: folded into the call.
    reported: dict[str, str] = {}
    planned: list[str] = []

    def plan(paths: list[str]) -> None:
        planned[:] = paths

    def report(operation: Operation) -> None:
        path = checked_path(operation.path)
        action = _action_of(operation, path, files)
        reported[path] = action
        added, removed = _lines_of(operation, path, files)
        run.stage(
            "file_generated",
            f"{action.capitalize()} {path}",
            progress=run.position,
            file=path,
            action=action,
            lines_added=added,
            lines_removed=removed,
        )

    request = iterate_request(brief, prompt, intent.kind, context.render(), context.whole)
    run.stage(
        "llm_generation",
        f"Sending the {intent.kind} request to {run.model_name}...",
        provider=run.provider.name,
        model=run.provider.model,
    )
    answer = run.call(
        request, span=ITERATION_CALL, known_paths=files, on_operation=report, on_plan=plan
    )
    run.stage("parsing_response", f"Parsed {len(answer.operations)} file operations")
    summary = " ".join(answer.prose)[:500] or "No explanation given."
    if answer.hit_length_limit and not answer.cut_off_in:
        summary += " (The model's answer reached its length limit; ask again for anything missing.)"
    if not answer.operations and not answer.refusals and not answer.cut_off_in:
        return PipelineResult("no_changes", dict(files), (), summary, intent.kind, tuple(run.calls))
    run.stage("merging_files")
    settled = settle(
        run,
        files,
        answer,
        brief=brief,
        prompt=prompt,
        intent=intent.kind,
        report=report,
        span=REPAIR_CALL,
    )
    if settled.files == files:
        summary = " ".join([summary, *settled.notes])
        return PipelineResult("no_changes", dict(files), (), summary, intent.kind, tuple(run.calls))
    verified = verify(
        run,
        files,
        settled.files,
        brief=brief,
        prompt=prompt,
        intent=intent.kind,
        report=report,
        at=STAGES["checking"].progress,
        fix_span=ITERATION_FIX_CALL,
    )
    summary = " ".join([summary, *settled.notes, *verified.notes])
    changes = changes_between(files, verified.files, verified.renames_since(settled.renames))
    return PipelineResult(
        "completed",
        verified.files,
        tuple(changes),
        summary,
        intent.kind,
        tuple(run.calls),
        verified.report,
    )


def phase_spans(planned: list[PlannedFile], phases: list[tuple]) -> dict[int, tuple[float, float]]:
    """Each phase's span of the bar, in proportion to the files it writes."""
    low, high = PHASES
    spans, start = {}, low
    for number, _ in phases:
        share = sum(f.phase == number for f in planned) / len(planned)
        spans[number] = (start, start + (high - low) * share)
        start = spans[number][1]
    return spans


def parse_plan(text: str, limits: ProjectLimits) -> tuple[list[PlannedFile], list[tuple]]:
    """Read the planning answer (JSON, perhaps fenced) into files and ordered phases."""
    text = strip_reasoning(text)  # a plan may open with the model's thinking
    start = text.find("{")
    try:
        # The first JSON object, whatever prose follows it (braces in prose included).
        data = json.JSONDecoder().raw_decode(text, start)[0] if start >= 0 else json.loads(text)
        planned = [
            PlannedFile(checked_path(str(f["path"])), str(f.get("purpose", "")), int(f["phase"]))
            for f in data["files"]
        ]
        names = {int(p["number"]): str(p["name"]) for p in data.get("phases", [])}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ModelAnswerInvalid(
            f"The model's plan was not valid JSON of files ({error}). Try again."
        ) from None
    if not planned:
        raise ModelAnswerInvalid("The model planned no files. Describe the project in more detail.")
    if len(planned) > limits.max_files:
        raise ModelAnswerInvalid(
            f"The model planned {len(planned)} files; the limit is {limits.max_files}."
        )
    planned = list({f.path: f for f in planned}.values())
    phases = [(n, names.get(n, f"Phase {n}")) for n in sorted({f.phase for f in planned})]
    return planned, phases


def _action_of(operation: Operation, path: str, files: dict[str, str]) -> str:
    match operation:
        case WriteFile():
            return "modified" if path in files else "added"
        case EditFile():
            return "modified"
        case DeleteFile():
            return "deleted"
        case RenameFile():
            return "renamed"
    return "changed"


def _lines_of(operation: Operation, path: str, files: dict[str, str]) -> tuple[int, int]:
    match operation:
        case WriteFile(_, content):
            return line_delta(files.get(path, ""), content)
        case EditFile(_, blocks):
            pairs = [line_delta(b.search, b.replace) for b in blocks]
            return sum(a for a, _ in pairs), sum(r for _, r in pairs)
        case DeleteFile():
            return 0, count_lines(files.get(path, ""))
    return 0, 0
