"""Running a version: its tests and its live preview, with the same actions as the version
page's Run panel (generations.running)."""

from datetime import datetime

from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from generations.api.schemas import MessageOut
from generations.ownership import owned_version
from generations.refusals import ActionRefused
from generations.running import access
from generations.running.models import Preview, TestRun
from generations.running.previews import (
    current_preview,
    preview_logs,
    start_preview,
    stop_preview,
)
from generations.running.test_runs import request_tests

router = Router(tags=["running"])
VERSION = "/{uuid:generation_id}/versions/{int:number}"


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
    response={202: TestRunOut, 409: MessageOut},
    summary="Run the version's own tests (in the sandbox, with its environment)",
)
def post_tests(request, generation_id, number: int):
    version = owned_version(request, generation_id, number)
    try:
        run = request_tests(version=version)
    except ActionRefused as refusal:
        raise HttpError(409, str(refusal)) from None
    return Status(202, test_run_out(run))


@router.get(
    VERSION + "/tests",
    response={200: TestRunOut, 404: MessageOut},
    summary="The version's last test run, test by test",
)
def get_tests(request, generation_id, number: int):
    version = owned_version(request, generation_id, number)
    run = TestRun.objects.filter(version=version).first()
    if run is None:
        raise HttpError(404, "This version's tests have not been run yet.")
    return test_run_out(run)


@router.post(
    VERSION + "/preview",
    response={201: PreviewOut, 409: MessageOut},
    summary="Start the version's app in the sandbox (or return the running one)",
)
def post_preview(request, generation_id, number: int):
    version = owned_version(request, generation_id, number)
    try:
        preview = start_preview(version=version, user=request.user)
    except ActionRefused as refusal:
        raise HttpError(409, str(refusal)) from None
    return Status(201, preview_out(request, preview))


@router.get(
    VERSION + "/preview",
    response={200: PreviewOut, 404: MessageOut},
    summary="The version's preview: its state, URL and log (lines after `after`)",
)
def get_preview(request, generation_id, number: int, after: int = 0):
    preview = current_preview(owned_version(request, generation_id, number))
    if preview is None:
        raise HttpError(404, "This version has not been run.")
    return preview_out(request, preview, max(after, 0))


@router.delete(
    VERSION + "/preview",
    response={200: PreviewOut, 404: MessageOut},
    summary="Stop the version's app: everything in its sandbox is killed",
)
def delete_preview(request, generation_id, number: int):
    preview = current_preview(owned_version(request, generation_id, number))
    if preview is None:
        raise HttpError(404, "This version has not been run.")
    return preview_out(request, stop_preview(preview=preview))
