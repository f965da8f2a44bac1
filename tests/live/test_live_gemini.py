"""Through the worker with Gemini's real SDK against the fake server: retries, files, cancel."""

import time

import httpx
import pytest
from django.contrib.auth import get_user_model

from generations.models import Generation, ModelCall, Version
from generations.storage import save_files
from tests.support.fake_models import Failure, FakeModelServer, Reply
from tests.support.live_servers import (
    csrf_token,
    log_in,
    post_form,
    read_events,
    replay_from,
    start_stack,
    stream_url,
)

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

ANSWER = (
    "Adding a health check and its test.\n\n@@@ PLAN app.py, test_health.py\n"
    "@@@ EDIT app.py\n<<<<<<< SEARCH\napp = Flask(__name__)\n=======\n"
    "app = Flask(__name__)\n\n\n@app.get('/health')\ndef health():\n    return 'ok'\n"
    ">>>>>>> REPLACE\n@@@ END\n\n"
    "@@@ FILE test_health.py\nfrom app import app\n\n\ndef test_health():\n"
    "    assert app.test_client().get('/health').text == 'ok'\n@@@ END\n"
)


@pytest.fixture
def fake():
    server = FakeModelServer()
    server.url = server.start()
    yield server
    server.stop()


@pytest.fixture
def client(fake):
    stack = start_stack(
        MODEL_PROVIDER="gemini",
        GEMINI_API_KEY="test-key",
        GEMINI_BASE_URL=fake.url,
        GEMINI_MODEL="gemini-2.5-flash",
        MODEL_RETRY_BASE_SECONDS="0.05",
    )
    try:
        user = get_user_model().objects.create_user("alice", password="live-password-1")
        generation = Generation.objects.create(
            owner=user, title="Flask app", prompt="an app", tech_stack="flask"
        )
        version = Version.objects.create(
            generation=generation, number=1, kind="generate", prompt="an app", status="completed"
        )
        save_files(
            version=version,
            files={
                "requirements.txt": "flask\n",
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            },
        )
        with httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=20) as http:
            log_in(http, "alice", "live-password-1")
            http.version_page = version.get_absolute_url()
            yield http
    finally:
        stack.stop()


def start_iteration(client, prompt: str) -> httpx.Response:
    page = client.version_page
    return post_form(client, page, page + "iterate/", {"prompt": prompt})


def test_a_rate_limited_call_is_retried_live_and_files_arrive_one_by_one(client, fake):
    fake.push(
        Failure(429, "quota exceeded", "RESOURCE_EXHAUSTED"), Reply.of(ANSWER, size=16, delay=0.01)
    )
    iterated = start_iteration(client, "add a health-check endpoint with a test")
    events = list(read_events(client, replay_from(stream_url(iterated.text), 0)))

    [retry] = [e for e in events if e["stage"] == "retrying"]
    assert "429" in retry["reason"]
    assert retry["retry_in"] > 0
    files = [(e["file"], e["action"]) for e in events if e["stage"] == "file_generated"]
    assert files == [("app.py", "modified"), ("test_health.py", "added")]
    assert events[-1]["status"] == "completed"
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress)

    version = Version.objects.get(number=2)
    assert "@app.get('/health')" in version.files.get(path="app.py").blob.content
    calls = list(
        ModelCall.objects.filter(version=version).values_list(
            "outcome", "provider", "tokens_in", "tokens_out"
        )
    )
    assert calls == [("unavailable", "gemini", 0, 0), ("ok", "gemini", 11, 22)]
    page = client.get(version.get_absolute_url()).text
    assert "11 tokens in, 22 out" in page
    assert "about $" in page  # gemini-2.5-flash has a price


