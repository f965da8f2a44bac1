"""The skip policy CI runs with (tests/skips.py): only listed skips, with their reason."""

import re
from pathlib import Path

import pytest

from tests.skips import ALLOWED, allowed_skips, unlisted

ROOT = Path(__file__).resolve().parents[2]


def test_a_skip_is_allowed_only_with_its_listed_reason():
    allowed = allowed_skips("# why\ntests/a.py::test_x[* | REDIS_URL is not set\n")
    skipped = [
        ("tests/a.py::test_x[one]", "REDIS_URL is not set"),
        ("tests/a.py::test_x[two]", "redis-server is not installed"),
        ("tests/b.py::test_y", "REDIS_URL is not set"),
    ]
    assert unlisted(skipped, allowed) == [
        "tests/a.py::test_x[two]: redis-server is not installed",
        "tests/b.py::test_y: REDIS_URL is not set",
    ]


def test_a_line_without_its_reason_is_refused():
    with pytest.raises(ValueError, match="line 2"):
        allowed_skips("# comment\ntests/a.py::test_x\n")


def test_every_listed_skip_names_a_test_that_exists():
    for pattern, _ in allowed_skips(ALLOWED.read_text()):
        path, _, name = pattern.partition("::")
        source = (ROOT / path).read_text()
        name = name.split("[")[0].rstrip("*")
        assert re.search(rf"^def {re.escape(name)}\w*\(", source, re.M), pattern
