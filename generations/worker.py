"""Running one claimed version through the pipeline: the emit callback bound to it, the
heartbeat, the cancel check, the options, and a true final status whatever happens."""

import logging
import time

from django.conf import settings

from generations.checks import project_checks, stored_facts
from generations.live.events import TERMINAL_STATUSES
from generations.models import Version
from generations.providers import get_provider, retry_policy
from generations.running.test_runs import CheckedTests, record_report
from generations.runs import (
    beat,
    call_forecast,
    cancel_version_run,
    expected_duration,
    fail_version,
    finish_version,
    log_model_call,
    record_progress,
    version_files,
)
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
from orchestrator.progress import CallForecast
from orchestrator.providers.base import ModelProvider

logger = logging.getLogger(__name__)
CANCEL_CHECK_SECONDS = 0.2  # the cancel flag is read at least this often while a run works


class VersionEventSink:
    """The emit callback bound to one version: row update and event for each stage."""

    def __init__(self, version: Version) -> None:
        self.version = version
        self.live_files: list[dict] = []

    def __call__(self, event: ProgressEvent) -> None:
        if event.status in TERMINAL_STATUSES:
            raise ValueError("a run's final event is announced by generations.runs only")
        left = self.version.seconds_left(progress=event.progress)
        if left is not None:
            event.extra["eta_seconds"] = round(left, 1)
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
    """Answers "was cancel asked?" as often as the pipeline asks (every chunk of the model's
    stream), reading the flag from the database at most every `interval` seconds."""

    def __init__(self, version_id: int, interval: float = CANCEL_CHECK_SECONDS) -> None:
        self.version_id = version_id
        self.interval = interval
        self._checked = -interval
        self._asked = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self._asked and now - self._checked >= self.interval:
            self._checked = now
            self._asked = Version.objects.filter(pk=self.version_id, cancel_requested=True).exists()
        return self._asked


def run_options(
    version: Version, provider: ModelProvider, tests: CheckedTests | None = None
) -> RunOptions:
    def forecast(purpose: str, prompt_chars: int) -> CallForecast | None:
        return call_forecast(
            provider=provider.name, model=provider.model, purpose=purpose, prompt_chars=prompt_chars
        )

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
        forecast=forecast,
        check=project_checks(tests) if settings.CHECKS_ENABLED else None,
        fix_rounds=settings.CHECK_FIX_ROUNDS,
        fact_store=stored_facts(),
    )


def execute_version(version: Version) -> Version:
    """Run the pipeline for a claimed version and save what it made."""
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
    tests = CheckedTests(tick=Heartbeat(version, interval=0)) if settings.CHECK_RUN_TESTS else None
    options = run_options(version, provider, tests)
    if flow == "generation":
        result = generate(brief, provider, reporter, options)
    else:
        files = version_files(version.parent)
        result = iterate(files, version.prompt, brief, provider, reporter, options)
    if not isinstance(result, PipelineResult):
        raise PipelineError("The pipeline ended without a result, so nothing was saved.")
    if flow == "generation":
        reporter.stage("saving", f"Saving {len(result.files)} files...")
    finished = finish_version(version=version, result=result)
    if tests is not None and (report := tests.report_for(result.files)) is not None:
        record_report(version=finished, report=report)  # the tests of the files it kept
    return finished


def run_claimed(version: Version) -> Version:
    """Run a claimed version and leave it in a true final status whatever happens."""
    try:
        return execute_version(version)
    except Cancelled:
        return cancel_version_run(version=version)
    except PipelineError as error:
        return fail_version(version=version, reason=error.message)
    except Exception as error:
        logger.exception("version %s failed", version.pk)
        return fail_version(
            version=version,
            reason=f"Something went wrong on our side ({type(error).__name__}: {error}). "
            "Nothing was saved; try again, and tell the administrator if it repeats.",
        )
