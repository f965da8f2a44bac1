"""The stage table (one place) and the reporter that turns stages into progress events.

The stage names and their order are the contract (docs/events.md). The progress values are
ours to make truthful: each stage gets a share of the bar close to its share of the time.
A model call is nearly all of a run's time, so it fills most of the bar, moved by
orchestrator.progress as characters and finished files arrive. Stages that do no work of
their own (iteration_mode, code_generation) are folded into the next one: they are not sent.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from time import time


@dataclass(frozen=True)
class Stage:
    name: str
    progress: float | None  # where the bar is when the stage starts, or None (status only)
    message: str


_TABLE = [
    # Every run
    Stage("queued", 0.00, "Waiting for a worker..."),
    Stage("retrying", None, "Retrying the model call..."),
    Stage("cancelled", None, "Cancelled; nothing was saved."),
    # Version 1: the phased generator. The plan call fills 0.02-0.08, the phases 0.08-0.975.
    Stage("generation_start", 0.01, "Starting generation..."),
    Stage("planning", 0.02, "Planning the project..."),
    Stage("phase_start", None, "Starting phase..."),
    Stage("phase_complete", None, "Phase complete"),
    Stage("saving", 0.98, "Saving files..."),
    Stage("generation_complete", 1.00, "Generation complete"),
    Stage("generation_error", None, "Generation failed"),
    # Follow-up iterations
    Stage("iteration_start", 0.01, "Starting iteration analysis..."),
    Stage("intent_detection", 0.015, "Detected intent"),
    Stage("context_building", 0.02, "Building context from existing files..."),
    Stage("iteration_mode", 0.03, "Using iteration mode for focused changes"),
    Stage("code_generation", 0.03, "Generating modifications..."),
    Stage("llm_generation", 0.03, "Sending the request to the model..."),
    # The model streaming: its call fills the span below (progress given by the caller).
    Stage("gemini_processing", None, "Receiving Gemini's answer..."),
    Stage("model_progress", None, "Receiving the model's answer..."),
    Stage("file_generated", None, "File generated"),
    Stage("parsing_response", 0.975, "Parsing generated files..."),
    Stage("merging_files", 0.98, "Merging changes with existing files..."),
    Stage("checking", 0.985, "Checking the new version..."),
    Stage("check_result", None, "Checks done"),
    Stage("check_fix", None, "Asking the model to fix what the checks found..."),
    Stage("iteration_complete", 1.00, "Iteration complete"),
    Stage("iteration_no_changes", 1.00, "The model proposed no changes"),
    Stage("iteration_error", None, "Iteration failed"),
]
STAGES: dict[str, Stage] = {stage.name: stage for stage in _TABLE}

# The span of the bar the iteration's model call fills, and version 1's plan and phases.
ITERATION_CALL = (0.04, 0.97)
PLAN_CALL = (0.02, 0.08)
PHASES = (0.08, 0.975)
# Repair and fix rounds are rare: they get a sliver of the bar. An iteration repairs while
# merging (0.98) and fixes after checking (0.985); version 1 checks after its phases,
# before saving (0.98).
REPAIR_CALL = (0.98, 0.983)
ITERATION_FIX_CALL = (0.986, 0.995)
GENERATION_CHECKING = 0.976
GENERATION_FIX_CALL = (0.977, 0.979)

# The contract's order for an iteration (the folded stages included, as the contract has
# them); a run sends a subsequence of it.
ITERATION_ORDER = [
    "queued",
    "iteration_start",
    "intent_detection",
    "context_building",
    "iteration_mode",
    "code_generation",
    "llm_generation",
    "gemini_processing",
    "model_progress",
    "file_generated",
    "parsing_response",
    "merging_files",
    "checking",
    "check_result",
    "check_fix",
    "iteration_complete",
]


@dataclass(frozen=True)
class ProgressEvent:
    """One event of the contract (docs/events.md); `extra` carries file, tokens and the like."""

    stage: str
    status: str
    message: str
    progress: float
    timestamp: float = field(default_factory=time)
    extra: dict = field(default_factory=dict)


EmitFn = Callable[[ProgressEvent], None]


def final_stage(
    flow: str, status: str, *, files: int = 0, summary: str = "", reason: str = "", by: str = ""
) -> tuple[str, str]:
    """How a run ends: its final stage and message, chosen here only (the host stores and
    announces them). `flow` is "generation" (version 1) or "iteration"; `status` is
    completed, no_changes, failed or cancelled; `reason` says why a run failed; `by` names
    what made a version without a model ("Restore", "Manual edit")."""
    if status == "cancelled":
        return "cancelled", STAGES["cancelled"].message
    if status == "failed":
        return f"{flow}_error", reason
    if status == "no_changes":
        return "iteration_no_changes", f"{STAGES['iteration_no_changes'].message}. {summary}"
    if by:
        return "iteration_complete", f"{by}: {files} total files"
    if flow == "generation":
        return "generation_complete", f"Generation complete: {files} files"
    return "iteration_complete", f"Iteration complete: {files} total files"


class Reporter:
    """Looks stages up in the table and emits events whose progress never goes down."""

    def __init__(self, emit: EmitFn, flow: str = "iteration", start: float = 0.0) -> None:
        self._emit = emit
        self.flow = flow  # "generation" (version 1) or "iteration"
        self.progress = start

    def stage(
        self,
        name: str,
        message: str | None = None,
        *,
        progress: float | None = None,
        status: str = "processing",
        **extra: object,
    ) -> None:
        """Emit `name`: at `progress` when given (a model call's measured share), else where
        the table puts the stage; never below what was shown before."""
        stage = STAGES[name]
        target = progress if progress is not None else stage.progress
        if target is not None:
            self.progress = max(self.progress, round(min(max(target, 0.0), 1.0), 4))
        self._emit(
            ProgressEvent(
                stage=name,
                status=status,
                message=message or stage.message,
                progress=self.progress,
                extra=dict(extra),
            )
        )

    def span(self, low: float, high: float, fraction: float) -> float:
        """The bar's value `fraction` of the way through the span low..high."""
        return low + (high - low) * min(max(fraction, 0.0), 1.0)
