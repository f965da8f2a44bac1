"""One live preview: a version's app running in the sandbox with no network, listening on a
Unix socket in a folder bound into the sandbox, its output kept as a log.

Its states: building (the environment) -> starting -> running (from its first answer) ->
stopped, always with the reason. Stopping kills everything the sandbox holds.
"""

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from orchestrator.running.config import RunConfig, base_interpreter, missing_tools
from orchestrator.running.environments import EnvironmentCache, EnvironmentFailed, disk_usage
from orchestrator.running.project_tests import sandbox_environment, sandbox_limits
from orchestrator.running.sandbox import (
    SOCKET_DIR,
    Bind,
    Groups,
    Sandbox,
    SandboxUnavailable,
    command_line,
    group_name,
    tree_memory_bytes,
    write_project,
)
from orchestrator.running.stacks import SOCKET, plan_for

BUILDING, STARTING, RUNNING, STOPPED = "building", "starting", "running", "stopped"
LOG_LINES = 2000  # kept per preview
LINE_CHARS = 2000
SOCKET_FOLDER_BYTES = 1024 * 1024  # what an app may leave beside its socket
PROBE_SECONDS = 0.05


@dataclass(frozen=True)
class Change:
    """What a preview reports: a new state, or new log lines."""

    preview_id: str
    state: str
    reason: str = ""
    lines: tuple[str, ...] = ()
    first_line: int = 0  # the number of lines[0] in the whole log


class Log:
    """The app's output, line by line: the last LOG_LINES lines, numbered from 1."""

    def __init__(self) -> None:
        self._lines: deque[tuple[int, str]] = deque(maxlen=LOG_LINES)
        self._count = 0
        self._lock = threading.Lock()

    def add(self, text: str) -> int:
        with self._lock:
            self._count += 1
            self._lines.append((self._count, text[:LINE_CHARS]))
            return self._count

    def since(self, after: int, limit: int = LOG_LINES) -> tuple[list[str], int]:
        """Lines numbered above `after` (the oldest may have gone), and the last number."""
        with self._lock:
            lines = [text for number, text in self._lines if number > after][:limit]
            return lines, self._count

    @property
    def count(self) -> int:
        return self._count


