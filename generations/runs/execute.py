"""Running one claimed version through the pipeline, with its host, to a true final status
whatever happens: completed or no changes with the files saved, else failed with the
reason, or cancelled."""

import logging

from django.conf import settings

from generations.model_settings import get_provider, retry_policy
from generations.models import Version
from generations.refusals import ActionRefused
from generations.running.test_runs import record_report
from generations.runs.forecasts import expected_duration
from generations.runs.host import VersionHost
from generations.runs.lifecycle import cancel_version_run, fail_version, finish_version
from generations.storage import binary_files, project_limits, text_files
from generations.viewer import describe_binary
from orchestrator import Cancelled, PipelineError, PipelineResult, ProjectBrief, generate, iterate
from orchestrator.options import RunOptions

logger = logging.getLogger(__name__)


def run_options() -> RunOptions:
    """How runs behave, from the settings."""
    return RunOptions(
        limits=project_limits(),
        context_budget_tokens=settings.CONTEXT_BUDGET_TOKENS,
        retry=retry_policy(),
        fix_rounds=settings.CHECK_FIX_ROUNDS,
    )


def binary_map(version: Version) -> tuple[str, ...]:
    """The binary files of a version as the model's map lists them: path, type and size."""
    return tuple(
        f"{path} ({describe_binary(data)}, {len(data):,} bytes)"
        for path, data in sorted(binary_files(version).items())
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
        binary_files=binary_map(version.parent) if version.parent_id else (),
    )
    host = VersionHost(version, provider)
    if version.kind == Version.Kind.GENERATE:
        result = generate(brief, provider, host, run_options())
    else:
        files = text_files(version.parent)  # binary files never reach the model
        result = iterate(files, version.prompt, brief, provider, host, run_options())
    if not isinstance(result, PipelineResult):
        raise PipelineError("The pipeline ended without a result, so nothing was saved.")
    finished = finish_version(version=version, result=result)
    if host.tests is not None and (report := host.tests.report_for(result.files)) is not None:
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
    except ActionRefused as refusal:  # the files broke a limit when they were saved
        return fail_version(version=version, reason=str(refusal))
    except Exception as error:
        logger.exception("version %s failed", version.pk)
        return fail_version(
            version=version,
            reason=f"Something went wrong on our side ({type(error).__name__}: {error}). "
            "Nothing was saved; try again, and tell the administrator if it repeats.",
        )
