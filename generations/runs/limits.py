"""How many runs a user may have waiting and going, and how fast an API token may start
them. Each check runs under the user's lock, so simultaneous requests cannot pass it."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from generations.models import Version
from generations.refusals import ActionRefused


class OwnerAtLimit(Exception):
    """The version's owner already has as many runs going as allowed: it waits its turn."""


class RateLimited(ActionRefused):
    """Too many runs started with one API token in the last minute."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def lock_user(user_id: int) -> None:
    """Hold the user's row until the transaction ends, so their limits are checked and their
    new runs written by one request at a time. On SQLite every write transaction begins by
    taking the database's write lock (transaction_mode IMMEDIATE), which serialises them."""
    get_user_model().objects.select_for_update().filter(pk=user_id).first()


def check_queue_room(*, user) -> None:
    """Refuse new work when the user already has as many runs waiting as allowed. Call it
    inside the transaction that queues the run, after lock_user."""
    waiting = Version.objects.filter(generation__owner=user, status=Version.Status.QUEUED).count()
    if waiting >= settings.MAX_QUEUED_PER_USER:
        raise ActionRefused(
            f"You already have {waiting} runs waiting for a worker (the limit is "
            f"{settings.MAX_QUEUED_PER_USER}). Wait for one to start, or cancel one."
        )


def check_running_room(*, owner_id: int) -> None:
    """Raise OwnerAtLimit when the owner already runs as many versions as allowed. Call it
    inside the transaction that claims the run, after lock_user."""
    running = Version.objects.filter(
        generation__owner=owner_id, status=Version.Status.PROCESSING
    ).count()
    if running >= settings.MAX_RUNNING_PER_USER:
        raise OwnerAtLimit()


def check_token_rate(api_token) -> None:
    """At most API_RUNS_PER_MINUTE runs per API token in any minute (runs the pages start
    are not counted). Checked under the user's lock, so simultaneous requests cannot pass."""
    if api_token is None:
        return
    since = timezone.now() - timedelta(minutes=1)
    recent = list(
        Version.objects.filter(api_token=api_token, created_at__gte=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    limit = settings.API_RUNS_PER_MINUTE
    if len(recent) >= limit:
        wait = max(int((recent[-limit] - since).total_seconds()) + 1, 1)
        raise RateLimited(
            f"This token started {len(recent)} runs in the last minute, the most allowed "
            f"({limit}); try again in {wait} s.",
            wait,
        )
