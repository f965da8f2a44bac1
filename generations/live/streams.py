"""Serve version events to browsers: one asyncio task per stream, no thread, no connection.

django-eventstream's own view gives every open stream a thread and, through it, a database
connection for its whole life: PostgreSQL's default 100 connections end up the ceiling (seen:
"too many clients" at about 100 streams, 189 KB each). Here streams wait on an asyncio queue.
The relay reads a channel's new events once and hands them to every stream of that channel;
a stream reads the database itself only when it connects and when it sees a gap in the ids,
through a small shared pool whose few connections serve everyone.

config.asgi sends the events URL to EventStreams, around Django's request cycle, which
would keep a thread per open stream; Django's view (event_stream) serves Pushpin's requests.

Behind Pushpin (GRIP_URL) nothing is held here at all: a request Pushpin signed gets
django-eventstream's own GRIP answer (the events it lacks, then "hold this stream on the
channel"), and Pushpin keeps the connection and receives the events we publish to it.
"""

import asyncio
import io
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing
from dataclasses import dataclass
from functools import cached_property, partial
from importlib import import_module
from urllib.parse import unquote

from django.conf import settings
from django.contrib.auth import get_user, get_user_model
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.db import InterfaceError, OperationalError, connection, connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, resolve
from django_eventstream.models import Event, EventCounter
from django_eventstream.utils import make_id, sse_encode_error, sse_encode_event
from django_eventstream.views import events as grip_events
from gripcontrol import Channel

from generations.live.access import VERSION_CHANNEL, can_read_channel
from generations.live.stream_tokens import origin_channel, read_stream_token, session_origin
from generations.models import ApiToken, Version
from generations.request_values import whole_number

KEEP_ALIVE_SECONDS = 20
# Sent with a refusal: a browser's EventSource would otherwise reconnect every 3 s, forever.
# The page re-reads its state on the refusal instead (templates/generations/version.html).
NO_RECONNECT = "retry: 86400000\n"
READ_LIMIT = 500
CONTENT_TYPE = "text/event-stream"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
ASGI_HEADERS = [(b"content-type", CONTENT_TYPE.encode())] + [
    (name.lower().encode(), value.encode()) for name, value in HEADERS.items()
]
READERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="event-reader")


@dataclass(frozen=True)
class StoredEvent:
    channel: str
    id: int
    type: str
    data: str  # the event's JSON text

    @cached_property
    def sse(self) -> str:
        """The event as SSE text, encoded once however many streams send it."""
        return sse_encode_event(self.type, self.data, event_id=make_id({self.channel: self.id}))


def read_events(channel: str, after: int, limit: int = READ_LIMIT) -> list[StoredEvent]:
    """Events of `channel` with ids above `after`, oldest first."""
    rows = Event.objects.filter(channel=channel, eid__gt=after).order_by("eid")
    # The library stores each event's JSON text JSON-encoded once more.
    return [StoredEvent(channel, r.eid, r.type, json.loads(r.data)) for r in rows[:limit] if r.type]


# Sent on a user's channel when they log out: every stream they hold ends with it.
KICK = "stream-error"
# The type of a run's final event (generations.live.events.publish).
DONE = "done"


def user_channel(user_id: int) -> str:
    """The channel of one user's own events (logging out), as django-eventstream names it."""
    return f"user-{user_id}"


