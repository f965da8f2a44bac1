"""The terminal client's live view, against scripted HTTP answers (httpx.MockTransport): it
ends at once on a run that has ended, never waits forever on keep-alives, counts the run's
tokens across its calls, moves its time left without jumps, and prints the bar once after
a Ctrl-C."""

import json

import httpx
import pytest
from iterum_client import follow as following
from iterum_client.api import Api, ApiError, Event
from iterum_client.config import BadUrl, server_url
from iterum_client.follow import RunTokens, TimeLeft, follow
from rich.console import Console

GEN = "3f1c2a9e-1111-4222-8333-444455556666"
VERSION_PATH = f"/api/v1/generations/{GEN}/versions/2"
EVENTS_PATH = f"/generations/{GEN}/v2/events/"


def version(status: str, **fields) -> dict:
    return {
        "number": 2,
        "status": status,
        "stage": fields.pop("stage", "iteration_complete"),
        "message": fields.pop("message", "Iteration complete: 3 total files"),
        "progress": 1.0,
        "error": "",
        "url": f"/generations/{GEN}/v2/",
        **fields,
    }


def sse(*events: tuple[str, str, dict]) -> bytes:
    return "".join(
        f"event: {kind}\nid: {ident}\ndata: {json.dumps(data)}\n\n" for kind, ident, data in events
    ).encode()


class Server:
    """Scripted answers: the version's statuses in turn, and the stream's body each time."""

    def __init__(self, statuses: list[dict], streams: list[bytes]) -> None:
        self.statuses = statuses
        self.streams = streams
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.asked.append(path)
        if path == VERSION_PATH + "/stream-token":
            return httpx.Response(200, json={"events_url": EVENTS_PATH + "?token=t"})
        if path == VERSION_PATH:
            status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
            return httpx.Response(200, json=status)
        if path == VERSION_PATH + "/cancel":
            return httpx.Response(200, json=version("cancelled"))
        if path == EVENTS_PATH:
            body = self.streams.pop(0) if self.streams else b""
            return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
        return httpx.Response(404, json={"detail": "Not found."})


def recorded() -> Console:
    return Console(record=True, width=120, force_terminal=True, color_system=None)


def test_a_run_that_has_ended_ends_at_once_without_opening_a_stream():
    server = Server([version("completed")], [])
    api = Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(server))
    console = recorded()
    assert follow(api, console, GEN, 2) == following.OK
    assert "Version 2: Iteration complete: 3 total files" in console.export_text()
    assert EVENTS_PATH not in server.asked
    # The stream's start is fixed (the token) before the status is read: an ending between
    # the two is then in the stream.
    assert server.asked.index(VERSION_PATH + "/stream-token") < server.asked.index(VERSION_PATH)


def test_keep_alives_never_hold_the_client_once_the_run_has_ended(monkeypatch):
    keep_alives = b"event: keep-alive\ndata:\n\n" * 50
    server = Server([version("processing"), version("completed")], [keep_alives])
    api = Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(server))
    ticks = iter(range(0, 10_000, 5))
    api.clock = lambda: float(next(ticks))  # each read of the clock: five seconds later
    console = recorded()
    assert follow(api, console, GEN, 2) == following.OK
    assert server.asked.count(VERSION_PATH) == 2  # on connecting, then while keep-alives came
    assert "Version 2: Iteration complete" in console.export_text()


def test_a_dropped_stream_is_reconciled_on_reconnecting():
    first = sse(("progress", "c:1", {"status": "processing", "progress": 0.3, "message": "a"}))
    server = Server(
        [version("processing"), version("failed", error="The model timed out.")], [first]
    )
    api = Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(server))
    console = recorded()
    assert follow(api, console, GEN, 2) == following.FAILED
    assert "Version 2 failed: The model timed out." in console.export_text()


def test_the_token_count_adds_up_across_the_runs_calls():
    tokens = RunTokens()
    # A server that counts per call: the count restarting is a new call.
    for count in (10, 50, 90, 5, 40):
        tokens.update({"tokens": count})
    assert tokens.total == 130
    # A server that sends the run's count (with the call's apart) is taken as it is.
    tokens = RunTokens()
    for run, call in ((10, 10), (90, 90), (95, 5), (130, 40)):
        tokens.update({"tokens": run, "call_tokens": call})
    assert tokens.total == 130


def test_the_time_left_moves_no_faster_than_the_clock_can_explain():
    now = [0.0]
    left = TimeLeft(clock=lambda: now[0])
    assert left.update(6.0) == 6.0
    now[0] = 1.0
    assert left.update(21.0) == pytest.approx(6.0)  # 6 - 1 s passed + at most 1 s more
    now[0] = 2.0
    assert left.update(20.0) == pytest.approx(6.0)
    now[0] = 12.0
    assert left.update(10.0) == pytest.approx(10.0)  # caught up with the estimate
    now[0] = 13.0
    assert left.update(None) == pytest.approx(9.0)  # no estimate: the count-down goes on
    now[0] = 14.0
    assert left.update(0.0) == pytest.approx(6.0)  # a fall is bounded too: 9 - 1 - 2


