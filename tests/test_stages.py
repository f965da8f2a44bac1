import pytest

from orchestrator.progress import CallForecast, CallProgress
from orchestrator.stages import ITERATION_CALL, ITERATION_ORDER, STAGES, Reporter


def test_iteration_stages_in_table_order_never_go_down():
    values = [STAGES[name].progress for name in ITERATION_ORDER]
    fixed = [v for v in values if v is not None]
    assert fixed == sorted(fixed)
    assert (fixed[0], fixed[-1]) == (0.0, 1.0)
    before = STAGES["llm_generation"].progress
    after = STAGES["parsing_response"].progress
    assert before <= ITERATION_CALL[0] < ITERATION_CALL[1] <= after


def test_the_model_call_has_most_of_the_bar():
    low, high = ITERATION_CALL
    assert high - low >= 0.75


def test_reporter_never_lets_progress_go_down():
    events = []
    reporter = Reporter(events.append)
    reporter.stage("parsing_response")
    reporter.stage("intent_detection")
    reporter.stage("model_progress", progress=0.5)
    assert [e.progress for e in events] == [0.90, 0.90, 0.90]


def test_a_measured_stage_is_placed_where_the_caller_says():
    events = []
    reporter = Reporter(events.append)
    reporter.stage("file_generated", progress=reporter.span(0.10, 0.88, 0.5), file="a.py")
    assert events[0].progress == pytest.approx(0.49)
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


def test_a_pause_in_the_stream_lets_the_clock_lead_only_a_little():
    progress = CallProgress(FORECAST, started=0.0)
    progress.received(2.0, "x" * 800)
    at_pause = progress.fraction(4.0)
    after = progress.fraction(20.0)
    assert at_pause < after <= at_pause + 0.05 + 1e-9


def test_without_history_the_default_keeps_the_bar_alive():
    progress = CallProgress(None, started=0.0)
    assert 0 < progress.fraction(1.0) < progress.fraction(2.0) < 0.5
