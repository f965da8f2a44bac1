"""The background task that runs one version, and how a queued version gets to it."""

import logging
from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from generations.models import Version
from generations.runs.execute import run_claimed
from generations.runs.lifecycle import claim_version
from generations.runs.limits import OwnerAtLimit
from generations.runs.wakeups import wake_workers

logger = logging.getLogger(__name__)
DEFER_SECONDS = 2.0  # how long a version waits when its owner has the most runs allowed


@task()
def run_version(version_id: int) -> str:
    """Claim the version and run it; defer it while its owner runs as many as allowed."""
    try:
        version = claim_version(version_id=version_id)
    except OwnerAtLimit:
        later = timezone.now() + timedelta(seconds=DEFER_SECONDS)
        run_version.using(run_after=later).enqueue(version_id)
        return "deferred"
    if version is None:
        logger.info("version %s was not queued any more; skipped", version_id)
        return "skipped"
    return run_claimed(version).status


def enqueue_run(version: Version) -> None:
    """Enqueue the version's task once the transaction that queued it commits, and wake an
    idle worker."""

    def enqueue() -> None:
        run_version.enqueue(version.pk)
        wake_workers()

    transaction.on_commit(enqueue)
