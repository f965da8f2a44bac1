"""Versions made without a model: restore, manual edits and uploads, and names. History
is never rewritten: each makes a new version, complete on creation (generations.storage)."""

from django.db import transaction
from django.utils import timezone

from generations.models import Generation, Version
from generations.refusals import ActionRefused, InvalidInput
from generations.storage import (
    Content,
    as_content,
    create_finished_version,
    texts_of,
    version_files,
)
from generations.version_checks import check_version
from orchestrator.errors import UnsafePath
from orchestrator.paths import clean_path


def _latest_with_files(generation: Generation) -> Version | None:
    return (
        generation.versions.filter(status__in=(Version.Status.COMPLETED, Version.Status.NO_CHANGES))
        .order_by("-number")
        .first()
    )


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
    files = version_files(source)
    with transaction.atomic():
        version = create_finished_version(
            base=_latest_with_files(source.generation),
            kind=Version.Kind.RESTORE,
            prompt=f"Restore version {source.number}"
            + (f" ({source.name})" if source.name else ""),
            user=user,
            files=files,
        )
        _keep_checks(version, texts_of(files), source)
        return version


def save_manual_edit(*, base: Version, path: str, content: str, user) -> Version:
    """Save one file written by hand on top of `base` as a new version."""
    return save_manual_files(base=base, files={path: content}, user=user)


def save_manual_files(
    *, base: Version, files: dict[str, Content], user, deleted: list[str] = ()
) -> Version:
    """Save files written or uploaded by hand (an edit, an upload, the terminal client's
    push: text, binary files as bytes, and deletions) as one new version; the project
    limits hold as for every version."""
    if not base.has_files:
        raise ActionRefused(f"Version {base.number} has no files to edit.")
    if not files and not deleted:
        raise ActionRefused("No files were given, so there is nothing to save.")
    current = version_files(base)
    for path in deleted:
        if path not in current:
            raise ActionRefused(f"{path} is not in version {base.number}, so it cannot be deleted.")
    changed: dict[str, Content] = {}
    for raw, content in files.items():
        try:
            path = clean_path(raw)
        except UnsafePath as refusal:
            raise InvalidInput(refusal.message) from None
        if isinstance(content, bytes):
            content = as_content(content)  # text stays text, anything else bytes
        if current.get(path) != content:
            changed[path] = content
    if not changed and not deleted:
        names = ", ".join(sorted(files))
        raise ActionRefused(
            f"{names} {'is' if len(files) == 1 else 'are'} unchanged, so there is nothing to save."
        )
    touched = sorted(changed) + sorted(set(deleted))
    names = ", ".join(touched[:3]) + (" and more" if len(touched) > 3 else "")
    kept = {path: content for path, content in current.items() if path not in deleted}
    with transaction.atomic():
        version = create_finished_version(
            base=base,
            kind=Version.Kind.MANUAL,
            prompt=f"Edited {names} by hand",
            user=user,
            files={**kept, **changed},
            base_files=current,
        )
        _keep_checks(version, texts_of({**kept, **changed}))
        return version


def name_version(*, version: Version, name: str) -> Version:
    """Give a version a name ("before auth"); an empty name removes it."""
    version.name = name.strip()[:100]
    version.save(update_fields=["name"])
    return version
