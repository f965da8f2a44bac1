from dataclasses import dataclass, field

import pytest

from orchestrator.progress import (
    CEILING,
    WAIT_KNEE,
    CallForecast,
    CallProgress,
    PastCall,
    forecast_from,
    waiting_curve,
)
from orchestrator.stages import ITERATION_CALL, ITERATION_ORDER, STAGES, Reporter, final_stage


def test_iteration_stages_in_table_order_never_go_down():
    values = [STAGES[name].progress for name in ITERATION_ORDER]
    fixed = [v for v in values if v is not None]
    assert fixed == sorted(fixed)
    assert (fixed[0], fixed[-1]) == (0.0, 1.0)
    before = STAGES["llm_generation"].progress
    after = STAGES["parsing_response"].progress
    assert before <= ITERATION_CALL[0] < ITERATION_CALL[1] <= after


def test_reporter_never_lets_progress_go_down():
    events = []
    reporter = Reporter(events.append)
    reporter.stage("parsing_response")
    reporter.stage("intent_detection")
    reporter.stage("model_progress", progress=0.5)
    assert [e.progress for e in events] == [0.975, 0.975, 0.975]


def test_a_measured_stage_is_placed_where_the_caller_says():
    events = []
    reporter = Reporter(events.append)
    reporter.stage("file_generated", progress=reporter.span(0.10, 0.90, 0.5), file="a.py")
    assert events[0].progress == pytest.approx(0.50)
    assert events[0].extra == {"file": "a.py"}


def test_a_span_is_clamped_to_its_ends():
    reporter = Reporter(lambda e: None)
    assert reporter.span(0.1, 0.5, -1) == 0.1
    assert reporter.span(0.1, 0.5, 2) == 0.5


def test_an_error_stage_keeps_the_progress_reached():
    events = []
    reporter = Reporter(events.append, start=0.4)
    reporter.stage("iteration_error", "boom", status="failed")
    assert (events[0].progress, events[0].status, events[0].message) == (0.4, "failed", "boom")


@dataclass(frozen=True)
class Ending:
    """How a run ended, and the final stage and message it must be announced with."""

    flow: str
    status: str
    stage: str
    message: str
    details: dict = field(default_factory=dict)


ENDINGS = [
    Ending("generation", "completed", "generation_complete", "Generation complete: 4 files",
           details={"files": 4}),
    Ending("iteration", "completed", "iteration_complete", "Iteration complete: 5 total files",
           details={"files": 5}),
    Ending("iteration", "completed", "iteration_complete", "Restore: 2 total files",
           details={"files": 2, "by": "Restore"}),
    Ending("iteration", "no_changes", "iteration_no_changes",
           "The model proposed no changes. All set.", details={"summary": "All set."}),
    Ending("generation", "failed", "generation_error", "No plan.", details={"reason": "No plan."}),
    Ending("iteration", "failed", "iteration_error", "No key.", details={"reason": "No key."}),
    Ending("iteration", "cancelled", "cancelled", "Cancelled; nothing was saved."),
]  # fmt: skip


@pytest.mark.parametrize("ending", ENDINGS, ids=[f"{e.flow} {e.status}" for e in ENDINGS])
def test_every_ending_is_a_stage_of_the_table_with_its_message(ending):
    stage, message = final_stage(ending.flow, ending.status, **ending.details)
    assert (stage, message) == (ending.stage, ending.message)
    assert stage in STAGES


def test_an_unknown_stage_is_a_programming_error():
    with pytest.raises(KeyError):
        Reporter(lambda e: None).stage("made_up")


FORECAST = CallForecast(first_token_seconds=2.0, chars_out=8000, chars_per_second=400)


def simulate(forecast, ttft: float, chars: int, rate: float, files: int = 0, step: float = 0.1):
    """A call that waits `ttft`, then streams `chars` at `rate`; (time share, fraction) pairs."""
    total = ttft + chars / rate
    progress = CallProgress(forecast, started=0.0)
    if files:
        progress.plan(files)
    samples, now, sent = [], 0.0, 0
    while now < total:
        now = round(now + step, 6)
        if now > ttft:
            due = min(int((now - ttft) * rate), chars)
            progress.received(now, "x" * (due - sent))
            if files and due * files // chars > progress.finished:
                progress.file_done()
            sent = due
        samples.append((now / total, progress.fraction(now)))
    return samples


def test_a_call_like_its_history_moves_with_time():
    samples = simulate(FORECAST, ttft=2.0, chars=8000, rate=400)
    worst = max(abs(share - fraction) for share, fraction in samples)
    assert worst <= 0.05
    fractions = [fraction for _, fraction in samples]
    assert fractions == sorted(fractions)
    assert fractions[-1] < 1.0


def test_a_longer_answer_than_usual_is_caught_up_by_its_plan():
    samples = simulate(FORECAST, ttft=2.0, chars=24000, rate=400, files=12)
    late = [abs(share - fraction) for share, fraction in samples if share > 0.5]
    assert max(late) <= 0.15


def test_a_faster_model_than_usual_is_seen_from_its_rate():
    samples = simulate(FORECAST, ttft=1.0, chars=8000, rate=1600)
    worst = max(abs(share - fraction) for share, fraction in samples)
    assert worst <= 0.15


