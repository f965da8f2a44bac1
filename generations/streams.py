"""Serve version events to browsers: one asyncio task per stream, no thread, no connection.

django-eventstream's own view gives every open stream a thread and, through it, a database
connection for its whole life: PostgreSQL's default 100 connections end up the ceiling (seen:
"too many clients" at about 100 streams, 189 KB each). Here streams wait on an asyncio queue.
The relay reads a channel's new events once and hands them to every stream of that channel;
a stream reads the database itself only when it connects and when it sees a gap in the ids,
through a small shared pool whose few connections serve everyone.

Behind Pushpin (GRIP_URL) nothing is held here at all: a request Pushpin signed gets
django-eventstream's own GRIP answer (the events it lacks, then "hold this stream on the
channel"), and Pushpin keeps the connection and receives the events we publish to it.
"""

import asyncio
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, partial
from urllib.parse import unquote

from django.contrib.auth import get_user
from django.db import InterfaceError, OperationalError, connection, connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django_eventstream.models import Event, EventCounter
from django_eventstream.utils import make_id, sse_encode_error, sse_encode_event
from django_eventstream.views import events as grip_events

KEEP_ALIVE_SECONDS = 20
# Sent with a refusal: a browser's EventSource would otherwise reconnect every 3 s, forever.
# The page re-reads its state on the refusal instead (templates/generations/version.html).
NO_RECONNECT = "retry: 86400000\n"
READ_LIMIT = 500
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


class Stream:
    """One browser's connection: its channel, the last id it has, and a queue to wait on."""

    def __init__(self, channel: str, last_id: int) -> None:
        self.channel = channel
        self.last_id = last_id
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[list[StoredEvent] | None] = asyncio.Queue()


class Hub:
    """Which streams this process holds, by channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[str, set[Stream]] = {}

    def add(self, stream: Stream) -> None:
        with self._lock:
            self._streams.setdefault(stream.channel, set()).add(stream)

    def remove(self, stream: Stream) -> None:
        with self._lock:
            streams = self._streams.get(stream.channel, set())
            streams.discard(stream)
            if not streams:
                self._streams.pop(stream.channel, None)

    def channels(self) -> list[str]:
        with self._lock:
            return list(self._streams)

    def deliver(self, channel: str, events: list[StoredEvent] | None) -> int:
        """From any thread: hand new events (or None, "re-read the database, you may be
        behind") to every stream of `channel`, with one wake-up per event loop."""
        with self._lock:
            streams = list(self._streams.get(channel, ()))
        by_loop: dict[asyncio.AbstractEventLoop, list[Stream]] = {}
        for stream in streams:
            by_loop.setdefault(stream.loop, []).append(stream)
        for loop, group in by_loop.items():
            loop.call_soon_threadsafe(_put_all, group, events)
        return len(streams)


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
        if unquote(name) == channel and value.isdigit():
            return int(value)
    return None


def allowed(request: HttpRequest, channel: str) -> bool:
    """Runs in a reader thread: the session and user are loaded there, not per stream."""
    from generations.events import VersionChannelManager  # events imports the relay

    return VersionChannelManager().can_read_channel(get_user(request), channel)


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


async def event_stream(request: HttpRequest, channel: str) -> HttpResponse:
    """The SSE response for one channel: refused, or caught up and then live."""
    if proxied(request):
        # The library's view checks the channel manager, reads from the last id, and answers
        # with instructions for Pushpin; it returns at once, so a reader thread serves it.
        response = await in_reader(partial(grip_events, request, channels=[channel]))
        if request.grip.instruct is None:  # not held: a refusal or a bad request
            response.content = NO_RECONNECT + response.content.decode()
        return response
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if not await in_reader(allowed, request, channel):
        refusal = NO_RECONNECT + sse_encode_error(
            "forbidden", f"Permission denied to channels: {channel}", {"channels": [channel]}
        )
        return StreamingHttpResponse(
            _once(refusal), content_type="text/event-stream", headers=headers
        )
    last_id = parse_last_id(request, channel)
    if last_id is None:
        last_id = await in_reader(current_id, channel)
    stream = Stream(channel, last_id)
    hub.add(stream)  # before the first read, so nothing falls between the two
    return StreamingHttpResponse(_serve(stream), content_type="text/event-stream", headers=headers)


async def _once(text: str):
    yield text


async def _serve(stream: Stream):
    try:
        yield ":" + " " * 2048 + "\n\nevent: stream-open\ndata:\n\n"
        behind = True  # catch up from the database first
        while True:
            if behind:
                events = await in_reader(read_events, stream.channel, stream.last_id)
                behind = len(events) == READ_LIMIT
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
            if fresh:
                stream.last_id = fresh[-1].id
                yield "".join(event.sse for event in fresh)
    finally:
        hub.remove(stream)
