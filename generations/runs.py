"""A run's life: queued within the user's limits, claimed by one worker, kept alive by
heartbeats, ended once (completed, no changes, failed, cancelled, reaped) with one final
event. Small keyword-only actions; views, the API and the worker call these and repeat none.
"""

import logging
import statistics
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from generations.live.events import publish
from generations.models import Blob, Generation, ModelCall, Version, VersionFile
from generations.webhooks import version_ended
from orchestrator import PipelineResult, ProgressEvent
from orchestrator.progress import CallForecast, PastCall, forecast_from
from orchestrator.results import ModelCall as ModelCallRecord

logger = logging.getLogger(__name__)

# Sent when a version is queued; generations.tasks enqueues the worker's task on commit.
version_queued = Signal()
HISTORY_RUNS = 20  # how many recent runs the time and progress estimates look at


class ActionRefused(Exception):
    """The request cannot be carried out; the message says why, for the user."""


class OwnerAtLimit(Exception):
    """The version's owner already has as many runs going as allowed: it waits its turn."""


def lock_user(user) -> None:
    """Hold the user's row until the transaction ends, so their limits are checked and their
    new runs written by one request at a time. On SQLite every write transaction begins by
    taking the database's write lock (transaction_mode IMMEDIATE), which serialises them."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def check_queue_room(*, user) -> None:
    """Refuse new work when the user already has as many runs waiting as allowed. Call it
    inside the transaction that queues the run, after lock_user."""
    waiting = Version.objects.filter(generation__owner=user, status=Version.Status.QUEUED).count()
    if waiting >= settings.MAX_QUEUED_PER_USER:
        raise ActionRefused(
            f"You already have {waiting} runs waiting for a worker (the limit is "
            f"{settings.MAX_QUEUED_PER_USER}). Wait for one to start, or cancel one."
        )


class RateLimited(ActionRefused):
    """Too many runs started with one API token in the last minute."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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


def create_generation(
    *,
    owner,
    title: str,
    prompt: str,
    tech_stack: str,
    domain: str = "",
    constraints: str = "",
    api_token=None,
) -> Version:
    """Create a generation and its version 1, queued; the worker starts after commit."""
    with transaction.atomic():
        lock_user(owner)
        check_queue_room(user=owner)
        check_token_rate(api_token)
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
            api_token=api_token,
        )
        queue(version)
    return version


def start_iteration(*, base: Version, prompt: str, user, api_token=None) -> Version:
    """Queue a new version that applies `prompt` to the files of `base`."""
    if base.status not in (Version.Status.COMPLETED, Version.Status.NO_CHANGES):
        raise ActionRefused(
            f"Version {base.number} is {base.get_status_display().lower()}; only a completed "
            "version can be iterated on."
        )
    with transaction.atomic():
        lock_user(user)
        check_queue_room(user=user)
        check_token_rate(api_token)
        generation, number = next_number(base.generation_id)
        version = Version.objects.create(
            generation=generation,
            number=number,
            parent=base,
            kind=Version.Kind.ITERATE,
            prompt=prompt,
            created_by=user,
            api_token=api_token,
        )
        generation.save(update_fields=["updated_at"])
        queue(version)
    return version


