"""Part of `make bench`: from `iterum new` to the client's first bar update, and from
`iterum watch` of a run that has already ended to its final line.

A real daphne and a real `manage.py worker` run on the database in DATABASE_URL with the
demo model; the terminal client's own `main` runs here, as `iterum new` would. The first
figure is the time from calling it to the first event it shows (the worker's first stage,
through the API, a stream token and the SSE stream). The second is the time `iterum watch`
takes on a version that has ended (it must end at once: no stream may hold it). Ten runs
each; p50 and p95.
"""

import logging
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
    from iterum_client import cli, follow

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
    logging.getLogger("httpx").setLevel(logging.WARNING)  # no line per request
    starts: list[float] = []
    first_updates: list[float] = []
    watched: list[float] = []
    whole: list[float] = []
    shown = follow.RunBar.show

    def timed_show(bar, event):
        if len(first_updates) < len(starts):  # this run's first update
            first_updates.append(time.perf_counter() - starts[-1])
        return shown(bar, event)

    follow.RunBar.show = timed_show
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
            generation = user.generations.order_by("-created_at").first()
            for _ in range(RUNS):
                began = time.perf_counter()
                code = cli.main(["watch", str(generation.pk), "1"], console=console)
                watched.append(time.perf_counter() - began)
                assert code == cli.OK, code
            # As a person runs it: a new process, Python's start and the imports included.
            command = [sys.executable, "-m", "iterum_client.cli", "watch", str(generation.pk)]
            for _ in range(RUNS):
                began = time.perf_counter()
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ)
                whole.append(time.perf_counter() - began)
    finally:
        stop_processes([web, worker])
    print(
        f"iterum new to the first bar update ({RUNS} runs, demo model, "
        f"{django.db.connection.vendor}): p50 {statistics.median(first_updates) * 1000:.0f} ms, "
        f"p95 {percentile(first_updates, 0.95) * 1000:.0f} ms"
    )
    print(
        f"iterum watch of a run that has ended, to its final line ({RUNS} runs): "
        f"p50 {statistics.median(watched) * 1000:.0f} ms, "
        f"p95 {percentile(watched, 0.95) * 1000:.0f} ms in-process; as a command "
        f"(a new Python process) p50 {statistics.median(whole) * 1000:.0f} ms, "
        f"p95 {percentile(whole, 0.95) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
