"""A run's life once queued: claimed by one worker, kept alive by heartbeats, its progress
written and published, and ended once (completed, no changes, failed, cancelled, reaped)
with one final event, whatever the ending."""

import logging
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generations.live.events import publish
from generations.models import Generation, ModelCall, Version
from generations.refusals import ActionRefused
from generations.runs.limits import check_running_room, lock_user
from generations.storage import save_files
from generations.webhooks import version_ended
from orchestrator import PipelineResult, ProgressEvent
from orchestrator.results import CallRecord
from orchestrator.stages import final_stage

logger = logging.getLogger(__name__)


def claim_version(*, version_id: int) -> Version | None:
    """Move a queued version to processing, unless its owner already runs as many as allowed
    (then raise OwnerAtLimit) or another worker has it (then None). The count and the claim
    happen in one transaction holding the owner's lock, so two workers never exceed it."""
    with transaction.atomic():
        owner_id = (
            Generation.objects.filter(versions__pk=version_id)
            .values_list("owner", flat=True)
            .first()
        )
        if owner_id is None:
            return None
        lock_user(owner_id)
        check_running_room(owner_id=owner_id)
        now = timezone.now()
        claimed = Version.objects.filter(
            pk=version_id, status=Version.Status.QUEUED, cancel_requested=False
        ).update(status=Version.Status.PROCESSING, started_at=now, heartbeat_at=now)
    if not claimed:
        return None
    return Version.objects.select_related("generation", "parent").get(pk=version_id)


def beat(*, version: Version) -> None:
    """Tell the reaper this version's worker is alive."""
    Version.objects.filter(pk=version.pk, status=Version.Status.PROCESSING).update(
        heartbeat_at=timezone.now()
    )


def cancel_requested(*, version_id: int) -> bool:
    """Whether the owner asked to stop this version."""
    return Version.objects.filter(pk=version_id, cancel_requested=True).exists()


def record_progress(*, version: Version, event: ProgressEvent, live_files: list[dict]) -> None:
    """Write a running version's stage to its row (a heartbeat too) and publish the event.

    Nothing is published once the version has ended (reaped, cancelled): its terminal event
    must stay the last one.
    """
    updated = Version.objects.filter(pk=version.pk, status=Version.Status.PROCESSING).update(
        stage=event.stage,
        progress=event.progress,
        message=event.message[:500],
        live_files=live_files,
        heartbeat_at=timezone.now(),
    )
    if updated:
        publish(version, event)


def log_model_call(*, version: Version, call: CallRecord) -> ModelCall:
    """Store one call of the pipeline's log (its fields are the model's)."""
    return ModelCall.objects.create(version=version, **asdict(call))


def announce_end(version: Version, **extra: object) -> None:
    """The one route for a run's final event, whatever the ending: the stored row's stage,
    status and message, at the progress reached (1.0 when completed; it never goes down)."""
    version.refresh_from_db()
    progress = 1.0 if version.has_files else version.progress
    event = ProgressEvent(version.stage, version.status, version.message, progress, extra=extra)
    publish(version, event)
    version_ended(version)


def finish_version(*, version: Version, result: PipelineResult) -> Version:
    """Save the files and the final status in one transaction, then announce the end."""
    if not isinstance(result, PipelineResult):
        raise TypeError(f"the pipeline returned {type(result).__name__}, not a result")
    completed = result.outcome == "completed"
    status = Version.Status.COMPLETED if completed else Version.Status.NO_CHANGES
    stage, message = final_stage(
        _flow(version), status, files=len(result.files), summary=result.summary
    )
    changes = [
        {
            "path": c.path,
            "action": c.action,
            "lines_added": c.lines_added,
            "lines_removed": c.lines_removed,
            "old_path": c.old_path,
        }
        for c in result.changes
    ]
    checks = {}
    if result.checks is not None:
        version.set_checks(result.checks)
        checks = {
            "findings": version.findings,
            "checked_at": version.checked_at,
            "check_notes": version.check_notes,
        }
    with transaction.atomic():
        save_files(version=version, files=result.files)
        updated = Version.objects.filter(pk=version.pk, status=Version.Status.PROCESSING).update(
            **checks,
            status=status,
            stage=stage,
            progress=1.0,
            message=message[:500],
            intent=result.intent or "",
            summary=result.summary,
            changes=changes,
            finished_at=timezone.now(),
        )
        if not updated:
            # Reaped or cancelled meanwhile: do not overwrite that truth with these files.
            transaction.set_rollback(True)
            version.refresh_from_db()
            return version
        transaction.on_commit(lambda: announce_end(version, files=len(result.files)))
    version.refresh_from_db()
    return version


def fail_version(*, version: Version, reason: str) -> Version:
    """End a version as failed with a reason the user can act on; nothing is saved."""
    return _end_without_files(version, Version.Status.FAILED, reason)


def cancel_version_run(*, version: Version) -> Version:
    _, message = final_stage(_flow(version), Version.Status.CANCELLED)
    return _end_without_files(version, Version.Status.CANCELLED, message)


def _flow(version: Version) -> str:
    return "generation" if version.kind == Version.Kind.GENERATE else "iteration"


def _end_without_files(version: Version, status: str, reason: str) -> Version:
    stage, _ = final_stage(_flow(version), status, reason=reason)
    with transaction.atomic():
        updated = Version.objects.filter(pk=version.pk, status__in=Version.LIVE_STATUSES).update(
            status=status,
            stage=stage,
            message=reason[:500],
            error=reason,
            finished_at=timezone.now(),
        )
    if updated:
        announce_end(version)
    version.refresh_from_db()
    return version


def request_cancel(*, version: Version) -> Version:
    """Stop a live version: a queued one at once, a running one at its next check."""
    if not version.is_live:
        raise ActionRefused(
            f"Version {version.number} is not running, so there is nothing to cancel."
        )
    queued = Version.objects.filter(pk=version.pk, status=Version.Status.QUEUED)
    if queued.update(cancel_requested=True):
        return cancel_version_run(version=version)  # no worker has it; nothing to wait for
    Version.objects.filter(pk=version.pk, status=Version.Status.PROCESSING).update(
        cancel_requested=True
    )
    version.refresh_from_db()
    return version


def reap_stale_versions(*, now=None) -> list[Version]:
    """Fail versions whose worker stopped sending heartbeats (killed, crashed, unplugged)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT)
    stale = list(Version.objects.filter(status=Version.Status.PROCESSING, heartbeat_at__lt=cutoff))
    reason = (
        "The worker stopped while running this version, so nothing was saved. "
        "Start the iteration again."
    )
    return [fail_version(version=version, reason=reason) for version in stale]
