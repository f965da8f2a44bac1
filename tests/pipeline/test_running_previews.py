"""Live previews in the runner: an app (plain Python, started by its Procfile, so nothing is
installed) runs in the sandbox on its Unix socket, answers, logs, and is stopped with every
process it made. What a hostile app tries is contained, and it shows: the app prints what
happened to its log, and the runner stops it where a limit says so, with the reason."""

import dataclasses
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from orchestrator.running import config as running_config
from orchestrator.running.client import RunnerClient, RunnerUnreachable
from orchestrator.running.config import RunConfig
from orchestrator.running.previews import RUNNING, STOPPED, UnixHTTPConnection
from orchestrator.running.runner import Runner, RunnerError, RunnerServer
from orchestrator.running.sandbox import Limits
from tests.support.waiting import wait_for

pytestmark = pytest.mark.skipif(
    shutil.which("bwrap") is None or running_config.uv_binary() is None,
    reason="needs bubblewrap and uv (apt-get install bubblewrap; pip install uv)",
)

SERVER = """
import http.server, os, socketserver, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def address_string(self):
        return "browser"

class Server(socketserver.UnixStreamServer):  # one thread: it answers even at the limit
    pass

def attempt(name, action):
    try:
        action()
        print(name, "WORKED", flush=True)
    except BaseException as error:
        print(name, "contained:", type(error).__name__, error, flush=True)

BEFORE
server = Server(os.environ["PORT"], Handler)
print("listening on", os.environ["PORT"], flush=True)
server.serve_forever()
"""


def app(before: str = "") -> dict[str, str]:
    return {"server.py": SERVER.replace("BEFORE", before), "Procfile": "web: python server.py\n"}


@pytest.fixture
def runner(tmp_path):
    folder = tempfile.mkdtemp(prefix="it-", dir="/tmp")  # a Unix socket's path is short
    config = RunConfig(
        cache_dir=tmp_path / "cache",
        python_index="http://127.0.0.1:9/simple",  # nothing is installed from it
        preview_limits=Limits(cpu_seconds=60, memory_mb=256, processes=32, disk_mb=20),
        preview_start_seconds=30,
    )
    changes = []
    running = Runner(config, Path(folder), on_change=changes.append)
    running.changes = changes
    yield running
    running.stop_all("the test ended")
    shutil.rmtree(folder, ignore_errors=True)


def settled(runner: Runner, preview_id: str) -> dict:
    """Its state once it runs or stopped."""
    return wait_for(
        lambda: (s := runner.state(preview_id))["state"] in (RUNNING, STOPPED) and s,
        "the preview to run or stop",
    )


def log_of(runner: Runner, preview_id: str) -> str:
    return "\n".join(runner.logs(preview_id)["lines"])


def get(path: str, url: str = "/") -> tuple[int, str]:
    connection = UnixHTTPConnection(path)
    connection.request("GET", url)
    response = connection.getresponse()
    return response.status, response.read().decode()


def test_an_app_runs_answers_logs_and_stops_with_everything_it_made(runner):
    runner.start("previewone1", app())
    assert settled(runner, "previewone1")["state"] == RUNNING
    assert get(runner.socket("previewone1"), "/hello") == (200, "hello from /hello")
    wait_for(lambda: "GET /hello" in log_of(runner, "previewone1"), "the request in the log")
    states = [c.state for c in runner.changes if not c.lines]
    assert states == ["building", "starting", "running"]
    socket_path = runner.socket("previewone1")

    runner.stop("previewone1", "stopped by its owner")
    wait_for(lambda: runner.state("previewone1")["state"] == STOPPED, "the stop")
    assert runner.state("previewone1")["reason"] == "stopped by its owner"
    assert not os.path.exists(socket_path)
    with pytest.raises(RunnerError, match="the preview is stopped"):
        runner.socket("previewone1")
    if os.path.isdir("/sys/fs/cgroup/pids"):
        assert not [
            g
            for g in os.listdir("/sys/fs/cgroup/pids")
            if g.startswith(f"iterum-preview-{os.getpid()}-")
        ]


