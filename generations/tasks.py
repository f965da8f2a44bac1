"""The background task that runs one version; enqueued when a version is queued."""

import logging
from datetime import timedelta

from django.db import transaction
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone

from generations.models import Version
from generations.runs import OwnerAtLimit, claim_version, version_queued
from generations.wakeups import wake_workers
from generations.worker import run_claimed

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


@receiver(version_queued, dispatch_uid="enqueue-queued-versions")
def enqueue_on_commit(sender, version: Version, **kwargs) -> None:
    def enqueue() -> None:
        run_version.enqueue(version.pk)
        wake_workers()

    transaction.on_commit(enqueue)
