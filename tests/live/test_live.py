"""The whole path: browser-like HTTP client, daphne, the worker process, and SSE."""

import httpx
import pytest
from django.contrib.auth import get_user_model

from generations.models import Version
from orchestrator.stages import ITERATION_ORDER
from tests.support.live_servers import (
    log_in,
    post_form,
    read_events,
    replay_from,
    start_stack,
    stream_url,
)

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stack():
    running = start_stack()
    yield running
    running.stop()


@pytest.fixture
def client(stack):
    get_user_model().objects.create_user("alice", password="live-password-1")
    with httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=20) as http:
        log_in(http, "alice", "live-password-1")
        yield http


def collapse(stages: list[str]) -> list[str]:
    """Stage names with repeats in a row folded (file_generated comes once per file)."""
    return [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]]


def test_generate_then_iterate_streams_every_stage_live(client):
    created = post_form(
        client,
        "/generations/new/",
        "/generations/new/",
        {"title": "Live todo", "prompt": "a todo api", "tech_stack": "flask", "domain": "todos"},
    )
    first = list(read_events(client, stream_url(created.text)))
    assert first[-1]["stage"] == "generation_complete"
    assert {e["stage"] for e in first} >= {
        "planning",
        "phase_start",
        "file_generated",
        "checking",
        "check_result",
        "saving",
    }

    version_page = created.url.path
    iterated = post_form(
        client, version_page, version_page + "iterate/", {"prompt": "add a health-check endpoint"}
    )
    assert iterated.url.path.endswith("/v2/")
    # The worker may start before the page renders (the page then shows that state), so read
    # the run from its first event to see every stage.
    events = list(read_events(client, replay_from(stream_url(iterated.text), 0)))

    stages = [e["stage"] for e in events]
    sent = collapse(stages)
    assert sent[:5] == [
        "queued",
        "iteration_start",
        "intent_detection",
        "context_building",
        "llm_generation",
    ]
    assert sent[-5:] == [
        "parsing_response",
        "merging_files",
        "checking",
        "check_result",
        "iteration_complete",
    ]
    assert [e["message"] for e in events if e["stage"] == "check_result"] == [
        "Checks: All checks passed"
    ]
    positions = [ITERATION_ORDER.index(stage) for stage in dict.fromkeys(sent)]
    assert positions == sorted(positions), "the contract's order"
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress)
    assert progress[-1] == 1.0
    ids = [int(e["id"].rsplit(":", 1)[1]) for e in events]
    assert ids == sorted(set(ids)), "every event once, in order"
    assert events[-1]["status"] == "completed"
    assert [e["file"] for e in events if e["stage"] == "file_generated"] == ["app.py"]

    version = Version.objects.get(number=2)
    assert version.status == Version.Status.COMPLETED
    assert '"/health-check"' in version.files.get(path="app.py").blob.text


def test_a_page_opened_mid_run_catches_up_from_its_event_id(client):
    created = post_form(
        client,
        "/generations/new/",
        "/generations/new/",
        {"title": "Catch up", "prompt": "an api", "tech_stack": "express", "domain": "notes"},
    )
    # Connect from the very first event id, as a page rendered before the run started would.
    events = list(read_events(client, replay_from(stream_url(created.text), 0)))
    assert events[0]["stage"] == "queued"
    assert events[-1]["stage"] == "generation_complete"


def test_another_user_cannot_read_the_stream(client, stack):
    created = post_form(
        client,
        "/generations/new/",
        "/generations/new/",
        {"title": "Private", "prompt": "secret plans", "tech_stack": "flask"},
    )
    get_user_model().objects.create_user("mallory", password="live-password-2")
    with httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=20) as other:
        log_in(other, "mallory", "live-password-2")
        assert other.get(created.url.path).status_code == 404
        with pytest.raises(AssertionError, match="forbidden"):
            list(read_events(other, stream_url(created.text)))
