"""`manage.py serve`: daphne and one background worker, supervised.

A worker that dies (killed, crashed, out of memory) is started again, after a pause that
doubles with each quick death up to a minute; the run it held is failed by the reaper in
the web process. serve stops on Ctrl-C or SIGTERM, and when daphne itself exits: without
the web server there is nothing to serve.
"""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from generations.model_settings import get_provider

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
HEALTHY_AFTER = 60.0  # a worker that ran this long died of something new: pause briefly again


def web_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "daphne", "-b", host, "-p", str(port), "config.asgi:application"]


def worker_command() -> list[str]:
    return [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "1"]


class Command(BaseCommand):
    help = "Serve the app with daphne and one supervised background worker; Ctrl-C stops both."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        web = subprocess.Popen(web_command(host, port))
        self.worker = subprocess.Popen(worker_command())
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
            _stop_all([web, self.worker])

    def _stop(self, *_: object) -> None:
        raise KeyboardInterrupt

    def _supervise(self, web: subprocess.Popen) -> None:
        started, pause = time.monotonic(), FIRST_PAUSE
        while True:
            time.sleep(0.5)
            if web.poll() is not None:
                self.stderr.write(f"The web server exited (code {web.returncode}); stopping.")
                return
            if self.worker.poll() is None:
                continue
            code = self.worker.returncode
            if code in (-signal.SIGINT, -signal.SIGTERM):
                time.sleep(0.5)  # Ctrl-C reached the worker first; ours follows at once
            if time.monotonic() - started >= HEALTHY_AFTER:
                pause = FIRST_PAUSE
            self.stderr.write(
                f"The worker stopped (exit code {code}); starting a new one in {pause:.0f} s. "
                "A run it held is marked failed when its heartbeat times out."
            )
            time.sleep(pause)
            self.worker = subprocess.Popen(worker_command())
            self.stdout.write(f"Started a new worker (pid {self.worker.pid}).")
            started, pause = time.monotonic(), min(pause * 2, LONGEST_PAUSE)


def _stop_all(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
