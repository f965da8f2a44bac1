"""A version's files: list them, read one (its text, or its bytes), and save files written
by hand (JSON with text, base64 and deletions, or an upload) as a new version."""

import base64
import binascii

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from generations.api.errors import LimitError, refused, validated
from generations.api.schemas import (
    FileContentOut,
    FileOut,
    FilesIn,
    MessageOut,
    VersionOut,
    version_out,
)
from generations.forms import ManualEditForm
from generations.history import save_manual_files
from generations.ownership import owned_version
from generations.refusals import ActionRefused, LimitExceeded
from generations.viewer import raw_file_response

router = Router(tags=["files"])
VERSION = "/{uuid:generation_id}/versions/{int:number}"


@router.get(VERSION + "/files", response=list[FileOut])
def list_files(request, generation_id, number: int):
    version = owned_version(request, generation_id, number)
    rows = version.files.values_list(
        "path", "blob__sha256", "blob__size", "blob__binary", "executable"
    ).order_by("path")
    return [
        {"path": p, "sha256": h, "size": s, "binary": b, "executable": x} for p, h, s, b, x in rows
    ]


@router.get(VERSION + "/files/{path:path}", response=FileContentOut)
def get_file(request, generation_id, number: int, path: str):
    version = owned_version(request, generation_id, number)
    row = get_object_or_404(version.files.select_related("blob"), path=path)
    return {
        "path": row.path,
        "sha256": row.blob.sha256,
        "size": row.blob.size,
        "binary": row.blob.binary,
        "executable": row.executable,
        "content": row.blob.text or "",
    }


@router.get(VERSION + "/raw/{path:path}", response={200: None}, summary="One file's bytes")
def get_raw_file(request, generation_id, number: int, path: str):
    """The file exactly as stored (images with their type, anything else as a download)."""
    version = owned_version(request, generation_id, number)
    row = get_object_or_404(version.files.select_related("blob"), path=path)
    return raw_file_response(row.blob, row.path)


@router.post(
    VERSION + "/files",
    response={201: VersionOut, 409: MessageOut},
    summary="Save files written by hand as a new version (JSON)",
)
def save_files(request, generation_id, number: int, payload: FilesIn):
    files: dict[str, str | bytes] = dict(payload.files)
    for path, encoded in payload.files_base64.items():
        try:
            files[path] = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            message = f"{path}: files_base64 holds something that is not base64."
            raise HttpError(422, message) from None
    return _save(request, generation_id, number, files, payload.deleted)


@router.post(
    VERSION + "/upload",
    response={201: VersionOut, 409: MessageOut},
    summary="Upload one file (text or binary) as a new version (multipart)",
)
def upload(request, generation_id, number: int, path: Form[str], file: File[UploadedFile]):
    if file.size > settings.FILE_MAX_BYTES:
        raise LimitError(
            LimitExceeded(
                f"The upload is {file.size:,} bytes; one file may hold at most "
                f"{settings.FILE_MAX_BYTES:,} (FILE_MAX_BYTES).",
                limit="FILE_MAX_BYTES",
                limit_bytes=settings.FILE_MAX_BYTES,
            )
        )
    form = ManualEditForm({"path": path, "content": ""}, {"upload": file})
    validated(form)
    edit = form.edit()
    return _save(request, generation_id, number, {edit["path"]: edit["content"]})


def _save(request, generation_id, number: int, files: dict, deleted: list[str] = ()):
    base = owned_version(request, generation_id, number)
    try:
        version = save_manual_files(base=base, files=files, deleted=deleted, user=request.user)
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, version_out(version))
