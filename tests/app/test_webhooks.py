"""Webhooks: a signed POST when a version ends, retried with backoff, recorded; private and
loopback addresses refused unless allowed."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from generations import webhooks
from generations.models import WebhookDelivery
from generations.runs.lifecycle import announce_end
from generations.tokens import create_token
from tests.support.waiting import wait_until

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


def test_a_receiver_failing_twice_gets_one_delivery_recorded_as_succeeded(
    make_version, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.01
    hook = receiver(failures=2)
    version = ended_version(make_version, hook.url)
    announce_end(version)  # as the worker does when a run ends
    wait_until(
        lambda: WebhookDelivery.objects.filter(finished_at__isnull=False).exists(),
        "no delivery finished",
    )
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


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible: the case, accepted before
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.8",
        "64:ff9b::a00:8",  # NAT64 of 10.0.0.8
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "::",
        "fe80::1",
        "fc00::1",
        "100.64.0.1",  # shared address space (carrier NAT)
        "169.254.169.254",  # cloud metadata
        "0.0.0.0",
        "224.0.0.1",
    ],
)
def test_addresses_that_reach_inside_are_refused_in_every_form(address, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    host = f"[{address}]" if ":" in address else address
    problem = webhooks.address_problem(f"http://{host}:8080/hook")
    assert problem is not None
    assert "private, loopback or reserved" in problem


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    host = f"[{address}]" if ":" in address else address
    assert webhooks.address_problem(f"https://{host}/hook") is None


def test_the_delivery_goes_to_the_address_checked_with_the_name_kept(
    make_version, receiver, settings, monkeypatch
):
    """A name that resolves to a public address when checked and to another one a moment
    later (DNS rebinding) is connected to at the address checked: one lookup per attempt."""
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    hook = receiver()
    port = hook.server.server_address[1]
    lookups = []
    real = webhooks.socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "hooks.example.test":  # answers once with the receiver, then elsewhere
            lookups.append(host)
            target = "127.0.0.1" if len(lookups) == 1 else "192.0.2.1"
            return [(webhooks.socket.AF_INET, webhooks.socket.SOCK_STREAM, 6, "", (target, port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", resolve)
    url = f"http://hooks.example.test:{port}/hook"
    version = ended_version(make_version, url)
    delivery = WebhookDelivery.objects.create(version=version, url=url)
    done = webhooks.deliver(delivery.pk, "secret", b"{}")
    assert done.status == "succeeded", done.error
    assert lookups == ["hooks.example.test"]
    headers, _ = hook.received[0]
    assert headers["Host"] == f"hooks.example.test:{port}"
    assert headers["X-Iterum-Delivery"] == str(delivery.delivery_id)


def test_a_delivery_keeps_its_id_on_every_attempt(make_version, receiver, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    hook = receiver(failures=1)
    version = ended_version(make_version, hook.url)
    delivery = WebhookDelivery.objects.create(version=version, url=hook.url)
    webhooks.deliver(delivery.pk, "secret", b"{}", sleep=lambda seconds: None)
    ids = {headers["X-Iterum-Delivery"] for headers, _ in hook.received}
    assert ids == {str(delivery.delivery_id)}
    assert len(hook.received) == 2


def test_the_api_rotates_the_secret_and_lists_deliveries(make_version, user, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    version = ended_version(make_version, "http://127.0.0.1:9/hook")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user, name='hooks')[1]}"}
    url = f"/api/v1/generations/{version.generation_id}/webhook"
    old = version.generation.webhook_secret
    body = json.dumps({"url": "http://127.0.0.1:9/hook", "rotate_secret": True})
    rotated = Client().put(url, body, content_type="application/json", **headers).json()
    assert rotated["secret"] != old
    assert len(rotated["secret"]) == 64
    kept = json.dumps({"url": "http://127.0.0.1:9/hook"})
    assert (
        Client().put(url, kept, content_type="application/json", **headers).json()["secret"]
        == rotated["secret"]
    ), "the secret changes only when asked"

    delivery = WebhookDelivery.objects.create(version=version, url="http://127.0.0.1:9/hook")
    listed = Client().get(url + "/deliveries", **headers)
    assert listed.status_code == 200
    [shown] = listed.json()
    assert shown["id"] == str(delivery.delivery_id)
    assert (shown["version"], shown["status"], shown["attempts"]) == (1, "pending", 0)
    assert listed["X-Total-Count"] == "1"