def next_number(generation_id) -> tuple[Generation, int]:
    """Lock the generation (inside a transaction) so two new versions never share a number."""
    generation = Generation.objects.select_for_update().get(pk=generation_id)
    return generation, (generation.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def queue(version: Version) -> None:
    """Announce a version as queued; the worker's task is enqueued when the transaction
    commits (generations.tasks listens)."""
    publish(version, ProgressEvent("queued", "queued", "Waiting for a worker...", 0.0))
    version_queued.send(sender=Version, version=version)


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
        get_user_model().objects.select_for_update().filter(pk=owner_id).first()
        running = Version.objects.filter(
            generation__owner=owner_id, status=Version.Status.PROCESSING
        ).count()
        if running >= settings.MAX_RUNNING_PER_USER:
            raise OwnerAtLimit()
        now = timezone.now()
        claimed = Version.objects.filter(
            pk=version_id, status=Version.Status.QUEUED, cancel_requested=False
        ).update(status=Version.Status.PROCESSING, started_at=now, heartbeat_at=now)
    if not claimed:
        return None
    return Version.objects.select_related("generation", "parent").get(pk=version_id)


def version_files(version: Version) -> dict[str, str]:
    """The text files of a version as {path: content} (binary files are never sent to a
    model: see binary_files)."""
    rows = version.files.filter(blob__binary=False).values_list("path", "blob__content")
    return {path: bytes(content).decode("utf-8") for path, content in rows}


def binary_files(version: Version) -> dict[str, tuple[str, int]]:
    """The binary files of a version as {path: (content hash, size)}."""
    rows = version.files.filter(blob__binary=True).values_list("path", "blob_id", "blob__size")
    return {path: (digest, size) for path, digest, size in rows}


def beat(*, version: Version) -> None:
    """Tell the reaper this version's worker is alive."""
    Version.objects.filter(pk=version.pk, status=Version.Status.PROCESSING).update(
        heartbeat_at=timezone.now()
    )


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


def save_files(
    *,
    version: Version,
    files: dict[str, str | bytes],
    executable: set[str] | None = None,
    keep_from: Version | None = None,
) -> int:
    """Store a version's files; only content not stored before becomes a new blob. With
    `keep_from`, its binary files that `files` does not name are kept (a model never sees
    them), and its paths' executable bits carry over."""
    hashes = {path: Blob.hash_of(content) for path, content in files.items()}
    known = set(
        Blob.objects.filter(sha256__in=set(hashes.values())).values_list("sha256", flat=True)
    )
    new_blobs = {
        digest: Blob.of(files[path]) for path, digest in hashes.items() if digest not in known
    }
    Blob.objects.bulk_create(new_blobs.values(), ignore_conflicts=True, batch_size=500)
    executable = set(executable or ())
    if keep_from is not None:
        for path, (digest, _) in binary_files(keep_from).items():
            hashes.setdefault(path, digest)
        executable |= set(
            keep_from.files.filter(executable=True, path__in=list(hashes)).values_list(
                "path", flat=True
            )
        )
    VersionFile.objects.bulk_create(
        (
            VersionFile(version=version, path=p, blob_id=d, executable=p in executable)
            for p, d in hashes.items()
        ),
        batch_size=500,
    )
    return len(new_blobs)


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
    first = version.kind == Version.Kind.GENERATE
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
    checks = {}
    if result.checks is not None:
        version.set_checks(result.checks)
        checks = {
            "findings": version.findings,
            "checked_at": version.checked_at,
            "check_notes": version.check_notes,
        }
    with transaction.atomic():
        save_files(version=version, files=result.files, keep_from=version.parent)
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


def log_model_call(*, version: Version, call: ModelCallRecord) -> ModelCall:
    """Store one call of the pipeline's log (its fields are the model's)."""
    return ModelCall.objects.create(version=version, **asdict(call))


def fail_version(*, version: Version, reason: str) -> Version:
    """End a version as failed with a reason the user can act on; nothing is saved."""
    return _end_without_files(version, Version.Status.FAILED, reason)


def cancel_version_run(*, version: Version) -> Version:
    return _end_without_files(version, Version.Status.CANCELLED, "Cancelled; nothing was saved.")


def _end_without_files(version: Version, status: str, reason: str) -> Version:
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
    if updated:
        announce_end(version)
    version.refresh_from_db()
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


def expected_duration(*, provider: str, model: str, kind: str) -> float | None:
    """Median duration of recent finished runs with this provider, model and kind."""
    runs = (
        Version.objects.filter(
            provider=provider,
            model=model,
            kind=kind,
            status__in=(Version.Status.COMPLETED, Version.Status.NO_CHANGES),
            started_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("started_at", "finished_at")[:HISTORY_RUNS]
    )
    durations = [(finished - started).total_seconds() for started, finished in runs]
    return statistics.median(durations) if durations else None


def call_forecast(
    *, provider: str, model: str, purpose: str, prompt_chars: int
) -> CallForecast | None:
    """What recent successful calls with this provider, model and purpose took."""
    rows = (
        ModelCall.objects.filter(
            provider=provider,
            model=model,
            purpose=purpose,
            outcome="ok",
            first_token_seconds__isnull=False,
            chars_out__gt=0,
        )
        .order_by("-created_at")
        .values_list("first_token_seconds", "chars_out", "latency_seconds", "tokens_in")[
            :HISTORY_RUNS
        ]
    )
    history = [
        PastCall(first, chars, seconds, tokens * 4) for first, chars, seconds, tokens in rows
    ]
    return forecast_from(history, prompt_chars)
