"""Versions: read one, iterate on it, cancel, restore, name, download, and a token for its
live events."""

from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from ninja import Path, Router

from generations.api.auth import caller
from generations.api.caching import etag_of_version, unchanged
from generations.api.errors import refused, responses, validated
from generations.api.schemas import (
    NameIn,
    PromptIn,
    StreamTokenOut,
    VersionOut,
    VersionPath,
    version_created,
    version_out,
)
from generations.downloads import zip_response
from generations.forms import IterationForm, VersionNameForm
from generations.history import name_version, restore_version
from generations.live.stream_tokens import origin_of, stream_token
from generations.ownership import owned_version
from generations.refusals import ActionRefused
from generations.runs.lifecycle import request_cancel
from generations.runs.queue import start_iteration

router = Router(tags=["versions"])
VERSION = "/{uuid:generation_id}/versions/{int:number}"
ZIP = {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}


@router.get(
    VERSION,
    response=responses({200: VersionOut}),
    summary="Read a version",
    operation_id="getVersion",
)
def get_version(request, generation_id: UUID, number: Path[VersionPath]):
    return version_out(owned_version(request, generation_id, number.number))


@router.post(
    VERSION + "/iterate",
    response=responses({201: VersionOut}, 409, 413, 429),
    summary="Iterate: a new version from a follow-up prompt",
    operation_id="iterateOnVersion",
)
def iterate(
    request,
    response: HttpResponse,
    generation_id: UUID,
    number: Path[VersionPath],
    payload: PromptIn,
):
    """Queue a new version that applies the prompt to this one's files. Only a completed
    version (or one with no changes) can be iterated on: else 409."""
    base = owned_version(request, generation_id, number.number)
    prompt = validated(IterationForm(payload.dict()))["prompt"]
    try:
        version = start_iteration(base=base, prompt=prompt, user=request.user, **caller(request))
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return version_created(response, version)


@router.post(
    VERSION + "/cancel",
    response=responses({200: VersionOut}, 409),
    summary="Cancel a version's run",
    operation_id="cancelRun",
)
def cancel_run(request, generation_id: UUID, number: Path[VersionPath]):
    """Ask the run to stop; its final event says `cancelled`. 409 when it has ended."""
    try:
        version = request_cancel(version=owned_version(request, generation_id, number.number))
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return version_out(version)


@router.post(
    VERSION + "/restore",
    response=responses({201: VersionOut}, 409),
    summary="Restore a version as the newest",
    operation_id="restoreVersion",
)
def restore(request, response: HttpResponse, generation_id: UUID, number: Path[VersionPath]):
    """A new version with this one's files (versions are never changed)."""
    source = owned_version(request, generation_id, number.number)
    try:
        return version_created(response, restore_version(source=source, user=request.user))
    except ActionRefused as refusal:
        raise refused(refusal) from None


@router.put(
    VERSION + "/name",
    response=responses({200: VersionOut}, 413),
    summary="Name a version",
    operation_id="nameVersion",
)
def rename(request, generation_id: UUID, number: Path[VersionPath], payload: NameIn):
    """Give a version a name (a tag in its git repository); an empty name removes it."""
    version = owned_version(request, generation_id, number.number)
    name = validated(VersionNameForm(payload.dict()))["name"]
    return version_out(name_version(version=version, name=name))


@router.get(
    VERSION + "/zip",
    response=responses({200: None, 304: None}, 409),
    summary="Download a version as a zip",
    operation_id="downloadZip",
    openapi_extra={"responses": {"200": ZIP}},
)
def download_zip(request, generation_id: UUID, number: Path[VersionPath]):
    """The version's files in a zip. Send `If-None-Match` with the `ETag` you have: 304
    when it has not changed. 409 for a version without files (a failed run)."""
    version = owned_version(request, generation_id, number.number)
    etag = etag_of_version(version)
    if cached := unchanged(request, etag):
        return cached
    try:
        response = zip_response(version)
    except ActionRefused as refusal:
        raise refused(refusal) from None
    response["ETag"] = etag
    return response


@router.post(
    VERSION + "/stream-token",
    response=responses({200: StreamTokenOut}),
    summary="Get a token for a version's live events",
    operation_id="createStreamToken",
)
def create_stream_token(request, generation_id: UUID, number: Path[VersionPath]):
    """A token for this version's events, good for STREAM_TOKEN_SECONDS, for clients that
    cannot send headers (EventSource). `events_url` replays the version's events from its
    first (or after `Last-Event-ID`) and ends after the run's final event, at once if the
    run has already ended. It stops working when its API token is revoked or, made with a
    login session, when that session logs out."""
    version = owned_version(request, generation_id, number.number)
    token = stream_token(user=request.user, channel=version.channel, origin=origin_of(request))
    url = reverse("version-events", args=[version.generation_id, version.number])
    return {
        "token": token,
        "expires_in": settings.STREAM_TOKEN_SECONDS,
        "events_url": f"{url}?token={token}",
    }
