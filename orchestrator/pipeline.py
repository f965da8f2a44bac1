"""The two runs: `generate` writes version 1 in phases, `iterate` changes an existing version.

Both take plain data, a provider and an emit callback, and return a PipelineResult or raise
PipelineError/Cancelled. Neither returns None, and neither saves anything: the caller does.
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestrator.context import build_context
from orchestrator.edit_format import (
    FORMAT_INSTRUCTIONS,
    DeleteFile,
    EditFile,
    EditStreamParser,
    Operation,
    RenameFile,
    WriteFile,
)
from orchestrator.errors import Cancelled, ModelAnswerInvalid, PipelineError
from orchestrator.intent import detect_intent
from orchestrator.merge import FileChange, apply_operations, count_lines
from orchestrator.paths import ProjectLimits, clean_path
from orchestrator.providers.base import ModelProvider, ModelRequest
from orchestrator.stages import EmitFn, Reporter

SYSTEM = (
    "You are a senior software engineer who writes complete, runnable projects. "
    "Follow the requested tech stack and constraints exactly."
)


@dataclass(frozen=True)
class ProjectBrief:
    title: str
    prompt: str
    stack: str
    domain: str = ""
    constraints: str = ""


@dataclass(frozen=True)
class ModelCall:
    """One call to the model, for the log: purpose, figures and outcome."""

    purpose: str
    provider: str
    model: str
    tokens_in: int
    tokens_out: int
    latency_seconds: float
    outcome: str
    tokens_estimated: bool = False


@dataclass(frozen=True)
class PipelineResult:
    outcome: str  # completed or no_changes
    files: dict[str, str]
    changes: tuple[FileChange, ...]
    summary: str
    intent: str | None = None
    calls: tuple[ModelCall, ...] = ()


@dataclass
class RunOptions:
    limits: ProjectLimits = field(default_factory=ProjectLimits)
    context_budget_tokens: int = 60_000
    should_cancel: Callable[[], bool] = lambda: False
    # Called with each finished model call, failed ones too, so the caller can log it now.
    on_model_call: Callable[["ModelCall"], None] = lambda call: None


@dataclass(frozen=True)
class PlannedFile:
    path: str
    purpose: str
    phase: int


def _reporter(emit: EmitFn | Reporter, flow: str) -> Reporter:
    return emit if isinstance(emit, Reporter) else Reporter(emit, flow=flow)


def generate(
    brief: ProjectBrief,
    provider: ModelProvider,
    emit: EmitFn | Reporter,
    options: RunOptions | None = None,
) -> PipelineResult:
    """Write version 1: plan the files, then write them phase by phase."""
    options = options or RunOptions()
    reporter = _reporter(emit, "generation")
    calls: list[ModelCall] = []
    reporter.stage("generation_start")
    reporter.stage("planning")
    plan_text, _ = _call(provider, _plan_request(brief), options, calls)
    planned, phases = parse_plan(plan_text, options.limits)
    reporter.stage(
        "planning",
        f"Planned {len(planned)} files in {len(phases)} phases",
        files=len(planned),
        phases=len(phases),
    )
    files: dict[str, str] = {}
    changes: list[FileChange] = []

    def written(operation: Operation) -> None:
        if not isinstance(operation, WriteFile):
            raise ModelAnswerInvalid("The model edited files while writing a new project.")
        path = clean_path(operation.path)
        files[path] = operation.content
        change = FileChange(path, "added", lines_added=count_lines(operation.content))
        changes.append(change)
        reporter.stage(
            "file_generated",
            f"Wrote {path}",
            fraction=len(files) / len(planned),
            file=path,
            action="added",
            lines_added=change.lines_added,
        )

    for number, name in phases:
        paths = [f.path for f in planned if f.phase == number]
        reporter.stage(
            "phase_start",
            f"Phase {number} of {len(phases)}: {name}",
            fraction=len(files) / len(planned),
            phase=number,
        )
        _call(provider, _write_request(brief, planned, paths, files), options, calls, written)
        reporter.stage(
            "phase_complete",
            f"Phase {number} complete: {name}",
            fraction=len(files) / len(planned),
            phase=number,
        )
    missing = [f.path for f in planned if f.path not in files]
    if missing:
        # One more request for what the model skipped; then say exactly what is missing.
        _call(provider, _write_request(brief, planned, missing, files), options, calls, written)
        missing = [f.path for f in planned if f.path not in files]
    if missing:
        raise PipelineError(
            f"The model did not write {len(missing)} planned files: {', '.join(missing[:5])}."
        )
    options.limits.check(files)
    return PipelineResult(
        outcome="completed",
        files=files,
        changes=tuple(changes),
        summary=f"Generated {len(files)} files.",
        calls=tuple(calls),
    )


def iterate(
    files: dict[str, str],
    prompt: str,
    brief: ProjectBrief,
    provider: ModelProvider,
    emit: EmitFn | Reporter,
    options: RunOptions | None = None,
) -> PipelineResult:
    """Change an existing project as a follow-up prompt asks."""
    options = options or RunOptions()
    reporter = _reporter(emit, "iteration")
    calls: list[ModelCall] = []
    reporter.stage("iteration_start")
    intent = detect_intent(prompt)
    reporter.stage("intent_detection", f"Detected intent: {intent.kind}", intent=intent.kind)
    context = build_context(files, prompt, options.context_budget_tokens)
    reporter.stage(
        "context_building",
        f"Building context from existing files: {len(context.whole)} in full, "
        f"{len(context.mapped)} as a map, about {context.tokens:,} tokens",
        files_whole=len(context.whole),
        files_mapped=len(context.mapped),
        tokens=context.tokens,
    )
    reporter.stage("iteration_mode")
    reporter.stage("code_generation", f"Generating {intent.kind} modifications...")
    operations: list[Operation] = []

    def proposed(operation: Operation) -> None:
        operations.append(operation)
        action = _action_of(operation, files)
        reporter.stage(
            "file_generated",
            f"{action.capitalize()} {operation.path}",
            fraction=1 - 0.5 ** len(operations),  # planned count unknown: approach the end
            file=operation.path,
            action=action,
        )

    request = ModelRequest(
        purpose="iterate",
        system=SYSTEM,
        prompt=_iterate_prompt(brief, prompt, intent.kind, context.render()),
        brief={
            **_brief_fields(brief),
            "prompt": prompt,
            "intent": intent.kind,
            "files": context.whole,
        },
    )
    reporter.stage("llm_generation")
    _, prose = _call(
        provider,
        request,
        options,
        calls,
        proposed,
        on_open=lambda: reporter.stage("gemini_processing"),
    )
    reporter.stage("parsing_response", f"Parsed {len(operations)} file operations")
    summary = " ".join(prose)[:500] or "No explanation given."
    if not operations:
        return PipelineResult("no_changes", dict(files), (), summary, intent.kind, tuple(calls))
    reporter.stage("merging_files")
    new_files, changes = apply_operations(files, operations, options.limits)
    if new_files == files:
        return PipelineResult("no_changes", dict(files), (), summary, intent.kind, tuple(calls))
    return PipelineResult(
        "completed", new_files, tuple(changes), summary, intent.kind, tuple(calls)
    )


def _call(
    provider: ModelProvider,
    request: ModelRequest,
    options: RunOptions,
    calls: list[ModelCall],
    on_operation: Callable[[Operation], None] | None = None,
    on_open: Callable[[], None] | None = None,
) -> tuple[str, list[str]]:
    """Stream one request; hand each finished operation on; log the call whatever happens."""
    started = time.monotonic()
    parser = EditStreamParser()
    text: list[str] = []
    usage = None
    outcome = "error"
    stream = provider.stream(request)
    try:
        if on_open:
            on_open()
        for chunk in stream:
            if options.should_cancel():
                outcome = "cancelled"
                raise Cancelled()
            text.append(chunk.text)
            usage = chunk.usage or usage
            for operation in parser.feed(chunk.text) if on_operation else ():
                on_operation(operation)
            if chunk.finish_reason == "MAX_TOKENS":
                raise ModelAnswerInvalid(
                    "The model's answer was cut off at its length limit. Ask for a smaller "
                    "change, or raise the model's output limit."
                )
        for operation in parser.finish() if on_operation else ():
            on_operation(operation)
        outcome = "ok"
    finally:
        stream.close()  # closes the model's connection when we stop early
        call = ModelCall(
            purpose=request.purpose,
            provider=provider.name,
            model=provider.model,
            tokens_in=usage.tokens_in if usage else 0,
            tokens_out=usage.tokens_out if usage else 0,
            latency_seconds=round(time.monotonic() - started, 3),
            outcome=outcome,
            tokens_estimated=usage.estimated if usage else True,
        )
        calls.append(call)
        options.on_model_call(call)
    return "".join(text), parser.prose


def parse_plan(text: str, limits: ProjectLimits) -> tuple[list[PlannedFile], list[tuple]]:
    """Read the planning answer (JSON, perhaps fenced) into files and ordered phases."""
    match = re.search(r"\{.*\}", text, re.S)
    try:
        data = json.loads(match.group(0) if match else text)
        planned = [
            PlannedFile(clean_path(str(f["path"])), str(f.get("purpose", "")), int(f["phase"]))
            for f in data["files"]
        ]
        names = {int(p["number"]): str(p["name"]) for p in data.get("phases", [])}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ModelAnswerInvalid(
            f"The model's plan was not valid JSON of files: {error}."
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


def _action_of(operation: Operation, files: dict[str, str]) -> str:
    match operation:
        case WriteFile(path, _):
            return "modified" if path in files else "added"
        case EditFile():
            return "modified"
        case DeleteFile():
            return "deleted"
        case RenameFile():
            return "renamed"
    return "changed"


def _brief_fields(brief: ProjectBrief) -> dict:
    return {"title": brief.title, "stack": brief.stack, "domain": brief.domain}


def _describe(brief: ProjectBrief) -> str:
    return (
        f"Project: {brief.title}\nTech stack: {brief.stack}\nDomain: {brief.domain or '-'}\n"
        f"Constraints: {brief.constraints or '-'}\nRequest: {brief.prompt}"
    )


def _plan_request(brief: ProjectBrief) -> ModelRequest:
    prompt = (
        _describe(brief) + "\n\nPlan the project. Answer with JSON only: "
        '{"summary": str, "entities": [str], "phases": [{"number": int, "name": str}], '
        '"files": [{"path": str, "purpose": str, "phase": int}]}'
    )
    return ModelRequest("plan", SYSTEM, prompt, _brief_fields(brief))


def _write_request(
    brief: ProjectBrief, planned: list[PlannedFile], paths: list[str], done: dict[str, str]
) -> ModelRequest:
    plan = "\n".join(f"- {f.path}: {f.purpose}" for f in planned)
    prompt = (
        f"{_describe(brief)}\n\nThe plan:\n{plan}\n\nAlready written: "
        f"{', '.join(sorted(done)) or 'nothing yet'}.\nNow write these files in full:\n"
        + "\n".join(f"- {p}" for p in paths)
        + "\n\n"
        + FORMAT_INSTRUCTIONS
    )
    return ModelRequest("generate", SYSTEM, prompt, {**_brief_fields(brief), "paths": paths})


def _iterate_prompt(brief: ProjectBrief, prompt: str, intent: str, context: str) -> str:
    return (
        f"{_describe(brief)}\n\nThe current files:\n{context}\n\nThe user's follow-up "
        f"({intent}): {prompt}\n\nMake only the changes the follow-up asks for.\n\n"
        + FORMAT_INSTRUCTIONS
    )
