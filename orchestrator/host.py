"""The one interface between the pipeline and whoever runs it.

A run needs a few things from its host: somewhere to send each progress event, whether the
user asked to stop, a sign of life while a model call streams, a log for every model call,
what similar calls took (for the progress bar), checks of a version's files, and a lasting
store of each file's facts. The web app implements `Host` once, for one version
(generations.runs.host.VersionHost); tests, benchmarks and scripts use `LocalHost`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from orchestrator.checks import CheckReport
from orchestrator.checks.fact_store import FactStore
from orchestrator.progress import CallForecast
from orchestrator.results import CallRecord
from orchestrator.stages import ProgressEvent


class Host(Protocol):
    """What the pipeline asks of whoever runs it. Every method is called on the run's own
    thread; none may raise except to end the run."""

    @property
    def fact_store(self) -> FactStore | None:
        """Where each file's facts are kept for other processes (None: in memory only)."""
        ...

    @property
    def checks_enabled(self) -> bool:
        """Whether new versions are checked (`check`) at all."""
        ...

    def emit(self, event: ProgressEvent) -> None:
        """Show one progress event (never a run's final one: the host announces that)."""
        ...

    def should_cancel(self) -> bool:
        """Whether the user asked to stop; asked on every chunk of a model's answer."""
        ...

    def tick(self) -> None:
        """Called regularly while a model call runs: the run is alive."""
        ...

    def log_call(self, call: CallRecord) -> None:
        """Keep one finished model call, failed ones too, as soon as it ends."""
        ...

    def forecast(self, purpose: str, prompt_chars: int) -> CallForecast | None:
        """What similar earlier calls took (None: unknown)."""
        ...

    def check(self, files: dict[str, str]) -> CheckReport:
        """Check a version's files (only called when checks_enabled)."""
        ...


def _ignore(event: ProgressEvent) -> None:
    return None


def _never() -> bool:
    return False


def _unknown(purpose: str, prompt_chars: int) -> CallForecast | None:
    return None


@dataclass
class LocalHost:
    """A host inside this process: events to `on_event`, calls kept in `calls`, checks
    when `checks` is given, no history and no cancel unless given."""

    on_event: Callable[[ProgressEvent], None] = _ignore
    checks: Callable[[dict[str, str]], CheckReport] | None = None
    fact_store: FactStore | None = None
    cancelled: Callable[[], bool] = _never
    history: Callable[[str, int], CallForecast | None] = _unknown
    calls: list[CallRecord] = field(default_factory=list)

    @property
    def checks_enabled(self) -> bool:
        return self.checks is not None

    def emit(self, event: ProgressEvent) -> None:
        self.on_event(event)

    def should_cancel(self) -> bool:
        return self.cancelled()

    def tick(self) -> None:
        return None

    def log_call(self, call: CallRecord) -> None:
        self.calls.append(call)

    def forecast(self, purpose: str, prompt_chars: int) -> CallForecast | None:
        return self.history(purpose, prompt_chars)

    def check(self, files: dict[str, str]) -> CheckReport:
        if self.checks is None:
            raise RuntimeError("this host checks nothing: checks_enabled is False")
        return self.checks(files)
