"""Behind Pushpin: a request Pushpin signed gets GRIP instructions, anything else does not."""

import time

import jwt
import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import override_settings

from generations.live.events import publish
from generations.models import Version
from orchestrator.stages import ProgressEvent
from tests.app.test_events import first_chunk

# A run in progress: its stream stays open (one whose run ended closes after its final event).
RUNNING = Version.Status.PROCESSING
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("behind_pushpin"),
]
KEY = "grip-test-key-of-at-least-32-bytes"


@pytest.fixture
def behind_pushpin():
    # An unroutable publish endpoint: these tests look only at what the view answers.
    grip = {"GRIP_URL": f"http://127.0.0.1:9?key={KEY}", "GRIP_PREFIX": ""}
    with override_settings(**grip, MIDDLEWARE=["django_grip.GripMiddleware", *settings.MIDDLEWARE]):
        yield


def signature(key: str) -> str:
    """The Grip-Sig header Pushpin sends: a short-lived JWT signed with its sig_key."""
    return jwt.encode({"iss": "pushpin", "exp": int(time.time()) + 60}, key, algorithm="HS256")


@pytest.fixture
def version(make_version):
    version = make_version(status=RUNNING)
    for stage in ("queued", "iteration_start", "intent_detection"):
        publish(version, ProgressEvent(stage, "processing", f"at {stage}", 0.1))
    return version


def events_url(version, last_id: int) -> str:
    return (
        f"/generations/{version.generation_id}/v1/events/?lastEventId={version.channel}:{last_id}"
    )


def test_a_signed_request_gets_the_missed_events_and_a_hold_on_the_channel(owner_client, version):
    response = owner_client.get(events_url(version, 1), headers={"Grip-Sig": signature(KEY)})

    assert not response.streaming, "Pushpin holds the connection, not daphne"
    assert response["Grip-Hold"] == "stream"
    channel_header = response["Grip-Channel"]
    assert f"events-{version.channel}; prev-id=3" in channel_header
    body = response.content.decode()
    assert "at queued" not in body  # the client had id 1
    assert body.index("at iteration_start") < body.index("at intent_detection")
    assert f"id: {version.channel}:3" in body


def test_a_signed_request_from_another_user_is_refused_without_a_hold(client, other_user, version):
    client.force_login(other_user)
    response = client.get(events_url(version, 0), headers={"Grip-Sig": signature(KEY)})

    body = response.content.decode()
    assert "event: stream-error" in body
    assert '"condition": "forbidden"' in body
    assert "at queued" not in body
    assert "Grip-Hold" not in response
    assert body.startswith("retry: 86400000\n"), "the browser must not reconnect every 3 s"


@pytest.mark.parametrize("forged", ["a-wrong-key-of-at-least-32-bytes!", "not a token"])
def test_a_forged_signature_is_not_trusted(owner_client, version, forged):
    header = signature(forged) if forged.startswith("a-wrong") else forged
    response = owner_client.get(events_url(version, 0), headers={"Grip-Sig": header})

    assert response.streaming, "served as a plain stream, as if Pushpin were not there"
    assert "Grip-Hold" not in response
    assert "at queued" in async_to_sync(first_chunk)(response, "at intent_detection")


def test_a_stream_token_is_served_through_pushpin_as_a_plain_stream(client, user, version):
    """django-eventstream's GRIP view knows only sessions: a program's stream token is
    served by us, through Pushpin, and ends after the run's final event."""
    from generations.live.stream_tokens import stream_token

    token = stream_token(user=user, channel=version.channel, origin=None)
    publish(version, ProgressEvent("iteration_complete", "completed", "the end", 1.0))
    url = f"/generations/{version.generation_id}/v1/events/?token={token}"
    response = client.get(url, headers={"Grip-Sig": signature(KEY)})

    assert response.streaming
    assert "Grip-Hold" not in response
    body = async_to_sync(first_chunk)(response)
    assert "at queued" in body
    assert "stream-error" not in body
