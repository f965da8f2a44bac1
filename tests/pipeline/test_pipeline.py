import itertools

import pytest

from orchestrator import Cancelled, LocalHost, PipelineError, ProjectBrief, generate, iterate
from orchestrator.errors import ModelAnswerInvalid, ModelRejected, ModelUnavailable, UnsafePath
from orchestrator.options import RetryPolicy, RunOptions
from orchestrator.providers.base import TICK, StreamChunk
from orchestrator.providers.demo import DemoProvider
from orchestrator.stages import ITERATION_ORDER
from tests.support.scripted import ScriptedProvider

BRIEF = ProjectBrief(title="Todo", prompt="a todo api", stack="flask", domain="todos")
FILES = generate(BRIEF, DemoProvider(chunk_delay=0), LocalHost()).files
ADD_NOTE = "@@@ PLAN NOTES.md\n@@@ FILE NOTES.md\nhello\n@@@ END\n"


def options(**fields) -> RunOptions:
    pauses = fields.pop("pauses", [])
    return RunOptions(sleep=pauses.append, jitter=lambda: 0.5, **fields)


def test_generate_reports_every_phase_and_file_with_rising_progress():
    events = []
    result = generate(BRIEF, DemoProvider(chunk_delay=0), LocalHost(events.append))
    stages = [e.stage for e in events]
    assert stages[:2] == ["generation_start", "planning"]
    assert stages.count("phase_start") == stages.count("phase_complete") == 2
    files = [e.extra["file"] for e in events if e.stage == "file_generated"]
    assert sorted(files) == sorted(result.files)
    progress = [e.progress for e in events]
    assert progress == sorted(progress)
    assert progress[-2] == pytest.approx(0.975)  # the phases end there
    assert (stages[-1], progress[-1]) == ("saving", 0.98)  # the host saves the files next
    assert result.outcome == "completed"
    assert [c.purpose for c in result.calls] == ["plan", "generate", "generate"]


def test_iterate_sends_the_contracts_stages_in_order_folding_those_without_work():
    events = []
    result = iterate(
        FILES, "add a status endpoint", BRIEF, DemoProvider(chunk_delay=0), LocalHost(events.append)
    )
    names = [e.stage for e in events]
    assert names[:4] == [
        "iteration_start",
        "intent_detection",
        "context_building",
        "llm_generation",
    ]
    assert "iteration_mode" not in names
    assert "code_generation" not in names
    assert names[-2:] == ["parsing_response", "merging_files"]
    positions = [ITERATION_ORDER.index(name) for name in dict.fromkeys(names)]
    assert positions == sorted(positions)
    assert events[1].message == "Detected intent: add"
    assert events[3].message == "Sending the add request to demo (iterum-demo-1)..."
    assert result.outcome == "completed"
    assert result.intent == "add"


def test_file_events_say_path_action_and_lines_and_move_the_bar_within_the_call():
    answer = "@@@ PLAN a.txt, b.txt\n@@@ FILE a.txt\n1\n2\n@@@ END\n@@@ FILE b.txt\n3\n@@@ END\n"
    events = []
    iterate(FILES, "add two files", BRIEF, ScriptedProvider([answer]), LocalHost(events.append))
    files = [e for e in events if e.stage == "file_generated"]
    assert [(e.extra["file"], e.extra["action"], e.extra["lines_added"]) for e in files] == [
        ("a.txt", "added", 2),
        ("b.txt", "added", 1),
    ]
    assert 0.04 <= files[0].progress <= files[1].progress <= 0.97


def test_cancel_between_chunks_stops_and_closes_the_stream():
    provider = ScriptedProvider([[StreamChunk("word ")] * 50])
    with pytest.raises(Cancelled):
        iterate(FILES, "add x", BRIEF, provider, LocalHost(cancelled=lambda: True), options())
    assert provider.closed == 1


