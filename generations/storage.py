"""A version's files: the one way they are checked against the project limits, written
(each content once, by its hash) and read, for every kind of version: model runs,
restores, manual edits, uploads, imports and git pushes alike.

Contents are text (str: UTF-8 without NUL) or binary (bytes); binary files are stored byte
for byte and never reach a model. A version made without a model is complete on creation
(`create_finished_version`); a model run's version is written when its run finishes
(generations.runs.lifecycle), keeping the parent's binary files.
"""

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from generations.models import Blob, Generation, Version, VersionFile, text_of
from generations.refusals import InvalidInput
from orchestrator.diffing import compare_files
from orchestrator.errors import UnsafePath
from orchestrator.paths import ProjectLimits, clean_path
from orchestrator.stages import final_stage

Content = str | bytes  # text, or a binary file's bytes


def project_limits() -> ProjectLimits:
    """What one version may hold, from the settings (the pipeline gets the same)."""
    return ProjectLimits(
        max_files=settings.PROJECT_MAX_FILES,
        max_total_bytes=settings.PROJECT_MAX_BYTES,
        max_file_bytes=settings.FILE_MAX_BYTES,
    )


def check_limits(files: dict[str, Content]) -> None:
    """Refuse a version's files when they break a limit: count, size of each file and in
    all, text that cannot be stored, paths that differ only in letter case."""
    try:
        project_limits().check(files)
    except UnsafePath as refusal:
        raise InvalidInput(refusal.message) from None


def save_files(
    *,
    version: Version,
    files: dict[str, Content],
    executable: set[str] | None = None,
    keep_from: Version | None = None,
) -> int:
    """Store a version's files after checking the limits; only content not stored before
    becomes a new blob. With `keep_from` (a model run's parent), its binary files that
    `files` does not name are kept, since the model never saw them, and its paths keep
    their executable bits. Returns how many blobs were new."""
    executable = set(executable or ())
    if keep_from is not None:
        files = {**binary_files(keep_from), **files}
        executable |= set(
            keep_from.files.filter(executable=True, path__in=list(files)).values_list(
                "path", flat=True
            )
        )
    check_limits(files)
    hashes = {path: Blob.hash_of(content) for path, content in files.items()}
    known = set(
        Blob.objects.filter(sha256__in=set(hashes.values())).values_list("sha256", flat=True)
    )
    new_blobs = {
        digest: Blob.of(files[path]) for path, digest in hashes.items() if digest not in known
    }
    Blob.objects.bulk_create(new_blobs.values(), ignore_conflicts=True, batch_size=500)
    VersionFile.objects.bulk_create(
        (
            VersionFile(version=version, path=p, blob_id=d, executable=p in executable)
            for p, d in hashes.items()
        ),
        batch_size=500,
    )
    return len(new_blobs)


def version_files(version: Version) -> dict[str, Content]:
    """The files of a version as {path: content}: text as str, binary files as bytes."""
    rows = version.files.values_list("path", "blob__content", "blob__binary")
    return {
        path: bytes(content) if binary else bytes(content).decode("utf-8")
        for path, content, binary in rows
    }


def text_files(version: Version) -> dict[str, str]:
    """The text files of a version: what a model and the checks read."""
    rows = version.files.filter(blob__binary=False).values_list("path", "blob__content")
    return {path: bytes(content).decode("utf-8") for path, content in rows}


def binary_files(version: Version) -> dict[str, bytes]:
    """The binary files of a version, byte for byte."""
    rows = version.files.filter(blob__binary=True).values_list("path", "blob__content")
    return {path: bytes(content) for path, content in rows}


def executable_paths(version: Version) -> set[str]:
    return set(version.files.filter(executable=True).values_list("path", flat=True))


def as_content(data: bytes) -> Content:
    """Bytes from outside (an upload, a push, an import) as stored: text when they are
    UTF-8 without NUL, else the bytes."""
    text = text_of(data)
    return data if text is None else text


def texts_of(files: dict[str, Content]) -> dict[str, str]:
    return {path: content for path, content in files.items() if isinstance(content, str)}


def snapshot(version: Version) -> dict[str, str]:
    """A version's files as {path: content hash}."""
    return dict(version.files.values_list("path", "blob_id"))


def next_number(generation_id) -> tuple[Generation, int]:
    """Lock the generation (inside a transaction) so two new versions never share a number."""
    generation = Generation.objects.select_for_update().get(pk=generation_id)
    return generation, (generation.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def changes_between(old: dict[str, Content], new: dict[str, Content]) -> list[dict]:
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
    base: Version | None,
    kind: str,
    prompt: str,
    user,
    files: dict[str, Content],
    base_files: dict[str, Content] | None = None,
    generation: Generation | None = None,
    executable: set[str] | None = None,
    **fields,
) -> Version:
    """A version made without a model, complete on creation, on top of `base` (None for
    an import's version 1, in `generation`). Call it inside a transaction: files over the
    limits raise ActionRefused and nothing is kept. `base_files` saves reading the base's
    files again when the caller has them; executable bits carry over from the base unless
    `executable` names them; `fields` are kept on the version (summary, pushed_commit...)."""
    before = (version_files(base) if base else {}) if base_files is None else base_files
    if executable is None:
        executable = executable_paths(base) & set(files) if base else set()
    generation, number = next_number(base.generation_id if base else generation.pk)
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
        **fields,
    )
    save_files(version=version, files=files, executable=executable)
    generation.save(update_fields=["updated_at"])
    return version


def plain_files(files: dict[str, bytes]) -> dict[str, Content]:
    """Files that arrive whole from outside (an import, a push): every path must be in its
    plain form under the path policy; contents become text or bytes."""
    kept: dict[str, Content] = {}
    for path, data in files.items():
        try:
            cleaned = clean_path(path)
        except UnsafePath as refusal:
            raise InvalidInput(refusal.message) from None
        if cleaned != path:
            raise InvalidInput(f"The path {path!r} is not in its plain form ({cleaned}).")
        kept[path] = as_content(data)
    return kept
