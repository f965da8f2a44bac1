"""The background task that runs one version through the pipeline."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from generations.actions import (
    OwnerAtLimit,
    beat,
    cancel_version_run,
    claim_version,
    expected_duration,
    fail_version,
    finish_version,
    log_model_call,
    record_progress,
    version_files,
)
from generations.events import TERMINAL_STATUSES, publish
from generations.models import Version
from generations.providers import get_provider, retry_policy
from orchestrator import (
    Cancelled,
    PipelineError,
    PipelineResult,
    ProgressEvent,
    ProjectBrief,
    Reporter,
    generate,
    iterate,
)
from orchestrator.options import RunOptions
from orchestrator.paths import ProjectLimits

logger = logging.getLogger(__name__)


class VersionEventSink:
    """The emit callback bound to one version: row update and event for each stage."""

    def __init__(self, version: Version) -> None:
        self.version = version
        self.live_files: list[dict] = []

    def __call__(self, event: ProgressEvent) -> None:
        left = self.version.seconds_left()
        if left is not None and event.status == "processing":
            event.extra["eta_seconds"] = round(left)
        if event.status in TERMINAL_STATUSES:
            publish(self.version, event)  # the final row was written with the files
            return
        if event.stage == "file_generated":
            # A retried call reports its files again: keep each path once.
            entry = {"path": event.extra.get("file"), "action": event.extra.get("action")}
            self.live_files = [f for f in self.live_files if f["path"] != entry["path"]]
            self.live_files.append(entry)
        record_progress(version=self.version, event=event, live_files=self.live_files)


class Heartbeat:
    """Marks the version alive at most every `interval` seconds while the model works."""

    def __init__(self, version: Version, interval: float = 5.0) -> None:
        self.version = version
        self.interval = interval
        self._last = time.monotonic()

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            beat(version=self.version)


class CancelCheck:
    """Reads the version's cancel flag at most every `interval` seconds."""

    def __init__(self, version_id: int, interval: float = 0.5) -> None:
        self.version_id = version_id
        self.interval = interval
        self._checked = 0.0

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self._checked < self.interval:
            return False
        self._checked = now
        return Version.objects.filter(pk=self.version_id, cancel_requested=True).exists()


def run_options(version: Version) -> RunOptions:
    return RunOptions(
        limits=ProjectLimits(
            max_files=settings.PROJECT_MAX_FILES,
            max_total_bytes=settings.PROJECT_MAX_BYTES,
            max_file_bytes=settings.FILE_MAX_BYTES,
        ),
        context_budget_tokens=settings.CONTEXT_BUDGET_TOKENS,
        retry=retry_policy(),
        should_cancel=CancelCheck(version.pk),
        on_model_call=lambda call: log_model_call(version=version, call=call),
        on_tick=Heartbeat(version),
    )


def execute_version(version: Version) -> PipelineResult:
    """Run the pipeline for a claimed version and return what it made."""
    generation = version.generation
    provider = get_provider()
    version.expected_seconds = expected_duration(
        provider=provider.name, model=provider.model, kind=version.kind
    )
    Version.objects.filter(pk=version.pk).update(
        provider=provider.name, model=provider.model, expected_seconds=version.expected_seconds
    )
    brief = ProjectBrief(
        title=generation.title,
        prompt=generation.prompt,
        stack=generation.tech_stack,
        domain=generation.domain,
        constraints=generation.constraints,
    )
    flow = "generation" if version.kind == Version.Kind.GENERATE else "iteration"
    reporter = Reporter(VersionEventSink(version), flow=flow)
    options = run_options(version)
    if flow == "generation":
        result = generate(brief, provider, reporter, options)
    else:
        files = version_files(version.parent)
        result = iterate(files, version.prompt, brief, provider, reporter, options)
    if not isinstance(result, PipelineResult):
        raise PipelineError("The pipeline ended without a result, so nothing was saved.")
    return finish_version(version=version, result=result, reporter=reporter)


DEFER_SECONDS = 2.0  # how long a version waits when its owner has the most runs allowed


@task()
def run_version(version_id: int) -> str:
    """Claim the version, run it, and leave it in a true final status whatever happens."""
    try:
        version = claim_version(version_id=version_id)
    except OwnerAtLimit:
        # The owner has as many runs going as allowed: wait in the queue, free the worker.
        later = timezone.now() + timedelta(seconds=DEFER_SECONDS)
        run_version.using(run_after=later).enqueue(version_id)
        return "deferred"
    if version is None:
        logger.info("version %s was not queued any more; skipped", version_id)
        return "skipped"
    try:
        version = execute_version(version)
    except Cancelled:
        version = cancel_version_run(version=version)
    except PipelineError as error:
        version = fail_version(version=version, reason=error.message)
    except Exception as error:
        logger.exception("version %s failed", version_id)
        version = fail_version(
            version=version,
            reason=f"Something went wrong on our side ({type(error).__name__}: {error}). "
            "Nothing was saved; try again, and tell the administrator if it repeats.",
        )
    return version.status
