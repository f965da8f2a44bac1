"""Who may read a channel of events: deny by default. A version's channel is readable by
its generation's owner and by staff; a user's own channel by that user."""

import re

from generations.models import Generation

VERSION_CHANNEL = re.compile(r"^version-(?P<generation>[0-9a-f-]{36})-(?P<number>[0-9]{1,9})$")


def can_read_channel(user, channel: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if channel == f"user-{user.pk}":
        return True
    match = VERSION_CHANNEL.match(channel)
    if match is None:
        return False
    generations = Generation.objects.filter(
        pk=match["generation"], versions__number=int(match["number"])
    )
    if not user.is_staff:
        generations = generations.filter(owner=user)
    return generations.exists()
