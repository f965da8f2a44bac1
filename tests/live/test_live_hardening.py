"""Hardening with real processes: concurrent requests against the queue limit, and
`manage.py serve` outliving a worker killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.contrib.auth import get_user_model

from generations.models import Version
from tests.support.live_servers import (
    ROOT,
    csrf_token,
    database_url,
    free_port,
    log_in,
    stop_processes,
)
from tests.support.waiting import wait_for_port, wait_until

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
NEW = {"title": "Live", "prompt": "an api", "tech_stack": "flask", "domain": "todos"}


@pytest.fixture
def user():
    return get_user_model().objects.create_user("alice", password="live-password-1")


def environment(**extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PYTHONUNBUFFERED": "1",
        "EVENTS_POLL_SECONDS": "0.05",
        **extra,
    }


def test_twenty_simultaneous_requests_queue_no_more_than_the_limit(user):
    port = free_port()
    env = environment(MAX_QUEUED_PER_USER="5")
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    web = subprocess.Popen([*command, "config.asgi:application"], cwd=ROOT, env=env)
    try:
        wait_for_port(port, web)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
            log_in(client, "alice", "live-password-1")
            token = csrf_token(client.get("/generations/new/").text)

            def create(_: int) -> int:
                data = {**NEW, "csrfmiddlewaretoken": token}
                response = client.post("/generations/new/", data=data, follow_redirects=False)
                return response.status_code

            with ThreadPoolExecutor(20) as pool:
                statuses = list(pool.map(create, range(20)))
    finally:
        stop_processes([web])
    assert statuses.count(302) == 5, statuses
    assert statuses.count(400) == 15
    assert Version.objects.filter(status="queued").count() == 5


def children_of(pid: int) -> dict[int, str]:
    """The child processes of `pid` and their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found[int(entry.name)] = command
    return found


def worker_of(serve: subprocess.Popen) -> int | None:
    workers = [pid for pid, command in children_of(serve.pid).items() if " worker" in command]
    return workers[0] if workers else None


def test_serve_restarts_a_killed_worker_and_the_interrupted_run_is_reaped(user):
    port = free_port()
    env = environment(WORKER_HEARTBEAT_TIMEOUT="5", DEMO_MODEL_CHUNK_DELAY="0.2")
    command = [sys.executable, "manage.py", "serve", "--port", str(port)]
    serve = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for_port(port, serve)
        wait_until(lambda: worker_of(serve) is not None, "serve started no worker")
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
            log_in(client, "alice", "live-password-1")
            token = csrf_token(client.get("/generations/new/").text)
            client.post("/generations/new/", data={**NEW, "csrfmiddlewaretoken": token})
            wait_until(Version.objects.filter(status="processing").exists, "no worker took the run")
            first = worker_of(serve)
            os.kill(first, signal.SIGKILL)
            killed = time.monotonic()
            assert client.get("/accounts/login/").status_code == 200  # the web stays up
            wait_until(lambda: worker_of(serve) not in (None, first), "no new worker", seconds=15)
            wait_until(Version.objects.filter(status="failed").exists, "the run was not reaped", 30)
            reaped_after = time.monotonic() - killed
            assert serve.poll() is None
            assert client.get("/generations/").status_code == 200
        version = Version.objects.get()
        assert "worker stopped" in version.error
        print(f"reaped {reaped_after:.1f} s after the kill; new worker {worker_of(serve)}")
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
    assert serve.returncode == 0
    assert children_of(serve.pid) == {}
