"""Every write that touches several models, as small keyword-only functions.

Views and tasks call these; neither repeats what they do.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from generations.events import publish
from generations.models import Blob, Generation, ModelCall, Version, VersionFile
from orchestrator import PipelineResult, ProgressEvent, Reporter

logger = logging.getLogger(__name__)


class ActionRefused(Exception):
    """The request cannot be carried out; the message says why, for the user."""


def create_generation(
    *, owner, title: str, prompt: str, tech_stack: str, domain: str = "", constraints: str = ""
) -> Version:
    """Create a generation and its version 1, queued; the worker starts after commit."""
    with transaction.atomic():
        generation = Generation.objects.create(
            owner=owner,
            title=title,
            prompt=prompt,
            tech_stack=tech_stack,
            domain=domain,
            constraints=constraints,
        )
        version = Version.objects.create(
            generation=generation,
            number=1,
            kind=Version.Kind.GENERATE,
            prompt=prompt,
            created_by=owner,
        )
        _queue(version)
    return version


def start_iteration(*, base: Version, prompt: str, user) -> Version:
    """Queue a new version that applies `prompt` to the files of `base`."""
    if base.status not in (Version.Status.COMPLETED, Version.Status.NO_CHANGES):
        raise ActionRefused(
            f"Version {base.number} is {base.get_status_display().lower()}; only a completed "
            "version can be iterated on."
        )
    with transaction.atomic():
        # Lock the generation so two iterations never take the same number.
        generation = Generation.objects.select_for_update().get(pk=base.generation_id)
        number = (generation.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = Version.objects.create(
            generation=generation,
            number=number,
            parent=base,
            kind=Version.Kind.ITERATE,
            prompt=prompt,
            created_by=user,
        )
        generation.save(update_fields=["updated_at"])
        _queue(version)
    return version


def _queue(version: Version) -> None:
    from generations.tasks import run_version  # tasks import actions

    publish(version, ProgressEvent("queued", "queued", "Waiting for a worker...", 0.0))
    transaction.on_commit(lambda: run_version.enqueue(version.pk))


def claim_version(*, version_id: int) -> Version | None:
    """Move a queued version to processing; None if another worker (or nobody) has it."""
    now = timezone.now()
    claimed = Version.objects.filter(
        pk=version_id, status=Version.Status.QUEUED, cancel_requested=False
    ).update(status=Version.Status.PROCESSING, started_at=now, heartbeat_at=now)
    if not claimed:
        return None
    return Version.objects.select_related("generation", "parent").get(pk=version_id)


def version_files(version: Version) -> dict[str, str]:
    """The files of a version as {path: content}."""
    rows = version.files.select_related("blob").values_list("path", "blob__content")
    return dict(rows)


def beat(*, version: Version) -> None:
    """Tell the reaper this version's worker is alive."""
    Version.objects.filter(pk=version.pk, status=Version.Status.PROCESSING).update(
        heartbeat_at=timezone.now()
    )


def record_progress(*, version: Version, event: ProgressEvent, live_files: list[dict]) -> None:
    """Write a running version's stage to its row (a heartbeat too) and publish the event."""
    Version.objects.filter(pk=version.pk, status=Version.Status.PROCESSING).update(
        stage=event.stage,
        progress=event.progress,
        message=event.message[:500],
        live_files=live_files,
        heartbeat_at=timezone.now(),
    )
    publish(version, event)


def save_files(*, version: Version, files: dict[str, str]) -> int:
    """Store a version's files; only content not stored before becomes a new blob."""
    hashes = {path: Blob.hash_of(content) for path, content in files.items()}
    known = set(
        Blob.objects.filter(sha256__in=set(hashes.values())).values_list("sha256", flat=True)
    )
    new_blobs = {
        digest: Blob(sha256=digest, content=files[path], size=len(files[path].encode()))
        for path, digest in hashes.items()
        if digest not in known
    }
    Blob.objects.bulk_create(new_blobs.values(), ignore_conflicts=True, batch_size=500)
    VersionFile.objects.bulk_create(
        (VersionFile(version=version, path=p, blob_id=d) for p, d in hashes.items()),
        batch_size=500,
    )
    return len(new_blobs)


def finish_version(*, version: Version, result: PipelineResult, reporter: Reporter) -> Version:
    """Save the files and the final status in one transaction, then publish the end."""
    if not isinstance(result, PipelineResult):
        raise TypeError(f"the pipeline returned {type(result).__name__}, not a result")
    first = version.kind == Version.Kind.GENERATE
    if first:
        reporter.stage("saving", f"Saving {len(result.files)} files...")
    completed = result.outcome == "completed"
    status = Version.Status.COMPLETED if completed else Version.Status.NO_CHANGES
    if first:
        stage, message = "generation_complete", f"Generation complete: {len(result.files)} files"
    elif completed:
        stage, message = (
            "iteration_complete",
            f"Iteration complete: {len(result.files)} total files",
        )
    else:
        stage, message = "iteration_no_changes", f"The model proposed no changes. {result.summary}"
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
    with transaction.atomic():
        save_files(version=version, files=result.files)
        updated = Version.objects.filter(pk=version.pk, status=Version.Status.PROCESSING).update(
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
        transaction.on_commit(
            lambda: reporter.stage(stage, message, status=status, files=len(result.files))
        )
    version.refresh_from_db()
    return version


def log_model_call(*, version: Version, call) -> ModelCall:
    return ModelCall.objects.create(
        version=version,
        purpose=call.purpose,
        provider=call.provider,
        model=call.model,
        tokens_in=call.tokens_in,
        tokens_out=call.tokens_out,
        tokens_estimated=call.tokens_estimated,
        latency_seconds=call.latency_seconds,
        outcome=call.outcome,
        error=call.error,
    )


def fail_version(*, version: Version, reason: str, reporter: Reporter | None = None) -> Version:
    """End a version as failed with a reason the user can act on; nothing is saved."""
    return _end_without_files(version, Version.Status.FAILED, reason, reporter)


def cancel_version_run(*, version: Version, reporter: Reporter | None = None) -> Version:
    return _end_without_files(
        version, Version.Status.CANCELLED, "Cancelled; nothing was saved.", reporter
    )


def _end_without_files(
    version: Version, status: str, reason: str, reporter: Reporter | None
) -> Version:
    first = version.kind == Version.Kind.GENERATE
    if status == Version.Status.CANCELLED:
        stage = "cancelled"
    else:
        stage = "generation_error" if first else "iteration_error"
    with transaction.atomic():
        updated = Version.objects.filter(pk=version.pk, status__in=Version.LIVE_STATUSES).update(
            status=status,
            stage=stage,
            message=reason[:500],
            error=reason,
            finished_at=timezone.now(),
        )
    version.refresh_from_db()
    if updated:
        # Start from the stored progress: the contract's progress never goes down.
        reporter = reporter or Reporter(
            lambda event: publish(version, event), start=version.progress
        )
        reporter.stage(stage, reason, status=str(status))
    return version


def request_cancel(*, version: Version) -> Version:
    """Stop a live version: a queued one at once, a running one at its next check."""
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
