"""generations.live.streams.EventStreams: the ASGI application that serves event streams itself
and hands every other request to Django."""

import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.test import Client

from generations.live import streams
from generations.live.events import publish, publish_about
from generations.live.relay import wake_listeners
from generations.live.stream_tokens import session_origin, stream_token, token_origin
from generations.models import Version
from generations.tokens import create_token, revoke_token
from orchestrator.stages import ProgressEvent

# A run in progress: its stream stays open (one whose run ended closes after its final event).
RUNNING = Version.Status.PROCESSING
pytestmark = pytest.mark.django_db(transaction=True)


class DjangoStandIn:
    """Stands in for Django's application: records the paths it was given."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: dict, receive, send) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def http_scope(path: str, cookie: str = "", query: str = "", **options) -> dict:
    headers = [(b"host", options.get("host", "testserver").encode()), (b"cookie", cookie.encode())]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": options.get("method", "GET"),
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers + options.get("headers", []),
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }


def cookie_of(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def events_path(version) -> str:
    return f"/generations/{version.generation_id}/v{version.number}/events/"


class Browser:
    """One request to the application, read the way a browser reads a stream."""

    def __init__(self, application, scope: dict) -> None:
        self.connection = ApplicationCommunicator(application, scope)
        self.body = ""

    async def open(self) -> dict:
        await self.connection.send_input({"type": "http.request", "body": b""})
        return await self.connection.receive_output(5)

    async def read_until(self, text: str) -> str:
        while text not in self.body:
            message = await self.connection.receive_output(5)
            self.body += message["body"].decode()
        return self.body

    async def leave(self) -> None:
        await self.connection.send_input({"type": "http.disconnect"})
        await self.connection.wait(5)


@pytest.fixture
def application():
    return streams.EventStreams(DjangoStandIn())


def test_the_owner_gets_missed_events_then_live_ones_and_leaving_ends_the_stream(
    application, user, make_version
):
    version = make_version(status=RUNNING)
    for message in ("first", "second"):
        publish(version, ProgressEvent("iteration_start", "processing", message, 0.1))
    scope = http_scope(events_path(version), cookie_of(user), f"lastEventId={version.channel}:1")

    async def scenario() -> str:
        browser = Browser(application, scope)
        start = await browser.open()
        assert start["status"] == 200
        assert (b"content-type", b"text/event-stream") in start["headers"]
        await browser.read_until('"message": "second"')
        await sync_to_async(publish)(
            version, ProgressEvent("iteration_complete", "completed", "third", 1.0)
        )
        wake_listeners([version.channel])  # what the relay does when it sees the new event
        body = await browser.read_until("event: done")
        await browser.leave()
        return body

    body = async_to_sync(scenario)()
    assert "event: stream-open" in body
    assert '"message": "first"' not in body  # the client had it
    assert body.count('"message": "second"') == body.count('"message": "third"') == 1
    assert version.channel not in streams.hub.channels(), "a stream that ended is let go"
    assert application.django.paths == []


def test_an_open_stream_holds_no_thread_of_its_own(application, user, make_version):
    """Through Django's request cycle each open stream kept a thread for its whole life."""
    version = make_version(status=RUNNING)
    scope = http_scope(events_path(version), cookie_of(user))

    async def scenario() -> int:
        browsers = [Browser(application, scope) for _ in range(30)]
        for browser in browsers:
            await browser.open()
            await browser.read_until("stream-open")
        threads = threading.active_count()
        for browser in browsers:
            await browser.leave()
        return threads

    before = threading.active_count()
    during = async_to_sync(scenario)()
    assert during - before <= streams.READERS._max_workers  # the shared readers, at most


@pytest.mark.parametrize("who", ["other", "anonymous", "logged out"])
def test_a_stream_is_refused_to_anyone_but_the_owner_without_a_reconnect(
    application, user, other_user, make_version, who
):
    version = make_version(status=RUNNING)
    publish(version, ProgressEvent("queued", "queued", "secret prompt inside", 0.0))
    cookie = {"other": cookie_of(other_user), "anonymous": "", "logged out": cookie_of(user)}[who]
    if who == "logged out":
        client = Client()
        client.cookies.load(cookie)
        client.post("/accounts/logout/")
    scope = http_scope(events_path(version), cookie, f"lastEventId={version.channel}:0")

    async def scenario() -> str:
        browser = Browser(application, scope)
        await browser.open()
        body = await browser.read_until("stream-error")
        await browser.connection.wait(5)  # the response ends by itself
        return body

    body = async_to_sync(scenario)()
    assert '"condition": "forbidden"' in body
    assert "secret prompt" not in body
    assert body.startswith("retry: 86400000\n"), "the browser must not reconnect every 3 s"


