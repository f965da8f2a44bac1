"""The JSON API, version 1, for programs and the terminal client (django-ninja).

It does what a user can do in the pages, through the same operations (generations.runs,
generations.history) and the same forms for validation, so every rule holds alike: owner
only (another user's objects are 404), run and queue limits, prompt and file limits.
Authentication is an API token (`Authorization: Bearer itm_...`) or the page's session
(then with CSRF, as Django's forms). Creating runs with a token is rate limited.
OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs.
"""

import difflib
from datetime import datetime

from django import forms as django_forms
from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Form, NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer, django_auth

from generations.diffing import compare_versions
from generations.downloads import as_async, zip_name, zip_stream
from generations.forms import (
    GenerationForm,
    IterationForm,
    ManualEditForm,
    VersionNameForm,
    WebhookForm,
)
from generations.history import name_version, restore_version, save_manual_files, snapshot
from generations.live.events import current_event_id
from generations.models import Blob, Generation, Version
from generations.running.api import running
from generations.runs import (
    ActionRefused,
    RateLimited,
    create_generation,
    request_cancel,
    start_iteration,
)
from generations.tokens import authenticate, stream_token
from generations.webhooks import set_webhook

EVENTS_DOC = """
**Live events.** Each version has a Server-Sent Events stream at
`/generations/{generation_id}/v{number}/events/`. Programs that cannot send a session
cookie ask `POST .../stream-token` for a short-lived token and open
`.../events/?token=...` (an API token is never accepted in a URL). Every event's `data` is
JSON with `generation_id`, `version`, `status`, `stage`, `message`, `progress` (0 to 1) and
`timestamp`; stages add fields (`file`, `tokens`, `eta_seconds`, `errors`...). The run's
last event has type `done`. Reconnect with `Last-Event-ID` to get what you missed, once.

```
event: progress
id: version-...-2:7
data: {"generation_id": "...", "version": 2, "status": "processing",
       "stage": "file_generated", "message": "Modified app.py", "progress": 0.41,
       "timestamp": 1796030000.2, "file": "app.py", "action": "modified"}
```
"""


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found
        return found.user


