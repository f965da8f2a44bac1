"""Webhooks: a signed POST when a version ends, retried with backoff, recorded; private and
loopback addresses refused unless allowed."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from generations import webhooks
from generations.models import WebhookDelivery
from generations.runs.lifecycle import announce_end
from generations.tokens import create_token

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A local HTTP receiver that fails the first `failures` requests, then answers 200."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = 503 if len(receiver.received) <= receiver.failures else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = []

    def make(failures: int = 0) -> Receiver:
        made.append(Receiver(failures))
        return made[-1]

    yield make
    for each in made:
        each.stop()


def ended_version(make_version, url: str):
    version = make_version(status="completed")
    generation = version.generation
    generation.webhook_url = url
    generation.webhook_secret = webhooks.new_secret()
    generation.save()
    return version


def wait_for(condition, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_receiver_failing_twice_gets_one_delivery_recorded_as_succeeded(
    make_version, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.01
    hook = receiver(failures=2)
    version = ended_version(make_version, hook.url)
    announce_end(version)  # as the worker does when a run ends
    wait_for(lambda: WebhookDelivery.objects.filter(finished_at__isnull=False).exists())
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 3, 200)
    assert len(hook.received) == 3
    headers, body = hook.received[-1]
    secret = version.generation.webhook_secret
    timestamp = headers["X-Iterum-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Iterum-Signature"] == "sha256=" + expected.hexdigest()
    data = json.loads(body)
    assert (data["event"], data["version"], data["status"]) == ("version.ended", 1, "completed")
    assert data["generation_id"] == str(version.generation_id)


def test_a_receiver_that_keeps_failing_is_recorded_as_failed(make_version, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_ATTEMPTS = 3
    hook = receiver(failures=10)
    version = ended_version(make_version, hook.url)
    delivery = WebhookDelivery.objects.create(version=version, url=hook.url)
    pauses = []
    done = webhooks.deliver(delivery.pk, "secret", b"{}", sleep=pauses.append)
    assert (done.status, done.attempts, done.response_status) == ("failed", 3, 503)
    assert done.error == "answered 503"
    assert pauses == [2.0, 4.0]  # exponential backoff between attempts


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.0.0.8/x", "http://[::1]/x"],
)
def test_private_and_loopback_addresses_are_refused(make_version, url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    version = ended_version(make_version, url)
    delivery = WebhookDelivery.objects.create(version=version, url=url)
    done = webhooks.deliver(delivery.pk, "secret", b"{}")
    assert done.status == "refused"
    assert "private, loopback or reserved" in done.error


def test_the_api_sets_a_webhook_and_refuses_private_ones(make_version, user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    version = make_version()
    raw = create_token(user=user, name="hooks")[1]
    url = f"/api/v1/generations/{version.generation_id}/webhook"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    body = json.dumps({"url": "http://127.0.0.1:8000/x"})
    refused = Client().put(url, body, content_type="application/json", **headers)
    assert refused.status_code == 422
    assert "private, loopback or reserved" in refused.json()["detail"]
    settings.WEBHOOK_ALLOW_PRIVATE = True
    saved = Client().put(url, body, content_type="application/json", **headers).json()
    assert saved["url"] == "http://127.0.0.1:8000/x"
    assert len(saved["secret"]) == 64
    off = Client().put(url, json.dumps({"url": ""}), content_type="application/json", **headers)
    assert off.json()["url"] == ""


def test_the_generation_page_sets_the_webhook_and_the_version_page_shows_deliveries(
    owner_client, make_version, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    version = make_version()
    url = f"/generations/{version.generation_id}/webhook/"
    refused = owner_client.post(url, {"url": "http://127.0.0.1/x"}, follow=True).content.decode()
    assert "The webhook was not saved" in refused
    settings.WEBHOOK_ALLOW_PRIVATE = True
    saved = owner_client.post(url, {"url": "http://127.0.0.1/x"}, follow=True).content.decode()
    assert "Webhook saved" in saved
    version.generation.refresh_from_db()
    assert version.generation.webhook_secret in saved
    WebhookDelivery.objects.create(
        version=version, url="http://127.0.0.1/x", status="failed", attempts=4, error="answered 503"
    )
    page = owner_client.get(version.get_absolute_url()).content.decode()
    assert "Webhook: failed after 4 attempts (answered 503)" in page
