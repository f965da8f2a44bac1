"""The stage table (one place) and the reporter that turns stage names into progress events."""

from collections.abc import Callable
from dataclasses import dataclass, field
from time import time


@dataclass(frozen=True)
class Stage:
    name: str
    progress: float | None  # fixed progress, or None when it only carries a status
    message: str
    until: float | None = None  # the end of the range filled by real work, if any
    # Version 1 fills its phases with real work over a wider range than an iteration does.
    generation_range: tuple[float, float] | None = None


_TABLE = [
    # Every run
    Stage("queued", 0.00, "Waiting for a worker..."),
    Stage("retrying", None, "Retrying the model call..."),
    # While the model writes: how much has arrived, so a long answer is never silence.
    Stage("model_progress", None, "Receiving the model's answer..."),
    Stage("cancelled", None, "Cancelled; nothing was saved."),
    # Version 1: the phased generator
    Stage("generation_start", 0.02, "Starting generation..."),
    Stage("planning", 0.05, "Planning the project..."),
    Stage("phase_start", 0.15, "Starting phase...", until=0.90),
    Stage("phase_complete", 0.15, "Phase complete", until=0.90),
    # file_generated (below) runs from 0.15 to 0.90 in version 1, by files written of planned.
    Stage("saving", 0.95, "Saving files..."),
    Stage("generation_complete", 1.00, "Generation complete"),
    Stage("generation_error", None, "Generation failed"),
    # Follow-up iterations
    Stage("iteration_start", 0.05, "Starting iteration analysis..."),
    Stage("intent_detection", 0.10, "Detected intent"),
    Stage("context_building", 0.20, "Building context from existing files..."),
    Stage("iteration_mode", 0.35, "Using iteration mode for focused changes"),
    Stage("code_generation", 0.40, "Generating modifications..."),
    Stage("llm_generation", 0.50, "Sending request to the model..."),
    Stage("gemini_processing", 0.60, "Waiting for the model's response..."),
    Stage("file_generated", 0.60, "File generated", until=0.70, generation_range=(0.15, 0.90)),
    Stage("parsing_response", 0.70, "Parsing generated files..."),
    Stage("merging_files", 0.80, "Merging changes with existing files..."),
    Stage("iteration_complete", 1.00, "Iteration complete"),
    Stage("iteration_no_changes", 1.00, "The model proposed no changes"),
    Stage("iteration_error", None, "Iteration failed"),
]
STAGES: dict[str, Stage] = {stage.name: stage for stage in _TABLE}

ITERATION_ORDER = [
    "queued",
    "iteration_start",
    "intent_detection",
    "context_building",
    "iteration_mode",
    "code_generation",
    "llm_generation",
    "gemini_processing",
    "file_generated",
    "parsing_response",
    "merging_files",
    "iteration_complete",
]


@dataclass(frozen=True)
class ProgressEvent:
    """One event of the contract in DESIGN.md; `extra` carries file, tokens and the like."""

    stage: str
    status: str
    message: str
    progress: float
    timestamp: float = field(default_factory=time)
    extra: dict = field(default_factory=dict)


EmitFn = Callable[[ProgressEvent], None]


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
        fraction: float | None = None,
        status: str = "processing",
        **extra: object,
    ) -> None:
        """Emit `name`; `fraction` (0..1) places a ranged stage by the work done so far."""
        stage = STAGES[name]
        start, end = stage.progress, stage.until
        if self.flow == "generation" and stage.generation_range:
            start, end = stage.generation_range
        if start is not None:
            target = start
            if end is not None and fraction is not None:
                fraction = min(max(fraction, 0.0), 1.0)
                target = start + (end - start) * fraction
            self.progress = max(self.progress, round(target, 4))
        self._emit(
            ProgressEvent(
                stage=name,
                status=status,
                message=message or stage.message,
                progress=self.progress,
                extra=dict(extra),
            )
        )