api = NinjaAPI(
    title="Iterum API",
    version="1",
    description="Generations, versions, files, diffs and live events." + EVENTS_DOC,
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


# Schemas -------------------------------------------------------------------------------------


class GenerationIn(Schema):
    title: str
    prompt: str
    tech_stack: str = Field(description="flask, django, fastapi_postgres or express")
    domain: str = ""
    constraints: str = ""


class PromptIn(Schema):
    prompt: str


class NameIn(Schema):
    name: str = ""


class WebhookIn(Schema):
    url: str = Field("", description="An http(s) URL, or empty to turn the webhook off.")


class FilesIn(Schema):
    files: dict[str, str] = Field(description="path -> new content; one version for all")


class ChangeOut(Schema):
    path: str
    action: str
    lines_added: int = 0
    lines_removed: int = 0
    old_path: str | None = None


class VersionOut(Schema):
    number: int
    kind: str
    status: str
    stage: str
    progress: float
    message: str
    prompt: str
    name: str
    parent: int | None
    intent: str
    summary: str
    error: str
    changes: list[ChangeOut]
    checks: str | None
    findings: list[dict]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    seconds_left: float | None
    url: str
    events_url: str


class GenerationOut(Schema):
    id: str
    title: str
    prompt: str
    tech_stack: str
    domain: str
    constraints: str
    webhook_url: str
    created_at: datetime
    updated_at: datetime
    latest_version: int | None
    url: str


class GenerationDetailOut(GenerationOut):
    versions: list[VersionOut]


class WebhookOut(Schema):
    url: str
    secret: str = Field(description="Signs each delivery: HMAC-SHA256, see the README")


class FileOut(Schema):
    path: str
    sha256: str
    size: int


class FileContentOut(FileOut):
    content: str


class DiffFileOut(Schema):
    path: str
    status: str
    old_path: str | None
    added: int
    removed: int
    binary: bool
    unified: str


class DiffOut(Schema):
    old: int | None
    new: int
    files: list[DiffFileOut]


class StreamTokenOut(Schema):
    token: str
    expires_in: int
    events_url: str


class MessageOut(Schema):
    detail: str


# Helpers -----------------------------------------------------------------------------------


def owned_generation(request, generation_id) -> Generation:
    return get_object_or_404(Generation, pk=generation_id, owner=request.user)


def owned_version(request, generation_id, number: int) -> Version:
    return get_object_or_404(
        Version.objects.select_related("generation", "parent"),
        generation_id=generation_id,
        generation__owner=request.user,
        number=number,
    )


def validated(form: django_forms.Form) -> dict:
    """The form's cleaned data, or a 422 with its field errors (as pydantic's look)."""
    if form.is_valid():
        return form.cleaned_data
    errors = [
        {"loc": ["body", "payload", field if field != "__all__" else "body"], "msg": message}
        for field, messages in form.errors.items()
        for message in messages
    ]
    raise NinjaValidationError(errors)


def refused(refusal: ActionRefused) -> HttpError:
    if isinstance(refusal, RateLimited):
        return RateLimitedError(refusal)
    return HttpError(409, str(refusal))


class RateLimitedError(HttpError):
    def __init__(self, refusal: RateLimited) -> None:
        super().__init__(429, str(refusal))
        self.retry_after = refusal.retry_after


@api.exception_handler(RateLimitedError)
def rate_limited(request, error: RateLimitedError):
    response = api.create_response(request, {"detail": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def token_of(request):
    return getattr(request, "api_token", None)


def version_out(version: Version) -> dict:
    return {
        "number": version.number,
        "kind": version.kind,
        "status": version.status,
        "stage": version.stage,
        "progress": version.progress,
        "message": version.message,
        "prompt": version.prompt,
        "name": version.name,
        "parent": version.parent.number if version.parent_id and version.parent else None,
        "intent": version.intent,
        "summary": version.summary,
        "error": version.error,
        "changes": version.changes,
        "checks": version.check_summary if version.checked else None,
        "findings": version.findings,
        "created_at": version.created_at,
        "started_at": version.started_at,
        "finished_at": version.finished_at,
        "seconds_left": version.seconds_left(),
        "url": version.get_absolute_url(),
        "events_url": reverse("version-events", args=[version.generation_id, version.number]),
    }


def generation_out(generation: Generation, versions=None) -> dict:
    latest = generation.versions.order_by("-number").values_list("number", flat=True).first()
    out = {
        "id": str(generation.pk),
        "title": generation.title,
        "prompt": generation.prompt,
        "tech_stack": generation.tech_stack,
        "domain": generation.domain,
        "constraints": generation.constraints,
        "webhook_url": generation.webhook_url,
        "created_at": generation.created_at,
        "updated_at": generation.updated_at,
        "latest_version": latest,
        "url": generation.get_absolute_url(),
    }
    if versions is not None:
        out["versions"] = [version_out(v) for v in versions]
    return out


# Generations -----------------------------------------------------------------------------------

generations = Router(tags=["generations"])


@generations.get("", response=list[GenerationOut], summary="Your generations, newest first")
def list_generations(request):
    return [generation_out(g) for g in request.user.generations.all()]


@generations.post(
    "", response={201: VersionOut, 409: MessageOut, 429: MessageOut}, summary="Start one"
)
def create(request, payload: GenerationIn):
    data = validated(GenerationForm(payload.dict()))
    try:
        version = create_generation(owner=request.user, api_token=token_of(request), **data)
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, version_out(version))


@generations.get("/{uuid:generation_id}", response=GenerationDetailOut)
def get_generation(request, generation_id):
    generation = owned_generation(request, generation_id)
    versions = generation.versions.select_related("parent").order_by("number")
    return generation_out(generation, versions)


@generations.put("/{uuid:generation_id}/webhook", response={200: WebhookOut, 422: MessageOut})
def put_webhook(request, generation_id, payload: WebhookIn):
    """Set (or, with an empty URL, remove) the URL told when a version ends; the secret
    that signs each delivery is made once and returned."""
    generation = owned_generation(request, generation_id)
    form = WebhookForm(payload.dict())
    if not form.is_valid():
        raise HttpError(422, "The webhook was not saved: " + "; ".join(form.errors["url"]))
    set_webhook(generation, form.cleaned_data["url"])
    return {"url": generation.webhook_url, "secret": generation.webhook_secret}


@generations.get("/{uuid:generation_id}/diff", response=DiffOut)
def diff(request, generation_id, new: int, old: int | None = None, ignore_whitespace: bool = False):
    """The files that differ between two versions (`old` defaults to `new`'s parent), each
    with its unified diff."""
    generation = owned_generation(request, generation_id)
    newer = get_object_or_404(generation.versions, number=new)
    older = get_object_or_404(generation.versions, number=old) if old else newer.parent
    old_map = snapshot(older) if older else {}
    new_map = snapshot(newer)
    hashes = {h for p, h in old_map.items() if new_map.get(p) != h}
    hashes |= {h for p, h in new_map.items() if old_map.get(p) != h}
    contents = dict(Blob.objects.filter(sha256__in=hashes).values_list("sha256", "content"))
    files = []
    for change in compare_versions(old_map, new_map, contents, ignore_whitespace):
        before_path = change.old_path or change.path
        before = contents.get(old_map.get(before_path), "") if change.status != "added" else ""
        after = contents.get(new_map.get(change.path), "") if change.status != "deleted" else ""
        unified = "".join(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile=f"a/{before_path}" if change.status != "added" else "/dev/null",
                tofile=f"b/{change.path}" if change.status != "deleted" else "/dev/null",
            )
        )
        files.append({**change.__dict__, "unified": "" if change.binary else unified})
    return {"old": older.number if older else None, "new": newer.number, "files": files}


# Versions ------------------------------------------------------------------------------------

versions = Router(tags=["versions"])
VERSION = "/{uuid:generation_id}/versions/{int:number}"


@versions.get(VERSION, response=VersionOut)
def get_version(request, generation_id, number: int):
    return version_out(owned_version(request, generation_id, number))


@versions.post(
    VERSION + "/iterate",
    response={201: VersionOut, 409: MessageOut, 429: MessageOut},
    summary="A new version from a follow-up prompt",
)
def iterate(request, generation_id, number: int, payload: PromptIn):
    base = owned_version(request, generation_id, number)
    prompt = validated(IterationForm(payload.dict()))["prompt"]
    try:
        version = start_iteration(
            base=base, prompt=prompt, user=request.user, api_token=token_of(request)
        )
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, version_out(version))


