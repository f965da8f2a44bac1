"""A corpus of model answers, each with its starting files, the answers the model gives
(the first one, then any repair rounds) and the outcome the pipeline must reach.

Add a case to the module of its class (cases_*.py) as `Case(...)`; tests/test_corpus.py
runs every case at several chunk sizes, and `make bench` prints the table of outcomes.
"""

import re
from dataclasses import dataclass, field

from orchestrator import LocalHost, ProjectBrief, iterate
from orchestrator.errors import PipelineError
from orchestrator.options import RunOptions
from orchestrator.providers.base import StreamChunk, Usage
from tests.corpus.projects import FLASK
from tests.support.scripted import ScriptedProvider

BRIEF = ProjectBrief(title="Demo", prompt="demo", stack="flask")
NO_CHANGES = "no_changes"


@dataclass(frozen=True)
class Fails:
    """The run must fail, with a message matching this pattern."""

    pattern: str


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # the class of answer: well_formed, fences, indentation, ...
    answers: list  # the model's answers: first the iteration, then the repair rounds
    expect: dict | str | Fails  # {path: new content or None if deleted}, NO_CHANGES, Fails
    files: dict = field(default_factory=lambda: FLASK)
    prompt: str = "make the requested change"
    well_formed: bool = False  # must apply with no repair call

    @property
    def expected_files(self) -> dict[str, str]:
        files = dict(self.files)
        for path, content in self.expect.items():
            if content is None:
                files.pop(path, None)
            else:
                files[path] = content
        return files


@dataclass(frozen=True)
class Outcome:
    # applied, recovered, failed (loudly), wrong (other files), misreported (no changes
    # where the model proposed some), crashed
    category: str
    correct: bool
    detail: str = ""
    calls: int = 0


def play(case: Case, chunk_size: int = 7) -> Outcome:
    """Run one case through `iterate` and judge what came out."""
    provider = ScriptedProvider(list(case.answers), chunk_size=chunk_size)
    options = RunOptions(sleep=lambda seconds: None)
    try:
        result = iterate(dict(case.files), case.prompt, BRIEF, provider, LocalHost(), options)
    except PipelineError as error:
        calls = len(provider.requests)
        if isinstance(case.expect, Fails):
            matched = re.search(case.expect.pattern, error.message) is not None
            return Outcome("failed", matched, error.message, calls)
        return Outcome("failed", False, error.message, calls)
    except Exception as error:  # a crash is never an acceptable outcome
        return Outcome("crashed", False, f"{type(error).__name__}: {error}", len(provider.requests))
    calls = len(provider.requests)
    repaired = calls > 1
    if isinstance(case.expect, Fails):
        return Outcome("wrong", False, f"completed ({result.outcome}) instead of failing", calls)
    if case.expect == NO_CHANGES:
        good = result.outcome == "no_changes" and result.files == case.files
    else:
        good = result.outcome == "completed" and result.files == case.expected_files
    if not good and result.outcome == "no_changes":
        return Outcome("misreported", False, _difference(case, result), calls)
    if not good:
        return Outcome("wrong", False, _difference(case, result), calls)
    category = "recovered" if repaired else "applied"
    correct = not (case.well_formed and repaired)
    return Outcome(category, correct, "" if correct else "needed a repair call", calls)


def _difference(case: Case, result) -> str:
    if case.expect == NO_CHANGES:
        return f"{result.outcome}: changed {sorted(set(result.files.items()) ^ set(case.files.items()))[:3]}"
    expected = case.expected_files
    wrong = sorted(
        path
        for path in set(expected) | set(result.files)
        if expected.get(path) != result.files.get(path)
    )
    return f"{result.outcome}; files differing: {wrong}"


def classed(
    kind: str,
    name: str,
    answers: list,
    expect: dict | str | Fails,
    files: dict = FLASK,
    prompt: str = "make the requested change",
    wf: bool = False,
) -> Case:
    """A case that names its class, for the modules that gather several classes; `wf`: well
    formed, so it must apply with no repair call."""
    return Case(name, kind, answers, expect, files=files, prompt=prompt, well_formed=wf)


# Writing answers ----------------------------------------------------------------------------


def block(
    search: str, replace: str, size: int = 7, head: str = "SEARCH", tail: str = "REPLACE"
) -> str:
    return f"{'<' * size} {head}\n{search}{'=' * size}\n{replace}{'>' * size} {tail}\n"


def edit(path: str, *blocks: tuple[str, str]) -> str:
    return f"@@@ EDIT {path}\n" + "".join(block(s, r) for s, r in blocks) + "@@@ END\n"


def whole(path: str, content: str) -> str:
    return f"@@@ FILE {path}\n{content}@@@ END\n"


def plan(*paths: str) -> str:
    return f"@@@ PLAN {', '.join(paths)}\n"


def cut(text: str) -> list:
    """An answer that hit the length limit exactly where `text` ends."""
    return [StreamChunk(text), StreamChunk("", usage=Usage(1, 1), finish_reason="MAX_TOKENS")]


def all_cases() -> list[Case]:
    """Every case of every cases_*.py module of this folder, in the modules' name order."""
    return [case for module in case_modules() for case in module.CASES]


def case_modules() -> list:
    import importlib
    from pathlib import Path

    folder = Path(__file__).resolve().parent
    return [
        importlib.import_module(f"tests.corpus.{path.stem}")
        for path in sorted(folder.glob("cases_*.py"))
    ]


def report_sources() -> dict[str, tuple[str, ...]]:
    """The classes that come from public reports of real models' answers, with the
    addresses of the reports (each module's SOURCES)."""
    sources: dict[str, tuple[str, ...]] = {}
    for module in case_modules():
        sources.update(getattr(module, "SOURCES", {}))
    return sources