def test_cancel_is_noticed_while_the_model_is_silent():
    provider = ScriptedProvider([[TICK] * 1000])
    asked = iter([False, False, True])
    with pytest.raises(Cancelled):
        iterate(
            FILES,
            "add x",
            BRIEF,
            provider,
            LocalHost(cancelled=lambda: next(asked)),
            options(),
        )
    assert provider.closed == 1


def test_transient_failures_are_retried_with_announced_backoff():
    provider = ScriptedProvider(
        [ModelUnavailable("the API answered 429"), ModelUnavailable("503"), ADD_NOTE]
    )
    events, pauses = [], []
    result = iterate(
        FILES, "add notes", BRIEF, provider, LocalHost(events.append), options(pauses=pauses)
    )
    retries = [e for e in events if e.stage == "retrying"]
    assert [(e.extra["attempt"], e.extra["retry_in"]) for e in retries] == [(2, 0.75), (3, 1.5)]
    assert "429" in retries[0].message
    assert "retrying in 750 ms (attempt 2 of 4)" in retries[0].message
    assert sum(pauses) == pytest.approx(0.75 + 1.5)
    assert result.files["NOTES.md"] == "hello\n"


def test_a_failure_mid_stream_is_retried_and_only_the_final_answer_counts():
    broken = [
        StreamChunk("@@@ FILE OLD.md\nx\n@@@ END\n"),
        ModelUnavailable("the connection failed"),
    ]
    provider = ScriptedProvider([broken, ADD_NOTE])
    result = iterate(FILES, "add notes", BRIEF, provider, LocalHost(), options())
    assert "OLD.md" not in result.files
    assert "NOTES.md" in result.files


def test_retries_stop_after_the_attempts_with_the_reason():
    provider = ScriptedProvider([ModelUnavailable("the API answered 503 UNAVAILABLE")])
    with pytest.raises(PipelineError, match=r"503 UNAVAILABLE.*tried 4 times"):
        iterate(FILES, "add x", BRIEF, provider, LocalHost(), options())
    assert len(provider.requests) == 4


def test_retries_stop_when_the_time_budget_is_spent():
    provider = ScriptedProvider([ModelUnavailable("503")])
    policy = RetryPolicy(attempts=10, base_seconds=20, call_seconds=30)
    with pytest.raises(PipelineError, match="tried 2 times"):  # waits of 15 s, then 22.5 s
        iterate(FILES, "add x", BRIEF, provider, LocalHost(), options(retry=policy))


def test_a_rejected_request_is_not_retried():
    provider = ScriptedProvider([ModelRejected("Gemini refused the API key (403).")])
    with pytest.raises(ModelRejected, match="API key"):
        iterate(FILES, "add x", BRIEF, provider, LocalHost(), options())
    assert len(provider.requests) == 1


