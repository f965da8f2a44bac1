"""What the Run panel shows of a version: its tests, its preview and the preview's log."""

from django.conf import settings
from django.http import HttpRequest

from generations.live.events import current_event_id
from generations.models import Version
from generations.running import access
from generations.running.models import Preview, TestRun
from generations.running.previews import current_preview, preview_logs

LOG_LINES_SHOWN = 200


def panel_context(request: HttpRequest, version: Version) -> dict:
    preview = current_preview(version)
    test_run = TestRun.objects.filter(version=version).first()
    log = {"lines": [], "last": 0, "note": ""}
    if preview is not None and preview.active:
        log = preview_logs(preview)
        log["lines"] = log["lines"][-LOG_LINES_SHOWN:]
    return {
        "version": version,
        "generation": version.generation,
        "run_enabled": settings.RUN_ENABLED,
        "preview": preview,
        "log": log,
        "test_run": test_run,
        "failures": (
            test_run.results.exclude(outcome="passed").exclude(outcome="skipped")
            if test_run is not None
            else []
        ),
        "last_event_id": current_event_id(version),
        # A fresh hand-over each time the frame is drawn (the token lasts minutes).
        "enter_url": (
            access.enter_url(preview, request.user, request)
            if preview is not None and preview.state == Preview.State.RUNNING
            else ""
        ),
    }
