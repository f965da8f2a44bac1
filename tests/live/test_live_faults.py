"""Faults with real processes: a worker killed mid-run, Redis stopped and started again."""

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from django.contrib.auth import get_user_model

from generations.models import Version
from tests.support.live_servers import (
    free_port,
    log_in,
    post_form,
    read_events,
    redis_server_command,
    replay_from,
    start_stack,
    stream_url,
)
from tests.support.waiting import wait_for_port, wait_until

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
NEW = {"title": "Slow", "prompt": "an api", "tech_stack": "fastapi_postgres", "domain": "orders"}


@pytest.fixture
def user():
    return get_user_model().objects.create_user("alice", password="live-password-1")


@contextmanager
def client_for(stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=30) as client:
        log_in(client, "alice", "live-password-1")
        yield client


def start_running(client: httpx.Client) -> httpx.Response:
    """Create a generation and wait until a worker is running it; return the created page."""
    created = post_form(client, "/generations/new/", "/generations/new/", NEW)
    running = Version.objects.filter(status="processing").exists
    wait_until(running, "the worker never started the run")
    return created


def test_a_worker_killed_mid_run_is_reaped_and_the_browser_told(user):
    stack = start_stack(DEMO_MODEL_CHUNK_DELAY="0.2", WORKER_HEARTBEAT_TIMEOUT="5")
    _, worker = stack.processes
    try:
        with client_for(stack) as client:
            created = start_running(client)
            worker.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            events = list(read_events(client, replay_from(stream_url(created.text), 0), seconds=60))
            reaped_after = time.monotonic() - killed
    finally:
        stack.stop()
    last = events[-1]
    assert (last["type"], last["status"], last["stage"]) == ("done", "failed", "generation_error")
    assert "worker stopped" in last["message"]
    print(f"\nreaped and told {reaped_after:.2f} s after the kill (heartbeat timeout 5 s)")
    version = Version.objects.get()
    assert (version.status, version.files.exists()) == ("failed", False)


REDIS = shutil.which("redis-server")


@pytest.mark.skipif(REDIS is None, reason="redis-server is not installed")
def test_events_keep_flowing_through_a_redis_restart(user, tmp_path):
    port = free_port()
    command = redis_server_command(port, str(tmp_path))
    redis = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, redis)
        # Polling is slowed to an hour so that only Redis can deliver within the test.
        stack = start_stack(
            REDIS_URL=f"redis://127.0.0.1:{port}/0",
            EVENTS_POLL_SECONDS="3600",
            DEMO_MODEL_CHUNK_DELAY="0.01",
        )
    except Exception:
        redis.terminate()
        raise
    try:
        with client_for(stack) as client:
            created = post_form(client, "/generations/new/", "/generations/new/", NEW)
            stream = read_events(client, replay_from(stream_url(created.text), 0), seconds=120)
            first = next(stream)
            redis.terminate()
            redis.wait()
            # The worker finishes meanwhile, its hints lost; the database keeps the events.
            completed = Version.objects.filter(status="completed").exists
            wait_until(completed, "the worker stopped when Redis did", seconds=30)
            redis = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            restarted = time.monotonic()
            rest = list(stream)
            resumed_after = time.monotonic() - restarted
    finally:
        stack.stop()
        redis.terminate()
    events = [first, *rest]
    ids = [int(e["id"].rsplit(":", 1)[1]) for e in events]
    assert ids == list(range(1, len(ids) + 1)), "every event once, in order"
    assert events[-1]["stage"] == "generation_complete"
    # Delivery resumed with everything sent during the outage: polling (once an hour) could
    # not have brought it.
    print(f"\nevents after the Redis restart arrived within {resumed_after:.2f} s")


def test_a_web_server_restart_mid_run_loses_no_event(user):
    stack = start_stack(DEMO_MODEL_CHUNK_DELAY="0.03")
    try:
        with client_for(stack) as client:
            created = post_form(client, "/generations/new/", "/generations/new/", NEW)
            url = replay_from(stream_url(created.text), 0)
            before = []
            for event in read_events(client, url):
                before.append(event)
                if len(before) == 5:
                    break
            stack.restart_web()
            # As the browser does: reconnect with the last event id it saw.
            last = int(before[-1]["id"].rsplit(":", 1)[1])
            after = list(read_events(client, replay_from(url, last), seconds=60))
    finally:
        stack.stop()
    ids = [int(e["id"].rsplit(":", 1)[1]) for e in before + after]
    assert ids == list(range(1, len(ids) + 1)), "every event once, in order"
    assert after[-1]["stage"] == "generation_complete"


def test_sigterm_lets_the_worker_finish_its_version_and_exit_cleanly(user):
    stack = start_stack(DEMO_MODEL_CHUNK_DELAY="0.02")
    _, worker = stack.processes
    try:
        with client_for(stack) as client:
            created = start_running(client)
            worker.send_signal(signal.SIGTERM)
            events = list(read_events(client, replay_from(stream_url(created.text), 0), seconds=60))
            exit_code = worker.wait(timeout=30)
    finally:
        stack.stop()
    assert events[-1]["status"] == "completed"
    assert exit_code == 0
    assert Version.objects.get().status == "completed"
