import pytest

from orchestrator.stages import ITERATION_ORDER, STAGES, Reporter


def test_iteration_stages_in_table_order_have_non_decreasing_progress():
    values = [STAGES[name].progress for name in ITERATION_ORDER]
    assert values == sorted(values)
    assert values[0] == 0.0
    assert values[-1] == 1.0


def test_reporter_never_lets_progress_go_down():
    events = []
    reporter = Reporter(events.append)
    reporter.stage("parsing_response")
    reporter.stage("intent_detection")
    assert [e.progress for e in events] == [0.70, 0.70]


def test_ranged_stage_is_placed_by_the_fraction_of_work_done():
    events = []
    reporter = Reporter(events.append)
    reporter.stage("file_generated", fraction=0.5, file="a.py")
    assert events[0].progress == pytest.approx(0.65)
    assert events[0].extra == {"file": "a.py"}


def test_version_one_files_fill_the_phase_range():
    events = []
    reporter = Reporter(events.append, flow="generation")
    reporter.stage("file_generated", fraction=0.0)
    reporter.stage("file_generated", fraction=1.0)
    assert [e.progress for e in events] == [0.15, 0.90]


def test_an_error_stage_keeps_the_progress_reached():
    events = []
    reporter = Reporter(events.append, start=0.4)
    reporter.stage("iteration_error", "boom", status="failed")
    assert (events[0].progress, events[0].status, events[0].message) == (0.4, "failed", "boom")


def test_an_unknown_stage_is_a_programming_error():
    with pytest.raises(KeyError):
        Reporter(lambda e: None).stage("made_up")
