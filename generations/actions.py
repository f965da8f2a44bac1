"""Every write that touches several models, as small keyword-only functions.

Views and tasks call these; neither repeats what they do.
"""

import logging
import statistics
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from generations.diffing import compare_versions
from generations.events import publish
from generations.models import Blob, Generation, ModelCall, Version, VersionFile
from orchestrator import PipelineResult, ProgressEvent, Reporter
from orchestrator.errors import UnsafePath
from orchestrator.paths import clean_path, collision, content_problem
from orchestrator.results import ModelCall as ModelCallRecord

logger = logging.getLogger(__name__)


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


def create_generation(
    *, owner, title: str, prompt: str, tech_stack: str, domain: str = "", constraints: str = ""
) -> Version:
    """Create a generation and its version 1, queued; the worker starts after commit."""
    with transaction.atomic():
        lock_user(owner)
        check_queue_room(user=owner)
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
        lock_user(user)
        check_queue_room(user=user)
        generation, number = _next_number(base.generation_id)
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


def _next_number(generation_id) -> tuple[Generation, int]:
    """Lock the generation (inside a transaction) so two new versions never share a number."""
    generation = Generation.objects.select_for_update().get(pk=generation_id)
    return generation, (generation.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def _queue(version: Version) -> None:
    from generations.tasks import run_version  # tasks import actions

    publish(version, ProgressEvent("queued", "queued", "Waiting for a worker...", 0.0))
    transaction.on_commit(lambda: run_version.enqueue(version.pk))


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
    """The files of a version as {path: content}."""
    rows = version.files.select_related("blob").values_list("path", "blob__content")
    return dict(rows)


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


def log_model_call(*, version: Version, call: ModelCallRecord) -> ModelCall:
    """Store one call of the pipeline's log (its fields are the model's)."""
    return ModelCall.objects.create(version=version, **asdict(call))


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


# Versions made without a model: restore and manual edits -----------------------------------

HISTORY_RUNS = 20  # how many recent runs the time estimate looks at


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


def snapshot(version: Version) -> dict[str, str]:
    """A version's files as {path: content hash}."""
    return dict(version.files.values_list("path", "blob_id"))


def changes_between(old: dict[str, str], new: dict[str, str]) -> list[dict]:
    """The change list stored on a version, from two {path: hash} snapshots."""
    changed = {h for p, h in old.items() if new.get(p) != h} | {
        h for p, h in new.items() if old.get(p) != h
    }
    contents = dict(Blob.objects.filter(sha256__in=changed).values_list("sha256", "content"))
    return [
        {
            "path": d.path,
            "action": d.status,
            "lines_added": d.added,
            "lines_removed": d.removed,
            "old_path": d.old_path,
        }
        for d in compare_versions(old, new, contents, ignore_whitespace=False)
    ]


def _latest_with_files(generation: Generation) -> Version | None:
    return (
        generation.versions.filter(status__in=(Version.Status.COMPLETED, Version.Status.NO_CHANGES))
        .order_by("-number")
        .first()
    )


def _finished_version(
    *, generation: Generation, parent: Version, kind: str, prompt: str, user, files: dict[str, str]
) -> Version:
    """A version that is complete on creation: its files point at stored blobs."""
    generation, number = _next_number(generation.pk)
    now = timezone.now()
    version = Version.objects.create(
        generation=generation,
        number=number,
        parent=parent,
        kind=kind,
        prompt=prompt,
        created_by=user,
        status=Version.Status.COMPLETED,
        stage="iteration_complete",
        progress=1.0,
        message=f"{Version.Kind(kind).label}: {len(files)} total files",
        changes=changes_between(snapshot(parent), files),
        started_at=now,
        finished_at=now,
    )
    VersionFile.objects.bulk_create(
        (VersionFile(version=version, path=p, blob_id=h) for p, h in files.items()), batch_size=500
    )
    generation.save(update_fields=["updated_at"])
    return version


def restore_version(*, source: Version, user) -> Version:
    """Make `source`'s files the newest version; history is never rewritten."""
    if not source.has_files:
        raise ActionRefused(f"Version {source.number} has no files to restore.")
    with transaction.atomic():
        latest = _latest_with_files(source.generation)
        return _finished_version(
            generation=source.generation,
            parent=latest,
            kind=Version.Kind.RESTORE,
            prompt=f"Restore version {source.number}"
            + (f" ({source.name})" if source.name else ""),
            user=user,
            files=snapshot(source),
        )


def save_manual_edit(*, base: Version, path: str, content: str, user) -> Version:
    """Save one file written by hand on top of `base` as a new version."""
    if not base.has_files:
        raise ActionRefused(f"Version {base.number} has no files to edit.")
    try:
        path = clean_path(path)
    except UnsafePath as refusal:
        raise ActionRefused(refusal.message) from None
    if problem := content_problem(content):
        raise ActionRefused(f"{path} cannot be saved: {problem}.")
    size = len(content.encode())
    if size > settings.FILE_MAX_BYTES:
        raise ActionRefused(
            f"The file is {size:,} bytes; one file may hold at most {settings.FILE_MAX_BYTES:,}."
        )
    files = snapshot(base)
    digest = Blob.hash_of(content)
    if files.get(path) == digest:
        raise ActionRefused(f"{path} is unchanged, so there is nothing to save.")
    if path not in files and len(files) >= settings.PROJECT_MAX_FILES:
        raise ActionRefused(f"The project already has {len(files)} files, the most it may hold.")
    if path not in files and (problem := collision([*files, path])):
        raise ActionRefused(
            f"{path} cannot be added: {problem}. Edit the existing file, or choose another name."
        )
    with transaction.atomic():
        Blob.objects.bulk_create(
            [Blob(sha256=digest, content=content, size=size)], ignore_conflicts=True
        )
        return _finished_version(
            generation=base.generation,
            parent=base,
            kind=Version.Kind.MANUAL,
            prompt=f"Edited {path} by hand",
            user=user,
            files={**files, path: digest},
        )


def name_version(*, version: Version, name: str) -> Version:
    """Give a version a name ("before auth"); an empty name removes it."""
    version.name = name.strip()[:100]
    version.save(update_fields=["name"])
    return version