def test_cancel_mid_stream_closes_the_connection_and_saves_nothing(client, fake):
    fake.push(Reply.of(ANSWER, size=8, stall_after=3, stall_seconds=60))
    iterated = start_iteration(client, "add a health-check endpoint")
    version_url = iterated.url.path
    deadline = time.monotonic() + 20
    while not fake.seen and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # the first chunks arrive, then the server stalls
    page = client.get(version_url)
    started = time.monotonic()
    cancelled = client.post(
        version_url + "cancel/", data={"csrfmiddlewaretoken": csrf_token(page.text)}
    )
    assert cancelled.status_code == 200
    while fake.disconnects == 0 and time.monotonic() - started < 5:
        time.sleep(0.01)
    closed_after = time.monotonic() - started
    print(f"\nthe model connection closed {closed_after:.2f} s after the cancel request")
    assert fake.disconnects == 1
    assert closed_after < 2, f"the model connection closed {closed_after:.2f} s after cancel"

    events = list(read_events(client, replay_from(stream_url(page.text), 0)))
    assert (events[-1]["stage"], events[-1]["status"]) == ("cancelled", "cancelled")
    version = Version.objects.get(number=2)
    assert version.status == Version.Status.CANCELLED
    assert not version.files.exists()
    assert ModelCall.objects.get(version=version).outcome == "cancelled"


BROKEN = (
    "@@@ PLAN app.py\n@@@ EDIT app.py\n<<<<<<< SEARCH\napp = Flask(__name__)\n=======\n"
    "app = Flask(__name__)\n\n\n@app.get('/total')\ndef total():\n"
    "    return {'total': sum(o['price'] for o in ordrs)}\n>>>>>>> REPLACE\n@@@ END\n"
)
FIXED = (
    "@@@ PLAN app.py\n@@@ EDIT app.py\n<<<<<<< SEARCH\n"
    "    return {'total': sum(o['price'] for o in ordrs)}\n=======\n"
    "    return {'total': sum(o['price'] for o in ORDERS)}\n>>>>>>> REPLACE\n"
    "<<<<<<< SEARCH\napp = Flask(__name__)\n=======\napp = Flask(__name__)\nORDERS = []\n"
    ">>>>>>> REPLACE\n@@@ END\n"
)


def test_the_checks_send_an_undefined_name_back_and_the_fixed_version_passes(client, fake):
    fake.push(Reply.of(BROKEN, size=16, delay=0.005), Reply.of(FIXED, size=16))
    iterated = start_iteration(client, "add a total endpoint")
    events = list(read_events(client, replay_from(stream_url(iterated.text), 0)))

    results = [e for e in events if e["stage"] == "check_result"]
    assert [(e["errors"], e["warnings"]) for e in results] == [(1, 0), (0, 0)]
    assert results[0]["findings"][0]["message"] == "Undefined name `ordrs`"
    [fix] = [e for e in events if e["stage"] == "check_fix"]
    assert fix["findings"] == 1
    assert "Undefined name `ordrs`" in str(fake.seen[1].body)
    assert events[-1]["status"] == "completed"
    assert [e["progress"] for e in events] == sorted(e["progress"] for e in events)

    version = Version.objects.get(number=2)
    assert version.checked
    assert version.findings == []
    assert "ORDERS = []" in version.files.get(path="app.py").blob.content
    purposes = ModelCall.objects.filter(version=version).order_by("pk")
    assert list(purposes.values_list("purpose", "outcome")) == [("iterate", "ok"), ("fix", "ok")]
    page = client.get(version.get_absolute_url()).text
    assert 'Checks: <span class="check-ok">✓ all passed</span>' in page


def test_a_fix_that_does_not_help_ends_with_the_findings_shown_not_a_failure(client, fake):
    fake.push(Reply.of(BROKEN, size=16), Reply.of("I cannot see a problem.", size=16))
    iterated = start_iteration(client, "add a total endpoint")
    events = list(read_events(client, replay_from(stream_url(iterated.text), 0)))
    assert events[-1]["status"] == "completed"

    version = Version.objects.get(number=2)
    assert [(f["path"], f["line"], f["rule"]) for f in version.findings] == [("app.py", 8, "F821")]
    page = client.get(version.get_absolute_url()).text
    assert "✗ 1 error" in page
    assert "Undefined name `ordrs`" in page
    viewer = client.get(version.get_absolute_url() + "?file=app.py").text
    assert '<a href="#L-8">Line 8</a>: Undefined name `ordrs`' in viewer
    assert 'class="has-errors"' in viewer
