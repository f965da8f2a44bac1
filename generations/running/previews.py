"""A version's live preview: started and stopped for its owner within their limit, and what
the runner reports of it (its state, its log) kept on its row and sent on the version's
channel, as `preview` and `preview-log` events."""

import contextlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from generations.live.events import publish_about
from generations.models import Version
from generations.refusals import ActionRefused
from generations.running.access import new_preview_id
from generations.running.configured import runner
from generations.running.models import Preview
from generations.storage import version_files
from orchestrator.running.runner import RunnerError

ORDER = [
    Preview.State.BUILDING,
    Preview.State.STARTING,
    Preview.State.RUNNING,
    Preview.State.STOPPED,
]
MESSAGES = {
    Preview.State.BUILDING: "Building the environment...",
    Preview.State.STARTING: "Starting the app...",
    Preview.State.RUNNING: "The app is running.",
    Preview.State.STOPPED: "The app stopped",
}
LOG_EVENT_CHARS = 16_000  # of log lines per event; the runner keeps the whole log


def current_preview(version: Version) -> Preview | None:
    return version.previews.order_by("-created_at").first()


def start_preview(*, version: Version, user) -> Preview:
    """Start the version's app, or return the preview already running it."""
    if not settings.RUN_ENABLED:
        raise ActionRefused("Running projects is turned off on this server (RUN_ENABLED).")
    if not version.has_files:
        raise ActionRefused("This version has no files to run.")
    with transaction.atomic():
        # The user's row, held to the transaction's end: two clicks at once are counted one
        # after the other. (generations.runs.limits.lock_user does the same for runs; this
        # app may not import runs, whose checks import it.)
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        running = version.previews.filter(state__in=Preview.ACTIVE).first()
        if running is not None:
            return running
        active = Preview.objects.filter(user=user, state__in=Preview.ACTIVE).count()
        if active >= settings.PREVIEW_MAX_PER_USER:
            raise ActionRefused(
                f"You have {active} previews running, the most allowed "
                f"({settings.PREVIEW_MAX_PER_USER}). Stop one to start another."
            )
        preview = Preview.objects.create(id=new_preview_id(), version=version, user=user)
    _publish_state(preview)
    try:
        described = runner().start(preview.id, version_files(version))
    except RunnerError as error:
        return record_state(preview.id, Preview.State.STOPPED, error.message) or preview
    Preview.objects.filter(pk=preview.pk).update(landing=described.get("landing") or "/")
    preview.landing = described.get("landing") or "/"
    return preview


STOPPED_BY_OWNER = "stopped by its owner"


def stop_preview(*, preview: Preview, reason: str = STOPPED_BY_OWNER) -> Preview:
    """Stop it: everything in its sandbox is killed. Stopping a stopped one changes nothing."""
    if not preview.active:
        return preview
    # The runner may be gone, or no longer hold it: either way it runs no more.
    with contextlib.suppress(RunnerError):
        runner().stop(preview.id, reason)
    return record_state(preview.id, Preview.State.STOPPED, reason) or preview


def record_state(preview_id: str, state: str, reason: str = "") -> Preview | None:
    """What the runner reports: a preview's states only go forward; stopped is final."""
    with transaction.atomic():
        preview = (
            Preview.objects.select_for_update()
            .select_related("version__generation")
            .filter(pk=preview_id)
            .first()
        )
        if preview is None or ORDER.index(state) <= ORDER.index(preview.state):
            return preview
        preview.state, preview.reason = state, reason[:2000]
        now = timezone.now()
        if state == Preview.State.RUNNING:
            preview.running_at = now
        if state == Preview.State.STOPPED:
            preview.stopped_at = now
        preview.save(update_fields=["state", "reason", "running_at", "stopped_at"])
    _publish_state(preview)
    return preview


def record_log(preview_id: str, lines: tuple[str, ...] | list[str], first_line: int) -> None:
    """Send new log lines on the version's channel (at most LOG_EVENT_CHARS of them)."""
    preview = Preview.objects.select_related("version__generation").filter(pk=preview_id).first()
    if preview is None:
        return
    kept, size = [], 0
    for line in lines:
        size += len(line) + 1
        if size > LOG_EVENT_CHARS:
            kept.append(f"[iterum] ... {len(lines) - len(kept)} more lines in the full log")
            break
        kept.append(line)
    publish_about(
        preview.version,
        "preview-log",
        "preview_log",
        f"{len(lines)} new log line{'s' if len(lines) != 1 else ''}",
        preview_id=preview.id,
        lines=kept,
        first_line=first_line,
    )


def stop_all_recorded(reason: str) -> int:
    """Mark every preview not yet stopped as stopped (a runner starts with none running)."""
    ids = list(Preview.objects.filter(state__in=Preview.ACTIVE).values_list("pk", flat=True))
    for preview_id in ids:
        record_state(preview_id, Preview.State.STOPPED, reason)
    return len(ids)


def preview_logs(preview: Preview, after: int = 0) -> dict:
    """The app's log as the runner holds it; empty, with why, when it holds it no more."""
    try:
        return runner().logs(preview.id, after) | {"note": ""}
    except RunnerError as error:
        return {"lines": [], "last": after, "note": error.message}


def _publish_state(preview: Preview) -> None:
    message = MESSAGES[preview.state]
    if preview.state == Preview.State.STOPPED and preview.reason:
        message += f": {preview.reason}"
    publish_about(
        preview.version,
        "preview",
        f"preview_{preview.state}",
        message,
        preview_id=preview.id,
        preview_state=preview.state,
        reason=preview.reason,
    )