@versions.post(VERSION + "/cancel", response={200: VersionOut, 409: MessageOut})
def cancel(request, generation_id, number: int):
    version = owned_version(request, generation_id, number)
    if not version.is_live:
        raise HttpError(409, f"Version {number} is not running, so there is nothing to cancel.")
    return version_out(request_cancel(version=version))


@versions.post(VERSION + "/restore", response={201: VersionOut, 409: MessageOut})
def restore(request, generation_id, number: int):
    source = owned_version(request, generation_id, number)
    try:
        return Status(201, version_out(restore_version(source=source, user=request.user)))
    except ActionRefused as refusal:
        raise refused(refusal) from None


@versions.put(VERSION + "/name", response=VersionOut)
def rename(request, generation_id, number: int, payload: NameIn):
    version = owned_version(request, generation_id, number)
    name = validated(VersionNameForm(payload.dict()))["name"]
    return version_out(name_version(version=version, name=name))


@versions.get(VERSION + "/files", response=list[FileOut])
def list_files(request, generation_id, number: int):
    version = owned_version(request, generation_id, number)
    rows = version.files.values_list("path", "blob__sha256", "blob__size").order_by("path")
    return [{"path": p, "sha256": h, "size": s} for p, h, s in rows]


@versions.get(VERSION + "/files/{path:path}", response=FileContentOut)
def get_file(request, generation_id, number: int, path: str):
    version = owned_version(request, generation_id, number)
    row = get_object_or_404(version.files.select_related("blob"), path=path)
    return {
        "path": row.path,
        "sha256": row.blob.sha256,
        "size": row.blob.size,
        "content": row.blob.content,
    }


@versions.post(
    VERSION + "/files",
    response={201: VersionOut, 409: MessageOut},
    summary="Save files written by hand as a new version (JSON)",
)
def save_files(request, generation_id, number: int, payload: FilesIn):
    base = owned_version(request, generation_id, number)
    try:
        version = save_manual_files(base=base, files=payload.files, user=request.user)
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, version_out(version))


@versions.post(
    VERSION + "/upload",
    response={201: VersionOut, 409: MessageOut},
    summary="Upload one text file as a new version (multipart)",
)
def upload(request, generation_id, number: int, path: Form[str], file: File[UploadedFile]):
    base = owned_version(request, generation_id, number)
    form = ManualEditForm({"path": path, "content": ""}, {"upload": file})
    validated(form)
    edit = form.edit()
    try:
        version = save_manual_files(
            base=base, files={edit["path"]: edit["content"]}, user=request.user
        )
    except ActionRefused as refusal:
        raise refused(refusal) from None
    return Status(201, version_out(version))


@versions.get(VERSION + "/zip", response={200: None, 409: MessageOut}, summary="The files as a zip")
def download(request, generation_id, number: int):
    version = owned_version(request, generation_id, number)
    if not version.has_files:
        raise HttpError(
            409,
            f"Version {number} is {version.get_status_display().lower()}; only a version "
            "with files can be downloaded.",
        )
    response = StreamingHttpResponse(
        as_async(iter(zip_stream(version))), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{zip_name(version)}.zip"'
    return response


@versions.post(VERSION + "/stream-token", response=StreamTokenOut)
def make_stream_token(request, generation_id, number: int):
    """A token for this version's events, good for STREAM_TOKEN_SECONDS, for clients that
    cannot send headers (EventSource). Open `events_url` with it."""
    version = owned_version(request, generation_id, number)
    token = stream_token(user=request.user, channel=version.channel)
    url = reverse("version-events", args=[version.generation_id, version.number])
    return {
        "token": token,
        "expires_in": settings.STREAM_TOKEN_SECONDS,
        "events_url": f"{url}?token={token}&lastEventId={current_event_id(version)}",
    }


@api.get("/me", tags=["account"], summary="Who the token or session belongs to")
def me(request):
    token = token_of(request)
    return {"username": request.user.username, "token": token.name if token else None}


api.add_router("/generations", generations)
api.add_router("/generations", versions)
api.add_router("/generations", running)
