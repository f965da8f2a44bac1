"""What goes into a run and what comes out of it: plain, immutable data."""

from dataclasses import dataclass

from orchestrator.checks import CheckReport
from orchestrator.merge import FileChange


@dataclass(frozen=True)
class ProjectBrief:
    title: str
    prompt: str
    stack: str
    domain: str = ""
    constraints: str = ""
    # Binary files of the project (images, fonts...) as "path (type, N bytes)": listed in
    # the map, never sent, kept as they are.
    binary_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallRecord:
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
    first_token_seconds: float | None = None  # how long the model took to start answering
    chars_out: int = 0  # what it sent, in characters (the progress bar's unit)
    files_out: int = 0  # the operations (files) its answer held
    tokens_thinking: int = 0  # of tokens_out, those the model spent thinking


@dataclass(frozen=True)
class PipelineResult:
    outcome: str  # completed or no_changes
    files: dict[str, str]
    changes: tuple[FileChange, ...]
    summary: str
    intent: str | None = None
    calls: tuple[CallRecord, ...] = ()
    checks: CheckReport | None = None  # the new version's findings; None when not checked


@dataclass(frozen=True)
class PlannedFile:
    path: str
    purpose: str
    phase: int