def test_staff_may_read_any_stream(application, staff_user, make_version):
    version = make_version(status=RUNNING)
    publish(version, ProgressEvent("queued", "queued", "Waiting", 0.0))
    scope = http_scope(
        events_path(version), cookie_of(staff_user), f"lastEventId={version.channel}:0"
    )

    async def scenario() -> str:
        browser = Browser(application, scope)
        await browser.open()
        body = await browser.read_until('"message": "Waiting"')
        await browser.leave()
        return body

    assert "stream-error" not in async_to_sync(scenario)()


def test_a_host_not_allowed_is_refused_as_django_refuses_it(application, user, make_version):
    version = make_version(status=RUNNING)
    scope = http_scope(events_path(version), cookie_of(user), host="evil.example")

    async def scenario() -> tuple[dict, dict]:
        browser = Browser(application, scope)
        return await browser.open(), await browser.connection.receive_output(5)

    start, body = async_to_sync(scenario)()
    assert start["status"] == 400
    assert b"stream-open" not in body["body"]


@pytest.mark.parametrize(
    ("path", "method", "headers"),
    [
        ("/generations/", "GET", []),
        ("/generations/not-a-version/v1/events/", "GET", []),  # no such route: Django's 404
        ("{events}", "POST", []),
        ("{events}", "GET", [(b"grip-sig", b"signed by Pushpin")]),  # the view answers Pushpin
    ],
)
def test_everything_else_goes_to_django(
    application, settings, user, make_version, path, method, headers
):
    settings.GRIP_URL = "http://127.0.0.1:5561/?key=" + "k" * 32
    path = path.format(events=events_path(make_version(status=RUNNING)))
    scope = http_scope(path, cookie_of(user), method=method, headers=headers)

    async def scenario() -> dict:
        return await Browser(application, scope).open()

    assert async_to_sync(scenario)()["status"] == 204
    assert application.django.paths == [path]


@pytest.mark.parametrize(
    "last",
    [
        "{channel}:²",
        "{channel}:" + "9" * 5000,
        "{channel}:-1",
        "{channel}: 1",
        "{channel}:1\x00",
        "{channel}:١٢",
        "{channel}:" + "9" * 19,
        ":::",
        "%ZZ:1",
        "",
    ],
)
def test_any_last_event_id_opens_the_stream_and_never_fails(application, user, make_version, last):
    version = make_version(status=RUNNING)
    publish(version, ProgressEvent("queued", "queued", "Waiting", 0.0))
    value = last.format(channel=version.channel)
    headers = [(b"last-event-id", value.encode("utf-8", "surrogateescape"))]
    scope = http_scope(events_path(version), cookie_of(user), headers=headers)

    async def scenario() -> tuple[int, str]:
        browser = Browser(application, scope)
        start = await browser.open()
        body = await browser.read_until("stream-open")
        await browser.leave()
        return start["status"], body

    status, body = async_to_sync(scenario)()
    assert status == 200
    assert "stream-error" not in body


def test_a_stream_carries_the_security_headers_of_every_page(
    application, settings, user, make_version
):
    settings.SECURE_HSTS_SECONDS = 3600
    version = make_version(status=RUNNING)
    scope = http_scope(events_path(version), cookie_of(user))
    scope["scheme"] = "https"

    async def scenario() -> dict:
        browser = Browser(application, scope)
        start = await browser.open()
        await browser.leave()
        return start

    headers = dict(async_to_sync(scenario)()["headers"])
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"x-frame-options"] == b"DENY"
    assert headers[b"strict-transport-security"].startswith(b"max-age=3600")
    assert b"default-src 'self'" in headers[b"content-security-policy"]
    assert headers[b"content-type"] == b"text/event-stream"


def test_a_plain_http_stream_is_redirected_when_https_is_required(
    application, settings, user, make_version
):
    settings.SECURE_SSL_REDIRECT = True
    version = make_version(status=RUNNING)
    scope = http_scope(events_path(version), cookie_of(user), query="lastEventId=x")

    async def scenario() -> dict:
        return await Browser(application, scope).open()

    start = async_to_sync(scenario)()
    assert start["status"] == 301
    location = dict(start["headers"])[b"location"].decode()
    assert location == f"https://testserver{events_path(version)}?lastEventId=x"


