"""Versions: read one, iterate on it, cancel, restore, name, download, and a token for its
live events."""

from django.conf import settings
from django.urls import reverse
from ninja import Router, Status

from generations.api.auth import caller
from generations.api.errors import refused, validated
from generations.api.schemas import (
    MessageOut,
    NameIn,
    PromptIn,
    StreamTokenOut,
    VersionOut,
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


@router.get(VERSION, response=VersionOut)
def get_version(request, generation_id, number: int):
    return version_out(owned_version(request, generation_id, number))


@router.post(
    VERSION + "/iterate",
    response={201: VersionOut, 409: MessageOut, 429: MessageOut},
    summary="A new version from a follow-up prompt",
)
def iterate(request, generation_id, number: int, payload: PromptIn):
    base = owned_version(request, generation_id, number)
    prompt = validated(IterationForm(payload.dict()))["prompt"]
    try:
        version = start_iteration(base=base, prompt=prompt, user=request.user, **caller(request))
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, version_out(version))


@router.post(VERSION + "/cancel", response={200: VersionOut, 409: MessageOut})
def cancel(request, generation_id, number: int):
    try:
        version = request_cancel(version=owned_version(request, generation_id, number))
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return version_out(version)


@router.post(VERSION + "/restore", response={201: VersionOut, 409: MessageOut})
def restore(request, generation_id, number: int):
    source = owned_version(request, generation_id, number)
    try:
        return Status(201, version_out(restore_version(source=source, user=request.user)))
    except ActionRefused as refusal:
        raise refused(refusal) from None


@router.put(VERSION + "/name", response=VersionOut)
def rename(request, generation_id, number: int, payload: NameIn):
    version = owned_version(request, generation_id, number)
    name = validated(VersionNameForm(payload.dict()))["name"]
    return version_out(name_version(version=version, name=name))


@router.get(VERSION + "/zip", response={200: None, 409: MessageOut}, summary="The files as a zip")
def download(request, generation_id, number: int):
    try:
        return zip_response(owned_version(request, generation_id, number))
    except ActionRefused as refusal:
        raise refused(refusal) from None


@router.post(VERSION + "/stream-token", response=StreamTokenOut)
def make_stream_token(request, generation_id, number: int):
    """A token for this version's events, good for STREAM_TOKEN_SECONDS, for clients that
    cannot send headers (EventSource). `events_url` replays the version's events from its
    first (or after `Last-Event-ID`) and ends after the run's final event, at once if the
    run has already ended."""
    version = owned_version(request, generation_id, number)
    token = stream_token(user=request.user, channel=version.channel, origin=origin_of(request))
    url = reverse("version-events", args=[version.generation_id, version.number])
    return {
        "token": token,
        "expires_in": settings.STREAM_TOKEN_SECONDS,
        "events_url": f"{url}?token={token}",
    }
