import pytest

from orchestrator import Cancelled, PipelineError, ProjectBrief, generate, iterate
from orchestrator.errors import ModelAnswerInvalid, UnsafePath
from orchestrator.pipeline import RunOptions
from orchestrator.providers.base import StreamChunk
from orchestrator.providers.demo import DemoProvider
from orchestrator.stages import ITERATION_ORDER

BRIEF = ProjectBrief(title="Todo", prompt="a todo api", stack="flask", domain="todos")
FILES = generate(BRIEF, DemoProvider(chunk_delay=0), lambda e: None).files


class ScriptedProvider:
    """Answers every request with the same chunks; remembers whether it was closed."""

    name = "scripted"
    model = "script-1"
    label = "scripted"

    def __init__(self, *chunks: StreamChunk) -> None:
        self.chunks = chunks
        self.closed = False
        self.requests = []

    def stream(self, request):
        self.requests.append(request)
        try:
            yield from self.chunks
        finally:
            self.closed = True


def test_generate_reports_every_phase_and_file_with_rising_progress():
    events = []
    result = generate(BRIEF, DemoProvider(chunk_delay=0), events.append)
    stages = [e.stage for e in events]
    assert stages[:2] == ["generation_start", "planning"]
    assert stages.count("phase_start") == stages.count("phase_complete") == 2
    files = [e.extra["file"] for e in events if e.stage == "file_generated"]
    assert sorted(files) == sorted(result.files)
    progress = [e.progress for e in events]
    assert progress == sorted(progress)
    assert progress[-1] == pytest.approx(0.90)
    assert result.outcome == "completed"
    assert [c.purpose for c in result.calls] == ["plan", "generate", "generate"]


def test_iterate_runs_the_stages_in_table_order():
    events = []
    result = iterate(
        FILES, "add a status endpoint", BRIEF, DemoProvider(chunk_delay=0), events.append
    )
    names = [e.stage for e in events]
    expected = [s for s in ITERATION_ORDER if s not in ("queued", "iteration_complete")]
    assert names == expected
    assert events[1].message == "Detected intent: add"
    assert result.outcome == "completed"
    assert result.intent == "add"


def test_an_answer_without_operations_is_no_changes_with_the_models_words():
    provider = ScriptedProvider(StreamChunk("Nothing to do here.", finish_reason="STOP"))
    result = iterate(FILES, "tidy up", BRIEF, provider, lambda e: None)
    assert (result.outcome, result.files, result.summary) == (
        "no_changes",
        FILES,
        "Nothing to do here.",
    )


def test_cancel_between_chunks_stops_and_closes_the_stream():
    provider = ScriptedProvider(*[StreamChunk("word ")] * 50)
    with pytest.raises(Cancelled):
        iterate(
            FILES, "add x", BRIEF, provider, lambda e: None, RunOptions(should_cancel=lambda: True)
        )
    assert provider.closed


def test_a_truncated_answer_fails_with_an_actionable_reason():
    provider = ScriptedProvider(StreamChunk("@@@ FILE a.py\nx = 1\n", finish_reason="MAX_TOKENS"))
    with pytest.raises(ModelAnswerInvalid, match="cut off"):
        iterate(FILES, "add a.py", BRIEF, provider, lambda e: None)


def test_a_hostile_path_fails_the_run_and_changes_nothing():
    provider = ScriptedProvider(StreamChunk("@@@ FILE ../../evil.py\nx\n@@@ END\n"))
    with pytest.raises(UnsafePath, match="leaves the project"):
        iterate(FILES, "add evil", BRIEF, provider, lambda e: None)


def test_a_plan_that_is_not_json_fails_clearly():
    provider = ScriptedProvider(StreamChunk("I would build a nice app."))
    with pytest.raises(ModelAnswerInvalid, match="plan"):
        generate(BRIEF, provider, lambda e: None)


def test_planned_files_the_model_never_writes_are_named():
    plan = '{"files": [{"path": "a.py", "purpose": "x", "phase": 1}]}'
    provider = ScriptedProvider(StreamChunk(plan))
    with pytest.raises(PipelineError, match=r"did not write 1 planned files: a\.py"):
        generate(BRIEF, provider, lambda e: None)


def test_every_model_call_is_handed_over_even_when_it_fails():
    logged = []
    options = RunOptions(on_model_call=logged.append)
    with pytest.raises(ModelAnswerInvalid):
        generate(BRIEF, ScriptedProvider(StreamChunk("nonsense")), lambda e: None, options)
    assert [(c.purpose, c.provider, c.model, c.outcome) for c in logged] == [
        ("plan", "scripted", "script-1", "ok")
    ]


def test_a_cancelled_call_is_logged_as_cancelled():
    logged = []
    options = RunOptions(should_cancel=lambda: True, on_model_call=logged.append)
    with pytest.raises(Cancelled):
        iterate(FILES, "add x", BRIEF, ScriptedProvider(StreamChunk("x")), lambda e: None, options)
    assert [c.outcome for c in logged] == ["cancelled"]
