"""How many runs a user may have waiting and going, and how fast an API token may start
them. Each check runs under the user's lock, so simultaneous requests cannot pass it."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
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


def check_api_rate(*, user, api_token=None, api_session: bool = False) -> None:
    """Runs started through the API in any minute: at most API_RUNS_PER_MINUTE per API token,
    as many for the user's login sessions together, and API_RUNS_PER_USER_PER_MINUTE for the
    user across all of them (runs the pages start are not counted). Checked under the user's
    lock, so simultaneous requests cannot pass."""
    if api_token is None and not api_session:
        return
    since = timezone.now() - timedelta(minutes=1)
    recent = Version.objects.filter(generation__owner=user, created_at__gte=since)
    through_api = recent.filter(Q(api_token__isnull=False) | Q(api_session=True))
    if api_token is not None:
        mine, who = recent.filter(api_token=api_token), "This token"
    else:
        mine, who = recent.filter(api_session=True), "Your login session"
    _refuse_over(mine, settings.API_RUNS_PER_MINUTE, since, f"{who} started")
    _refuse_over(
        through_api,
        settings.API_RUNS_PER_USER_PER_MINUTE,
        since,
        "Your tokens and sessions together started",
    )


def _refuse_over(runs, limit: int, since, who: str) -> None:
    times = list(runs.order_by("created_at").values_list("created_at", flat=True))
    if len(times) >= limit:
        wait = max(int((times[-limit] - since).total_seconds()) + 1, 1)
        raise RateLimited(
            f"{who} {len(times)} runs in the last minute through the API, the most allowed "
            f"({limit}); try again in {wait} s.",
            wait,
        )
