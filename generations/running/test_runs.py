"""A version's own tests: asked of the runner (from the page, the API, or the checks of a
run, whose failures then reach the fix round), and the report kept test by test."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from generations.live.events import publish_about
from generations.models import Version
from generations.refusals import ActionRefused
from generations.running.configured import runner
from generations.running.models import TestResult, TestRun
from generations.storage import version_files
from orchestrator.checks.findings import Finding
from orchestrator.running.project_tests import UNAVAILABLE, TestReport
from orchestrator.running.runner import RunnerError

NOT_RUN = "The project's tests were not run"
TICK_SECONDS = 5.0


def request_tests(*, version: Version) -> TestRun:
    """Ask the runner to run the version's tests; the report arrives later (tests_finished).
    A run already under way is returned as it is."""
    if not settings.RUN_ENABLED:
        raise ActionRefused("Running projects is turned off on this server (RUN_ENABLED).")
    if not version.has_files:
        raise ActionRefused("This version has no files to test.")
    with transaction.atomic():
        run, created = TestRun.objects.select_for_update().get_or_create(version=version)
        if not created and run.state == TestRun.State.RUNNING:
            return run
        run.results.all().delete()
        _reset(run)
        run.save()
    _announce(version, run)
    try:
        runner().test(run_key(run), version_files(version))
    except RunnerError as error:
        report = TestReport(UNAVAILABLE, message=f"{NOT_RUN}: {error.message}")
        return record_report(version=version, report=report)
    return run


def run_key(run: TestRun) -> str:
    """Names one request of a run, so a late report of an earlier request is not kept."""
    return f"{run.pk}-{int(run.requested_at.timestamp() * 1000)}"


def tests_finished(key: str, report: TestReport) -> None:
    """The runner's report of a run asked for with request_tests (in the runner's host)."""
    try:
        run_id = int(key.split("-", 1)[0])
        run = TestRun.objects.select_related("version__generation").filter(pk=run_id).first()
        if run is not None and run_key(run) == key:
            record_report(version=run.version, report=report)
    finally:
        connections.close_all()  # this thread ends here


def record_report(*, version: Version, report: TestReport) -> TestRun:
    """Keep a report as the version's test run, replacing what it had, and announce it."""
    with transaction.atomic():
        run, _ = TestRun.objects.select_for_update().get_or_create(version=version)
        run.results.all().delete()
        TestResult.objects.bulk_create(
            TestResult(
                run=run,
                position=position,
                name=case.name,
                file=case.file,
                outcome=case.outcome,
                seconds=case.seconds,
                message=case.message,
                output=case.output,
            )
            for position, case in enumerate(report.cases)
        )
        run.state = report.state
        run.message = report.message
        run.output = report.output
        run.passed, run.failed = report.passed, report.failed
        run.errors, run.skipped = report.errors, report.skipped
        run.seconds = report.seconds or None
        run.environment_seconds = report.environment_seconds or None
        run.environment_built = report.environment_built
        run.finished_at = timezone.now()
        run.save()
    _announce(version, run)
    return run


class CheckedTests:
    """The checks' `extra` in a run: the runner runs the tests of each set of files the
    checks look at; the report of the files the version ends with is kept for it."""

    def __init__(self, tick: Callable[[], None] = lambda: None) -> None:
        self.tick = tick  # while the runner works (an environment may take minutes to build)
        self.reports: list[tuple[dict[str, str], TestReport]] = []

    def __call__(self, files: dict[str, str]) -> tuple[list[Finding], list[str]]:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="checked-tests") as pool:
            asked = pool.submit(runner().test, "check", files, True)
            while True:
                try:
                    report = TestReport.from_dict(asked.result(timeout=TICK_SECONDS))
                    break
                except FuturesTimeout:
                    self.tick()
                except RunnerError as error:
                    report = TestReport(UNAVAILABLE, message=f"{NOT_RUN}: {error.message}")
                    break
        self.reports = [*self.reports[-3:], (files, report)]
        if report.state == UNAVAILABLE:
            return [], [report.message]
        return report.findings(files), []

    def report_for(self, files: dict[str, str]) -> TestReport | None:
        return next((report for seen, report in reversed(self.reports) if seen == files), None)


def _reset(run: TestRun) -> None:
    run.state = TestRun.State.RUNNING
    run.message = run.output = ""
    run.passed = run.failed = run.errors = run.skipped = 0
    run.seconds = run.environment_seconds = None
    run.environment_built = False
    run.requested_at = timezone.now()
    run.finished_at = None


def _announce(version: Version, run: TestRun) -> None:
    message = "Running the tests..." if run.state == TestRun.State.RUNNING else run.summary
    publish_about(
        version,
        "tests",
        f"tests_{run.state}",
        message,
        tests_state=run.state,
        passed=run.passed,
        failed=run.failed,
        errors=run.errors,
        skipped=run.skipped,
    )
