"""A real runner (orchestrator.running.runner) in this process, on its Unix socket, wired
to the app as `manage.py runner` wires it; and a project it can run with nothing to
install (plain Python started by its Procfile)."""

import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

from generations.running.management.commands.runner import tell
from generations.running.test_runs import tests_finished
from orchestrator.running.config import RunConfig
from orchestrator.running.runner import Runner, RunnerServer
from orchestrator.running.sandbox import Limits

PLAIN_APP = {
    "server.py": (
        "import http.server, os, socketserver\n\n\n"
        "class Handler(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        body = ('app saw cookies: ' + self.headers.get('Cookie', '')).encode()\n"
        "        self.send_response(200)\n"
        "        self.send_header('Content-Length', str(len(body)))\n"
        "        self.send_header('Set-Cookie', 'appcookie=1; Domain=preview.localhost; Path=/')\n"
        "        self.send_header('Set-Cookie', 'sessionid=overwritten; Path=/')\n"
        "        self.send_header('Strict-Transport-Security', 'max-age=999')\n"
        "        self.end_headers()\n"
        "        self.wfile.write(body)\n\n"
        "    def address_string(self):\n"
        "        return 'browser'\n\n\n"
        "print('app starting', flush=True)\n"
        "socketserver.UnixStreamServer(os.environ['PORT'], Handler).serve_forever()\n"
    ),
    "Procfile": "web: python server.py\n",
}

NODE_TESTS = {
    "package.json": '{"name": "tested", "version": "1.0.0", "scripts": {"test": "node --test"}}',
    "test/math.test.js": (
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "test('adds', () => assert.equal(1 + 1, 2));\n"
        "test('subtracts', () => assert.equal(1 - 1, 1));\n"
    ),
}


@contextmanager
def runner_service(settings, cache_dir: Path, **config):
    """A runner serving on a socket of its own; settings.RUNNER_SOCKET points at it."""
    folder = Path(tempfile.mkdtemp(prefix="it-", dir="/tmp"))
    run_config = RunConfig(
        cache_dir=cache_dir,
        python_index="http://127.0.0.1:9/simple",  # nothing is installed from it
        npm_registry="http://127.0.0.1:9/",
        npm_fetch_retries=0,
        preview_limits=Limits(cpu_seconds=120, memory_mb=256, processes=32, disk_mb=20),
        **config,
    )
    runner = Runner(
        run_config,
        folder / "apps",
        on_change=tell,
        on_tests=tests_finished,
        thread_done=connections.close_all,
    )
    server = RunnerServer(str(folder / "runner.sock"), runner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.RUNNER_SOCKET = str(folder / "runner.sock")
    try:
        yield runner
    finally:
        server.shutdown()
        server.server_close()
        runner.stop_all("the test ended")
        shutil.rmtree(folder, ignore_errors=True)
