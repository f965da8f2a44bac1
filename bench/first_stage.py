"""Part of `make bench-events`: from a click to the first stage the worker reports.

A real daphne and a real `manage.py worker` run on the database in DATABASE_URL. The
follow-up form is posted over HTTP, as the browser's click posts it; the figure is the time
from just before the POST to the timestamp of the version's `iteration_start` event (set by
the worker when it emits it). Twenty runs, one after another; p50 and p95 are printed.
On PostgreSQL the worker is woken by NOTIFY, with Redis by a Redis hint; on SQLite alone it
polls every WORKER_IDLE_POLL_SECONDS.
"""

import json
import os
import re
import subprocess
import sys
import time

import httpx

from bench.events import ROOT, percentile
from tests.support.live_servers import free_port, stop_processes, wait_for_port

RUNS = 20


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django_eventstream.models import Event

    from generations.models import Generation, Version
    from generations.storage import save_files
    from tests.support.live_servers import database_url

    user, _ = get_user_model().objects.get_or_create(username="bench-first-stage")
    user.set_password("bench-first-stage-1")
    user.save()
    generation = Generation.objects.create(
        owner=user, title="First stage", prompt="p", tech_stack="flask", domain="todos"
    )
    base = Version.objects.create(
        generation=generation, number=1, kind="generate", prompt="p", status="completed"
    )
    save_files(version=base, files={"app.py": "print('hi')\n", "README.md": "# Hi\n"})
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEMO_MODEL_CHUNK_DELAY": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    daphne = [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
    web = subprocess.Popen([*daphne, "config.asgi:application"], cwd=ROOT, env=env)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "1", "-v", "0"],
        cwd=ROOT,
        env=env,
    )
    delays = []
    try:
        wait_for_port(port, web)
        time.sleep(2)  # the worker is up and idle
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True) as client:
            page = client.get("/accounts/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
            client.post(
                "/accounts/login/",
                data={
                    "username": user.username,
                    "password": "bench-first-stage-1",
                    "csrfmiddlewaretoken": token,
                },
            )
            form = client.get(base.get_absolute_url())
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
            for run in range(RUNS):
                clicked = time.time()
                client.post(
                    base.get_absolute_url() + "iterate/",
                    data={"prompt": f"add a status{run} endpoint", "csrfmiddlewaretoken": token},
                    follow_redirects=False,
                )
                version = Version.objects.get(generation=generation, number=run + 2)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    started = [
                        json.loads(json.loads(e.data))
                        for e in Event.objects.filter(channel=version.channel, type="progress")
                    ]
                    started = [e for e in started if e["stage"] == "iteration_start"]
                    if started:
                        delays.append(started[0]["timestamp"] - clicked)
                        break
                    time.sleep(0.005)
                while Version.objects.get(pk=version.pk).is_live:
                    time.sleep(0.01)
    finally:
        stop_processes([web, worker])
    engine = connection.vendor + (" + Redis" if os.environ.get("REDIS_URL") else "")
    p50, p95 = (percentile(delays, share) * 1000 for share in (0.5, 0.95))
    print(
        f"Click to first worker stage on {engine} ({len(delays)} runs): p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms -> goal p95 at most 200 ms: {'met' if p95 <= 200 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
