"""The sandbox every project's code runs in: what it tries beyond its own folder is
contained, and it says so (the script prints what happened; the test reads it)."""

import os
import shutil
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from orchestrator.running import sandbox
from orchestrator.running.sandbox import (
    Bind,
    Groups,
    Limits,
    Sandbox,
    SandboxUnavailable,
    interpreter_mounts,
    run,
    write_project,
)

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None,
    reason="bubblewrap is not installed (apt-get install -y bubblewrap)",
)
LIMITS = Limits(cpu_seconds=8, processes=32, disk_mb=20, file_mb=10, memory_mb=512)
PYTHON = os.path.realpath(sys.executable)


def run_script(script: str, seconds: float = 20, limits: Limits = LIMITS, **env: str):
    """Run a Python script in the sandbox with the interpreter running these tests."""
    with tempfile.TemporaryDirectory() as folder:
        write_project(folder, {"script.py": script})
        box = Sandbox(
            command=(PYTHON, "script.py"),
            limits=limits,
            env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", **env},
            binds=tuple(Bind(m, m) for m in interpreter_mounts(sys.executable)),
            source=folder,
        )
        return run(box, seconds)


def attempt(code: str) -> str:
    """A script that tries `code` and prints OK or the exception's name."""
    body = "\n".join("    " + line for line in code.splitlines())
    report = "    print(type(error).__name__, error)\n"
    return f"try:\n{body}\n    print('OK')\nexcept BaseException as error:\n{report}"


@needs_bwrap
def test_a_script_runs_in_its_copy_and_writes_its_report_on_descriptor_three():
    finished = run_script("import os\nprint(os.getcwd())\nos.write(3, b'<report/>')\n")
    assert finished.code == 0
    assert finished.output.strip() == "/project"
    assert finished.report == b"<report/>"


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
        finished = run_script(
            attempt(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)")
        )
    finally:
        server.shutdown()
    assert finished.output.startswith("ConnectionRefusedError"), finished.output


@pytest.mark.parametrize(
    "path",
    ["/etc/shadow", "/etc/passwd", os.path.abspath("var/iterum.sqlite3"), os.path.abspath(".env")],
)
@needs_bwrap
def test_the_system_and_iterums_files_are_out_of_reach(path):
    finished = run_script(attempt(f"open({path!r}, 'rb').read()"))
    assert finished.output.startswith("FileNotFoundError"), finished.output


@needs_bwrap
def test_only_the_given_variables_reach_the_code(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "secret-key")
    finished = run_script("import os\nprint(sorted(os.environ))\n", GIVEN="1")
    assert "GEMINI_API_KEY" not in finished.output
    assert "GIVEN" in finished.output


@needs_bwrap
def test_a_fork_bomb_is_held_at_the_process_limit_and_everything_is_killed():
    finished = run_script(
        "import os, time\ncount = 0\nwhile True:\n    try:\n        os.fork()\n"
        "    except BlockingIOError:\n        print('held', flush=True)\n        time.sleep(60)\n",
        seconds=4,
    )
    assert finished.timed_out
    assert "held" in finished.output
    if os.path.isdir("/sys/fs/cgroup/pids"):  # no group is left behind
        assert not [
            g
            for g in os.listdir("/sys/fs/cgroup/pids")
            if g.startswith(f"iterum-run-{os.getpid()}-")
        ]


@needs_bwrap
def test_filling_the_disk_stops_at_the_limit():
    finished = run_script(
        attempt(
            "with open('big.bin', 'wb') as out:\n"
            "    while True:\n        out.write(b'x' * 1_000_000)"
        )
    )
    assert finished.output.startswith("OSError"), finished.output


@needs_bwrap
def test_a_memory_hog_is_stopped():
    finished = run_script(attempt("bytearray(16 * 1024**3)"))
    assert finished.output.startswith("MemoryError"), finished.output


@needs_bwrap
def test_a_run_past_its_time_is_killed():
    finished = run_script("import time\nprint('started', flush=True)\ntime.sleep(60)\n", seconds=1)
    assert finished.timed_out
    assert "started" in finished.output


@needs_bwrap
def test_a_watch_stops_a_run_with_its_reason():
    calls = []

    def watch() -> str:
        calls.append(1)
        return "enough" if len(calls) >= 2 else ""

    with tempfile.TemporaryDirectory() as folder:
        write_project(folder, {"script.py": "import time\ntime.sleep(60)\n"})
        box = Sandbox(
            command=(PYTHON, "script.py"),
            limits=LIMITS,
            binds=tuple(Bind(m, m) for m in interpreter_mounts(sys.executable)),
            source=folder,
        )
        finished = run(box, 30, watch=watch)
    assert (finished.code, finished.stopped) == (None, "enough")


def test_without_bwrap_nothing_runs_and_it_says_why(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_binary", lambda: None)
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        run(Sandbox(command=("true",), limits=LIMITS), 5)


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups are made only by root")
def test_as_root_a_sandbox_without_a_pids_group_is_refused(monkeypatch):
    monkeypatch.setattr(Groups, "make", classmethod(lambda cls, limits, name: cls({})))
    with pytest.raises(SandboxUnavailable, match="no process limit"):
        run(Sandbox(command=("true",), limits=LIMITS), 5)
