"""The checking stage and its fix round, through the real pipeline with a scripted model."""

from orchestrator import LocalHost, ProjectBrief, generate, iterate
from orchestrator.checks import check_project
from orchestrator.options import RunOptions
from orchestrator.stages import ITERATION_ORDER
from tests.support.scripted import ScriptedProvider

BRIEF = ProjectBrief(title="Shop", prompt="a shop api", stack="flask", domain="shop")
FILES = {
    "requirements.txt": "flask\n",
    "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "models.py": "class Order:\n    pass\n",
}
BROKEN = (
    "@@@ EDIT app.py\n<<<<<<< SEARCH\napp = Flask(__name__)\n=======\napp = Flask(__name__)\n"
    "\n\n@app.get('/total')\ndef total():\n    return {'total': sum(o.price for o in ordrs)}\n"
    ">>>>>>> REPLACE\n@@@ END\n"
)
FIXED = (
    "@@@ EDIT app.py\n<<<<<<< SEARCH\n    return {'total': sum(o.price for o in ordrs)}\n=======\n"
    "    return {'total': sum(o.price for o in [])}\n>>>>>>> REPLACE\n@@@ END\n"
)
NO_FIX = "I could not find the problem."


def run(answers, files=FILES, **fields):
    events = []
    host = LocalHost(events.append, checks=check_project)
    model = ScriptedProvider(answers)
    result = iterate(files, "add a total endpoint", BRIEF, model, host, RunOptions(**fields))
    return result, events, model, host.calls


def test_errors_the_change_brought_are_sent_back_once_and_the_fix_is_merged():
    result, events, model, calls = run([BROKEN, FIXED])
    fix_request = model.requests[1]
    assert fix_request.purpose == "fix"
    assert "app.py:8:43: error: Undefined name `ordrs` [F821]" in fix_request.prompt
    assert "The current content of app.py:" in fix_request.prompt
    assert [f["rule"] for f in fix_request.brief["findings"]] == ["F821"]
    assert [c.purpose for c in calls] == ["iterate", "fix"]
    assert result.outcome == "completed"
    assert "ordrs" not in result.files["app.py"]
    assert result.checks is not None
    assert result.checks.findings == ()
    stages = [e.stage for e in events if e.stage != "model_progress"]  # those come by the clock
    assert stages[stages.index("merging_files") :] == [
        "merging_files",
        "checking",
        "check_result",
        "check_fix",
        "file_generated",
        "checking",
        "check_result",
    ]
    first_result = next(e for e in events if e.stage == "check_result")
    assert first_result.message == "Checks: 1 error"
    assert first_result.extra["errors"] == 1
    assert first_result.extra["findings"][0]["message"] == "Undefined name `ordrs`"
    progress = [e.progress for e in events]
    assert progress == sorted(progress)
    assert [c.path for c in result.changes] == ["app.py"]


def test_a_fix_that_does_not_help_keeps_the_version_with_its_findings():
    result, _events, model, _ = run([BROKEN, NO_FIX])
    assert len(model.requests) == 2
    assert result.outcome == "completed"
    assert [f.rule for f in result.checks.errors] == ["F821"]
    assert "The model sent no fix for what the checks found." in result.summary
    assert "Checks found 1 error; see the version's checks." in result.summary


def test_with_no_fix_rounds_the_findings_are_shown_and_nothing_is_asked():
    result, events, model, _ = run([BROKEN], fix_rounds=0)
    assert len(model.requests) == 1
    assert [f.rule for f in result.checks.errors] == ["F821"]
    assert "check_fix" not in [e.stage for e in events]


def test_errors_already_there_are_not_sent_back():
    broken_before = {**FILES, "models.py": "class Order:\n    total = undefined_total\n"}
    add_file = "@@@ FILE notes.py\nNOTE = 'x'\n@@@ END\n"
    result, _events, model, _ = run([add_file], files=broken_before)
    assert len(model.requests) == 1
    assert [(f.path, f.rule) for f in result.checks.errors] == [("models.py", "F821")]


def test_a_fix_round_that_breaks_the_merge_keeps_the_checked_version():
    bad_fix = (
        "@@@ EDIT app.py\n<<<<<<< SEARCH\nnot in the file\n=======\nx\n>>>>>>> REPLACE\n@@@ END\n"
    )
    result, _, _model, _ = run([BROKEN, bad_fix, bad_fix, bad_fix, bad_fix])
    assert result.outcome == "completed"
    assert "ordrs" in result.files["app.py"]
    assert [f.rule for f in result.checks.errors] == ["F821"]
    assert "could not be applied" in result.summary


def test_the_stage_order_of_a_checked_run_follows_the_contract():
    _, events, _, _ = run([BROKEN, FIXED])
    first_of_each = list(dict.fromkeys(e.stage for e in events))
    positions = [ITERATION_ORDER.index(name) for name in first_of_each if name != "file_generated"]
    assert positions == sorted(positions)


def test_version_one_is_checked_before_saving():
    from orchestrator.providers.demo import DemoProvider

    events = []
    host = LocalHost(events.append, checks=check_project)
    result = generate(BRIEF, DemoProvider(chunk_delay=0), host)
    stages = [e.stage for e in events]
    assert stages[-3:] == ["checking", "check_result", "saving"]
    assert events[-2].message == "Checks: All checks passed"
    assert result.checks is not None
    assert result.checks.passed
