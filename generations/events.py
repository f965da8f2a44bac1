"""Version events: the contract's JSON on one channel per version, readable by its owner.

`publish` is the one place events leave the app. How they cross from a worker to the web
process is the relay's business (generations.relay).
"""

import json
import re

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django_eventstream import get_current_event_id
from django_eventstream.channelmanager import DefaultChannelManager
from django_eventstream.utils import get_storage

from generations.models import Generation, Version
from generations.relay import notify, push_to_proxy
from orchestrator.stages import ProgressEvent

TERMINAL_STATUSES = {"completed", "no_changes", "failed", "cancelled"}
_CHANNEL = re.compile(r"^version-(?P<generation>[0-9a-f-]{36})-(?P<number>\d+)$")


def event_data(version: Version, event: ProgressEvent) -> dict:
    """The event contract of DESIGN.md, plus the event's extra fields."""
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
    our relay instead of its in-process queue (see generations.relay for why), and to
    Pushpin when it holds the connections.
    """
    event_type = "done" if event.status in TERMINAL_STATUSES else "progress"
    data = json.dumps(event_data(version, event), cls=DjangoJSONEncoder)
    stored = get_storage().append_event(version.channel, event_type, data)
    notify(version.channel)
    if settings.GRIP_URL:
        push_to_proxy(version.channel, stored.id, event_type, data)


def current_event_id(version: Version) -> str:
    """The id a page connects with, so no event between render and connect is lost."""
    return get_current_event_id([version.channel])


class VersionChannelManager(DefaultChannelManager):
    """Deny by default: a version's channel is readable by its generation's owner and staff."""

    def can_read_channel(self, user, channel: str) -> bool:
        match = _CHANNEL.match(channel)
        if user is None or not user.is_authenticated or match is None:
            return False
        generations = Generation.objects.filter(
            pk=match["generation"], versions__number=int(match["number"])
        )
        if not user.is_staff:
            generations = generations.filter(owner=user)
        return generations.exists()
