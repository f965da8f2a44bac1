"""The checks of a version's files as the app runs them, with the settings: for the worker
(through its host, generations.runs.host) and for the versions made without a model
(manual edits, uploads, restores)."""

import functools
from collections.abc import Callable

from django.conf import settings

from generations.file_facts import DatabaseFactStore
from generations.models import Version
from generations.running.test_runs import CheckedTests
from orchestrator.checks import CheckReport, check_project


def stored_facts() -> DatabaseFactStore | None:
    """Where every process keeps what the checks learn of each file (None: memory only)."""
    return DatabaseFactStore() if settings.CHECK_FACTS_STORED else None


def project_checks(
    store: DatabaseFactStore | None, tests: CheckedTests | None = None
) -> Callable[[dict[str, str]], CheckReport]:
    """The checks with the settings, each file's facts in `store`; `tests` runs the
    project's own tests by the runner too (a run gives one when CHECK_RUN_TESTS is on, and
    keeps the report of the files it ends with)."""
    return functools.partial(check_project, extra=tests, store=store)


def check_version(version: Version, files: dict[str, str]) -> None:
    """Check a version's files now and keep the findings on it (the caller saves it)."""
    if settings.CHECKS_ENABLED:
        version.set_checks(project_checks(stored_facts())(files))