class SimulatedClock:
    """Time that passes only when the test says so: a stream's silences cost no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def ticks(self, count: int, seconds: float):
        """A stream that sends only keep-alives, `seconds` apart."""
        for _ in range(count):
            self.now += seconds
            yield TICK


def test_a_stalled_stream_counts_as_unavailable_and_is_retried():
    clock = SimulatedClock()
    provider = ScriptedProvider([clock.ticks(100, 0.01), ADD_NOTE])
    events = []
    policy = RetryPolicy(stall_seconds=0.05)
    run_options = options(retry=policy, clock=clock)
    result = iterate(FILES, "add notes", BRIEF, provider, LocalHost(events.append), run_options)
    [retry] = [e for e in events if e.stage == "retrying"]
    assert "sent nothing" in retry.message
    assert clock.now == pytest.approx(0.06)  # the silence was noticed at once, not after it
    assert result.files["NOTES.md"] == "hello\n"


def test_while_the_model_streams_the_bar_moves_every_half_second_of_its_time():
    from orchestrator.calls import REPORT_SECONDS

    clock = SimulatedClock()
    answer = "@@@ PLAN NOTES.md\n@@@ FILE NOTES.md\n" + "a line of notes\n" * 200 + "@@@ END\n"

    def paced():  # 4 s of streaming: a silence of 1.5 s, then a chunk every 0.1 s
        yield from clock.ticks(5, 0.3)
        for start in range(0, len(answer), 90):
            clock.now += 0.1
            yield StreamChunk(answer[start : start + 90])
        yield StreamChunk("", finish_reason="STOP")

    seen = []
    host = LocalHost(lambda event: seen.append((clock.now, event)))
    iterate(FILES, "add notes", BRIEF, ScriptedProvider([paced()]), host, options(clock=clock))
    streaming = [(t, e.progress) for t, e in seen if e.stage == "model_progress"]
    times = [t for t, _ in streaming]
    assert times[-1] - times[0] > 3
    assert max(b - a for a, b in itertools.pairwise(times)) <= REPORT_SECONDS + 0.3
    progress = [p for _, p in streaming]
    assert all(a < b for a, b in itertools.pairwise(progress)), progress


def test_an_answer_without_operations_is_no_changes_with_the_models_words():
    result = iterate(
        FILES, "tidy up", BRIEF, ScriptedProvider(["Nothing to do here."]), LocalHost()
    )
    assert (result.outcome, result.files, result.summary) == (
        "no_changes",
        FILES,
        "Nothing to do here.",
    )


def test_a_hostile_path_fails_the_run_and_changes_nothing():
    provider = ScriptedProvider(["@@@ FILE ../../evil.py\nx\n@@@ END\n"])
    with pytest.raises(UnsafePath, match="leaves the project"):
        iterate(FILES, "add evil", BRIEF, provider, LocalHost())


def test_a_plan_that_is_not_json_fails_clearly():
    with pytest.raises(ModelAnswerInvalid, match="plan"):
        generate(BRIEF, ScriptedProvider(["I would build a nice app."]), LocalHost())


def test_planned_files_the_model_never_writes_are_named():
    plan = '{"files": [{"path": "a.py", "purpose": "x", "phase": 1}]}'
    with pytest.raises(PipelineError, match=r"did not write 1 planned files: a\.py"):
        generate(BRIEF, ScriptedProvider([plan]), LocalHost())


def test_the_plan_asks_for_json_of_the_plans_shape():
    provider = ScriptedProvider(
        ['{"files": [{"path": "a.py", "purpose": "x", "phase": 1}]}', "@@@ FILE a.py\nx\n@@@ END\n"]
    )
    generate(BRIEF, provider, LocalHost())
    assert provider.requests[0].json_schema["required"] == ["phases", "files"]


def test_every_model_call_is_handed_over_even_when_it_fails():
    host = LocalHost()
    with pytest.raises(ModelAnswerInvalid):
        generate(BRIEF, ScriptedProvider(["nonsense"]), host, options())
    assert [(c.purpose, c.provider, c.model, c.outcome) for c in host.calls] == [
        ("plan", "scripted", "script-1", "ok")
    ]


def test_failed_and_cancelled_calls_are_logged_with_their_outcome():
    provider = ScriptedProvider([ModelUnavailable("503"), [StreamChunk("x")] * 5])
    asked = iter([False] * 3 + [True] * 10)
    host = LocalHost(cancelled=lambda: next(asked))
    with pytest.raises(Cancelled):
        iterate(FILES, "add x", BRIEF, provider, host, options())
    assert [(c.outcome, c.error) for c in host.calls] == [("unavailable", "503"), ("cancelled", "")]


def test_a_long_answer_reports_tokens_while_it_streams(monkeypatch):
    import orchestrator.calls as calls

    monkeypatch.setattr(calls, "REPORT_SECONDS", 0)
    events = []
    iterate(FILES, "add notes", BRIEF, ScriptedProvider([ADD_NOTE]), LocalHost(events.append))
    reports = [e for e in events if e.stage == "model_progress"]
    assert reports
    assert reports[-1].extra["tokens"] > 0
    assert reports[-1].message.startswith("Receiving scripted (script-1)'s answer: about")


def test_the_token_count_is_the_runs_and_goes_on_across_its_calls(monkeypatch):
    import orchestrator.calls as calls

    monkeypatch.setattr(calls, "REPORT_SECONDS", 0)
    dropped = [StreamChunk("x" * 40)] * 10 + [ModelUnavailable("connection reset")]
    provider = ScriptedProvider([dropped, ADD_NOTE])
    events = []
    iterate(FILES, "add notes", BRIEF, provider, LocalHost(events.append), options())
    counts = [e.extra["tokens"] for e in events if e.stage == "model_progress"]
    assert counts == sorted(counts)  # never starts again at the second attempt
    assert counts[-1] > 100  # the 400 characters of the dropped attempt still count
    per_call = [e.extra["call_tokens"] for e in events if e.stage == "model_progress"]
    assert per_call != sorted(per_call)  # the call's own count did start again


def test_a_gemini_answer_streams_as_gemini_processing(monkeypatch):
    import orchestrator.calls as calls

    monkeypatch.setattr(calls, "REPORT_SECONDS", 0)
    provider = ScriptedProvider([ADD_NOTE], name="gemini", model="gemini-2.5-flash")
    events = []
    iterate(FILES, "add notes", BRIEF, provider, LocalHost(events.append))
    assert "gemini_processing" in [e.stage for e in events]
    assert "model_progress" not in [e.stage for e in events]


def test_the_bar_moves_while_waiting_for_the_first_token(monkeypatch):
    import orchestrator.calls as calls

    monkeypatch.setattr(calls, "REPORT_SECONDS", 0)

    clock = SimulatedClock()

    def slow_start():
        yield from clock.ticks(10, 0.3)
        yield StreamChunk(ADD_NOTE)
        yield StreamChunk("", finish_reason="STOP")

    events = []
    provider = ScriptedProvider([slow_start()])
    iterate(FILES, "add notes", BRIEF, provider, LocalHost(events.append), options(clock=clock))
    waiting = [e.progress for e in events if e.message.startswith("Waiting for scripted")]
    assert len(waiting) >= 10
    assert waiting == sorted(waiting)
    assert waiting[-1] > waiting[0] > 0.04


def test_each_call_is_logged_with_its_first_token_time_and_characters():
    host = LocalHost()
    iterate(FILES, "add notes", BRIEF, ScriptedProvider([ADD_NOTE]), host, options())
    logged = host.calls
    assert logged[0].chars_out == len(ADD_NOTE)
    assert logged[0].first_token_seconds is not None


def test_a_cancelled_call_logs_the_prompt_it_sent_as_estimated_tokens():
    host = LocalHost(cancelled=lambda: True)
    with pytest.raises(Cancelled):
        iterate(FILES, "add x", BRIEF, ScriptedProvider([[TICK] * 5]), host, options())
    assert host.calls[0].tokens_in > 0
    assert host.calls[0].tokens_estimated


def test_a_hostile_path_is_checked_before_any_event_names_it():
    answer = "@@@ FILE ./ok.md\nx\n@@@ END\n@@@ FILE ../../.ssh/authorized_keys\nkey\n@@@ END\n"
    events = []
    with pytest.raises(UnsafePath, match="leaves the project"):
        iterate(FILES, "add keys", BRIEF, ScriptedProvider([answer]), LocalHost(events.append))
    named = [e.extra["file"] for e in events if e.stage == "file_generated"]
    assert named == ["ok.md"]
    assert not any(".ssh" in e.message for e in events)


def test_repair_rounds_report_the_files_they_write():
    broken = "@@@ EDIT README.md\n<<<<<<< SEARCH\nnot there\n=======\nx\n>>>>>>> REPLACE\n@@@ END\n"
    fixed = "@@@ FILE README.md\n# Todo\n\nFixed.\n@@@ END\n"
    events = []
    iterate(
        FILES, "fix the readme", BRIEF, ScriptedProvider([broken, fixed]), LocalHost(events.append)
    )
    stages = [(e.stage, e.extra.get("file")) for e in events]
    repairing = stages.index(("merging_files", None), stages.index(("merging_files", None)) + 1)
    assert ("file_generated", "README.md") in stages[repairing:]
    assert "Repairing README.md" in events[repairing].message
