"""A version's files: the one way they are checked against the project limits, written
(each content once, by its hash) and read, for every kind of version: model runs,
restores, manual edits and uploads alike.

A version made without a model is complete on creation (`create_finished_version`); a
model run's version is written when its run finishes (generations.runs.lifecycle).
"""

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from generations.models import Blob, Generation, Version, VersionFile
from generations.refusals import ActionRefused
from orchestrator.diffing import compare_files
from orchestrator.errors import UnsafePath
from orchestrator.paths import ProjectLimits
from orchestrator.stages import final_stage


def project_limits() -> ProjectLimits:
    """What one version may hold, from the settings (the pipeline gets the same)."""
    return ProjectLimits(
        max_files=settings.PROJECT_MAX_FILES,
        max_total_bytes=settings.PROJECT_MAX_BYTES,
        max_file_bytes=settings.FILE_MAX_BYTES,
    )


def check_limits(files: dict[str, str]) -> None:
    """Refuse a version's files when they break a limit: count, size of each file and in
    all, text that cannot be stored, paths that differ only in letter case."""
    try:
        project_limits().check(files)
    except UnsafePath as refusal:
        raise ActionRefused(refusal.message) from None


def save_files(*, version: Version, files: dict[str, str]) -> int:
    """Store a version's files after checking the limits; only content not stored before
    becomes a new blob. Returns how many blobs were new."""
    check_limits(files)
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


def version_files(version: Version) -> dict[str, str]:
    """The files of a version as {path: content}."""
    rows = version.files.select_related("blob").values_list("path", "blob__content")
    return dict(rows)


def snapshot(version: Version) -> dict[str, str]:
    """A version's files as {path: content hash}."""
    return dict(version.files.values_list("path", "blob_id"))


def next_number(generation_id) -> tuple[Generation, int]:
    """Lock the generation (inside a transaction) so two new versions never share a number."""
    generation = Generation.objects.select_for_update().get(pk=generation_id)
    return generation, (generation.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def changes_between(old: dict[str, str], new: dict[str, str]) -> list[dict]:
    """The change list stored on a version made by hand, from the files before and after
    (counted by the diff engine, as the diff page counts them)."""
    return [
        {
            "path": d.path,
            "action": d.status,
            "lines_added": d.added,
            "lines_removed": d.removed,
            "old_path": d.old_path,
        }
        for d in compare_files(old, new)
    ]


def create_finished_version(
    *,
    base: Version,
    kind: str,
    prompt: str,
    user,
    files: dict[str, str],
    base_files: dict[str, str] | None = None,
) -> Version:
    """A version made without a model, complete on creation, on top of `base`. Call it
    inside a transaction: files over the limits raise ActionRefused and nothing is kept.
    `base_files` saves reading the base's files again when the caller has them."""
    before = version_files(base) if base_files is None else base_files
    generation, number = next_number(base.generation_id)
    now = timezone.now()
    stage, message = final_stage(
        "iteration", Version.Status.COMPLETED, files=len(files), by=Version.Kind(kind).label
    )
    version = Version.objects.create(
        generation=generation,
        number=number,
        parent=base,
        kind=kind,
        prompt=prompt,
        created_by=user,
        status=Version.Status.COMPLETED,
        stage=stage,
        progress=1.0,
        message=message,
        changes=changes_between(before, files),
        started_at=now,
        finished_at=now,
    )
    save_files(version=version, files=files)
    generation.save(update_fields=["updated_at"])
    return version
