"""The two runs: `generate` writes version 1 in phases, `iterate` changes an existing version.

Both take plain data, a provider and an emit callback, and return a PipelineResult or raise
PipelineError/Cancelled. Neither returns None, and neither saves anything: the caller does.
"""

import json
import random
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
from orchestrator.errors import (
    Cancelled,
    EditFailed,
    ModelAnswerInvalid,
    ModelUnavailable,
    PipelineError,
)
from orchestrator.intent import detect_intent
from orchestrator.merge import (
    FileChange,
    apply_operations,
    count_lines,
    dry_run,
    lazy_reason,
    line_delta,
)
from orchestrator.paths import ProjectLimits, clean_path
from orchestrator.providers.base import ModelProvider, ModelRequest, Usage
from orchestrator.stages import EmitFn, Reporter

SYSTEM = (
    "You are a senior software engineer who writes complete, runnable projects. "
    "Follow the requested tech stack and constraints exactly."
)
REPAIR_ROUNDS = 2
TOKEN_REPORT_SECONDS = 2.0

PLAN_SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string"},
        "entities": {"type": "array", "items": {"type": "string"}},
        "phases": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"number": {"type": "integer"}, "name": {"type": "string"}},
                "required": ["number", "name"],
            },
        },
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "purpose": {"type": "string"},
                    "phase": {"type": "integer"},
                },
                "required": ["path", "purpose", "phase"],
            },
        },
    },
    "required": ["phases", "files"],
}


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
    outcome: str  # ok, truncated, unavailable, rejected, cancelled, error
    tokens_estimated: bool = False
    error: str = ""


@dataclass(frozen=True)
class PipelineResult:
    outcome: str  # completed or no_changes
    files: dict[str, str]
    changes: tuple[FileChange, ...]
    summary: str
    intent: str | None = None
    calls: tuple[ModelCall, ...] = ()


@dataclass
class RetryPolicy:
    """How hard to try one model call: attempts, backoff, and time limits."""

    attempts: int = 4
    base_seconds: float = 1.0
    max_seconds: float = 30.0
    call_seconds: float = 600.0  # wall clock for one call, retries included
    stall_seconds: float = 60.0  # silence mid-answer that counts as a dropped connection

    def wait_before(self, attempt: int, retry_after: float | None, jitter: float) -> float:
        """Exponential backoff with jitter (half fixed, half random), at least retry_after."""
        exponential = min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1))
        return max(exponential * (0.5 + jitter / 2), min(retry_after or 0.0, self.max_seconds))


@dataclass
class RunOptions:
    limits: ProjectLimits = field(default_factory=ProjectLimits)
    context_budget_tokens: int = 60_000
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    should_cancel: Callable[[], bool] = lambda: False
    # Called with each finished model call, failed ones too, so the caller can log it now.
    on_model_call: Callable[[ModelCall], None] = lambda call: None
    on_tick: Callable[[], None] = lambda: None  # regularly while a model call runs
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random


@dataclass(frozen=True)
class PlannedFile:
    path: str
    purpose: str
    phase: int


@dataclass
class Answer:
    """What one model call gave: its operations and what is known about its completeness."""

    text: str
    prose: list[str]
    operations: list[Operation]
    cut_off_in: str | None = None  # the file being written when the answer stopped
    hit_length_limit: bool = False


