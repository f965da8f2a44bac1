"""Versions made from files that arrive whole: an import, a git push. Complete on creation,
with the one path policy and the project limits, checked, announced.

(To join generations.storage, the one writer of versions' files, once it exists.)
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generations.checks import check_version
from generations.history import changes_between, snapshot
from generations.models import Blob, Generation, Version, VersionFile, text_of
from generations.runs import ActionRefused, announce_end, next_number
from orchestrator.errors import UnsafePath
from orchestrator.paths import ProjectLimits, clean_path

__all__ = ["ActionRefused", "save_finished_version"]


def _limits() -> ProjectLimits:
    return ProjectLimits(
        max_files=settings.PROJECT_MAX_FILES,
        max_total_bytes=settings.PROJECT_MAX_BYTES,
        max_file_bytes=settings.FILE_MAX_BYTES,
    )


def _checked(files: dict[str, bytes]) -> dict[str, str]:
    """Refuse files that break the path policy or the limits; the text files, decoded."""
    texts = {}
    for path, content in files.items():
        try:
            if clean_path(path) != path:
                raise ActionRefused(f"The path {path!r} is not in its plain form.")
        except UnsafePath as refusal:
            raise ActionRefused(refusal.message) from None
        if (text := text_of(content)) is not None:
            texts[path] = text
    try:
        _limits().check({p: texts.get(p, c) for p, c in files.items()})
    except UnsafePath as refusal:
        raise ActionRefused(refusal.message) from None
    return texts


def save_finished_version(
    *,
    generation: Generation,
    parent: Version | None,
    kind: str,
    prompt: str,
    user,
    files: dict[str, bytes],
    executable: set[str] = frozenset(),
    summary: str = "",
    pushed_commit: bytes | None = None,
    import_report: dict | None = None,
) -> Version:
    """A complete version holding exactly `files`; call inside a transaction."""
    texts = _checked(files)
    hashes = {path: Blob.hash_of(content) for path, content in files.items()}
    generation, number = next_number(generation.pk)
    now = timezone.now()
    version = Version.objects.create(
        generation=generation,
        number=number,
        parent=parent,
        kind=kind,
        prompt=prompt,
        summary=summary,
        created_by=user,
        status=Version.Status.COMPLETED,
        stage="iteration_complete",
        progress=1.0,
        message=f"{Version.Kind(kind).label}: {len(files)} total files",
        changes=[],
        started_at=now,
        finished_at=now,
        pushed_commit=pushed_commit,
        import_report=import_report or {},
    )
    Blob.objects.bulk_create(
        [Blob.of(content) for content in files.values()], ignore_conflicts=True, batch_size=500
    )
    VersionFile.objects.bulk_create(
        (
            VersionFile(version=version, path=p, blob_id=h, executable=p in executable)
            for p, h in hashes.items()
        ),
        batch_size=500,
    )
    version.changes = changes_between(snapshot(parent) if parent else {}, hashes)
    check_version(version, texts)
    version.save(update_fields=["changes", "findings", "check_notes", "checked_at"])
    generation.save(update_fields=["updated_at"])
    transaction.on_commit(lambda: announce_end(version, files=len(files)))
    return version
