"""The checks of a version's files as the app runs them, with the settings: for the worker
(through its host, generations.runs.host) and for the versions made without a model
(manual edits, uploads, restores)."""

import functools
from collections.abc import Callable

from django.conf import settings

from generations.file_facts import DatabaseFactStore
from generations.models import Version
from orchestrator.checks import CheckReport, check_project
from orchestrator.checks.sandbox import SandboxLimits, sandbox_check


def stored_facts() -> DatabaseFactStore | None:
    """Where every process keeps what the checks learn of each file (None: memory only)."""
    return DatabaseFactStore() if settings.CHECK_FACTS_STORED else None


def project_checks(store: DatabaseFactStore | None) -> Callable[[dict[str, str]], CheckReport]:
    """The checks with the settings: the project's tests in the sandbox when asked for, and
    each file's facts in `store`."""
    extra = None
    if settings.CHECK_RUN_TESTS:
        limits = SandboxLimits(
            seconds=settings.CHECK_TEST_SECONDS, cpu_seconds=int(settings.CHECK_TEST_SECONDS)
        )
        extra = sandbox_check(limits, python=settings.CHECK_TEST_PYTHON)
    return functools.partial(check_project, extra=extra, store=store)


def check_version(version: Version, files: dict[str, str]) -> None:
    """Check a version's files now and keep the findings on it (the caller saves it)."""
    if settings.CHECKS_ENABLED:
        version.set_checks(project_checks(stored_facts())(files))