class Stream:
    """One browser's connection: its channel, the last id it has, and a queue to wait on.
    `user_channel` and `user_seen` say whose stream it is and what of their channel it saw.

    A stream ends after the run's final event (`done`), and at once, with that event, when
    the version had already ended when it opened (`final`); one that `follows` the version
    stays open after it for the version's later events (its tests, its preview)."""

    def __init__(
        self,
        channel: str,
        last_id: int,
        user_channel: str | None = None,
        user_seen: int = 0,
        *,
        follows: bool = True,
        final: "StoredEvent | None" = None,
        origin: str | None = None,
    ) -> None:
        self.channel = channel
        self.last_id = last_id
        self.user_channel = user_channel
        self.user_seen = user_seen
        self.follows = follows
        self.final = final
        self.origin = origin  # the session or API token that opened it (stream_tokens)
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[list[StoredEvent] | None] = asyncio.Queue()
        self.closed = False
        self.kicked = False
        self.kicked_because: str | None = None

    def close(self) -> None:
        """The client left: end the stream at its next wake-up, which this causes."""
        self.closed = True
        self.queue.put_nowait(None)

    def kick(self, because: str | None = None) -> None:
        """Its session logged out or its token was revoked: end it with a refusal."""
        self.kicked = True
        self.kicked_because = because
        self.close()


class Hub:
    """Which streams this process holds, by channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[str, set[Stream]] = {}

    def add(self, stream: Stream) -> None:
        with self._lock:
            for channel in filter(None, (stream.channel, stream.user_channel)):
                self._streams.setdefault(channel, set()).add(stream)

    def remove(self, stream: Stream) -> None:
        with self._lock:
            for channel in filter(None, (stream.channel, stream.user_channel)):
                streams = self._streams.get(channel, set())
                streams.discard(stream)
                if not streams:
                    self._streams.pop(channel, None)

    def channels(self) -> list[str]:
        with self._lock:
            return list(self._streams)

    def seen_of_users(self, channel: str) -> int:
        """How far the streams of a user's channel had read it when they opened (the least)."""
        with self._lock:
            return min((s.user_seen for s in self._streams.get(channel, ())), default=0)

    def deliver(self, channel: str, events: list[StoredEvent] | None) -> int:
        """From any thread: hand new events (or None, "re-read the database, you may be
        behind") to every stream of `channel`, with one wake-up per event loop. On a user's
        channel, a kick ends every stream of theirs that opened before it."""
        with self._lock:
            streams = list(self._streams.get(channel, ()))
        if channel.startswith("user-"):
            kicks = [(e.id, *kick_of(e)) for e in events or () if e.type == KICK]
            for stream in streams:
                for id, origin, because in kicks:
                    if id > stream.user_seen and origin in (None, stream.origin):
                        stream.loop.call_soon_threadsafe(stream.kick, because)
                        break
            return len(streams)
        by_loop: dict[asyncio.AbstractEventLoop, list[Stream]] = {}
        for stream in streams:
            by_loop.setdefault(stream.loop, []).append(stream)
        for loop, group in by_loop.items():
            loop.call_soon_threadsafe(_put_all, group, events)
        return len(streams)


def kick_of(event: StoredEvent) -> tuple[str | None, str | None]:
    """Whose streams a kick ends (one origin's, or with None all of the user's), and why."""
    try:
        data = json.loads(event.data)
        origin, because = data.get("origin"), data.get("text")
    except (ValueError, AttributeError):
        return None, None
    return (
        origin if isinstance(origin, str) else None,
        because if isinstance(because, str) else None,
    )


def _put_all(streams: list[Stream], events: list[StoredEvent] | None) -> None:
    for stream in streams:
        stream.queue.put_nowait(events)


hub = Hub()