def test_logging_out_ends_the_open_streams_of_that_user_only(
    application, user, other_user, make_version
):
    mine, theirs = make_version(status=RUNNING), make_version(generation=None, status=RUNNING)
    theirs.generation.owner = other_user
    theirs.generation.save()
    my_cookie, their_cookie = cookie_of(user), cookie_of(other_user)

    async def scenario() -> tuple[str, str]:
        browser = Browser(application, http_scope(events_path(mine), my_cookie))
        other = Browser(application, http_scope(events_path(theirs), their_cookie))
        for each in (browser, other):
            await each.open()
            await each.read_until("stream-open")
        client = Client()
        client.cookies.load(my_cookie)
        await sync_to_async(client.post)("/accounts/logout/")
        await sync_to_async(streams_relay_poll)()
        body = await browser.read_until("stream-error")
        last = await browser.connection.receive_output(5)
        assert (last["body"], last.get("more_body", False)) == (b"", False)  # response ends
        await browser.connection.wait(5)  # ended by the server
        await other.connection.send_input({"type": "http.disconnect"})
        await other.connection.wait(5)
        return body, other.body

    body, other_body = async_to_sync(scenario)()
    assert '"condition": "forbidden"' in body
    assert "stream-error" not in other_body


def streams_relay_poll() -> None:
    """What the web process's relay thread does on its next poll."""
    from generations.live.relay import DatabaseRelay

    relay = DatabaseRelay(interval=1)
    relay.poll_once()


async def read_to_the_end(browser: Browser) -> str:
    """Everything the application sends until it ends the response itself."""
    while True:
        message = await browser.connection.receive_output(5)
        browser.body += message.get("body", b"").decode()
        if not message.get("more_body", False):
            await browser.connection.wait(5)
            return browser.body


def test_a_run_that_already_ended_is_replayed_from_its_start_and_the_stream_ends(
    application, user, make_version
):
    version = make_version(status=RUNNING)
    publish(version, ProgressEvent("queued", "queued", "first", 0.0))
    publish(version, ProgressEvent("iteration_complete", "completed", "the end", 1.0))
    version.status = Version.Status.COMPLETED
    version.save()
    scope = http_scope(events_path(version), cookie_of(user))  # no last id: from the start

    async def scenario() -> str:
        browser = Browser(application, scope)
        await browser.open()
        return await read_to_the_end(browser)

    body = async_to_sync(scenario)()
    assert body.index('"message": "first"') < body.index("event: done")
    assert body.count("event: done") == 1
    assert body.strip().rsplit("\n\n", 1)[-1].startswith("event: done"), "the last event"
    assert version.channel not in streams.hub.channels()


def test_a_client_that_had_the_final_event_gets_it_again_and_the_stream_ends(
    application, user, make_version
):
    """A client that reconnects after `done` may not know it had it; it must not hang."""
    version = make_version(status=RUNNING)
    publish(version, ProgressEvent("queued", "queued", "first", 0.0))
    publish(version, ProgressEvent("iteration_complete", "completed", "the end", 1.0))
    version.status = Version.Status.COMPLETED
    version.save()
    scope = http_scope(events_path(version), cookie_of(user), f"lastEventId={version.channel}:2")

    async def scenario() -> str:
        browser = Browser(application, scope)
        await browser.open()
        return await read_to_the_end(browser)

    body = async_to_sync(scenario)()
    assert '"message": "first"' not in body
    assert body.count("event: done") == 1
    assert '"message": "the end"' in body
    assert f"id: {version.channel}:2" in body


def test_a_version_made_finished_without_a_run_ends_with_its_state(application, user, make_version):
    """An edit or an import has no run and no stored `done`: its row gives the final event."""
    version = make_version(status=Version.Status.COMPLETED, stage="saved", message="Saved 2 files")
    scope = http_scope(events_path(version), cookie_of(user))

    async def scenario() -> str:
        browser = Browser(application, scope)
        await browser.open()
        return await read_to_the_end(browser)

    body = async_to_sync(scenario)()
    assert "event: done" in body
    assert '"status": "completed"' in body
    assert '"message": "Saved 2 files"' in body


def test_a_live_stream_ends_after_the_final_event_and_a_following_one_stays(
    application, user, make_version
):
    version = make_version(status=RUNNING)
    cookie = cookie_of(user)

    async def scenario() -> tuple[str, str]:
        ending = Browser(application, http_scope(events_path(version), cookie))
        following = Browser(application, http_scope(events_path(version), cookie, "follow=1"))
        for browser in (ending, following):
            await browser.open()
            await browser.read_until("stream-open")
        await sync_to_async(publish)(
            version, ProgressEvent("iteration_complete", "completed", "the end", 1.0)
        )
        wake_listeners([version.channel])
        ended = await read_to_the_end(ending)
        await following.read_until("event: done")
        await sync_to_async(publish_about)(version, "tests", "tests", "Tests passed")
        wake_listeners([version.channel])
        followed = await following.read_until("Tests passed")
        await following.leave()
        return ended, followed

    ended, followed = async_to_sync(scenario)()
    assert ended.count("event: done") == 1
    assert "event: tests" in followed


