"""The real google-genai and openai SDKs against a fake server speaking their wire formats."""

import pytest

from orchestrator import LocalHost, PipelineError, ProjectBrief, iterate
from orchestrator.errors import ModelRejected, ModelUnavailable
from orchestrator.options import RetryPolicy, RunOptions
from orchestrator.prompts import PLAN_SCHEMA
from orchestrator.providers.base import ModelRequest
from orchestrator.providers.gemini import GeminiProvider
from orchestrator.providers.openai_compatible import OpenAICompatibleProvider
from tests.support.fake_models import Failure, FakeModelServer, Reply
from tests.support.waiting import wait_until

REQUEST = ModelRequest("iterate", "be brief", "say hello")
FILES = {"README.md": "# Demo\n"}
BRIEF = ProjectBrief(title="Demo", prompt="demo", stack="flask")


@pytest.fixture(scope="module")
def server():
    running = FakeModelServer()
    running.url = running.start()
    yield running
    running.stop()


@pytest.fixture
def fake(server):
    server.reset()
    return server


def gemini(fake, **options):
    return GeminiProvider(api_key="test-key", model="gemini-test", base_url=fake.url, **options)


def openai_compatible(fake, **options):
    return OpenAICompatibleProvider(base_url=fake.url + "v1", model="local-test", **options)


PROVIDERS = {"gemini": gemini, "openai": openai_compatible}


def text_of(stream):
    chunks = [chunk for chunk in stream if not chunk.tick]
    return "".join(c.text for c in chunks), chunks


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_streamed_answer_arrives_in_chunks_with_usage_and_finish(fake, kind):
    fake.push(Reply.of("Hello from the fake model, in pieces.", size=6, usage=(7, 9)))
    text, chunks = text_of(PROVIDERS[kind](fake).stream(REQUEST))
    assert text == "Hello from the fake model, in pieces."
    assert len([c for c in chunks if c.text]) == 7
    final = [c for c in chunks if c.finish_reason]
    assert [(c.finish_reason, c.usage.tokens_in, c.usage.tokens_out) for c in final] == [
        ("STOP", 7, 9)
    ]


def test_gemini_sends_the_prompt_system_instruction_and_key_where_the_api_expects_them(fake):
    list(gemini(fake).stream(REQUEST))
    seen = fake.seen[-1]
    assert seen.path == "/v1/models/gemini-test:streamGenerateContent?alt=sse"
    assert seen.body["contents"][0]["parts"][0]["text"] == "say hello"
    assert seen.body["systemInstruction"]["parts"][0]["text"] == "be brief"


def test_gemini_asks_for_json_when_the_request_has_a_schema(fake):
    list(gemini(fake).stream(ModelRequest("plan", "s", "p", json_schema=PLAN_SCHEMA)))
    config = fake.seen[-1].body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["required"] == ["phases", "files"]


def test_gemini_asks_for_thought_summaries_unless_told_not_to(fake):
    list(gemini(fake).stream(REQUEST))
    # As the SDK writes it (the API reads proto JSON, either spelling of a field name).
    thinking = fake.seen[-1].body["generationConfig"]["thinkingConfig"]
    assert thinking in ({"includeThoughts": True}, {"include_thoughts": True})
    list(gemini(fake, include_thoughts=False).stream(REQUEST))
    assert "thinkingConfig" not in fake.seen[-1].body["generationConfig"]


def test_openai_sends_system_and_user_messages_and_asks_for_usage(fake):
    list(openai_compatible(fake).stream(REQUEST))
    seen = fake.seen[-1]
    assert seen.path == "/v1/chat/completions"
    assert [m["role"] for m in seen.body["messages"]] == ["system", "user"]
    assert seen.body["stream"] is True
    assert seen.body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("kind", PROVIDERS)
@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        (429, ModelUnavailable, "429"),
        (503, ModelUnavailable, "503"),
        (500, ModelUnavailable, "500"),
        (401, ModelRejected, "API key"),
        (403, ModelRejected, "API key"),
        (404, ModelRejected, "model"),
        (400, ModelRejected, "rejected"),
    ],
)
def test_http_errors_are_retryable_or_explained(fake, kind, status, error, words):
    fake.push(Failure(status, "nope", "RESOURCE_EXHAUSTED" if status == 429 else "ERROR"))
    with pytest.raises(error, match=words):
        list(PROVIDERS[kind](fake).stream(REQUEST))


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_stream_that_breaks_midway_is_retryable(fake, kind):
    fake.push(Reply.of("a" * 100, size=10, error_after=3))
    stream = PROVIDERS[kind](fake).stream(REQUEST)
    if kind == "gemini":  # an error frame raises inside the SDK
        with pytest.raises(ModelUnavailable, match="500"):
            list(stream)
    else:  # the connection just ends: the pipeline sees no finish and retries
        _, chunks = text_of(stream)
        assert not any(c.finish_reason for c in chunks)


@pytest.mark.parametrize("kind", PROVIDERS)
def test_max_tokens_is_reported_as_the_finish_reason(fake, kind):
    fake.push(Reply.of("@@@ FILE a.py\nx = 1\n", finish_reason="MAX_TOKENS"))
    _, chunks = text_of(PROVIDERS[kind](fake).stream(REQUEST))
    assert "MAX_TOKENS" in [c.finish_reason for c in chunks]


