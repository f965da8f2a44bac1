"""No test skips unnoticed: with ITERUM_NO_SKIPS=1 (as .ci/run sets it), a skip that
tests/allowed_skips.txt does not list, with its reason, fails the run. A pytest plugin,
loaded by tests/conftest.py."""

import os
from pathlib import Path

import pytest

ALLOWED = Path(__file__).with_name("allowed_skips.txt")


def allowed_skips(text: str) -> list[tuple[str, str]]:
    """The (test id pattern, reason) pairs of the list; blank lines and # comments aside."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, separator, reason = line.partition(" | ")
        if not separator or not pattern.strip() or not reason.strip():
            raise ValueError(f"{ALLOWED.name}, line {number}: write `test id | reason`")
        pairs.append((pattern.strip(), reason.strip()))
    return pairs


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason a skip gave, as pytest reports it ("Skipped: " taken off)."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def unlisted(skipped: list[tuple[str, str]], allowed: list[tuple[str, str]]) -> list[str]:
    """The skips no entry of the list allows, as "test id: reason"."""
    return [
        f"{test}: {reason}"
        for test, reason in skipped
        if not any(matches(test, pattern) and reason == r for pattern, r in allowed)
    ]


def matches(test: str, pattern: str) -> bool:
    """A test id, or every id that begins so when the pattern ends with *."""
    if pattern.endswith("*"):
        return test.startswith(pattern[:-1])
    return test == pattern


class SkipPolicy:
    def __init__(self) -> None:
        self.skipped: list[tuple[str, str]] = []
        self.refused: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append((report.nodeid, skip_reason(report)))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:
            self.skipped.append((report.nodeid, skip_reason(report)))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.refused = unlisted(self.skipped, allowed_skips(ALLOWED.read_text()))
        if self.refused and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.refused:
            terminalreporter.section("skips that tests/allowed_skips.txt does not allow", red=True)
            for line in self.refused:
                terminalreporter.line(line, red=True)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("ITERUM_NO_SKIPS") == "1":
        config.pluginmanager.register(SkipPolicy(), "iterum-skip-policy")
