"""The pipeline's host for one claimed version (orchestrator.host.Host), the one place the
app answers the pipeline: each event written to the version's row and published, the
cancel flag, heartbeats, the call log, forecasts from earlier calls, the checks and the
file facts, all with the settings."""

import time

from django.conf import settings

from generations.live.events import TERMINAL_STATUSES
from generations.models import Version
from generations.running.test_runs import CheckedTests
from generations.runs.forecasts import call_forecast
from generations.runs.lifecycle import beat, cancel_requested, log_model_call, record_progress
from generations.version_checks import project_checks, stored_facts
from orchestrator.checks import CheckReport
from orchestrator.progress import CallForecast
from orchestrator.providers.base import ModelProvider
from orchestrator.results import CallRecord
from orchestrator.stages import ProgressEvent

CANCEL_CHECK_SECONDS = 0.2  # the cancel flag is read at least this often while a run works
HEARTBEAT_SECONDS = 5.0  # the version is marked alive at most this often


class VersionHost:
    """Runs one version's pipeline on behalf of the app."""

    def __init__(self, version: Version, provider: ModelProvider) -> None:
        self.version = version
        self.provider = provider
        self.live_files: list[dict] = []
        self.fact_store = stored_facts()
        self.checks_enabled = settings.CHECKS_ENABLED
        # The project's own tests, by the runner, when asked: failures reach the fix round,
        # and the report of the files the version ends with is kept for it (execute).
        self.tests = CheckedTests(tick=self.tick) if settings.CHECK_RUN_TESTS else None
        self._checks = project_checks(self.fact_store, self.tests)
        self._beaten = time.monotonic()
        self._cancel_read = -CANCEL_CHECK_SECONDS
        self._cancelled = False

    def emit(self, event: ProgressEvent) -> None:
        """Write the stage to the version's row and publish it, with the time left."""
        if event.status in TERMINAL_STATUSES:
            raise ValueError("a run's final event is announced by runs.lifecycle only")
        left = self.version.seconds_left(progress=event.progress)
        if left is not None:
            event.extra["eta_seconds"] = round(left, 1)
        if event.stage == "file_generated":
            # A retried call reports its files again: keep each path once.
            entry = {"path": event.extra.get("file"), "action": event.extra.get("action")}
            self.live_files = [f for f in self.live_files if f["path"] != entry["path"]]
            self.live_files.append(entry)
        record_progress(version=self.version, event=event, live_files=self.live_files)

    def should_cancel(self) -> bool:
        """Asked on every chunk of the model's stream; the flag is read from the database at
        most every CANCEL_CHECK_SECONDS."""
        now = time.monotonic()
        if not self._cancelled and now - self._cancel_read >= CANCEL_CHECK_SECONDS:
            self._cancel_read = now
            self._cancelled = cancel_requested(version_id=self.version.pk)
        return self._cancelled

    def tick(self) -> None:
        """Mark the version alive for the reaper, at most every HEARTBEAT_SECONDS."""
        now = time.monotonic()
        if now - self._beaten >= HEARTBEAT_SECONDS:
            self._beaten = now
            beat(version=self.version)

    def log_call(self, call: CallRecord) -> None:
        log_model_call(version=self.version, call=call)

    def forecast(self, purpose: str, prompt_chars: int) -> CallForecast | None:
        return call_forecast(
            provider=self.provider.name,
            model=self.provider.model,
            purpose=purpose,
            prompt_chars=prompt_chars,
        )

    def check(self, files: dict[str, str]) -> CheckReport:
        return self._checks(files)