@pytest.mark.parametrize("kind", PROVIDERS)
def test_closing_a_stalled_stream_drops_the_connection(fake, kind):
    fake.push(Reply.of("x" * 50, size=5, stall_after=2, stall_seconds=30))
    stream = PROVIDERS[kind](fake).stream(REQUEST)
    received = ""
    while len(received) < 10:
        received += next(stream).text
    stream.close()
    # The server stalls for 30 s: only the client's close ends its wait this early.
    wait_until(lambda: fake.disconnects, "closing the stream left the connection open")
    assert fake.disconnects == 1


# Through the pipeline ----------------------------------------------------------------------

ANSWER = "Adding notes.\n\n@@@ PLAN NOTES.md\n@@@ FILE NOTES.md\nhello\n@@@ END\n"


def run(fake, kind, *, policy=None, events=None):
    options = RunOptions(retry=policy or RetryPolicy(base_seconds=0.01), jitter=lambda: 0.5)
    sink = events if events is not None else []
    return iterate(
        FILES, "add notes", BRIEF, PROVIDERS[kind](fake), LocalHost(sink.append), options
    )


@pytest.mark.parametrize("kind", PROVIDERS)
def test_429_then_success_completes_with_a_retrying_event(fake, kind):
    fake.push(Failure(429, "quota", "RESOURCE_EXHAUSTED"), Reply.of(ANSWER, size=9))
    events = []
    result = run(fake, kind, events=events)
    assert result.files["NOTES.md"] == "hello\n"
    [retry] = [e for e in events if e.stage == "retrying"]
    assert "429" in retry.extra["reason"]
    assert len(fake.seen) == 2


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_503_storm_fails_after_the_attempts_with_the_reason(fake, kind):
    fake.default = Failure(503, "overloaded")
    with pytest.raises(PipelineError, match=r"503.*tried 4 times"):
        run(fake, kind)
    assert len(fake.seen) == 4


@pytest.mark.parametrize("kind", PROVIDERS)
def test_an_error_midway_is_retried_from_the_start(fake, kind):
    fake.push(Reply.of(ANSWER, size=9, error_after=4), Reply.of(ANSWER, size=9))
    assert run(fake, kind).files["NOTES.md"] == "hello\n"
    assert len(fake.seen) == 2


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_stall_is_cut_and_retried(fake, kind):
    fake.push(Reply.of(ANSWER, size=9, stall_after=2, stall_seconds=30), Reply.of(ANSWER, size=9))
    events = []
    # 2 s of silence is a stall: far less than the fake's 30, far more than a busy machine's
    # pause between the chunks of an answer that flows.
    result = run(fake, kind, policy=RetryPolicy(base_seconds=0.01, stall_seconds=2), events=events)
    assert result.files["NOTES.md"] == "hello\n"
    assert any("sent nothing" in e.message for e in events if e.stage == "retrying")
    assert fake.disconnects == 1


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_truncated_answer_is_regenerated(fake, kind):
    fake.push(
        Reply.of("@@@ FILE NOTES.md\nhel", finish_reason="MAX_TOKENS"),
        Reply.of("@@@ FILE NOTES.md\nhello\n@@@ END\n"),
    )
    assert run(fake, kind).files["NOTES.md"] == "hello\n"


@pytest.mark.parametrize("kind", PROVIDERS)
def test_a_mis_fenced_answer_is_read(fake, kind):
    fake.push(Reply.of("```diff\n" + ANSWER + "```\n", size=4))
    assert run(fake, kind).files["NOTES.md"] == "hello\n"


THOUGHTS = ["Let me think. @@@ FILE draft.py\n", "x = 1\n@@@ END\n"]


@pytest.mark.parametrize(
    ("kind", "field"),
    [("gemini", ""), ("openai", "reasoning_content"), ("openai", "reasoning")],
)
def test_reasoning_sent_apart_stays_out_of_the_answer_and_its_tokens_are_counted(fake, kind, field):
    options = {"reasoning_field": field} if field else {}
    fake.push(
        Reply.of(
            "The answer.", size=4, usage=(7, 9), thoughts=THOUGHTS, thinking_tokens=5, **options
        )
    )
    text, chunks = text_of(PROVIDERS[kind](fake).stream(REQUEST))
    assert text == "The answer."
    assert "".join(c.thought for c in chunks) == "".join(THOUGHTS)
    assert all(not (c.text and c.thought) for c in chunks)
    usage = [c.usage for c in chunks if c.usage][-1]
    assert (usage.tokens_in, usage.tokens_out, usage.tokens_thinking) == (7, 14, 5)


@pytest.mark.parametrize("kind", PROVIDERS)
def test_without_reasoning_no_thought_arrives_and_no_thinking_tokens(fake, kind):
    fake.push(Reply.of("Plain.", usage=(3, 4)))
    _, chunks = text_of(PROVIDERS[kind](fake).stream(REQUEST))
    assert [c.thought for c in chunks if c.thought] == []
    assert [c.usage.tokens_thinking for c in chunks if c.usage] == [0]
