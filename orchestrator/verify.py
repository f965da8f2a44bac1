"""The checking stage and its fix round: check the new version, and when the model's change
brought errors, send the model exactly those findings and the files involved, merge its fix
and check again. The version is kept with its findings either way: a fix that does not help
shows what is still wrong, it does not fail the run.

Only errors the change brought count for the fix round: what was already wrong in the
version the user started from (a file they broke by hand) is shown, not sent back.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestrator.calls import Run
from orchestrator.checks import CheckReport, Finding
from orchestrator.errors import EditFailed, ModelAnswerInvalid
from orchestrator.operations import Operation
from orchestrator.prompts import fix_request
from orchestrator.repair import settle
from orchestrator.results import ProjectBrief

FIX_FILES = 12  # the files a fix request quotes in full, at most


@dataclass(frozen=True)
class Verified:
    files: dict[str, str]
    report: CheckReport | None  # None when checks are off
    notes: tuple[str, ...] = ()
    renames: dict[str, str] = field(default_factory=dict)  # by fix rounds: new -> before

    def renames_since(self, earlier: dict[str, str]) -> dict[str, str]:
        """The fix rounds' renames composed with the change's own: new -> original."""
        composed = {new: old for new, old in earlier.items() if new in self.files}
        for new, middle in self.renames.items():
            composed.pop(middle, None)
            composed[new] = earlier.get(middle, middle)
        return composed


def verify(
    run: Run,
    before: dict[str, str],
    after: dict[str, str],
    *,
    brief: ProjectBrief,
    prompt: str,
    intent: str,
    report: Callable[[Operation], None] | None,
    at: float,
    fix_span: tuple[float, float],
) -> Verified:
    if not run.host.checks_enabled:
        return Verified(after, None)
    known = {f.same_problem() for f in run.host.check(before).errors} if before else set()
    result = _checked(run, after, at)
    notes: list[str] = []
    renames: dict[str, str] = {}
    for round_number in range(1, run.options.fix_rounds + 1):
        brought = [f for f in result.errors if f.same_problem() not in known]
        if not brought:
            break
        run.stage(
            "check_fix",
            f"Asking {run.model_name} to fix {_count(brought, 'problem')} the checks found "
            f"(round {round_number} of {run.options.fix_rounds})...",
            progress=fix_span[0],
            findings=len(brought),
        )
        request = fix_request(brief, prompt, after, brought, _involved(after, brought))
        try:
            answer = run.call(request, span=fix_span, known_paths=after, on_operation=report)
            settled = settle(
                run, after, answer, brief=brief, prompt=prompt, intent=intent, report=report
            )
        except (EditFailed, ModelAnswerInvalid) as failure:
            notes.append(f"The fix the model sent could not be applied ({failure.message}).")
            break
        if settled.files == after:
            notes.append("The model sent no fix for what the checks found.")
            break
        after = settled.files
        for new, middle in settled.renames.items():
            renames[new] = renames.pop(middle, middle)
        result = _checked(run, after, fix_span[1])
    if result.errors:
        notes.append(f"Checks found {result.summary().lower()}; see the version's checks.")
    return Verified(after, result, tuple(notes), renames)


def _checked(run: Run, files: dict[str, str], at: float) -> CheckReport:
    run.stage("checking", f"Checking {_count(files, 'file')}...", progress=at)
    result = run.host.check(files)
    run.stage(
        "check_result",
        f"Checks: {result.summary()}",
        errors=len(result.errors),
        warnings=len(result.warnings),
        findings=[f.as_dict() for f in result.findings[:50]],
    )
    return result


def _involved(files: dict[str, str], findings: list[Finding]) -> list[str]:
    """The files with findings, then project files their messages name (an import's target)."""
    paths = list(dict.fromkeys(f.path for f in findings if f.path in files))
    for finding in findings:
        for word in re.findall(r"[\w./-]+", finding.message):
            if word in files and word not in paths:
                paths.append(word)
    return paths[:FIX_FILES]


def _count(items, noun: str) -> str:
    return f"{len(items)} {noun}{'s' * (len(items) != 1)}"