def test_waiting_for_the_first_token_moves_the_bar_but_never_past_its_share():
    progress = CallProgress(FORECAST, started=0.0)
    values = [progress.fraction(t / 10) for t in range(1, 200)]
    assert values == sorted(values)
    assert values[5] > values[0]
    share = 2.0 / (2.0 + 8000 / 400)
    assert values[-1] < share


def test_a_short_call_mostly_waiting_follows_the_clock_through_its_wait():
    # 2 s before the first token, then 1 s of answer: the wait is two thirds of the call.
    # The bar once crept towards the wait's share (63% of it when the token came), so a
    # short run lagged by 0.2; it now follows the clock for as long as history knows.
    forecast = CallForecast(first_token_seconds=2.0, chars_out=400, chars_per_second=400)
    samples = simulate(forecast, ttft=2.0, chars=400, rate=400, step=0.05)
    worst = max(abs(share - fraction) for share, fraction in samples)
    assert worst <= 0.1
    waiting = [fraction for share, fraction in samples if share < 0.5]
    assert max(waiting) > 0.4


def test_the_waiting_curve_follows_the_clock_then_never_reaches_the_end():
    assert waiting_curve(0.5) == 0.5
    assert waiting_curve(WAIT_KNEE) == WAIT_KNEE
    assert WAIT_KNEE < waiting_curve(1.0) < waiting_curve(2.0) < waiting_curve(10.0) < 1.0
    slope = (waiting_curve(WAIT_KNEE + 1e-6) - WAIT_KNEE) / 1e-6
    assert slope == pytest.approx(1.0, abs=1e-3)  # no kink at the knee


def test_a_pause_in_the_stream_lets_the_clock_lead_only_a_little():
    progress = CallProgress(FORECAST, started=0.0)
    progress.received(2.0, "x" * 800)
    at_pause = progress.estimate(4.0)
    after = progress.estimate(20.0)
    assert at_pause < after <= at_pause + 0.05 + 1e-9


def test_an_answer_longer_than_expected_keeps_moving_without_reaching_the_end():
    progress = CallProgress(FORECAST, started=0.0)
    shown = []
    for second in range(3, 80):
        progress.received(second, "x" * 400)  # far more than the 8,000 expected
        shown.append(progress.fraction(second))
    assert shown == sorted(shown)
    assert len(set(shown)) == len(shown), "it moves at every report"
    assert shown[-1] < 1.0


def test_finished_files_count_at_their_size_and_the_plan_estimates_the_rest():
    progress = CallProgress(FORECAST, started=0.0)
    progress.plan(10)
    progress.received(1.0, "x" * 500)
    progress.file_done()
    # 500 real, 9 more at (1/5 of 500 + 4/5 of the usual 1,500)
    assert progress.expected_chars() == pytest.approx(500 + 9 * (0.2 * 500 + 0.8 * 1500))


def test_the_file_being_written_counts_at_least_at_the_size_it_has_reached():
    progress = CallProgress(FORECAST, started=0.0)
    progress.plan(3)
    progress.received(1.0, "x" * 1000)
    progress.file_done()
    per_file = 0.2 * 1000 + 0.8 * 1500
    progress.received(2.0, "x" * 500)  # smaller than a usual file: the usual size stands
    assert progress.expected_chars() == pytest.approx(1000 + 2 * per_file)
    progress.received(3.0, "x" * 2500)  # 3,000 so far, more than a usual file
    assert progress.expected_chars() == pytest.approx(1000 + 3000 + per_file)
    progress.file_done()
    progress.received(4.0, "x" * 5000)  # the last file overruns too: nearly all has come
    assert progress.expected_chars() == pytest.approx(9000 / CEILING)


def test_a_plan_like_its_history_keeps_the_history_length():
    similar = CallForecast(2.0, chars_out=9000, chars_per_second=400, chars_per_file=1500, files=6)
    progress = CallProgress(similar, started=0.0)
    progress.plan(6)  # as many files as similar answers wrote: 9,000 characters stands
    progress.received(1.0, "x" * 300)
    progress.file_done()  # a small first file says little about this answer's length
    assert progress.expected_chars() == 9000
    other = CallProgress(similar, started=0.0)
    other.plan(3)  # fewer files than usual: estimated from its plan
    assert other.expected_chars() == 3 * 1500
    progress.received(2.0, "x" * 9500)  # longer than history, 4 files still to come:
    assert progress.expected_chars() == 9800 + 4 * 1500 / 2  # at least half a usual file each


def test_a_forecast_is_the_median_of_similar_calls():
    history = [
        PastCall(first_token_seconds=1.0, chars_out=6000, seconds=16.0, prompt_chars=1000, files=4),
        PastCall(first_token_seconds=2.0, chars_out=9000, seconds=20.0, prompt_chars=1000, files=6),
        PastCall(
            first_token_seconds=3.0, chars_out=12000, seconds=27.0, prompt_chars=1000, files=6
        ),
    ]
    forecast = forecast_from(history, prompt_chars=1000)
    assert (forecast.first_token_seconds, forecast.chars_out, forecast.files) == (2.0, 9000, 6)
    assert forecast.chars_per_second == 500  # 9,000 / 18 s, the median rate
    assert forecast.chars_per_file == 1500
    assert forecast_from(history, prompt_chars=4000).chars_out == 18000  # twice the size
    assert forecast_from([], prompt_chars=1000) is None


def test_without_history_the_default_keeps_the_bar_alive():
    progress = CallProgress(None, started=0.0)
    assert 0 < progress.fraction(1.0) < progress.fraction(2.0) < 0.5
