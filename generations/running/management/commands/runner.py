"""`manage.py runner`: this machine's runner (orchestrator.running.runner) on RUNNER_SOCKET.

It holds the live previews and runs the test runs, each in the sandbox, and keeps what they
report on their rows and on their versions' channels. `manage.py serve` starts it beside the
worker. Starting, it marks every preview it does not hold as stopped: a runner that
restarts holds none (its sandboxes died with it).
"""

import signal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from generations.running.configured import run_config
from generations.running.previews import record_log, record_state, stop_all_recorded
from generations.running.test_runs import tests_finished
from orchestrator.running.config import missing_tools
from orchestrator.running.previews import Change
from orchestrator.running.runner import Runner, RunnerServer


def tell(change: Change) -> None:
    if change.lines:
        record_log(change.preview_id, change.lines, change.first_line)
    else:
        record_state(change.preview_id, change.state, change.reason)


class Command(BaseCommand):
    help = "Run this machine's runner: live previews and test runs, in the sandbox."

    def handle(self, *args, **options) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        stopped = stop_all_recorded("the runner restarted")
        runner = Runner(
            run_config(),
            Path(settings.RUNNER_DIR),
            on_change=tell,
            on_tests=tests_finished,
            max_previews=settings.PREVIEW_MAX_PER_RUNNER,
            max_tests=settings.RUN_MAX_TESTS,
            thread_done=connections.close_all,
        )
        server = RunnerServer(settings.RUNNER_SOCKET, runner)
        for language in ("python", "node"):
            for problem in missing_tools(language):
                self.stderr.write(f"{language.capitalize()} projects cannot run here: {problem}")
        self.stdout.write(
            f"Runner on {settings.RUNNER_SOCKET}"
            + (f" ({stopped} earlier previews marked stopped)." if stopped else ".")
        )
        try:
            server.serve_forever(poll_interval=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            server.server_close()
            runner.stop_all("the runner stopped")

    def _stop(self, *_: object) -> None:
        raise KeyboardInterrupt