def test_after_ctrl_c_the_bar_and_the_run_end_print_once(monkeypatch):
    done = sse(
        ("done", "c:9", {"status": "completed", "progress": 1.0, "message": "Done: 3 files"})
    )
    server = Server([version("processing")], [done])
    api = Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(server))
    original = api.events
    calls = []

    def interrupted_once(*args):
        calls.append(args)
        if len(calls) == 1:
            yield Event("progress", "c:1", {"progress": 0.4, "message": "Working", "tokens": 7})
            raise KeyboardInterrupt
        yield from original(*args)

    monkeypatch.setattr(api, "events", interrupted_once)
    asked = []
    monkeypatch.setattr(following.Confirm, "ask", lambda *a, **k: asked.append(a) or False)
    console = Console(record=True, width=120, force_terminal=False)  # as when piped
    assert follow(api, console, GEN, 2) == following.OK
    text = console.export_text()
    assert len(asked) == 1
    assert calls[1][2] == "c:1"  # resumed from the last event seen
    assert text.count("v2 100%") == 1, text
    assert text.count("Version 2: Done: 3 files") == 1


def test_watch_detaches_on_ctrl_c_and_leaves_the_run_alone(monkeypatch):
    server = Server([version("processing")], [])
    api = Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(server))

    def interrupted(*args):
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr(api, "events", interrupted)
    console = recorded()
    assert follow(api, console, GEN, 2, cancel_on_interrupt=False) == following.INTERRUPTED
    assert f"iterum watch {GEN} 2" in console.export_text()
    assert VERSION_PATH + "/cancel" not in server.asked


@pytest.mark.parametrize(
    ("typed", "url"),
    [
        ("localhost:8771", "http://localhost:8771"),
        ("127.0.0.1:8000/", "http://127.0.0.1:8000"),
        ("127.5.6.7", "http://127.5.6.7"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("::1", "http://[::1]"),
        ("app.localhost:8000", "http://app.localhost:8000"),
        ("iterum.example.com", "https://iterum.example.com"),
        ("10.0.0.5:8000", "https://10.0.0.5:8000"),
        ("http://iterum.example.com/", "http://iterum.example.com"),
        ("HTTPS://iterum.example.com", "HTTPS://iterum.example.com"),
    ],
)
def test_a_url_without_a_scheme_is_http_on_loopback_and_https_elsewhere(typed, url):
    assert server_url(typed) == url


@pytest.mark.parametrize("typed", ["ftp://example.com", "", "localhost:port", "http://"])
def test_an_unusable_url_is_refused_with_a_reason(typed):
    with pytest.raises(BadUrl):
        server_url(typed)


def test_a_refused_token_says_where_to_make_one():
    def refuse(request):
        return httpx.Response(401, json={"detail": "Unauthorized"})

    api = Api("http://127.0.0.1:8000", "itm_old", transport=httpx.MockTransport(refuse))
    with pytest.raises(ApiError) as refused:
        api.me()
    assert refused.value.status == 401
    assert "http://127.0.0.1:8000/accounts/tokens/" in refused.value.message
    assert "iterum login http://127.0.0.1:8000" in refused.value.message


def test_list_follows_the_pages_when_the_server_has_them():
    pages = {
        "": {"items": [{"id": "a"}], "next_cursor": "c2"},
        "c2": {"items": [{"id": "b"}], "next_cursor": None},
    }

    def answer(request):
        return httpx.Response(200, json=pages[request.url.params.get("cursor", "")])

    api = Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(answer))
    assert [g["id"] for g in api.generations()] == ["a", "b"]
    plain = Api(
        "http://127.0.0.1:1",
        "x",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[{"id": "z"}])),
    )
    assert [g["id"] for g in plain.generations()] == ["z"]


def test_the_client_is_written_for_python_3_10():
    # pip install ./client must work on 3.10: its sources parse as 3.10 and it says so.
    import ast
    import tomllib
    from pathlib import Path

    client = Path(__file__).resolve().parents[2] / "client"
    project = tomllib.loads((client / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"
    for source in (client / "iterum_client").glob("*.py"):
        ast.parse(source.read_text(), filename=str(source), feature_version=(3, 10))


def test_a_422_names_each_field_at_fault():
    def refuse(request):
        body = {
            "detail": "Some fields are not valid.",
            "code": "invalid",
            "errors": [{"loc": ["body", "prompt"], "msg": "Ensure this has at most 4000 chars"}],
        }
        return httpx.Response(422, json=body)

    api = Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(refuse))
    with pytest.raises(ApiError) as refused:
        api.post("/generations", {"prompt": "x" * 5000})
    assert refused.value.message == (
        "Some fields are not valid: prompt: Ensure this has at most 4000 chars"
    )


def test_streams_that_end_at_once_are_not_asked_for_again_and_again():
    statuses = [version("processing")] * 3 + [version("completed")]
    server = Server(statuses, [b"", b"", b""])
    api = Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(server))
    pauses = []
    api.sleep = pauses.append
    assert follow(api, recorded(), GEN, 2) == following.OK
    assert pauses == [0.5, 1.0, 2.0]
