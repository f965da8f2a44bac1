"""Versions made without a model: restore, manual edits and uploads, and names. History
is never rewritten: each makes a new version, complete on creation."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generations.checks import check_version
from generations.diffing import compare_versions
from generations.models import (
    Blob,
    Generation,
    Version,
    VersionFile,
    as_bytes,
    contents_of,
    text_of,
)
from generations.runs import ActionRefused, next_number, version_files
from orchestrator.errors import UnsafePath
from orchestrator.paths import clean_path, collision, content_problem


def snapshot(version: Version) -> dict[str, str]:
    """A version's files as {path: content hash}."""
    return dict(version.files.values_list("path", "blob_id"))


def changes_between(old: dict[str, str], new: dict[str, str]) -> list[dict]:
    """The change list stored on a version, from two {path: hash} snapshots."""
    changed = {h for p, h in old.items() if new.get(p) != h} | {
        h for p, h in new.items() if old.get(p) != h
    }
    contents = contents_of(changed)
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
    generation, number = next_number(generation.pk)
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
    executable = set(parent.files.filter(executable=True).values_list("path", flat=True))
    VersionFile.objects.bulk_create(
        (
            VersionFile(version=version, path=p, blob_id=h, executable=p in executable)
            for p, h in files.items()
        ),
        batch_size=500,
    )
    generation.save(update_fields=["updated_at"])
    return version


def _keep_checks(version: Version, contents: dict[str, str], source: Version | None = None):
    """The findings of a version made without a model: its source's when the files are the
    same and were checked, else the checks run now (no model call)."""
    if source is not None and source.checked:
        version.findings, version.check_notes = source.findings, source.check_notes
        version.checked_at = timezone.now()
    else:
        check_version(version, contents)
    version.save(update_fields=["findings", "check_notes", "checked_at"])


def restore_version(*, source: Version, user) -> Version:
    """Make `source`'s files the newest version; history is never rewritten."""
    if not source.has_files:
        raise ActionRefused(f"Version {source.number} has no files to restore.")
    with transaction.atomic():
        latest = _latest_with_files(source.generation)
        version = _finished_version(
            generation=source.generation,
            parent=latest,
            kind=Version.Kind.RESTORE,
            prompt=f"Restore version {source.number}"
            + (f" ({source.name})" if source.name else ""),
            user=user,
            files=snapshot(source),
        )
        _keep_checks(version, version_files(source) if not source.checked else {}, source)
        return version


def save_manual_edit(*, base: Version, path: str, content: str, user) -> Version:
    """Save one file written by hand on top of `base` as a new version."""
    return save_manual_files(base=base, files={path: content}, user=user)


def save_manual_files(
    *, base: Version, files: dict[str, str | bytes], user, deleted: list[str] = ()
) -> Version:
    """Save files written or uploaded by hand (the terminal client's push: text, binary
    files as bytes, and deletions) as one new version."""
    if not base.has_files:
        raise ActionRefused(f"Version {base.number} has no files to edit.")
    if not files and not deleted:
        raise ActionRefused("No files were given, so there is nothing to save.")
    current = snapshot(base)
    gone = set()
    for path in deleted:
        if path not in current:
            raise ActionRefused(f"{path} is not in version {base.number}, so it cannot be deleted.")
        gone.add(path)
    changed: dict[str, str | bytes] = {}
    for raw, content in files.items():
        try:
            path = clean_path(raw)
        except UnsafePath as refusal:
            raise ActionRefused(refusal.message) from None
        if isinstance(content, str) and (problem := content_problem(content)):
            raise ActionRefused(f"{path} cannot be saved: {problem}.")
        size = len(as_bytes(content))
        if size > settings.FILE_MAX_BYTES:
            raise ActionRefused(
                f"{path} is {size:,} bytes; one file may hold at most {settings.FILE_MAX_BYTES:,}."
            )
        if current.get(path) != Blob.hash_of(content):
            changed[path] = content
    if not changed and not gone:
        names = ", ".join(sorted(files))
        raise ActionRefused(
            f"{names} {'is' if len(files) == 1 else 'are'} unchanged, so there is nothing to save."
        )
    new_paths = [p for p in changed if p not in current]
    if len(current) + len(new_paths) > settings.PROJECT_MAX_FILES:
        raise ActionRefused(f"The project already has {len(current)} files, the most it may hold.")
    if new_paths and (problem := collision([*current, *new_paths])):
        raise ActionRefused(
            f"{new_paths[0]} cannot be added: {problem}. Edit the existing file, or choose "
            "another name."
        )
    with transaction.atomic():
        blobs = {path: Blob.hash_of(content) for path, content in changed.items()}
        Blob.objects.bulk_create(
            [Blob.of(content) for content in changed.values()], ignore_conflicts=True
        )
        touched = sorted(changed) + sorted(gone)
        names = ", ".join(touched[:3]) + (" and more" if len(touched) > 3 else "")
        kept = {p: h for p, h in current.items() if p not in gone}
        version = _finished_version(
            generation=base.generation,
            parent=base,
            kind=Version.Kind.MANUAL,
            prompt=f"Edited {names} by hand",
            user=user,
            files={**kept, **blobs},
        )
        texts = {p: c for p, c in version_files(base).items() if p not in gone}
        texts |= {p: c for p, c in changed.items() if isinstance(c, str)}
        texts |= {
            p: t
            for p, c in changed.items()
            if isinstance(c, bytes) and (t := text_of(c)) is not None
        }
        _keep_checks(version, texts)
        return version


def name_version(*, version: Version, name: str) -> Version:
    """Give a version a name ("before auth"); an empty name removes it."""
    version.name = name.strip()[:100]
    version.save(update_fields=["name"])
    return version
