"""Carry events from worker processes to the browsers held by this web process.

django-eventstream wakes only listeners inside the process that called send_event, and the
worker is another process. With EVENTS_RELAY=database (the default: no Redis needed) a thread
in the web process polls the event counters of the channels that have listeners. When a
counter moves, it marks those listeners as overflowed and wakes them: django-eventstream's
own recovery path then re-reads the channel from the database from each listener's last id,
so every event arrives once, in order, whoever sent it.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django_eventstream.models import EventCounter
from django_eventstream.views import get_listener_manager

logger = logging.getLogger(__name__)


class DatabaseRelay:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._seen: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="event-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll_once()
            except Exception:
                logger.exception("event relay poll failed; retrying")
                close_old_connections()

    def poll_once(self) -> int:
        """Wake the listeners of every channel with new events; return how many channels."""
        manager = get_listener_manager()
        with manager.lock:
            channels = list(manager.listeners_by_channel)
        if not channels:
            self._seen.clear()
            return 0
        counters = dict(EventCounter.objects.filter(name__in=channels).values_list("name", "value"))
        moved = []
        for channel in channels:
            value = counters.get(channel, 0)
            # A channel seen for the first time is woken too: its listener may have read the
            # database just before an event landed.
            if channel not in self._seen or value > self._seen[channel]:
                moved.append(channel)
            self._seen[channel] = value
        for channel in set(self._seen) - set(channels):
            del self._seen[channel]
        with manager.lock:
            for channel in moved:
                for listener in manager.listeners_by_channel.get(channel, ()):
                    listener.overflow = True  # makes the stream re-read from the database
                    listener.wake_threadsafe()
        return len(moved)


_relay: DatabaseRelay | None = None


def start_relay() -> DatabaseRelay | None:
    """Start this process's relay once, if the settings ask for the database relay."""
    global _relay
    if settings.EVENTS_RELAY == "database" and _relay is None:
        _relay = DatabaseRelay(settings.EVENTS_POLL_SECONDS)
        _relay.start()
    return _relay
