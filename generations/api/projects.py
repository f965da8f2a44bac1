"""Projects in and out: import an existing project (an archive or a git URL) as a new
generation, and push a version to another git host."""

from uuid import UUID

from django.http import HttpResponse
from ninja import Path, Router
from ninja.errors import HttpError

from generations.api.auth import caller
from generations.api.errors import refused, responses
from generations.api.schemas import (
    ImportGitIn,
    PushRemoteIn,
    PushRemoteOut,
    VersionOut,
    VersionPath,
    version_created,
)
from generations.git.remote import push_to_remote
from generations.imports import import_archive, import_git
from generations.ownership import owned_version
from generations.refusals import ActionRefused

router = Router(tags=["projects"])
VERSION = "/{uuid:generation_id}/versions/{int:number}"
IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "archive": {"type": "string", "format": "binary"},
                        "title": {"type": "string"},
                    },
                    "required": ["archive"],
                }
            },
            "application/json": {"schema": ImportGitIn.json_schema()},
        },
    }
}


@router.post(
    "/import",
    response=responses({201: VersionOut}, 409, 413, 429),
    summary="Import a project from an archive or a git URL",
    operation_id="importProject",
    openapi_extra=IMPORT_BODY,
)
def import_project(request, response: HttpResponse):
    """Multipart with the field `archive` (and `title`), or JSON with `git_url`. The import
    becomes version 1, checked, its stack detected; what was left out is in its summary."""
    try:
        if request.content_type == "multipart/form-data":
            upload = request.FILES.get("archive")
            if upload is None:
                raise HttpError(422, "Send the archive in the multipart field 'archive'.")
            version = import_archive(
                owner=request.user,
                archive=upload,
                name=upload.name,
                size=upload.size,
                title=request.POST.get("title", "")[:200],
                **caller(request),
            )
        else:
            try:
                payload = ImportGitIn.model_validate_json(request.body or b"{}")
            except ValueError:
                message = "Send JSON with git_url, or an archive as multipart."
                raise HttpError(422, message) from None
            version = import_git(
                owner=request.user,
                url=payload.git_url,
                title=payload.title[:200],
                **caller(request),
            )
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return version_created(response, version)


@router.post(
    VERSION + "/push-remote",
    response=responses({200: PushRemoteOut}, 409, 413),
    summary="Push a version to another git host",
    operation_id="pushToGitHost",
)
def push_remote(request, generation_id: UUID, number: Path[VersionPath], payload: PushRemoteIn):
    """Push the version's commit to a repository on an allowed host, with a token used
    for this push only and never stored."""
    version = owned_version(request, generation_id, number.number)
    try:
        commit = push_to_remote(
            version=version,
            url=payload.url,
            token=payload.token,
            branch=payload.branch,
            force=payload.force,
        )
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return {"url": payload.url, "branch": payload.branch, "commit": commit}
