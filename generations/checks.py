"""The checks as the app runs them: with the settings, for the worker and for the versions
made without a model (manual edits, uploads, restores)."""

import functools
from collections.abc import Callable

from django.conf import settings

from generations.models import Version
from orchestrator.checks import CheckReport, check_project


def project_checks() -> Callable[[dict[str, str]], CheckReport]:
    return functools.partial(check_project)


def check_version(version: Version, files: dict[str, str]) -> None:
    """Check a version's files now and keep the findings on it (the caller saves it)."""
    if settings.CHECKS_ENABLED:
        version.set_checks(project_checks()(files))
