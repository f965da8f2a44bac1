"""Part of `make bench`: from `iterum new` to the client's first bar update.

A real daphne and a real `manage.py worker` run on the database in DATABASE_URL with the
demo model; the terminal client's own `main` runs here, as `iterum new` would. The figure is
the time from calling it to the first event it shows (the worker's first stage, through the
API, a stream token and the SSE stream). Ten runs; p50 and p95.
"""

import os
import statistics
import subprocess
import sys
import time

from rich.console import Console

from bench.events import ROOT, percentile
from tests.support.live_servers import free_port, stop_processes, wait_for_port

RUNS = 10


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from iterum_client import cli

    from generations.tokens import create_token
    from tests.support.live_servers import database_url

    user, _ = get_user_model().objects.get_or_create(username="bench-client")
    _, token = create_token(user=user, name="bench")
    env = {**os.environ, "DATABASE_URL": database_url(), "LOG_LEVEL": "WARNING"}
    env.update(DEMO_MODEL_CHUNK_DELAY="0", MAX_QUEUED_PER_USER="100", API_RUNS_PER_MINUTE="1000")
    port = free_port()
    daphne = [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
    web = subprocess.Popen([*daphne, "config.asgi:application"], cwd=ROOT, env=env)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "-v", "0"], cwd=ROOT, env=env
    )
    starts: list[float] = []
    first_updates: list[float] = []
    shown = cli.show

    def timed_show(progress, task, data, files=True):
        if len(first_updates) < len(starts):  # this run's first update
            first_updates.append(time.perf_counter() - starts[-1])
        return shown(progress, task, data, files)

    cli.show = timed_show
    os.environ["XDG_CONFIG_HOME"] = str(ROOT / "var" / "bench-client-config")
    try:
        wait_for_port(port, web)
        time.sleep(2)  # the worker is up and idle
        with open(os.devnull, "w") as quiet:
            console = Console(file=quiet)
            cli.main(["login", f"http://127.0.0.1:{port}", "--token", token], console=console)
            for _ in range(RUNS):
                starts.append(time.perf_counter())
                code = cli.main(["new", "a todo api", "--stack", "flask"], console=console)
                assert code == cli.OK, code
    finally:
        stop_processes([web, worker])
    print(
        f"iterum new to the first bar update ({RUNS} runs, demo model, "
        f"{django.db.connection.vendor}): p50 {statistics.median(first_updates) * 1000:.0f} ms, "
        f"p95 {percentile(first_updates, 0.95) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
