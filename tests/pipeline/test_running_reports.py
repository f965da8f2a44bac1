"""Per-test results read from the JUnit XML of pytest and node --test, and what they become
for the fix round."""

import pytest

from orchestrator.running.junit import MAX_CASES, ReportUnreadable, parse_junit
from orchestrator.running.project_tests import ERRORED, FAILED, PASSED, TestReport

PYTEST = b"""<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4">
<testcase classname="tests.test_api" name="test_create" file="tests/test_api.py" time="0.012"/>
<testcase classname="tests.test_api" name="test_missing" file="tests/test_api.py" time="0.003">
<failure message="AssertionError: assert 200 == 404">def test_missing():
&gt;       assert client.get("/x").status_code == 404
E       AssertionError: assert 200 == 404</failure></testcase>
<testcase classname="tests.test_db" name="test_setup" file="tests/test_db.py" time="0">
<error message="failed on setup with &quot;KeyError: 'DATABASE'&quot;">KeyError: 'DATABASE'</error>
<system-err>warning: no database</system-err></testcase>
<testcase classname="tests.test_api" name="test_later" file="tests/test_api.py" time="0">
<skipped type="pytest.skip" message="not yet">skipped</skipped></testcase>
</testsuite></testsuites>"""

NODE = b"""<?xml version="1.0" encoding="utf-8"?>
<testsuites>
\t<testcase name="adds" time="0.001609" classname="test"/>
\t<testcase name="fails" time="0.007445" classname="test" failure="1 == 2">
\t\t<failure type="testCodeFailure" message="1 == 2">AssertionError: 1 == 2</failure>
\t</testcase>
\t<testsuite name="group" time="0.000732" tests="1" failures="0">
\t\t<testcase name="inner" time="0.000243" classname="test"/>
\t</testsuite>
</testsuites>"""


def test_pytest_cases_keep_their_file_outcome_and_failure():
    cases = parse_junit(PYTEST)
    assert [(c.name, c.file, c.outcome) for c in cases] == [
        ("tests.test_api.test_create", "tests/test_api.py", "passed"),
        ("tests.test_api.test_missing", "tests/test_api.py", "failed"),
        ("tests.test_db.test_setup", "tests/test_db.py", "error"),
        ("tests.test_api.test_later", "tests/test_api.py", "skipped"),
    ]
    assert cases[1].message == "AssertionError: assert 200 == 404"
    assert "E       AssertionError" in cases[1].output
    assert cases[2].output == "KeyError: 'DATABASE'\nwarning: no database"
    assert cases[0].seconds == 0.012


def test_node_cases_nested_in_suites_are_read_too():
    cases = parse_junit(NODE)
    assert [(c.name, c.outcome) for c in cases] == [
        ("adds", "passed"),
        ("fails", "failed"),
        ("inner", "passed"),
    ]
    assert cases[1].message == "1 == 2"


@pytest.mark.parametrize(
    "xml",
    [
        b"<testsuites><testcase",
        b"",
        # An entity bomb: refused, never expanded.
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<testsuites><testcase name='&b;'/></testsuites>",
    ],
)
def test_an_unreadable_or_hostile_report_is_refused(xml):
    with pytest.raises(ReportUnreadable):
        parse_junit(xml)


def test_a_huge_report_is_cut_at_the_most_kept():
    xml = b"<testsuites>" + b"<testcase name='t'/>" * (MAX_CASES + 50) + b"</testsuites>"
    assert len(parse_junit(xml)) == MAX_CASES


def test_failures_become_findings_on_their_files():
    report = TestReport(FAILED, tuple(parse_junit(PYTEST)))
    findings = report.findings({"tests/test_api.py": "", "app.py": ""})
    assert [(f.path, f.rule, f.message) for f in findings] == [
        (
            "tests/test_api.py",
            "test",
            "tests.test_api.test_missing failed: AssertionError: assert 200 == 404",
        ),
        (
            "",
            "test",
            "tests.test_db.test_setup could not run: failed on setup with \"KeyError: 'DATABASE'\"",
        ),
    ]
    assert (report.passed, report.failed, report.errors, report.skipped) == (1, 1, 1, 1)


def test_tests_that_could_not_run_are_one_finding_on_the_manifest():
    report = TestReport(
        ERRORED, message="The package nope was not found", manifest="requirements.txt"
    )
    [finding] = report.findings({"requirements.txt": "nope\n"})
    assert (finding.path, finding.message) == ("requirements.txt", "The package nope was not found")


def test_a_passing_report_has_no_finding_and_survives_the_trip_as_json():
    report = TestReport(PASSED, tuple(parse_junit(NODE)[:1]), seconds=0.5, environment_built=True)
    assert report.findings({}) == []
    assert TestReport.from_dict(report.as_dict()) == report
