"""Pushpin in front: it holds the streams, the worker publishes to it, daphne only answers.

The web server's own relay is slowed to once an hour here, so every live event these tests
see came through Pushpin.
"""

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from django.contrib.auth import get_user_model
from django_eventstream.utils import get_storage

from generations.models import Version
from tests.support import pushpin
from tests.support.live_servers import (
    csrf_token,
    log_in,
    post_form,
    read_events,
    replay_from,
    start_stack,
    stream_url,
)

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not pushpin.available(), reason="needs Debian's pushpin package"),
]
NEW = {"title": "Proxied", "prompt": "an api", "tech_stack": "flask", "domain": "notes"}


@pytest.fixture
def proxy():
    running = pushpin.Pushpin()
    stack = start_stack(
        GRIP_URL=running.grip_url, EVENTS_POLL_SECONDS="3600", DEMO_MODEL_CHUNK_DELAY="0.05"
    )
    try:
        running.start([stack.base_url.removeprefix("http://")])
        yield running
    finally:
        running.stop()
        stack.stop()


@contextmanager
def client_for(proxy, username: str) -> Iterator[httpx.Client]:
    """A logged-in client that talks only to Pushpin."""
    get_user_model().objects.create_user(username, password="live-password-1")
    with httpx.Client(base_url=proxy.url, follow_redirects=True, timeout=30) as client:
        log_in(client, username, "live-password-1")
        yield client


def event_ids(events: list[dict]) -> list[int]:
    return [int(event["id"].rsplit(":", 1)[1]) for event in events]


def test_events_reach_the_browser_through_pushpin(proxy):
    with client_for(proxy, "alice") as client:
        created = post_form(client, "/generations/new/", "/generations/new/", NEW)
        stream = read_events(client, stream_url(created.text), seconds=30)
        events = [next(stream)]
        version = Version.objects.get()
        assert version.status == "processing", "the rest must arrive live"
        # An event Pushpin never hears of, as when a publish fails: the next one published
        # shows it a gap, and it fetches the missing event from the web process.
        missed = {"stage": "missed", "status": "processing", "message": "never published"}
        get_storage().append_event(version.channel, "progress", json.dumps(missed))
        events += list(stream)
        assert [e["message"] for e in events].count("never published") == 1
        assert events[-1]["stage"] == "generation_complete"
        assert events[-1]["status"] == "completed"
        ids = event_ids(events)
        assert ids == sorted(set(ids)), "every event once, in order"

        # A reconnect with the last id it had gets every later event exactly once.
        replayed = list(read_events(client, replay_from(stream_url(created.text), ids[2])))
        assert event_ids(replayed) == [i for i in event_ids(events) if i > ids[2]]

        # The run has ended: the stream is not held, it sends the run and ends (curl -N).
        url = proxy.url + replay_from(stream_url(created.text), 0)
        cookie = f"sessionid={client.cookies['sessionid']}"
        curl = subprocess.run(
            ["curl", "-sS", "-N", "-b", cookie, url], capture_output=True, text=True, timeout=60
        )
        assert curl.returncode == 0, curl.stderr
        assert curl.stdout.rstrip().rsplit("\n\n", 1)[-1].startswith("event: done")


def test_pushpin_passes_on_the_refusal_to_another_user(proxy):
    with client_for(proxy, "alice") as owner, client_for(proxy, "mallory") as other:
        created = post_form(owner, "/generations/new/", "/generations/new/", NEW)
        with pytest.raises(AssertionError, match="forbidden"):
            list(read_events(other, stream_url(created.text)))


def test_logging_out_ends_that_sessions_stream_held_by_pushpin(proxy):
    with client_for(proxy, "alice") as client:
        created = post_form(client, "/generations/new/", "/generations/new/", NEW)
        url = stream_url(created.text).replace("?", "?follow=1&", 1)  # held after the run too
        cookie = f"sessionid={client.cookies['sessionid']}"
        with subprocess.Popen(
            ["curl", "-sS", "-N", "-b", cookie, proxy.url + url], stdout=subprocess.PIPE, text=True
        ) as curl:
            opening = "".join(curl.stdout.readline() for _ in range(3))  # padding, blank, open
            assert "event: stream-open" in opening
            page = client.get("/generations/")
            client.post("/accounts/logout/", data={"csrfmiddlewaretoken": csrf_token(page.text)})
            try:  # it must end by itself, refused
                rest, _ = curl.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                curl.kill()
                raise AssertionError("the logout did not end the stream") from None
            assert curl.returncode == 0
        assert "event: stream-error" in rest
        assert "You have logged out." in rest