def test_the_network_iterum_and_the_systems_secrets_are_out_of_reach(runner):
    iterum_database = os.path.abspath("var/iterum.sqlite3")
    runner.start(
        "previewnet1",
        app(
            "import socket, urllib.request\n"
            "attempt('network', lambda: socket.create_connection(('1.1.1.1', 80), timeout=3))\n"
            "attempt('iterum', lambda: urllib.request.urlopen(urllib.request.Request("
            "'http://127.0.0.1:8000/generations/', headers={'Cookie': 'sessionid=stolen'}),"
            " timeout=3))\n"
            "attempt('shadow', lambda: open('/etc/shadow').read())\n"
            f"attempt('database', lambda: open({iterum_database!r}, 'rb').read())\n"
            "attempt('environment', lambda: [os.environ[k] for k in os.environ"
            " if k not in ('PATH', 'HOME', 'LANG', 'PORT', 'VIRTUAL_ENV', 'PWD', 'SHLVL',"
            " 'PYTHONUNBUFFERED', 'PYTHONDONTWRITEBYTECODE', '_', 'LC_CTYPE')] and 1/0)\n"
        ),
    )
    assert settled(runner, "previewnet1")["state"] == RUNNING
    log = log_of(runner, "previewnet1")
    assert "network contained: OSError [Errno 101] Network is unreachable" in log
    assert "iterum contained: URLError <urlopen error [Errno 111] Connection refused>" in log
    assert "shadow contained: FileNotFoundError" in log
    assert "database contained: FileNotFoundError" in log
    assert "environment WORKED" in log  # nothing but the variables the sandbox gives
    assert "WORKED" not in log.replace("environment WORKED", "")


def test_a_fork_bomb_is_held_and_the_app_still_answers(runner):
    runner.start(
        "previewbomb1",
        app(
            "import time\nif os.fork() == 0:\n    time.sleep(1)\n    while True:\n        try:\n"
            "            os.fork()\n        except BlockingIOError:\n"
            "            print('bomb held', flush=True)\n            time.sleep(30)\n"
        ),
    )
    assert settled(runner, "previewbomb1")["state"] == RUNNING
    wait_for(lambda: "bomb held" in log_of(runner, "previewbomb1"), "the bomb to hit the limit")
    assert get(runner.socket("previewbomb1"))[0] == 200
    runner.stop("previewbomb1", "enough")
    wait_for(lambda: runner.state("previewbomb1")["state"] == STOPPED, "the stop")
    if os.path.isdir("/sys/fs/cgroup/pids"):
        assert not [
            g
            for g in os.listdir("/sys/fs/cgroup/pids")
            if g.startswith(f"iterum-preview-{os.getpid()}-")
        ]


def test_filling_the_disk_stops_at_the_limit(runner):
    runner.start(
        "previewdisk1",
        app(
            "def fill(folder):\n    with open(folder + '/big.bin', 'wb') as out:\n"
            "        while True:\n            out.write(b'x' * 1_000_000)\n"
            "attempt('project disk', lambda: fill('/project'))\n"
            "attempt('tmp disk', lambda: fill('/tmp'))\n"
        ),
    )
    assert settled(runner, "previewdisk1")["state"] == RUNNING
    log = log_of(runner, "previewdisk1")
    assert "project disk contained: OSError [Errno 28] No space left on device" in log
    assert "tmp disk contained: OSError [Errno 28] No space left on device" in log


def test_an_app_that_writes_beside_its_socket_is_stopped(runner):
    runner.start(
        "previewsock1",
        app(
            "import threading, time\ndef spill():\n    time.sleep(0.5)\n"
            "    with open('/run/app/spill.bin', 'wb') as out:\n"
            "        out.write(b'x' * 3_000_000)\n"
            "threading.Thread(target=spill).start()\n"
        ),
    )
    wait_for(lambda: runner.state("previewsock1")["state"] == STOPPED, "the stop")
    assert runner.state("previewsock1")["reason"] == "the app wrote files into its socket folder"


