"""How a run behaves: limits, the context budget, retries, and the caller's hooks."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestrator.checks import CheckReport
from orchestrator.checks.fact_store import FactStore
from orchestrator.paths import ProjectLimits
from orchestrator.progress import CallForecast
from orchestrator.results import ModelCall


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
    clock: Callable[[], float] = time.monotonic  # a simulated one runs a call's timing at once
    jitter: Callable[[], float] = random.random
    # What similar earlier calls took, by purpose and prompt size in characters (None: unknown).
    forecast: Callable[[str, int], CallForecast | None] = lambda purpose, size: None
    # Checks of a new version's files (orchestrator.checks.check_project), None for none;
    # and how many times the model may fix the errors its change brought.
    check: Callable[[dict[str, str]], CheckReport] | None = None
    fix_rounds: int = 1
    # Where the repository map keeps each file's facts for other processes (None: memory).
    fact_store: FactStore | None = None
