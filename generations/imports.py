"""Bringing an existing project in: an uploaded .zip or .tar.gz (a folder picked in the
browser arrives as a zip), or a git URL. The import is read whole under the import policy
(orchestrator.imports) before anything is saved; then one transaction makes the generation
and its version 1 (kind `import`), checked, with the detected stack and a summary of what
was left out. A refusal saves nothing."""

from typing import BinaryIO

from django.conf import settings
from django.db import transaction

from generations.git.remote import git_source
from generations.models import Generation, Version
from generations.refusals import ActionRefused, LimitExceeded
from generations.runs.lifecycle import announce_end
from generations.runs.limits import check_api_rate, lock_user
from generations.storage import create_finished_version, plain_files, texts_of
from generations.version_checks import check_version
from orchestrator.imports.archives import read_archive
from orchestrator.imports.remote import fetch_tree
from orchestrator.imports.stack import detect_stack
from orchestrator.imports.tree import ImportedTree, ImportLimits, ImportRefused


def import_limits() -> ImportLimits:
    return ImportLimits(
        max_files=settings.PROJECT_MAX_FILES,
        max_total_bytes=settings.PROJECT_MAX_BYTES,
        max_file_bytes=settings.FILE_MAX_BYTES,
        max_entries=settings.IMPORT_MAX_ENTRIES,
    )


def import_archive(
    *,
    owner,
    archive: BinaryIO,
    name: str,
    size: int,
    title: str = "",
    api_token=None,
    api_session: bool = False,
) -> Version:
    """A generation from an uploaded archive."""
    if size > settings.IMPORT_MAX_ARCHIVE_BYTES:
        raise LimitExceeded(
            f"The archive is {size:,} bytes; an import may be at most "
            f"{settings.IMPORT_MAX_ARCHIVE_BYTES:,} (IMPORT_MAX_ARCHIVE_BYTES). Leave out "
            "build output and dependencies.",
            limit="IMPORT_MAX_ARCHIVE_BYTES",
            limit_bytes=settings.IMPORT_MAX_ARCHIVE_BYTES,
        )
    try:
        tree = read_archive(archive, import_limits())
    except ImportRefused as refusal:
        raise ActionRefused(refusal.message) from None
    label = name.rsplit("/", 1)[-1][:100] or "archive"
    return _save_import(
        owner=owner,
        tree=tree,
        title=title or _title_of(label),
        source={"kind": "archive", "name": label},
        api_token=api_token,
        api_session=api_session,
    )


def import_git(
    *, owner, url: str, title: str = "", api_token=None, api_session: bool = False
) -> Version:
    """A generation from the newest commit of a git repository's default branch."""
    try:
        tree, commit = fetch_tree(url, import_limits(), git_source())
    except ImportRefused as refusal:
        raise ActionRefused(refusal.message) from None
    label = url.rstrip("/").rsplit("/", 1)[-1]
    return _save_import(
        owner=owner,
        tree=tree,
        title=title or _title_of(label),
        source={"kind": "git", "url": url.strip(), "commit": commit},
        api_token=api_token,
        api_session=api_session,
    )


def _title_of(name: str) -> str:
    for suffix in (".tar.gz", ".tgz", ".zip", ".git"):
        name = name.removesuffix(suffix)
    return name[:200] or "Imported project"


def _save_import(
    *, owner, tree: ImportedTree, title: str, source: dict, api_token, api_session: bool
) -> Version:
    stack = detect_stack(tree.files)
    where = source.get("url") or source.get("name")
    files = plain_files(tree.files)
    with transaction.atomic():
        lock_user(owner.pk)
        check_api_rate(user=owner, api_token=api_token, api_session=api_session)
        generation = Generation.objects.create(
            owner=owner,
            title=title,
            prompt=f"Imported from {where}",
            tech_stack=stack.key,
            stack=stack.as_dict(),
        )
        version = create_finished_version(
            base=None,
            generation=generation,
            kind=Version.Kind.IMPORT,
            prompt=f"Import {where}",
            user=owner,
            files=files,
            executable=tree.executable,
            summary=tree.summary(),
            import_report={
                "source": source,
                "left_out": [item.as_dict() for item in tree.left_out[:500]],
                "left_out_count": len(tree.left_out),
            },
        )
        check_version(version, texts_of(files))
        version.api_token, version.api_session = api_token, api_session  # counted as a run
        version.save(
            update_fields=["findings", "check_notes", "checked_at", "api_token", "api_session"]
        )
        transaction.on_commit(lambda: announce_end(version, files=len(files)))
        return version