def token_scope(version, user, origin: str | None) -> dict:
    token = stream_token(user=user, channel=version.channel, origin=origin)
    return http_scope(events_path(version), query=f"token={token}")


def test_logging_out_ends_that_sessions_streams_only_not_a_tokens(application, user, make_version):
    """The client's live view (an API token's stream) outlives a logout in the browser."""
    version = make_version(status=RUNNING)
    api_token, _ = create_token(user=user, name="laptop")
    cookie, other_cookie = cookie_of(user), cookie_of(user)  # two sessions of one user
    scopes = {
        "page": http_scope(events_path(version), cookie),
        "other session": http_scope(events_path(version), other_cookie),
        "token": token_scope(version, user, token_origin(api_token.pk)),
    }

    async def scenario() -> dict[str, str]:
        browsers = {name: Browser(application, scope) for name, scope in scopes.items()}
        for browser in browsers.values():
            await browser.open()
            await browser.read_until("stream-open")
        client = Client()
        client.cookies.load(cookie)
        await sync_to_async(client.post)("/accounts/logout/")
        await sync_to_async(streams_relay_poll)()
        await read_to_the_end(browsers["page"])
        await sync_to_async(publish)(
            version, ProgressEvent("llm_generation", "processing", "on", 0.2)
        )
        wake_listeners([version.channel])
        for name in ("other session", "token"):
            await browsers[name].read_until('"message": "on"')
            await browsers[name].leave()
        return {name: browser.body for name, browser in browsers.items()}

    bodies = async_to_sync(scenario)()
    assert '"condition": "forbidden"' in bodies["page"]
    assert "stream-error" not in bodies["other session"]
    assert "stream-error" not in bodies["token"]


def test_revoking_a_token_ends_its_open_streams_and_its_stream_tokens(
    application, user, make_version
):
    version = make_version(status=RUNNING)
    api_token, _ = create_token(user=user, name="laptop")
    kept, _ = create_token(user=user, name="desktop")
    revoked_scope = token_scope(version, user, token_origin(api_token.pk))
    kept_scope = token_scope(version, user, token_origin(kept.pk))

    async def scenario() -> tuple[str, str, str]:
        doomed, other = Browser(application, revoked_scope), Browser(application, kept_scope)
        for browser in (doomed, other):
            await browser.open()
            await browser.read_until("stream-open")
        await sync_to_async(revoke_token)(api_token)
        await sync_to_async(streams_relay_poll)()
        ended = await read_to_the_end(doomed)
        again = Browser(application, revoked_scope)  # the same stream token, opened again
        await again.open()
        refused = await read_to_the_end(again)
        await other.leave()
        return ended, refused, other.body

    ended, refused, other = async_to_sync(scenario)()
    assert "This API token was revoked." in ended
    assert '"condition": "forbidden"' in refused
    assert "stream-error" not in other


def test_a_stream_token_made_with_a_session_dies_with_it(application, user, make_version):
    version = make_version(status=RUNNING)
    cookie = cookie_of(user)
    session_key = cookie.split("=", 1)[1]
    scope = token_scope(version, user, session_origin(session_key))
    client = Client()
    client.cookies.load(cookie)
    client.post("/accounts/logout/")

    async def scenario() -> str:
        browser = Browser(application, scope)
        await browser.open()
        return await read_to_the_end(browser)

    assert '"condition": "forbidden"' in async_to_sync(scenario)()


def test_a_stream_that_does_not_follow_ends_with_the_final_event_not_after_it(
    application, user, make_version
):
    """The version's later events (its tests, its preview) are for `?follow=1` streams."""
    version = make_version(status=RUNNING)
    publish(version, ProgressEvent("iteration_complete", "completed", "the end", 1.0))
    publish_about(version, "tests", "tests", "Tests passed")
    version.status = Version.Status.COMPLETED
    version.save()
    scope = http_scope(events_path(version), cookie_of(user))

    async def scenario() -> str:
        browser = Browser(application, scope)
        await browser.open()
        return await read_to_the_end(browser)

    body = async_to_sync(scenario)()
    assert body.strip().rsplit("\n\n", 1)[-1].startswith("event: done")
    assert "Tests passed" not in body
