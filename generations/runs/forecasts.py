"""What earlier runs and model calls took, for the time left and the progress bar."""

import statistics

from generations.models import ModelCall, Version
from orchestrator.progress import CallForecast, PastCall, forecast_from

HISTORY_RUNS = 20  # how many recent runs the time and progress estimates look at


def expected_duration(*, provider: str, model: str, kind: str) -> float | None:
    """Median duration of recent finished runs with this provider, model and kind."""
    runs = (
        Version.objects.filter(
            provider=provider,
            model=model,
            kind=kind,
            status__in=(Version.Status.COMPLETED, Version.Status.NO_CHANGES),
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:HISTORY_RUNS]
    )
    durations = [(finished - started).total_seconds() for started, finished in runs]
    return statistics.median(durations) if durations else None


def call_forecast(
    *, provider: str, model: str, purpose: str, prompt_chars: int
) -> CallForecast | None:
    """What recent successful calls with this provider, model and purpose took."""
    rows = (
        ModelCall.objects.filter(
            provider=provider,
            model=model,
            purpose=purpose,
            outcome="ok",
            first_token_seconds__isnull=False,
            chars_out__gt=0,
        )
        .order_by("-created_at")
        .values_list(
            "first_token_seconds", "chars_out", "latency_seconds", "tokens_in", "files_out"
        )[:HISTORY_RUNS]
    )
    # How many files each answer wrote tells the bar, once this answer's plan is read,
    # whether it is one more of the same (their length stands) or another kind of answer.
    history = [
        PastCall(first, chars, seconds, tokens * 4, files)
        for first, chars, seconds, tokens, files in rows
    ]
    return forecast_from(history, prompt_chars)