def parse_last_id(request: HttpRequest, channel: str) -> int | None:
    """The id this client has of `channel`, from Last-Event-ID or ?lastEventId=; ids of other
    channels are ignored, and anything unreadable counts as none."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("lastEventId") or ""
    for part in raw.split(","):
        name, _, value = part.rpartition(":")
        if unquote(name) == channel and (number := whole_number(value)) is not None:
            return number
    return None


@dataclass(frozen=True)
class Reader:
    user_id: int
    user_seen: int  # how far the user's own channel went when the stream opened
    final: StoredEvent | None  # the version's final event, if its run had ended
    origin: str | None  # the session or API token that lets it read


def reader_of(request: HttpRequest, channel: str) -> Reader | None:
    """Runs in a reader thread (the session and user are loaded there, not per stream): who
    reads and where the version stands, if they may read `channel`; else None.

    A `token` in the URL (a stream token from the API, for clients that cannot send a
    cookie) stands for its user if it is genuine, unexpired and made for this channel; an
    API token is never accepted there."""
    token = request.GET.get("token")
    if token is not None:
        user_id, origin = read_stream_token(token, channel) or (None, None)
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is not None and not origin_alive(user.pk, origin):
            return None
    else:
        user = get_user(request)
        origin = session_origin(request.session.session_key)
    if not can_read_channel(user, channel):
        return None
    return Reader(user.pk, current_id(user_channel(user.pk)), final_event(channel), origin)


def origin_alive(user_id: int, origin: str | None) -> bool:
    """May a stream token made from this origin still open a stream? Not once its API token
    is revoked, nor once its session logged out (that kick is on the user's channel)."""
    if origin is None:
        return True
    if origin.startswith("t:"):
        token_id = whole_number(origin[2:])
        return ApiToken.objects.filter(pk=token_id, user_id=user_id, revoked_at=None).exists()
    kicks = Event.objects.filter(channel=user_channel(user_id), type=KICK)
    return not kicks.filter(data__contains=origin).exists()


def final_event(channel: str) -> StoredEvent | None:
    """The final event of the channel's version if its run has ended: the stored `done`, or,
    for a version made finished (an edit, an import: no run) or whose events were trimmed,
    one made from its row, with the channel's current id."""
    version = version_of_channel(channel)
    if version is None or version.is_live:
        return None
    row = Event.objects.filter(channel=channel, type=DONE).order_by("-eid").first()
    if row is not None:
        return StoredEvent(channel, row.eid, row.type, json.loads(row.data))
    fields = {
        "generation_id": str(version.generation_id),
        "version": version.number,
        "status": version.status,
        "stage": version.stage,
        "message": version.message,
        "progress": version.progress,
        "timestamp": (version.finished_at or version.created_at).timestamp(),
    }
    return StoredEvent(channel, current_id(channel), DONE, json.dumps(fields))


def version_of_channel(channel: str) -> Version | None:
    match = VERSION_CHANNEL.match(channel)
    if match is None:
        return None
    return Version.objects.filter(
        generation_id=match["generation"], number=int(match["number"])
    ).first()


def current_id(channel: str) -> int:
    return EventCounter.objects.filter(name=channel).values_list("value", flat=True).first() or 0


def _retrying_once(function, *args):
    """The readers keep their few connections; one gone bad (a database restart) is renewed."""
    try:
        return function(*args)
    except (InterfaceError, OperationalError):
        connection.close()
        return function(*args)


def close_reader_connections() -> None:
    """Close the readers' connections (the test suite does, before dropping its database)."""
    workers = READERS._max_workers
    barrier = threading.Barrier(workers)  # one task per thread: each waits for the others

    def close() -> None:
        barrier.wait(timeout=10)
        connections.close_all()

    for future in [READERS.submit(close) for _ in range(workers)]:
        future.result()


async def in_reader(function, *args):
    return await asyncio.get_running_loop().run_in_executor(
        READERS, _retrying_once, function, *args
    )


def proxied(request: HttpRequest) -> bool:
    """Did Pushpin send this request (GripMiddleware checked its signature)?"""
    grip = getattr(request, "grip", None)
    return grip is not None and grip.proxied


def follows(request: HttpRequest) -> bool:
    """Does the client stay for the version's events after its run ended (`?follow=1`)?"""
    return request.GET.get("follow") == "1"


async def open_stream(request: HttpRequest, channel: str) -> Stream | str:
    """A stream for this request, or the refusal to send. It starts after the client's last
    id, or, with none given, at the channel's first event: a client that asks late still
    gets the whole run, its final event included.

    `request.session` must be set; reader_of loads it and the user in a reader thread.
    """
    reader = await in_reader(reader_of, request, channel)
    if reader is None:
        return refusal(channel)
    last_id = parse_last_id(request, channel) or 0
    return Stream(
        channel,
        last_id,
        user_channel(reader.user_id),
        reader.user_seen,
        follows=follows(request),
        final=reader.final,
        origin=reader.origin,
    )


def refusal(channel: str, because: str | None = None) -> str:
    """The text that ends a stream its reader may not (or no longer) read."""
    text = because or f"Permission denied to channels: {channel}"
    return NO_RECONNECT + sse_encode_error("forbidden", text, {"channels": [channel]})


async def event_stream(request: HttpRequest, channel: str) -> HttpResponse:
    """The SSE response for one channel, through Django: Pushpin's requests, and any server
    that does not run config.asgi's application (Django's test client)."""
    if proxied(request) and (
        "es-meta" in request.GET  # Pushpin's own follow-up for a stream it holds
        or (
            "token" not in request.GET
            and (follows(request) or await in_reader(final_event, channel) is None)
        )
    ):
        # The library's view checks the channel manager, reads from the last id, and answers
        # with instructions for Pushpin; it returns at once, so a reader thread serves it.
        # Pushpin's follow-ups (a gap to fill, the next link) carry the library's signed
        # es-meta instead of the browser's cookie: always the library's. Answered below, as
        # a plain response Pushpin passes on: a run that has ended (the response ends), and
        # a stream token's request (the library knows only sessions).
        response = await in_reader(partial(grip_events, request, channels=[channel]))
        if request.grip.instruct is None:  # not held: a refusal or a bad request
            response.content = NO_RECONNECT + response.content.decode()
        elif origin := session_origin(request.session.session_key):
            # Held by Pushpin: its session's logout closes it there (events.end_user_streams).
            request.grip.instruct.add_channel(Channel(origin_channel(origin)))
        return response
    opened = await open_stream(request, channel)
    body = _once(opened) if isinstance(opened, str) else serve(opened)
    return StreamingHttpResponse(body, content_type=CONTENT_TYPE, headers=HEADERS)


async def _once(text: str):
    yield text


async def serve(stream: Stream):
    """The stream's SSE text: what the client lacks from the database, then live events,
    until the run's final event (unless the stream follows the version)."""
    hub.add(stream)  # before the first read, so nothing falls between the two
    try:
        yield ":" + " " * 2048 + "\n\nevent: stream-open\ndata:\n\n"
        behind = True  # catch up from the database first
        while not stream.closed:
            if behind:
                events = await in_reader(read_events, stream.channel, stream.last_id)
                behind = len(events) == READ_LIMIT
                if not behind and stream.final is not None and not stream.follows:
                    # The run had ended when the stream opened: what the client lacks of
                    # the run, then its final event (again, if the client had it: it may
                    # not know), and nothing after it.
                    fresh = until_done([e for e in events if e.id > stream.last_id])
                    if not fresh or fresh[-1].type != DONE:
                        fresh.append(stream.final)
                    yield "".join(event.sse for event in fresh)
                    break
            else:
                try:
                    events = await asyncio.wait_for(stream.queue.get(), KEEP_ALIVE_SECONDS)
                except TimeoutError:
                    yield "event: keep-alive\ndata:\n\n"
                    continue
                if events is None or (events and events[0].id > stream.last_id + 1):
                    behind = True  # a hint, or a gap: the database has what we lack
                    continue
            fresh = [event for event in events if event.id > stream.last_id]
            if not stream.follows:
                fresh = until_done(fresh)
            if fresh:
                stream.last_id = fresh[-1].id
                yield "".join(event.sse for event in fresh)
                if not stream.follows and fresh[-1].type == DONE:
                    break
        if stream.kicked:
            # Logged out (the page goes to the login page), or its token was revoked.
            yield refusal(stream.channel, stream.kicked_because)
    finally:
        hub.remove(stream)


def until_done(events: list[StoredEvent]) -> list[StoredEvent]:
    """The events up to the run's final one, included: a stream that does not follow the
    version ends there, and what comes after (its tests, its preview) is not its business."""
    for index, event in enumerate(events):
        if event.type == DONE:
            return events[: index + 1]
    return events


class EventStreams:
    """The ASGI application daphne runs: version event streams are served here, directly;
    every other request, and every request Pushpin signed, goes to Django.

    Through Django's request cycle a stream would run each middleware in a thread and keep
    one idle thread per open stream for its whole life, and each event would pass through
    the response machinery. Here an open stream is one asyncio task plus one waiting for the
    client to leave; its few database reads go through the shared reader pool.
    """

    def __init__(self, django: Callable) -> None:
        self.django = django
        self.session_store = import_module(settings.SESSION_ENGINE).SessionStore  # as Django's

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        request = self.stream_request(scope)
        if request is None:
            return await self.django(scope, receive, send)
        try:
            request.get_host()  # ALLOWED_HOSTS, as Django checks it
        except DisallowedHost:
            await send({"type": "http.response.start", "status": 400, "headers": []})
            return await send({"type": "http.response.body", "body": b"Bad Request"})
        redirect, headers = page_headers(request)
        if redirect is not None:  # plain http where HTTPS is required, as for every page
            location = [(b"location", redirect["Location"].encode())]
            await send({"type": "http.response.start", "status": 301, "headers": location})
            return await send({"type": "http.response.body", "body": b""})
        request.session = self.session_store(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
        channel = Version.channel_of(**request.resolver_match.kwargs)
        opened = await open_stream(request, channel)
        # A stream may stay open for hours: keep nothing of its request. Every object held
        # lengthens each garbage collection, and such a pause delays every stream's events.
        del request
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if isinstance(opened, str):
            return await send({"type": "http.response.body", "body": opened.encode()})
        watcher = asyncio.create_task(_close_on_disconnect(receive, opened))
        try:
            async with aclosing(serve(opened)) as texts:  # leaves the hub even when cancelled
                async for text in texts:
                    body = text.encode()
                    await send({"type": "http.response.body", "body": body, "more_body": True})
            if not watcher.done():
                # The stream ended from our side (a kick at logout), not the client's: end
                # the response, so the connection closes instead of idling.
                await send({"type": "http.response.body", "body": b""})
        finally:
            watcher.cancel()

    @staticmethod
    def stream_request(scope: dict) -> ASGIRequest | None:
        """The request, if it is for an event stream that this application serves itself."""
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        if not scope["path"].endswith("/events/"):  # cheap: most requests stop here
            return None
        if settings.GRIP_URL and any(name == b"grip-sig" for name, _ in scope["headers"]):
            return None  # GripMiddleware checks the signature; the view answers Pushpin
        request = ASGIRequest(scope, io.BytesIO())
        try:
            request.resolver_match = resolve(request.path_info)
        except Resolver404:
            return None
        if request.resolver_match.url_name != "version-events":
            return None
        return request


def page_headers(request: HttpRequest) -> tuple[HttpResponse | None, list[tuple[bytes, bytes]]]:
    """What Django's security middleware gives every page, for a stream served beside it:
    its HTTPS redirect (or None), else the stream's headers with nosniff, HSTS on HTTPS,
    X-Frame-Options, the referrer and opener policies, and the Content-Security-Policy."""
    security = SecurityMiddleware(_no_response)
    if redirect := security.process_request(request):
        return redirect, []
    response = HttpResponse()
    security.process_response(request, response)
    XFrameOptionsMiddleware(_no_response).process_response(request, response)
    csp = ContentSecurityPolicyMiddleware(_no_response)
    csp.process_request(request)
    csp.process_response(request, response)
    added = [
        (name.lower().encode(), value.encode())
        for name, value in response.items()
        if name.lower() != "content-type"
    ]
    return None, ASGI_HEADERS + added


def _no_response(request: HttpRequest) -> None:
    return None


async def _close_on_disconnect(receive: Callable, stream: Stream) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    stream.close()
