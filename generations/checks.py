"""The checks as the app runs them: with the settings, for the worker and for the versions
made without a model (manual edits, uploads, restores)."""

import functools
from collections.abc import Callable

from django.conf import settings

from generations.fact_store import DatabaseFactStore
from generations.models import Version
from generations.running.test_runs import CheckedTests
from orchestrator.checks import CheckReport, check_project


def project_checks(tests: CheckedTests | None = None) -> Callable[[dict[str, str]], CheckReport]:
    """The checks with the settings; `tests` runs the project's tests by the runner too
    (a run gives one when CHECK_RUN_TESTS is on, and keeps the last report)."""
    return functools.partial(check_project, extra=tests, store=stored_facts())


def stored_facts() -> DatabaseFactStore | None:
    """Where every process keeps what the checks learn of each file (None: memory only)."""
    return DatabaseFactStore() if settings.CHECK_FACTS_STORED else None


def check_version(version: Version, files: dict[str, str]) -> None:
    """Check a version's files now and keep the findings on it (the caller saves it)."""
    if settings.CHECKS_ENABLED:
        version.set_checks(project_checks()(files))
