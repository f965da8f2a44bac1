"""Running a version: its tests and its live preview, with the same actions as the version
page's Run panel (generations.running)."""

from datetime import datetime
from uuid import UUID

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from generations.api.errors import responses
from generations.api.schemas import VersionPath, api_version_url
from generations.ownership import owned_version
from generations.refusals import ActionRefused
from generations.running import access
from generations.running.models import Preview, TestRun
from generations.running.previews import (
    STOPPED_BY_OWNER,
    current_preview,
    preview_logs,
    start_preview,
    stop_preview,
)
from generations.running.test_runs import request_tests

router = Router(tags=["running"])
VERSION = "/{uuid:generation_id}/versions/{int:number}"


class LogAfter(Schema):
    after: int = Field(0, ge=0, le=1_000_000_000, description="Log lines after this one")


class TestResultOut(Schema):
    name: str
    file: str
    outcome: str
    seconds: float
    message: str
    output: str


class TestRunOut(Schema):
    state: str
    message: str
    passed: int
    failed: int
    errors: int
    skipped: int
    seconds: float | None
    environment_seconds: float | None
    environment_built: bool
    requested_at: datetime
    finished_at: datetime | None
    output: str
    tests: list[TestResultOut]


class LogOut(Schema):
    lines: list[str]
    last: int
    note: str


class PreviewOut(Schema):
    id: str
    state: str
    reason: str
    url: str  # the app, on the preview's own host: a browser needs enter_url's cookie first
    enter_url: str  # good for a few minutes: gives the preview's cookie, then opens the app
    page_url: str  # the preview filling an Iterum page (for a browser)
    created_at: datetime
    running_at: datetime | None
    stopped_at: datetime | None
    logs: LogOut


def test_run_out(run: TestRun) -> dict:
    return {
        **{field: getattr(run, field) for field in TestRunOut.model_fields if field != "tests"},
        "tests": list(run.results.values(*TestResultOut.model_fields)),
    }


def preview_out(request, preview: Preview, after: int = 0) -> dict:
    version = preview.version
    return {
        "id": preview.id,
        "state": preview.state,
        "reason": preview.reason,
        "url": access.origin(preview.id, request) + preview.landing,
        "enter_url": access.enter_url(preview, request.user, request) if preview.active else "",
        "page_url": request.build_absolute_uri(
            reverse("version-preview-page", args=[version.generation_id, version.number])
        ),
        "created_at": preview.created_at,
        "running_at": preview.running_at,
        "stopped_at": preview.stopped_at,
        "logs": preview_logs(preview, after),
    }


@router.post(
    VERSION + "/tests",
    response=responses({202: TestRunOut}, 409),
    summary="Run a version's tests",
    operation_id="runTests",
)
def post_tests(request, generation_id: UUID, number: Path[VersionPath]):
    """Run the version's own tests in the sandbox, with its environment (built and
    cached per manifest); read the outcome with GET. 409 when running is turned off."""
    version = owned_version(request, generation_id, number.number)
    try:
        run = request_tests(version=version)
    except ActionRefused as refusal:
        raise HttpError(409, str(refusal)) from None
    return Status(202, test_run_out(run))


@router.get(
    VERSION + "/tests",
    response=responses({200: TestRunOut}),
    summary="Read a version's last test run",
    operation_id="getTests",
)
def get_tests(request, generation_id: UUID, number: Path[VersionPath]):
    """The last test run, test by test; 404 before the first."""
    version = owned_version(request, generation_id, number.number)
    run = TestRun.objects.filter(version=version).first()
    if run is None:
        raise HttpError(404, "This version's tests have not been run yet.")
    return test_run_out(run)


@router.post(
    VERSION + "/preview",
    response=responses({201: PreviewOut}, 409),
    summary="Start a version's preview",
    operation_id="startPreview",
)
def post_preview(request, response: HttpResponse, generation_id: UUID, number: Path[VersionPath]):
    """Start the version's app in the sandbox (or return the running one); `Location` is
    the preview to poll."""
    version = owned_version(request, generation_id, number.number)
    try:
        preview = start_preview(version=version, user=request.user)
    except ActionRefused as refusal:
        raise HttpError(409, str(refusal)) from None
    response["Location"] = api_version_url(version) + "/preview"
    return Status(201, preview_out(request, preview))


@router.get(
    VERSION + "/preview",
    response=responses({200: PreviewOut}),
    summary="Read a version's preview",
    operation_id="getPreview",
)
def get_preview(request, generation_id: UUID, number: Path[VersionPath], after: Query[LogAfter]):
    """Its state, URL and log (the lines after `after`), running or stopped on its own;
    404 if it has not been run, or once its owner stopped it (DELETE)."""
    preview = current_preview(owned_version(request, generation_id, number.number))
    if preview is None:
        raise HttpError(404, "This version has not been run.")
    if stopped_by_owner(preview):
        raise HttpError(404, "This version's preview was stopped; start it again with POST.")
    return preview_out(request, preview, after.after)


@router.delete(
    VERSION + "/preview",
    response=responses({200: PreviewOut}),
    summary="Stop a version's preview",
    operation_id="stopPreview",
)
def delete_preview(request, generation_id: UUID, number: Path[VersionPath]):
    """Stop the version's app: everything in its sandbox is killed. 404 when none runs."""
    preview = current_preview(owned_version(request, generation_id, number.number))
    if preview is None or not preview.active:
        raise HttpError(404, "No preview of this version is running.")
    return preview_out(request, stop_preview(preview=preview))


def stopped_by_owner(preview: Preview) -> bool:
    return preview.state == Preview.State.STOPPED and preview.reason == STOPPED_BY_OWNER
