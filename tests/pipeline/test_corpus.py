"""Every answer of the corpus (tests/corpus) reaches its expected outcome, at any chunking.

The guarantee under test: a run ends with exactly the intended files, or with a failure
that names the file; never with other files, and never with a crash.
"""

import importlib
from pathlib import Path

import pytest

from tests.corpus import all_cases, play

CASES = all_cases()
CHUNK_SIZES = (3, 17, 4096)


def test_every_module_of_the_corpus_is_played():
    played = {case.name for case in CASES}
    folder = Path(__file__).resolve().parents[1] / "corpus"
    for path in sorted(folder.glob("cases_*.py")):
        module = importlib.import_module(f"tests.corpus.{path.stem}")
        assert {case.name for case in module.CASES} <= played, f"{path.name} is not played"


def test_case_names_are_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("chunk_size", CHUNK_SIZES)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_answer(case, chunk_size):
    outcome = play(case, chunk_size)
    assert outcome.correct, f"{outcome.category} after {outcome.calls} calls: {outcome.detail}"


def test_no_answer_ends_with_wrong_files_or_a_crash():
    outcomes = {case.name: play(case) for case in CASES}
    bad = {name: o.detail for name, o in outcomes.items() if o.category in ("wrong", "crashed")}
    assert bad == {}