@pytest.mark.skipif(not os.path.isdir("/sys/fs/cgroup/memory"), reason="no memory cgroup here")
def test_an_app_over_its_memory_is_stopped_and_says_why(runner):
    if os.geteuid() != 0:
        pytest.skip("memory cgroups are made only by root")
    hog = "hog = bytearray(1024**3)\nfor i in range(0, len(hog), 4096):\n    hog[i] = 1\n"
    runner.start("previewmem1", app(hog))
    wait_for(lambda: runner.state("previewmem1")["state"] == STOPPED, "the stop")
    assert (
        runner.state("previewmem1")["reason"] == "the app ran out of memory (its limit is 256 MB)"
    )


def test_an_app_that_never_listens_is_stopped_with_why(runner):
    runner.config = dataclasses.replace(runner.config, preview_start_seconds=2)
    deaf = {"server.py": "import time\ntime.sleep(60)\n", "Procfile": "web: python server.py\n"}
    runner.start("previewdeaf1", deaf)
    wait_for(lambda: runner.state("previewdeaf1")["state"] == STOPPED, "the stop")
    assert runner.state("previewdeaf1")["reason"] == (
        "the app did not answer on its socket within 2 s (it must listen on the Unix socket "
        "named by $PORT, /run/app/app.sock)"
    )


def test_an_app_that_exits_is_stopped_with_its_code_and_its_last_words(runner):
    leaving = {
        "server.py": "import sys\nprint('no config')\nsys.exit(3)\n",
        "Procfile": "web: python server.py\n",
    }
    runner.start("previewexit1", leaving)
    wait_for(lambda: runner.state("previewexit1")["state"] == STOPPED, "the stop")
    assert runner.state("previewexit1")["reason"] == "the app exited (code 3)"
    assert "no config" in log_of(runner, "previewexit1")


def test_an_unused_preview_stops_by_itself(runner):
    runner.config = dataclasses.replace(runner.config, preview_idle_seconds=1)
    runner.start("previewidle1", app())
    assert settled(runner, "previewidle1")["state"] == RUNNING
    wait_for(lambda: runner.state("previewidle1")["state"] == STOPPED, "the idle stop")
    assert runner.state("previewidle1")["reason"] == "nobody used it for 1 s"


def test_a_project_that_cannot_start_says_why_and_runs_nothing(runner):
    runner.start("previewnone1", {"README.md": "# nothing\n"})
    wait_for(lambda: runner.state("previewnone1")["state"] == STOPPED, "the stop")
    assert runner.state("previewnone1")["reason"] == (
        "Iterum runs Python and Node.js projects; this is neither."
    )


def test_without_bwrap_a_preview_says_why(runner, monkeypatch):
    monkeypatch.setattr(running_config, "bwrap_binary", lambda: None)
    runner.start("previewnobw1", app())
    wait_for(lambda: runner.state("previewnobw1")["state"] == STOPPED, "the stop")
    assert runner.state("previewnobw1")["reason"] == (
        "Previews cannot run here: bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
    )


def test_the_interface_over_its_unix_socket(runner):
    path = os.path.join(str(runner.run_dir), "runner.sock")
    server = RunnerServer(path, runner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = RunnerClient(path)
        assert client.start("previewapi1", app())["state"] == "building"
        wait_for(lambda: client.state("previewapi1")["state"] == RUNNING, "the app to run")
        assert get(client.socket("previewapi1"), "/x") == (200, "hello from /x")
        assert "listening on /run/app/app.sock" in client.logs("previewapi1")["lines"]
        assert client.logs("previewapi1", after=10**6)["lines"] == []
        with pytest.raises(RunnerError, match="no such preview"):
            client.state("previewnope1")
        with pytest.raises(RunnerError, match="8 to 40 lowercase"):
            client.start("../../etc", {})
        assert client.stop("previewapi1", "done")["id"] == "previewapi1"
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(RunnerUnreachable, match="The runner is not running"):
        RunnerClient(path).state("previewapi1")