class Preview:
    def __init__(
        self,
        preview_id: str,
        files: dict[str, str],
        config: RunConfig,
        cache: EnvironmentCache,
        folder: Path,
        report: Callable[[Change], None],
    ) -> None:
        self.id = preview_id
        self.files = files
        self.config = config
        self.cache = cache
        self.folder = folder  # holds the socket; bound at SOCKET_DIR in the sandbox
        self.report = report
        self.state = BUILDING
        self.reason = ""
        self.log = Log()
        self.landing = "/"
        self.created = time.time()
        self.answered_at: float | None = None
        self.last_used = time.monotonic()
        self._stop = threading.Event()
        self._stop_reason = ""
        self._process: subprocess.Popen | None = None
        self._groups: Groups | None = None
        self._lock = threading.Lock()

    @property
    def socket_path(self) -> str:
        return str(self.folder / "app.sock")

    def describe(self) -> dict:
        return {
            "id": self.id,
            "state": self.state,
            "reason": self.reason,
            "landing": self.landing,
            "log_lines": self.log.count,
            "memory_bytes": self.memory_bytes(),
        }

    def memory_bytes(self) -> int | None:
        """The resident memory of the app's processes (the sandbox's own included)."""
        process = self._process
        return tree_memory_bytes(process.pid) if process and process.poll() is None else None

    def touch(self) -> None:
        self.last_used = time.monotonic()

    def start(self) -> None:
        threading.Thread(target=self._life, name=f"preview-{self.id}", daemon=True).start()

    def stop(self, reason: str) -> None:
        """Ask it to stop; everything is killed within moments, whatever state it is in."""
        with self._lock:
            if not self._stop_reason:
                self._stop_reason = reason
        self._stop.set()
        self._kill()

    def _set(self, state: str, reason: str = "") -> None:
        self.state, self.reason = state, reason
        self.report(Change(self.id, state, reason))

    def say(self, text: str) -> None:
        """A line of Iterum's own in the log (marked, so nobody takes it for the app's)."""
        self._line(f"[iterum] {text}")

    def _line(self, text: str) -> None:
        number = self.log.add(text)
        self.report(Change(self.id, self.state, lines=(text[:LINE_CHARS],), first_line=number))

    def _life(self) -> None:
        reason = ""
        try:
            reason = self._run()
        except Exception as error:  # a bug of ours: say so rather than hang in a state
            reason = f"the runner failed ({type(error).__name__}: {error})"
        finally:
            self._kill()
            shutil.rmtree(self.folder, ignore_errors=True)
            self._set(STOPPED, self._stop_reason or reason)

    def _run(self) -> str:
        plan = plan_for(self.files)
        self.landing = plan.landing
        if plan.start_problem:
            return plan.start_problem
        missing = missing_tools(plan.language)
        if missing:
            return "Previews cannot run here: " + "; ".join(missing)
        self._set(BUILDING)
        started = time.monotonic()
        try:
            with self.cache.use(
                plan, on_build=lambda: self.say("Building the environment...")
            ) as env:
                verb = "Built" if env.built else "Found"
                self.say(f"{verb} the environment in {time.monotonic() - started:.1f} s.")
                if self._stop.is_set():
                    return ""
                interpreter = (
                    base_interpreter(self.config.python) if plan.language == "python" else None
                )
                with tempfile.TemporaryDirectory(prefix="iterum-preview-") as source:
                    write_project(source, self.files)
                    sandbox = Sandbox(
                        command=("/bin/sh", "-c", plan.start),
                        limits=sandbox_limits(plan, self.config.preview_limits),
                        env=sandbox_environment(plan) | {"PORT": SOCKET},
                        binds=(*env.binds(interpreter), Bind(str(self.folder), SOCKET_DIR, True)),
                        source=source,
                    )
                    return self._serve(sandbox, plan.start)
        except EnvironmentFailed as failure:
            for line in failure.output.strip().splitlines()[-20:]:
                self._line(line)
            return "The environment could not be made: " + failure.message
        except SandboxUnavailable as unavailable:
            return "Previews cannot run here: " + unavailable.message

    def _serve(self, sandbox: Sandbox, start: str) -> str:
        self._set(STARTING)
        self.say(f"Starting: {start}")
        self._groups = Groups.make(sandbox.limits, group_name("preview"))
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)  # the sandbox runs as this user: nobody else gets in
        command = command_line(sandbox, self._groups)
        with self._lock:
            if self._stop.is_set():
                return ""
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        reader = threading.Thread(target=self._read_output, name=f"preview-log-{self.id}")
        reader.start()
        try:
            reason = self._wait_for_answer()
            if reason is None:
                self.answered_at = time.time()
                self.touch()
                self._set(RUNNING)
                reason = self._watch()
            return reason
        finally:
            self._kill()
            reader.join(timeout=5)

    def _wait_for_answer(self) -> str | None:
        """None once the app answers HTTP on its socket; else why it never will."""
        deadline = time.monotonic() + self.config.preview_start_seconds
        while not self._stop.wait(PROBE_SECONDS):
            if (ended := self._ended()) is not None:
                return ended
            if answers(self.socket_path):
                return None
            if time.monotonic() > deadline:
                return (
                    f"the app did not answer on its socket within "
                    f"{self.config.preview_start_seconds:.0f} s (it must listen on the Unix "
                    f"socket named by $PORT, {SOCKET})"
                )
            if reason := self._overflowing():
                return reason
        return ""

    def _watch(self) -> str:
        idle = self.config.preview_idle_seconds
        while not self._stop.wait(0.5):
            if (ended := self._ended()) is not None:
                return ended
            if time.monotonic() - self.last_used > idle:
                spell = f"{idle / 60:.0f} minutes" if idle >= 120 else f"{idle:.0f} s"
                return f"nobody used it for {spell}"
            if reason := self._overflowing():
                return reason
        return ""

    def _ended(self) -> str | None:
        process = self._process
        if process is None or process.poll() is None:
            return None
        groups = self._groups
        if groups is not None and groups.out_of_memory():
            limit = self.config.preview_limits.memory_mb
            return f"the app ran out of memory (its limit is {limit} MB)"
        return f"the app exited (code {process.returncode})"

    def _overflowing(self) -> str:
        if disk_usage(self.folder) > SOCKET_FOLDER_BYTES:
            return "the app wrote files into its socket folder"
        return ""

    def _read_output(self) -> None:
        process = self._process
        if process is None or process.stdout is None:
            return
        pending = b""
        for chunk in iter(lambda: process.stdout.read1(65536), b""):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            if len(pending) > LINE_CHARS * 4:  # a line without end: cut it
                lines.append(pending)
                pending = b""
            for line in lines:
                self._line(line.decode("utf-8", "replace").rstrip("\r"))
        if pending:
            self._line(pending.decode("utf-8", "replace"))

    def _kill(self) -> None:
        with self._lock:
            process, groups = self._process, self._groups
        if process is not None and process.poll() is None:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, 9)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        if groups is not None:
            groups.remove()


def answers(path: str, timeout: float = 1.0) -> bool:
    """Does something answer HTTP on this Unix socket?"""
    if not os.path.exists(path):
        return False
    connection = UnixHTTPConnection(path, timeout=timeout)
    try:
        connection.request("GET", "/", headers={"Host": "localhost"})
        connection.getresponse().read(1)
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float = 5.0) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)
