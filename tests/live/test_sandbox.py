"""The project's tests in the bubblewrap sandbox: what they try beyond their own folder is
contained (and shows as a failing test), and without bwrap the checks say why nothing ran."""

import os
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from orchestrator.checks import check_project, sandbox
from orchestrator.checks.sandbox import SandboxLimits, run_project_tests, sandbox_check

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None,
    reason="bubblewrap is not installed (apt-get install -y bubblewrap)",
)
LIMITS = SandboxLimits(seconds=12, cpu_seconds=8)


def project_with_tests(body: str) -> dict[str, str]:
    return {"app.py": "VALUE = 2\n", "test_app.py": "from app import VALUE\n\n\n" + body}


def run(body: str):
    return run_project_tests(project_with_tests(body), LIMITS, python=sys.executable)


@needs_bwrap
def test_passing_tests_give_no_finding_and_failing_ones_say_which():
    assert run("def test_ok():\n    assert VALUE == 2\n").findings == ()
    [finding] = run("def test_wrong():\n    assert VALUE == 3, 'not three'\n").findings
    assert (finding.path, finding.severity, finding.rule) == ("test_app.py", "error", "test")
    assert finding.message.startswith("test_wrong failed: AssertionError")


@needs_bwrap
def test_the_network_is_out_of_reach():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        result = run(
            "import socket\n\n\ndef test_reach_out():\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
        )
    finally:
        server.shutdown()
    [finding] = result.findings
    assert "test_reach_out failed" in finding.message
    assert "Connection" in finding.message or "unreachable" in finding.message


@pytest.mark.parametrize(
    "path",
    ["/etc/shadow", "/etc/passwd", os.path.abspath("var/iterum.sqlite3"), os.path.abspath(".env")],
)
@needs_bwrap
def test_the_system_and_iterums_files_are_out_of_reach(path):
    [finding] = run(f"def test_read():\n    open({path!r}, 'rb').read()\n").findings
    assert "test_read failed: FileNotFoundError" in finding.message


@needs_bwrap
def test_no_setting_or_key_reaches_the_tests(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "secret-key")
    [finding] = run(
        "import os\n\n\ndef test_env():\n    assert sorted(os.environ) == [], sorted(os.environ)\n"
    ).findings
    assert "GEMINI_API_KEY" not in finding.message
    assert "HOME" in finding.message


@needs_bwrap
def test_a_fork_bomb_is_held_and_stopped():
    result = run("import os\n\n\ndef test_bomb():\n    while True:\n        os.fork()\n")
    [finding] = result.findings
    assert (
        finding.message
        in {
            "the tests ran longer than 12 s and were stopped",
            "test_bomb failed: BlockingIOError: [Errno 11] Resource temporarily unavailable",
        }
        or "Resource temporarily unavailable" in finding.message
    )
    assert (
        not [g for g in os.listdir("/sys/fs/cgroup/pids") if g.startswith("iterum-tests")]
        if (os.path.isdir("/sys/fs/cgroup/pids"))
        else True
    )


@needs_bwrap
def test_filling_the_disk_stops_at_the_limit():
    [finding] = run(
        "def test_fill():\n    with open('big.bin', 'wb') as out:\n        while True:\n"
        "            out.write(b'x' * 1_000_000)\n"
    ).findings
    assert "test_fill failed: OSError" in finding.message


@needs_bwrap
def test_a_memory_hog_is_stopped():
    [finding] = run("def test_hog():\n    bytearray(16 * 1024**3)\n").findings
    assert "test_hog failed: MemoryError" in finding.message


@needs_bwrap
def test_node_projects_run_node_own_test_runner():
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    files = {
        "package.json": '{"name": "x"}',
        "test/app.test.js": (
            "const test = require('node:test');\nconst assert = require('node:assert');\n"
            "test('adds', () => assert.equal(1 + 1, 2));\n"
            "test('subtracts', () => assert.equal(1, 2));\n"
        ),
    }
    result = run_project_tests(files, LIMITS)
    assert [f.message for f in result.findings] == ["subtracts failed"]


def test_without_bwrap_the_checks_say_why_nothing_ran(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_binary", lambda: None)
    report = check_project(
        project_with_tests("def test_ok():\n    pass\n"), extra=sandbox_check(LIMITS)
    )
    assert report.unavailable == (
        "The project's tests were not run: bubblewrap (bwrap) is not installed",
    )


@needs_bwrap  # without it the checks say that first (the test above)
def test_without_pytest_the_checks_say_so():
    result = run_project_tests(
        project_with_tests("def test_ok():\n    pass\n"), LIMITS, python="no-such-python"
    )
    assert result.unavailable == (
        "The project's tests were not run: no-such-python has no pytest (see CHECK_TEST_PYTHON)",
    )


def test_a_project_without_tests_runs_nothing():
    assert run_project_tests({"app.py": "x = 1\n"}, LIMITS) == sandbox.TestRun((), ())