class Run:
    """One pipeline run: the provider, the options, the reporter and the calls made."""

    def __init__(
        self, provider: ModelProvider, emit: EmitFn | Reporter, flow: str, options: RunOptions
    ) -> None:
        self.provider = provider
        self.options = options
        self.reporter = emit if isinstance(emit, Reporter) else Reporter(emit, flow=flow)
        self.calls: list[ModelCall] = []

    def stage(self, name: str, message: str | None = None, **extra: object) -> None:
        self.reporter.stage(name, message, **extra)

    # Model calls ---------------------------------------------------------------------------

    def call(
        self,
        request: ModelRequest,
        on_operation: Callable[[Operation], None] | None = None,
        on_plan: Callable[[list[str]], None] | None = None,
    ) -> Answer:
        """One model call, retried on transient failures with each wait announced."""
        started = time.monotonic()
        policy = self.options.retry
        attempt, waited = 1, 0.0
        while True:
            try:
                return self._attempt(request, started, on_operation, on_plan)
            except ModelUnavailable as error:
                # Real time already includes the waits; count them as well for injected sleeps.
                elapsed = max(time.monotonic() - started, waited)
                wait = policy.wait_before(attempt, error.retry_after, self.options.jitter())
                if attempt >= policy.attempts or elapsed + wait > policy.call_seconds:
                    raise PipelineError(
                        f"The model is unavailable ({error.reason}); tried {attempt} times over "
                        f"{elapsed:.0f} s. Nothing was saved: try again in a few minutes."
                    ) from error
                attempt += 1
                shown = f"{wait:.1f} s" if wait >= 1 else f"{wait * 1000:.0f} ms"
                self.stage(
                    "retrying",
                    f"The model is unavailable ({error.reason}); retrying in {shown} "
                    f"(attempt {attempt} of {policy.attempts})",
                    retry_in=round(wait, 3),
                    attempt=attempt,
                    reason=error.reason,
                )
                self._pause(wait)
                waited += wait

    def _pause(self, seconds: float) -> None:
        """Sleep in short steps, so a cancel during a backoff is noticed at once."""
        left = seconds
        while left > 0:
            if self.options.should_cancel():
                raise Cancelled()
            self.options.on_tick()
            step = min(left, 0.25)
            self.options.sleep(step)
            left -= step

    def _attempt(
        self,
        request: ModelRequest,
        call_started: float,
        on_operation: Callable[[Operation], None] | None,
        on_plan: Callable[[list[str]], None] | None,
    ) -> Answer:
        started = last_data = last_report = time.monotonic()
        parser = EditStreamParser()
        text: list[str] = []
        operations: list[Operation] = []
        usage: Usage | None = None
        finish: str | None = None
        outcome, error_text = "error", ""
        stream = self.provider.stream(request)

        def take(done: list[Operation]) -> None:
            if on_plan and parser.planned is not None:
                on_plan(parser.planned)
            for operation in done:
                operations.append(operation)
                if on_operation:
                    on_operation(operation)

        try:
            for chunk in stream:
                now = time.monotonic()
                self.options.on_tick()
                if self.options.should_cancel():
                    outcome = "cancelled"
                    raise Cancelled()
                if now - call_started > self.options.retry.call_seconds:
                    raise PipelineError(
                        f"The model did not finish within {self.options.retry.call_seconds:.0f} s."
                        " Nothing was saved: ask for a smaller change or try again later."
                    )
                if chunk.tick:
                    if now - last_data > self.options.retry.stall_seconds:
                        raise ModelUnavailable(
                            f"it sent nothing for {self.options.retry.stall_seconds:.0f} s"
                        )
                    continue
                last_data = now
                text.append(chunk.text)
                usage = chunk.usage or usage
                finish = chunk.finish_reason or finish
                take(parser.feed(chunk.text))
                if now - last_report >= TOKEN_REPORT_SECONDS:
                    last_report = now
                    tokens = len("".join(text)) // 4
                    self.stage(
                        "model_progress",
                        f"Receiving the model's answer: about {tokens:,} tokens so far",
                        tokens=tokens,
                    )
            if finish is None:
                raise ModelUnavailable("the answer stopped before the model finished")
            if finish not in ("STOP", "MAX_TOKENS"):
                raise ModelAnswerInvalid(
                    f"The model stopped for a reason other than finishing ({finish}). "
                    "Rephrase the request and try again."
                )
            take(parser.finish(allow_open=True))
            outcome = "ok" if finish == "STOP" and parser.open_path is None else "truncated"
            return Answer(
                text="".join(text),
                prose=parser.prose,
                operations=operations,
                cut_off_in=parser.open_path,
                hit_length_limit=finish == "MAX_TOKENS",
            )
        except ModelUnavailable as error:
            outcome, error_text = "unavailable", error.reason
            raise
        except PipelineError as error:
            outcome = "rejected" if outcome == "error" else outcome
            error_text = error.message
            raise
        except Cancelled:
            outcome = "cancelled"
            raise
        finally:
            stream.close()  # closes the model's connection when we stop early
            self._log(request, usage, outcome, error_text, time.monotonic() - started, text)

    def _log(
        self,
        request: ModelRequest,
        usage: Usage | None,
        outcome: str,
        error: str,
        seconds: float,
        text: list[str],
    ) -> None:
        if usage is None and text:
            # Cut off before the model reported usage: estimate what it will have billed.
            received = "".join(text)
            usage = Usage(len(request.system + request.prompt) // 4, len(received) // 4, True)
        call = ModelCall(
            purpose=request.purpose,
            provider=self.provider.name,
            model=self.provider.model,
            tokens_in=usage.tokens_in if usage else 0,  # nothing received, nothing billed
            tokens_out=usage.tokens_out if usage else 0,
            latency_seconds=round(seconds, 3),
            outcome=outcome,
            tokens_estimated=usage.estimated if usage else False,
            error=error[:500],
        )
        self.calls.append(call)
        self.options.on_model_call(call)

    # Making operations stick ---------------------------------------------------------------

    def settle(
        self,
        files: dict[str, str],
        answer: Answer,
        brief: ProjectBrief,
        prompt: str,
        intent: str,
    ) -> tuple[dict[str, str], list[FileChange]]:
        """Apply the answer; repair what does not apply, regenerate what is cut off or lazy."""
        operations = list(answer.operations)
        forced: dict[str, str] = {}
        if answer.cut_off_in:
            forced[clean_path(answer.cut_off_in)] = "the answer was cut off while writing it"
        for round_number in range(REPAIR_ROUNDS + 1):
            result = dry_run(files, operations)
            failures = {**result.failures, **forced}
            for operation in operations:
                reason = lazy_reason(operation, files, intent)
                if reason:
                    failures[clean_path(operation.path)] = reason
            if not failures:
                self.options.limits.check(result.files)
                return result.files, result.changes
            last_round = round_number == REPAIR_ROUNDS
            purpose = "regenerate" if last_round or forced else "repair"
            self.stage(
                "merging_files",
                f"{'Regenerating' if purpose == 'regenerate' else 'Repairing'} "
                f"{', '.join(sorted(failures))}",
                repairing=sorted(failures),
            )
            request = _repair_request(purpose, brief, prompt, files, failures, operations)
            replacement = self.call(request).operations
            fixed = {clean_path(op.path) for op in replacement if clean_path(op.path) in failures}
            operations = [op for op in operations if clean_path(op.path) not in fixed]
            operations += [op for op in replacement if clean_path(op.path) in fixed]
            forced = {path: reason for path, reason in forced.items() if path not in fixed}
            if last_round:
                break
        # The last chance was a whole-file rewrite; anything still failing is reported.
        try:
            new_files, changes = apply_operations(files, operations, self.options.limits)
        except EditFailed as failure:
            raise EditFailed(f"{failure.message} Repair and regeneration did not fix it.") from None
        still = {
            clean_path(op.path): reason
            for op in operations
            if (reason := lazy_reason(op, files, intent))
        } | forced
        if still:
            path, reason = next(iter(still.items()))
            raise EditFailed(f"{path} could not be written properly: {reason}.")
        return new_files, changes


def generate(
    brief: ProjectBrief,
    provider: ModelProvider,
    emit: EmitFn | Reporter,
    options: RunOptions | None = None,
) -> PipelineResult:
    """Write version 1: plan the files, then write them phase by phase."""
    run = Run(provider, emit, "generation", options or RunOptions())
    run.stage("generation_start")
    run.stage("planning")
    plan_answer = run.call(_plan_request(brief))
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
        if not isinstance(operation, WriteFile):
            raise ModelAnswerInvalid("The model edited files while writing a new project.")
        path = clean_path(operation.path)
        reported.add(path)
        run.stage(
            "file_generated",
            f"Wrote {path}",
            fraction=len(reported) / len(planned),
            file=path,
            action="added",
            lines_added=count_lines(operation.content),
            lines_removed=0,
        )

    def write(paths: list[str]) -> None:
        answer = run.call(_write_request(brief, planned, paths, files), on_operation=report)
        new_files, _ = run.settle({}, answer, brief, "write the planned files", "add")
        files.update(new_files)

    for number, name in phases:
        fraction = len(reported) / len(planned)
        run.stage(
            "phase_start",
            f"Phase {number} of {len(phases)}: {name}",
            fraction=fraction,
            phase=number,
        )
        write([f.path for f in planned if f.phase == number])
        run.stage(
            "phase_complete",
            f"Phase {number} complete: {name}",
            fraction=len(reported) / len(planned),
            phase=number,
        )
    missing = [f.path for f in planned if f.path not in files]
    if missing:
        # One more request for what the model skipped; then say exactly what is missing.
        write(missing)
        missing = [f.path for f in planned if f.path not in files]
    if missing:
        raise PipelineError(
            f"The model did not write {len(missing)} planned files: {', '.join(missing[:5])}. "
            "Try again, or describe the project in fewer files."
        )
    run.options.limits.check(files)
    changes = [FileChange(path, "added", lines_added=count_lines(c)) for path, c in files.items()]
    return PipelineResult(
        outcome="completed",
        files=files,
        changes=tuple(changes),
        summary=f"Generated {len(files)} files.",
        calls=tuple(run.calls),
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
    run = Run(provider, emit, "iteration", options or RunOptions())
    run.stage("iteration_start")
    intent = detect_intent(prompt)
    run.stage("intent_detection", f"Detected intent: {intent.kind}", intent=intent.kind)
    context = build_context(files, prompt, run.options.context_budget_tokens)
    run.stage(
        "context_building",
        f"Building context from existing files: {len(context.whole)} in full, "
        f"{len(context.mapped)} as a map, about {context.tokens:,} tokens",
        files_whole=len(context.whole),
        files_mapped=len(context.mapped),
        tokens=context.tokens,
    )
    run.stage("iteration_mode")
    run.stage("code_generation", f"Generating {intent.kind} modifications...")
    reported: dict[str, str] = {}
    planned: list[str] = []

    def plan(paths: list[str]) -> None:
        planned[:] = paths

    def report(operation: Operation) -> None:
        action = _action_of(operation, files)
        reported[operation.path] = action
        done = len(reported)
        # Finished files out of planned files; without a plan, approach the end of the range.
        fraction = done / len(planned) if len(planned) >= done else 1 - 0.5**done
        added, removed = _lines_of(operation, files)
        run.stage(
            "file_generated",
            f"{action.capitalize()} {operation.path}",
            fraction=fraction,
            file=operation.path,
            action=action,
            lines_added=added,
            lines_removed=removed,
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
    run.stage("llm_generation")
    run.stage("gemini_processing")
    answer = run.call(request, on_operation=report, on_plan=plan)
    run.stage("parsing_response", f"Parsed {len(answer.operations)} file operations")
    summary = " ".join(answer.prose)[:500] or "No explanation given."
    if answer.hit_length_limit and not answer.cut_off_in:
        summary += " (The model's answer reached its length limit; ask again for anything missing.)"
    if not answer.operations and not answer.cut_off_in:
        return PipelineResult("no_changes", dict(files), (), summary, intent.kind, tuple(run.calls))
    run.stage("merging_files")
    new_files, changes = run.settle(files, answer, brief, prompt, intent.kind)
    if new_files == files:
        return PipelineResult("no_changes", dict(files), (), summary, intent.kind, tuple(run.calls))
    return PipelineResult(
        "completed", new_files, tuple(changes), summary, intent.kind, tuple(run.calls)
    )


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


def _lines_of(operation: Operation, files: dict[str, str]) -> tuple[int, int]:
    match operation:
        case WriteFile(path, content):
            return line_delta(files.get(path, ""), content)
        case EditFile(_, blocks):
            pairs = [line_delta(b.search, b.replace) for b in blocks]
            return sum(a for a, _ in pairs), sum(r for _, r in pairs)
        case DeleteFile(path):
            return 0, count_lines(files.get(path, ""))
    return 0, 0


def _brief_fields(brief: ProjectBrief) -> dict:
    return {"title": brief.title, "stack": brief.stack, "domain": brief.domain}


def _describe(brief: ProjectBrief) -> str:
    return (
        f"Project: {brief.title}\nTech stack: {brief.stack}\nDomain: {brief.domain or '-'}\n"
        f"Constraints: {brief.constraints or '-'}\nRequest: {brief.prompt}"
    )


def _plan_request(brief: ProjectBrief) -> ModelRequest:
    prompt = (
        _describe(brief) + "\n\nPlan the project as JSON only: a short summary, the main "
        "entities, a few phases (foundation first, docs and tests last) and every file with "
        "its purpose and phase number. Keep it small enough to write in full."
    )
    return ModelRequest("plan", SYSTEM, prompt, _brief_fields(brief), json_schema=PLAN_SCHEMA)


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


def _repair_request(
    purpose: str,
    brief: ProjectBrief,
    prompt: str,
    files: dict[str, str],
    failures: dict[str, str],
    operations: list[Operation],
) -> ModelRequest:
    """Name exactly what failed and why, with each file's current content."""
    parts = [f"{_describe(brief)}\n\nThe user asked: {prompt}\n"]
    for path, reason in sorted(failures.items()):
        current = files.get(path)
        parts.append(f"Your change to {path} could not be used: {reason}.")
        for operation in operations:
            if isinstance(operation, EditFile) and clean_path(operation.path) == path:
                for number, block in enumerate(operation.blocks, 1):
                    parts.append(f"Block {number} searched for:\n{block.search}")
        if current is not None:
            parts.append(f"The current content of {path}:\n{current}")
    if purpose == "regenerate":
        parts.append("Write each of these files again in full with @@@ FILE, no placeholders.")
    else:
        parts.append(
            "Give corrected @@@ EDIT blocks whose SEARCH text copies the current content "
            "exactly, or the whole file with @@@ FILE."
        )
    parts.append(FORMAT_INSTRUCTIONS)
    return ModelRequest(
        purpose,
        SYSTEM,
        "\n\n".join(parts),
        {**_brief_fields(brief), "prompt": prompt, "failures": failures, "files": files},
    )
