"""Carry events from worker processes to the browsers held by this web process.

The database is the only record of events. What crosses between processes is a hint, "this
channel has new events". The relay then reads that channel's new events once and hands them
to every stream of the channel (generations.live.streams); each stream skips ids it has and
re-reads the database when it sees a gap. So an event is neither lost nor sent twice,
whichever hint arrives, and however often.

Hints travel two ways, and both run when Redis is configured:
- DatabaseRelay: a thread polls the event counters of the channels with listeners here
  (EVENTS_POLL_SECONDS). Needs nothing but the database: the embedded default.
- RedisRelay: workers PUBLISH the channel name; a thread here subscribes, and resubscribes
  after Redis restarts, waking every listener then since hints may have been lost meanwhile.

With Pushpin in front (GRIP_URL), the event itself is also published to Pushpin, which holds
the browsers' connections: push_to_proxy.

We do not use django-eventstream's own Redis listener or its in-process queue: items queued
while a stream reads the database make it re-read from its first id and resend events, and
its listener never resubscribes after a Redis restart.
"""

import logging
import threading
from collections.abc import Callable, Iterable

import redis
from django.conf import settings
from django.db import close_old_connections
from django_eventstream.models import EventCounter
from django_eventstream.utils import publish_event
from django_grip import publish
from gripcontrol import HttpStreamFormat

from generations.live.stream_tokens import origin_channel
from generations.live.streams import hub, read_events

logger = logging.getLogger(__name__)


def wake_listeners(channels: Iterable[str]) -> int:
    """Tell this process's streams of `channels` to re-read them from the database."""
    return sum(hub.deliver(channel, None) for channel in channels)


class DatabaseRelay:
    """Polls the event counters of the channels with streams here; a nudge polls at once."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._seen: dict[str, int] = {}
        self._stop = threading.Event()
        self._nudged = threading.Event()

    def nudge(self) -> None:
        self._nudged.set()

    def start(self) -> None:
        threading.Thread(target=self._run, name="event-relay-db", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._nudged.wait(self.interval)
            self._nudged.clear()
            try:
                self.poll_once()
            except Exception:
                logger.exception("event relay poll failed; retrying")
                close_old_connections()

    def poll_once(self) -> int:
        """Hand new events to the streams of every channel that moved; return how many."""
        channels = hub.channels()
        if not channels:
            self._seen.clear()
            return 0
        counters = dict(EventCounter.objects.filter(name__in=channels).values_list("name", "value"))
        moved = 0
        for channel in channels:
            value = counters.get(channel, 0)
            seen = self._seen.get(channel)
            if seen is None and channel.startswith("user-"):
                # A user's channel: read what came after its streams opened (a kick).
                self.dispatch(channel, hub.seen_of_users(channel))
            elif seen is None:
                # First sight: a stream may have read the database just before an event.
                wake_listeners([channel])
            elif value > seen:
                self.dispatch(channel, seen)
            else:
                continue
            moved += 1
            self._seen[channel] = value
        for channel in set(self._seen) - set(channels):
            del self._seen[channel]
        return moved

    def dispatch(self, channel: str, after: int) -> None:
        """Read a channel's new events once, for all of its streams."""
        hub.deliver(channel, read_events(channel, after))


class RedisRelay:
    def __init__(self, url: str, channel: str, on_hint: Callable[[], None]) -> None:
        self.url = url
        self.channel = channel
        self._on_hint = on_hint
        self._client: redis.Redis | None = None
        self._stop = threading.Event()

    def notify(self, channel: str) -> None:
        """Tell every web process that `channel` has new events; failures only cost latency."""
        try:
            if self._client is None:
                self._client = redis.Redis.from_url(self.url, socket_timeout=2)
            self._client.publish(self.channel, channel)
        except redis.RedisError as error:
            logger.warning(
                "could not publish an event hint to Redis (%s); polling covers it", error
            )

    def start(self) -> None:
        threading.Thread(target=self._listen, name="event-relay-redis", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                client = redis.Redis.from_url(self.url, health_check_interval=10)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                # Hints sent before this (re)subscription may be lost: look at once.
                self._on_hint()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message["type"] == "message":
                        self._on_hint()
            except redis.RedisError as error:
                logger.warning("Redis subscription lost (%s); resubscribing", error)
                self._stop.wait(1.0)


_database_relay: DatabaseRelay | None = None
_redis_relay: RedisRelay | None = None


def nudge() -> None:
    if _database_relay is not None:
        _database_relay.nudge()


def redis_relay() -> RedisRelay | None:
    global _redis_relay
    if settings.EVENTS_RELAY == "redis" and _redis_relay is None:
        _redis_relay = RedisRelay(settings.REDIS_URL, settings.EVENTS_REDIS_CHANNEL, nudge)
    return _redis_relay


def notify(channel: str) -> None:
    """Called after an event is stored: look at once here, hint the other processes."""
    nudge()
    if relay := redis_relay():
        relay.notify(channel)


def push_to_proxy(channel: str, event_id: int, event_type: str, data: str) -> None:
    """Publish a stored event to Pushpin, as django-eventstream's send_event does.

    The previous id goes with it: a Pushpin that missed one (a failed publish, a restart)
    sees the gap at the next event and fetches what it lacks from our stream view, which
    reads the database. Publishing happens on the library's background thread, so a slow or
    stopped Pushpin never holds up the worker; a failure is logged.
    """
    publish_event(
        channel, event_type, data, str(event_id), str(event_id - 1), callback=_log_failure
    )


def close_on_proxy(origin: str, text: str) -> None:
    """End the streams Pushpin holds for one origin (a session, an API token): the refusal's
    text, then close, in that order (the ids chain them)."""
    channel = origin_channel(origin)
    publish(channel, HttpStreamFormat(text), id="end-1", callback=_log_failure)
    publish(
        channel,
        HttpStreamFormat(close=True),
        id="end-2",
        prev_id="end-1",
        callback=_log_failure,
    )


def _log_failure(succeeded: bool, message: str) -> None:
    if not succeeded:
        logger.warning("could not publish an event to Pushpin (%s); it catches up later", message)


def start_relay() -> None:
    """Start this web process's relay threads once."""
    global _database_relay
    if _database_relay is None:
        _database_relay = DatabaseRelay(settings.EVENTS_POLL_SECONDS)
        _database_relay.start()
        if relay := redis_relay():
            relay.start()
