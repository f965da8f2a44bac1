"""Every answer of the corpus (tests/corpus) reaches its expected outcome, at any chunking.

The guarantee under test: a run ends with exactly the intended files, or with a failure
that names the file; never with other files, never "no changes" when the model proposed
some, and never with a crash. The corpus is large and varied enough to mean something:
at least 600 answers in 30 classes, 10 of them from public reports of real models' answers
in the trackers of the coding agents, each class naming its reports.
"""

import importlib
import inspect
import re
from pathlib import Path

import pytest

from tests.corpus import Fails, all_cases, case_modules, play, report_sources

CASES = all_cases()
CHUNK_SIZES = (3, 17, 4096)
# The coding agents whose trackers the report classes come from.
TRACKERS = re.compile(
    r"^https://github\.com/(?:Aider-AI/aider|cline/cline|RooCodeInc/Roo-Code|"
    r"continuedev/continue|(?:All-Hands-AI|OpenHands)/OpenHands)/(?:issues|pull)/\d+$"
)
REPORT = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+/(?:issues|pull)/\d+$")


def test_every_module_of_the_corpus_is_played():
    played = {case.name for case in CASES}
    folder = Path(__file__).resolve().parents[1] / "corpus"
    for path in sorted(folder.glob("cases_*.py")):
        module = importlib.import_module(f"tests.corpus.{path.stem}")
        assert {case.name for case in module.CASES} <= played, f"{path.name} is not played"


def test_case_names_are_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


def test_the_corpus_holds_600_answers_in_30_classes():
    assert len(CASES) >= 600
    assert len({case.kind for case in CASES}) >= 30


def test_ten_classes_come_from_reports_in_the_coding_agents_trackers():
    sources = report_sources()
    kinds = {case.kind for case in CASES}
    assert set(sources) <= kinds, "a report class without answers"
    assert all(urls and all(REPORT.match(url) for url in urls) for urls in sources.values())
    from_trackers = [kind for kind, urls in sources.items() if any(map(TRACKERS.match, urls))]
    assert len(from_trackers) >= 10, from_trackers


def test_each_report_class_names_its_reports_in_its_module():
    for module in case_modules():
        text = inspect.getsource(module)
        for kind, urls in getattr(module, "SOURCES", {}).items():
            assert kind in (module.__doc__ or ""), f"{kind} is not described in its module"
            assert all(url in (module.__doc__ or "") for url in urls), kind
            assert text.count(f'"{kind}"') >= 2, f"{kind} names no case"


def test_corpus_modules_stay_under_700_lines():
    for module in case_modules():
        assert len(inspect.getsource(module).splitlines()) < 700, module.__name__


@pytest.mark.parametrize("chunk_size", CHUNK_SIZES)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_answer(case, chunk_size):
    outcome = play(case, chunk_size)
    assert outcome.correct, f"{outcome.category} after {outcome.calls} calls: {outcome.detail}"


def test_no_answer_ends_with_wrong_files_a_crash_or_a_misreported_no_changes():
    outcomes = {case.name: play(case) for case in CASES}
    bad = {
        name: f"{o.category}: {o.detail}"
        for name, o in outcomes.items()
        if o.category in ("wrong", "misreported", "crashed")
    }
    assert bad == {}


def test_the_goals_of_the_corpus_are_met():
    """Recoverable answers end with the intended files in 95% of the cases or more; every
    well-formed answer applies without a repair call."""
    well_formed = [play(case) for case in CASES if case.well_formed]
    recoverable = [
        play(case) for case in CASES if not case.well_formed and not isinstance(case.expect, Fails)
    ]
    assert all(o.category == "applied" for o in well_formed)
    reached = sum(o.category in ("applied", "recovered") for o in recoverable)
    assert reached >= 0.95 * len(recoverable)
