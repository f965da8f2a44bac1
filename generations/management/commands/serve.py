"""`manage.py serve`: daphne, one background worker and the runner, supervised.

A worker or runner that dies (killed, crashed, out of memory) is started again, after a
pause that doubles with each quick death up to a minute; the run a worker held is failed by
the reaper in the web process, and the previews a runner held are marked stopped by the new
runner. serve stops on Ctrl-C or SIGTERM, and when daphne itself exits: without the web
server there is nothing to serve.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from generations.model_settings import get_provider

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
HEALTHY_AFTER = 60.0  # a worker that ran this long died of something new: pause briefly again


def web_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "config.asgi:application"]


def worker_command() -> list[str]:
    return [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "1"]


def runner_command() -> list[str]:
    return [sys.executable, "manage.py", "runner"]


class Supervised:
    """A child that is started again when it dies, after a pause that grows."""

    def __init__(self, name: str, command: list[str]) -> None:
        self.name = name
        self.command = command
        self.process = subprocess.Popen(command)
        self.started = time.monotonic()
        self.pause = FIRST_PAUSE
        self.restart_at: float | None = None


class Command(BaseCommand):
    help = "Serve the app with daphne and one supervised background worker; Ctrl-C stops both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        web = subprocess.Popen(web_command(host, port))
        self.children = [Supervised("worker", worker_command())]
        if settings.RUN_ENABLED:
            self.children.append(Supervised("runner", runner_command()))
        model = get_provider().label
        self.stdout.write(f"Iterum on http://{host}:{port}/ with one worker ({model}).")
        self.stdout.write("Press Ctrl-C to stop.")
        try:
            self._supervise(web)
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C (or the TERM a shell sends too) must not cut the stop short.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            self.stdout.write("Stopping...")
            _stop_all([web, *(child.process for child in self.children)])

    def _stop(self, *_: object) -> None:
        raise KeyboardInterrupt

    def _supervise(self, web: subprocess.Popen) -> None:
        while True:
            time.sleep(0.5)
            if web.poll() is not None:
                self.stderr.write(f"The web server exited (code {web.returncode}); stopping.")
                return
            for child in self.children:
                self._look_after(child)

    def _look_after(self, child: Supervised) -> None:
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.process = subprocess.Popen(child.command)
                child.started, child.restart_at = now, None
                self.stdout.write(f"Started a new {child.name} (pid {child.process.pid}).")
            return
        if child.process.poll() is None:
            return
        code = child.process.returncode
        if code in (-signal.SIGINT, -signal.SIGTERM):
            time.sleep(0.5)  # Ctrl-C reached the child first; ours follows at once
        if now - child.started >= HEALTHY_AFTER:
            child.pause = FIRST_PAUSE
        note = {
            "worker": "A run it held is marked failed when its heartbeat times out.",
            "runner": "Its previews stopped with it.",
        }[child.name]
        self.stderr.write(
            f"The {child.name} stopped (exit code {code}); starting a new one in "
            f"{child.pause:.0f} s. {note}"
        )
        child.restart_at = now + child.pause
        child.pause = min(child.pause * 2, LONGEST_PAUSE)


def _stop_all(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
