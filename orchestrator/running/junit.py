"""Per-test results from JUnit XML, as pytest (--junitxml) and node --test
(--test-reporter=junit) write it.

The report comes out of the sandbox, so it is untrusted: it is parsed with defusedxml (no
entities, no external references), and what is kept of it is bounded.
"""

from dataclasses import dataclass

import defusedxml.ElementTree as ElementTree
from defusedxml import DefusedXmlException

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
MAX_CASES = 1000
MAX_OUTPUT = 4000  # characters kept of one test's failure


@dataclass(frozen=True)
class TestCase:
    name: str  # "test_create (tests/test_api.py)" style: the suite's and the test's names
    file: str  # the project file it is in, when the report says
    outcome: str  # PASSED, FAILED, ERROR or SKIPPED
    seconds: float
    message: str = ""  # the failure's one line
    output: str = ""  # its traceback and captured output

    __test__ = False  # not a pytest class

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "file": self.file,
            "outcome": self.outcome,
            "seconds": self.seconds,
            "message": self.message,
            "output": self.output,
        }


class ReportUnreadable(Exception):
    pass


def parse_junit(xml: bytes, project_root: str = "/project/") -> list[TestCase]:
    """Every <testcase> in the report, nested suites included, in document order."""
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise ReportUnreadable(f"the test report could not be read ({error})") from None
    cases = []
    for element in root.iter("testcase"):
        if len(cases) >= MAX_CASES:
            break
        cases.append(_case(element, project_root))
    return cases


def _case(element, project_root: str) -> TestCase:
    name = element.get("name", "") or "(unnamed)"
    classname = element.get("classname", "")
    file = (element.get("file", "") or "").removeprefix(project_root).removeprefix("./")
    outcome, message, output = PASSED, "", ""
    for child in element:
        tag = child.tag
        if tag in ("failure", "error"):
            outcome = FAILED if tag == "failure" else ERROR
            message = child.get("message", "") or ""
            output = (child.text or "").strip()
            break
        if tag == "skipped":
            outcome, message = SKIPPED, child.get("message", "") or ""
    if outcome in (FAILED, ERROR):
        extra = [(child.text or "").strip() for child in element if child.tag == "system-err"]
        output = "\n".join(part for part in (output, *extra) if part)
    # node --test names every case's class "test"; pytest gives the module and class.
    label = name if classname in ("", "test") else f"{classname}.{name}"
    return TestCase(
        name=label[:300],
        file=file[:300],
        outcome=outcome,
        seconds=_seconds(element.get("time")),
        message=message.strip()[:500],
        output=output[-MAX_OUTPUT:],
    )


def _seconds(raw: str | None) -> float:
    try:
        return round(max(0.0, float(raw or 0)), 4)
    except ValueError:
        return 0.0
