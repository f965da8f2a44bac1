"""A version's stream as a program reads it, through a stream token, against a real daphne
and worker: it replays the run from its first event and ends after the final one, at once
when the run has already ended, as `curl -N` shows."""

import subprocess

import httpx
import pytest
from django.contrib.auth import get_user_model

from generations.models import ApiToken, Version
from generations.tokens import create_token
from tests.support.live_servers import read_events, start_stack
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
NEW = {"title": "Streams", "prompt": "a todo api", "tech_stack": "flask"}


@pytest.fixture(scope="module")
def stack():
    running = start_stack()
    yield running
    running.stop()


@pytest.fixture
def api(stack):
    user = get_user_model().objects.create_user("alice", password="live-password-1")
    _, token = create_token(user=user, name="streams")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=stack.base_url + "/api/v1", headers=headers, timeout=30) as client:
        yield client
    ApiToken.objects.all().delete()
    get_user_model().objects.all().delete()


def events_url(api: httpx.Client, generation: str, number: int) -> str:
    made = api.post(f"/generations/{generation}/versions/{number}/stream-token")
    assert made.status_code == 200, made.text
    return made.json()["events_url"]


def test_curl_ends_after_done_on_a_run_that_has_already_ended(api, stack):
    generation = api.post("/generations", json=NEW).json()
    generation_id = generation["events_url"].split("/")[2]
    wait_until(
        lambda: Version.objects.filter(status=Version.Status.COMPLETED).exists(),
        "the run to end",
        seconds=60,
    )
    url = stack.base_url + events_url(api, generation_id, 1)

    # No --max-time: only the server's end of the response can end curl (the test's
    # timeout is the guard). Keep-alives would otherwise hold it open forever.
    curl = subprocess.run(["curl", "-sS", "-N", url], capture_output=True, text=True, timeout=60)

    assert curl.returncode == 0, curl.stderr
    events = [block for block in curl.stdout.split("\n\n") if block.startswith("event: ")]
    assert events[0].startswith("event: stream-open")
    assert '"stage": "queued"' in events[1], "the run from its first event"
    assert events[-1].startswith("event: done")
    assert '"status": "completed"' in events[-1]
    assert sum(block.startswith("event: done") for block in events) == 1


def test_a_client_that_asks_at_once_gets_the_first_events_of_the_run(api):
    created = api.post("/generations", json=NEW)
    assert created.status_code == 201
    generation_id = created.json()["events_url"].split("/")[2]
    url = events_url(api, generation_id, 1)  # the worker may have started already

    with httpx.Client(base_url=str(api.base_url).removesuffix("/api/v1/"), timeout=30) as client:
        events = list(read_events(client, url))

    assert events[0]["stage"] == "queued"
    assert events[-1]["type"] == "done"
    ids = [int(event["id"].rsplit(":", 1)[1]) for event in events]
    assert ids == list(range(1, len(ids) + 1)), "every event of the run, once, in order"
