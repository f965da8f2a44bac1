"""A version's files: list them, read one (its text, or its bytes), and save files written
by hand (JSON with text, base64 and deletions, or an upload) as a new version."""

import base64
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from generations.api.caching import etag_of_file, unchanged
from generations.api.errors import LimitError, refused, responses, validated
from generations.api.paging import paginated
from generations.api.schemas import (
    FileContentOut,
    FileOut,
    FilesIn,
    VersionOut,
    VersionPath,
    version_created,
)
from generations.forms import ManualEditForm
from generations.history import save_manual_files
from generations.ownership import owned_version
from generations.refusals import ActionRefused, LimitExceeded
from generations.viewer import raw_file_response

router = Router(tags=["files"])
VERSION = "/{uuid:generation_id}/versions/{int:number}"
RAW = {
    "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        "image/*": {"schema": {"type": "string", "format": "binary"}},
    }
}


class FilePage(Schema):
    limit: int | None = Field(
        None, ge=1, le=10_000, description="How many to return (default: all of them)"
    )
    offset: int = Field(0, ge=0, le=1_000_000_000, description="How many to skip")


class FilePath(Schema):
    number: int = Field(ge=1, le=999_999_999)
    path: str = Field(min_length=1, max_length=240, description="The file's path")


@router.get(
    VERSION + "/files",
    response=responses({200: list[FileOut]}),
    summary="List a version's files",
    operation_id="listFiles",
)
def list_files(
    request,
    response: HttpResponse,
    generation_id: UUID,
    number: Path[VersionPath],
    page: Query[FilePage],
):
    """Every file of the version by path (its hash, size, and whether it is binary or
    executable); with `limit`, a page at a time (`Link`, `X-Total-Count`)."""
    version = owned_version(request, generation_id, number.number)
    rows = list(
        version.files.values_list(
            "path", "blob__sha256", "blob__size", "blob__binary", "executable"
        ).order_by("path")
    )
    size = page.limit or max(len(rows), 1)
    return paginated(request, response, rows, page.model_copy(update={"limit": size}), _file_out)


def _file_out(row: tuple) -> dict:
    path, sha256, size, binary, executable = row
    return {
        "path": path,
        "sha256": sha256,
        "size": size,
        "binary": binary,
        "executable": executable,
    }


@router.get(
    VERSION + "/files/{path:path}",
    response=responses({200: FileContentOut, 304: None}),
    summary="Read one file",
    operation_id="getFile",
)
def get_file(request, response: HttpResponse, generation_id: UUID, where: Path[FilePath]):
    """The file's text with its facts (empty text for a binary file: read it from
    `.../raw/`). `ETag` is its content's hash; with `If-None-Match`, 304 if unchanged."""
    version = owned_version(request, generation_id, where.number)
    row = get_object_or_404(version.files.select_related("blob"), path=where.path)
    etag = etag_of_file(row.blob.sha256, "json", row.path, row.executable)
    if cached := unchanged(request, etag):
        return cached
    response["ETag"] = etag
    return {
        "path": row.path,
        "sha256": row.blob.sha256,
        "size": row.blob.size,
        "binary": row.blob.binary,
        "executable": row.executable,
        "content": row.blob.text or "",
    }


@router.get(
    VERSION + "/raw/{path:path}",
    response=responses({200: None, 304: None}),
    summary="Read one file's bytes",
    operation_id="getRawFile",
    openapi_extra={"responses": {"200": RAW}},
)
def get_raw_file(request, generation_id: UUID, where: Path[FilePath]):
    """The file exactly as stored (images with their type, anything else as a download).
    `ETag` is its content's hash; with `If-None-Match`, 304 if unchanged."""
    version = owned_version(request, generation_id, where.number)
    row = get_object_or_404(version.files.select_related("blob"), path=where.path)
    etag = etag_of_file(row.blob.sha256)
    if cached := unchanged(request, etag):
        return cached
    response = raw_file_response(row.blob, row.path)
    response["ETag"] = etag
    return response


@router.post(
    VERSION + "/files",
    response=responses({201: VersionOut}, 409, 413),
    summary="Save files as a new version (JSON)",
    operation_id="saveFiles",
)
def save_files(
    request,
    response: HttpResponse,
    generation_id: UUID,
    number: Path[VersionPath],
    payload: FilesIn,
):
    """New and changed files (text, or base64 for binary) and deletions, as one new
    version on top of this one. A path the path policy refuses, or a deletion of a file
    the version does not have, is 422; a body over REQUEST_MAX_BYTES 413: send large sets
    in several requests."""
    base = owned_version(request, generation_id, number.number)
    files: dict[str, str | bytes] = dict(payload.files)
    for path, encoded in payload.files_base64.items():
        try:
            files[path] = base64.b64decode(encoded, validate=True)
        except ValueError:  # binascii.Error, or text that is not ASCII
            message = f"{path}: files_base64 holds something that is not base64."
            raise HttpError(422, message) from None
    return _save(request, response, base, files, payload.deleted)


class UploadForm(Schema):
    path: str = Field(min_length=1, max_length=240, description="Where to put the file")


@router.post(
    VERSION + "/upload",
    response=responses({201: VersionOut}, 409, 413),
    summary="Upload one file as a new version (multipart)",
    operation_id="uploadFile",
)
def upload_file(
    request,
    response: HttpResponse,
    generation_id: UUID,
    number: Path[VersionPath],
    form: Form[UploadForm],
    file: File[UploadedFile],
):
    """One file, text or binary, at `path`: a new version on top of this one. A file over
    FILE_MAX_BYTES is 413."""
    base = owned_version(request, generation_id, number.number)
    if file.size > settings.FILE_MAX_BYTES:
        raise LimitError(
            LimitExceeded(
                f"The upload is {file.size:,} bytes; one file may hold at most "
                f"{settings.FILE_MAX_BYTES:,} (FILE_MAX_BYTES).",
                limit="FILE_MAX_BYTES",
                limit_bytes=settings.FILE_MAX_BYTES,
            )
        )
    edit_form = ManualEditForm({"path": form.path, "content": ""}, {"upload": file})
    validated(edit_form)
    edit = edit_form.edit()
    return _save(request, response, base, {edit["path"]: edit["content"]})


def _save(request, response: HttpResponse, base, files: dict, deleted: list[str] = ()):
    try:
        version = save_manual_files(base=base, files=files, deleted=deleted, user=request.user)
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return version_created(response, version)
