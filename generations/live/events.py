"""Version events: the contract's JSON on one channel per version, readable by its owner.

`publish` is the one place events leave the app. How they cross from a worker to the web
process is the relay's business (generations.live.relay).
"""

import json
import time

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django_eventstream import get_current_event_id
from django_eventstream.channelmanager import DefaultChannelManager
from django_eventstream.utils import get_storage, sse_encode_error

from generations.live.access import can_read_channel
from generations.live.relay import close_on_proxy, notify, push_to_proxy
from generations.live.stream_tokens import session_origin
from generations.live.streams import KICK, NO_RECONNECT, user_channel
from generations.models import Version
from orchestrator.stages import ProgressEvent

TERMINAL_STATUSES = {"completed", "no_changes", "failed", "cancelled"}


def event_data(version: Version, event: ProgressEvent) -> dict:
    """The event contract (docs/events.md), plus the event's extra fields."""
    return {
        **event.extra,
        "generation_id": str(version.generation_id),
        "version": version.number,
        "status": event.status,
        "stage": event.stage,
        "message": event.message,
        "progress": event.progress,
        "timestamp": event.timestamp,
    }


def publish(version: Version, event: ProgressEvent) -> None:
    """Store the event (so it has an id and replays), then wake the browsers that listen.

    Stored exactly as django-eventstream's send_event stores it; the wake-up goes through
    our relay instead of its in-process queue (see generations.live.relay for why), and to
    Pushpin when it holds the connections.
    """
    event_type = "done" if event.status in TERMINAL_STATUSES else "progress"
    _send(version.channel, event_type, event_data(version, event))


def publish_about(version: Version, event_type: str, stage: str, message: str, **extra) -> None:
    """An event about a version that is not its run's progress (its tests, its preview), of
    its own type: the contract's fields say where the version itself stands."""
    data = {
        **extra,
        "generation_id": str(version.generation_id),
        "version": version.number,
        "status": version.status,
        "stage": stage,
        "message": message,
        "progress": version.progress,
        "timestamp": time.time(),
    }
    _send(version.channel, event_type, data)


def _send(channel: str, event_type: str, fields: dict) -> None:
    data = json.dumps(fields, cls=DjangoJSONEncoder)
    stored = get_storage().append_event(channel, event_type, data)
    notify(channel)
    if settings.GRIP_URL:
        push_to_proxy(channel, stored.id, event_type, data)


def current_event_id(version: Version) -> str:
    """The id a page connects with, so no event between render and connect is lost."""
    return get_current_event_id([version.channel])


class VersionChannelManager(DefaultChannelManager):
    """django-eventstream's access check (its own views and Pushpin's requests) is ours."""

    def can_read_channel(self, user, channel: str) -> bool:
        return can_read_channel(user, channel)


def end_user_streams(
    user, *, origin: str | None = None, text: str = "You have logged out."
) -> None:
    """Publish a kick on the user's own channel: the streams it names (those of one session
    or one API token, by `origin`; all of theirs without one), in every web process and
    behind Pushpin, end with a refusal, and their pages go to the login page."""
    channel = user_channel(user.pk)
    data = json.dumps({"condition": "forbidden", "text": text, "origin": origin})
    get_storage().append_event(channel, KICK, data)
    notify(channel)
    if settings.GRIP_URL and origin is not None:
        close_on_proxy(origin, NO_RECONNECT + sse_encode_error("forbidden", text))


def end_streams_on_logout(sender, request, user, **kwargs) -> None:
    """The receiver of Django's user_logged_out signal: the streams of this session end;
    those of the user's other sessions and API tokens go on."""
    if user is None:
        return
    session = getattr(request, "session", None)
    origin = session_origin(session.session_key) if session is not None else None
    if origin is not None:
        end_user_streams(user, origin=origin)
