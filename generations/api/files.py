"""A version's files: list them, read one, and save files written by hand (JSON or an
upload) as a new version."""

from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from generations.api.errors import refused, validated
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
from generations.refusals import ActionRefused

router = Router(tags=["files"])
VERSION = "/{uuid:generation_id}/versions/{int:number}"


@router.get(VERSION + "/files", response=list[FileOut])
def list_files(request, generation_id, number: int):
    version = owned_version(request, generation_id, number)
    rows = version.files.values_list("path", "blob__sha256", "blob__size").order_by("path")
    return [{"path": p, "sha256": h, "size": s} for p, h, s in rows]


@router.get(VERSION + "/files/{path:path}", response=FileContentOut)
def get_file(request, generation_id, number: int, path: str):
    version = owned_version(request, generation_id, number)
    row = get_object_or_404(version.files.select_related("blob"), path=path)
    return {
        "path": row.path,
        "sha256": row.blob.sha256,
        "size": row.blob.size,
        "content": row.blob.content,
    }


@router.post(
    VERSION + "/files",
    response={201: VersionOut, 409: MessageOut},
    summary="Save files written by hand as a new version (JSON)",
)
def save_files(request, generation_id, number: int, payload: FilesIn):
    return _save(request, generation_id, number, payload.files)


@router.post(
    VERSION + "/upload",
    response={201: VersionOut, 409: MessageOut},
    summary="Upload one text file as a new version (multipart)",
)
def upload(request, generation_id, number: int, path: Form[str], file: File[UploadedFile]):
    form = ManualEditForm({"path": path, "content": ""}, {"upload": file})
    validated(form)
    edit = form.edit()
    return _save(request, generation_id, number, {edit["path"]: edit["content"]})


def _save(request, generation_id, number: int, files: dict[str, str]):
    base = owned_version(request, generation_id, number)
    try:
        version = save_manual_files(base=base, files=files, user=request.user)
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, version_out(version))
