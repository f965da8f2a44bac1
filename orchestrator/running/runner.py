"""The runner: holds the live previews of one machine, behind one small interface.

    start(preview_id, files) -> state      stop(preview_id, reason) -> state
    state(preview_id) -> state             logs(preview_id, after) -> lines
    socket(preview_id) -> the app's Unix socket (and counts as use, for the idle stop)
    test(run_id, files, wait) -> a test report, or at once (then told to on_tests)

The web process and the worker reach it through RunnerClient, over a Unix socket (one JSON
request per connection, one JSON answer), so a runner can live in another process, or on
another machine behind the same requests. What happens to a preview (new state, new log
lines) is told to `on_change`, batched, and a test run's report to `on_tests`: the host
publishes them. Nothing of a project runs anywhere but here, in the sandbox.
"""

import contextlib
import json
import logging
import os
import queue
import re
import socketserver
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from orchestrator.running.config import RunConfig
from orchestrator.running.environments import EnvironmentCache
from orchestrator.running.previews import RUNNING, STOPPED, Change, Preview
from orchestrator.running.project_tests import TestReport, run_tests

logger = logging.getLogger(__name__)
_END = object()
PREVIEW_ID = re.compile(r"^[a-z0-9]{8,40}$")
MAX_REQUEST_BYTES = 256 * 1024 * 1024
LOG_BATCH_SECONDS = 0.25  # log lines are told at most this often per preview
LOG_BATCH_LINES = 200  # and at most this many at a time; the log keeps them all


class RunnerError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PreviewRunner(Protocol):
    """What the app needs of a runner, wherever it lives."""

    def start(self, preview_id: str, files: dict[str, str]) -> dict: ...

    def stop(self, preview_id: str, reason: str) -> dict: ...

    def state(self, preview_id: str) -> dict: ...

    def logs(self, preview_id: str, after: int = 0) -> dict: ...

    def socket(self, preview_id: str) -> str: ...

    def test(self, run_id: str, files: dict[str, str], wait: bool = False) -> dict: ...


