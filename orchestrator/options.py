"""How a run behaves: limits, the context budget, retries and fix rounds, and the clock.
What the run asks of its caller goes through the host (orchestrator.host)."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestrator.paths import ProjectLimits


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
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic  # a simulated one runs a call's timing at once
    jitter: Callable[[], float] = random.random
    fix_rounds: int = 1  # how many times the model may fix the errors its change brought