class Runner:
    def __init__(
        self,
        config: RunConfig,
        run_dir: Path,
        on_change: Callable[[Change], None] = lambda change: None,
        on_tests: Callable[[str, TestReport], None] = lambda run_id, report: None,
        max_previews: int = 20,
        max_tests: int = 2,
        thread_done: Callable[[], None] = lambda: None,
    ) -> None:
        self.config = config
        self.run_dir = run_dir
        self.on_change = on_change
        self.on_tests = on_tests
        self.max_previews = max_previews
        self.thread_done = thread_done  # the host's clean-up in a thread of ours that ends
        self._test_slots = threading.BoundedSemaphore(max_tests)
        self.cache = EnvironmentCache(config)
        self._previews: dict[str, Preview] = {}
        self._lock = threading.Lock()
        self._changes: queue.Queue = queue.Queue()
        self._teller = threading.Thread(target=self._tell, name="runner-changes", daemon=True)
        self._teller.start()
        if len(str(run_dir / ("x" * 40) / "app.sock")) > 107:
            raise RunnerError(f"{run_dir} is too long a path for Unix sockets; choose a shorter.")
        run_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(run_dir, 0o700)  # the apps' sockets: this user's only

    def start(self, preview_id: str, files: dict[str, str]) -> dict:
        if not PREVIEW_ID.match(preview_id):
            raise RunnerError("a preview id is 8 to 40 lowercase letters and digits")
        with self._lock:
            if preview_id in self._previews:
                return self._previews[preview_id].describe()
            live = [p for p in self._previews.values() if p.state != STOPPED]
            if len(live) >= self.max_previews:
                raise RunnerError(
                    f"This runner already holds {len(live)} previews, its most; try again later."
                )
            preview = Preview(
                preview_id,
                files,
                self.config,
                self.cache,
                self.run_dir / preview_id,
                self._changes.put,
            )
            self._previews[preview_id] = preview
        preview.start()
        return preview.describe()

    def stop(self, preview_id: str, reason: str = "stopped") -> dict:
        preview = self._get(preview_id)
        preview.stop(reason)
        return preview.describe()

    def state(self, preview_id: str) -> dict:
        return self._get(preview_id).describe()

    def logs(self, preview_id: str, after: int = 0) -> dict:
        lines, last = self._get(preview_id).log.since(after)
        return {"lines": lines, "last": last}

    def socket(self, preview_id: str) -> str:
        preview = self._get(preview_id)
        if preview.state != RUNNING:
            raise RunnerError(f"the preview is {preview.state}")
        preview.touch()
        return preview.socket_path

    def test(self, run_id: str, files: dict[str, str], wait: bool = False) -> dict:
        """Run the project's tests: the report, or {} at once and the report to on_tests."""
        if wait:
            return self._test(files).as_dict()

        def in_background() -> None:
            report = self._test(files)
            try:
                self.on_tests(run_id, report)
            except Exception:
                logger.exception("telling a test run's report failed")

        threading.Thread(target=in_background, name=f"tests-{run_id}", daemon=True).start()
        return {}

    def _test(self, files: dict[str, str]) -> TestReport:
        with self._test_slots:  # a few at a time: they share this machine's cores
            return run_tests(files, self.config, self.cache)

    def previews(self) -> list[dict]:
        with self._lock:
            return [preview.describe() for preview in self._previews.values()]

    def stop_all(self, reason: str) -> None:
        with self._lock:
            previews = list(self._previews.values())
        for preview in previews:
            preview.stop(reason)
        deadline = time.monotonic() + 15
        while any(p.state != STOPPED for p in previews) and time.monotonic() < deadline:
            time.sleep(0.05)
        self._changes.put(_END)
        self._teller.join(timeout=5)

    def _get(self, preview_id: str) -> Preview:
        with self._lock:
            preview = self._previews.get(preview_id)
        if preview is None:
            raise RunnerError("this runner holds no such preview (it may have restarted)")
        return preview

    def _tell(self) -> None:
        """Pass changes on: every state change at once, log lines in batches."""
        pending: dict[str, list[Change]] = {}
        flushed = time.monotonic()
        while True:
            wait = max(0.0, LOG_BATCH_SECONDS - (time.monotonic() - flushed))
            try:
                change = self._changes.get(timeout=wait)
            except queue.Empty:
                change = None
            if change is _END:
                self._flush(pending)
                self.thread_done()
                return
            if change is not None and change.lines:
                batch = pending.setdefault(change.preview_id, [])
                batch.append(change)
                if sum(len(c.lines) for c in batch) >= LOG_BATCH_LINES:
                    self._flush({change.preview_id: pending.pop(change.preview_id)})
            elif change is not None:
                # The lines before a state change are told before it.
                self._flush({change.preview_id: pending.pop(change.preview_id, [])})
                self._safely(change)
                self._forget_if_stopped(change)
            if time.monotonic() - flushed >= LOG_BATCH_SECONDS:
                self._flush(pending)
                flushed = time.monotonic()

    def _flush(self, pending: dict[str, list[Change]]) -> None:
        for changes in pending.values():
            if changes:
                lines = tuple(line for c in changes for line in c.lines)
                first = changes[0]
                self._safely(
                    Change(first.preview_id, changes[-1].state, "", lines, first.first_line)
                )
        pending.clear()

    def _safely(self, change: Change) -> None:
        try:
            self.on_change(change)
        except Exception:  # the host's trouble must not stop the previews' reports
            logger.exception("telling a preview's change failed")

    def _forget_if_stopped(self, change: Change) -> None:
        """Stopped previews are kept a while (their state and log can still be read)."""
        if change.state != STOPPED:
            return
        with self._lock:
            stopped = [p for p in self._previews.values() if p.state == STOPPED]
            for preview in stopped[: max(0, len(stopped) - 100)]:
                self._previews.pop(preview.id, None)


class RunnerServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """The runner's interface on a Unix socket: one JSON request, one JSON answer."""

    daemon_threads = True

    def __init__(self, path: str, runner: Runner) -> None:
        self.runner = runner
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        super().__init__(path, _Handler)
        os.chmod(path, 0o600)


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        raw = self.rfile.readline(MAX_REQUEST_BYTES)
        try:
            request = json.loads(raw)
            answer = {"ok": True, "result": dispatch(self.server.runner, request)}
        except RunnerError as error:
            answer = {"ok": False, "error": error.message}
        except (ValueError, KeyError, TypeError) as error:
            answer = {"ok": False, "error": f"bad request ({type(error).__name__}: {error})"}
        self.wfile.write(json.dumps(answer).encode() + b"\n")


def dispatch(runner: Runner, request: dict):
    operation = request["op"]
    if operation == "start":
        return runner.start(str(request["id"]), _files(request))
    if operation == "stop":
        return runner.stop(str(request["id"]), str(request.get("reason", "stopped")))
    if operation == "state":
        return runner.state(str(request["id"]))
    if operation == "logs":
        return runner.logs(str(request["id"]), int(request.get("after", 0)))
    if operation == "socket":
        return runner.socket(str(request["id"]))
    if operation == "test":
        return runner.test(str(request["id"]), _files(request), bool(request.get("wait")))
    if operation == "list":
        return runner.previews()
    raise KeyError(f"no operation {operation!r}")


def _files(request: dict) -> dict[str, str]:
    files = request["files"]
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in files.items()
    ):
        raise TypeError("files must map paths to text")
    return files
