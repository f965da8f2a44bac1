"""Webhooks: when a version ends, a signed POST to its generation's URL, with retries.

The body is JSON: the event contract's final event (generation_id, version, status, stage,
message, progress, timestamp) plus the version's URL and changes. It is signed with the
generation's secret: `X-Iterum-Signature: sha256=<hex>` is HMAC-SHA256 of
`<timestamp>.<body>`, and `X-Iterum-Timestamp` carries the timestamp, so a receiver can
refuse old replays. A delivery is tried WEBHOOK_ATTEMPTS times with exponential backoff, on
a thread of the process where the version ended (the worker, for a run), and recorded.

Only public addresses are called (ipaddress's `is_global`, and every IPv4 address an IPv6
one carries: mapped, compatible, NAT64, 6to4, Teredo), unless WEBHOOK_ALLOW_PRIVATE: a
webhook must not reach into the network Iterum runs in. Every address the host name
resolves to is checked, the connection goes to the address checked (the name stays in
`Host` and in TLS's SNI), and redirects are not followed. Each delivery has an id, sent as
`X-Iterum-Delivery` and the same on every attempt.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.utils import timezone

from generations.models import Version, WebhookDelivery

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10


def new_secret() -> str:
    return secrets.token_hex(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


@dataclass(frozen=True)
class Target:
    """Where a delivery goes: the address that was checked (connected to, so a name that
    resolves elsewhere a moment later changes nothing), and the host name, which stays in
    `Host` and in TLS's SNI and certificate check."""

    url: str  # the URL with the checked address in place of the host name
    host: str  # the Host header: the name, and the port when the URL gave one
    server_name: str  # the name the TLS certificate must match


def embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries, which reach that IPv4 host: IPv4-mapped
    (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated), NAT64 (64:ff9b::a.b.c.d),
    6to4 (2002:ab:cd::) and Teredo's server and client."""
    found = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if int(ip) >> 32 == 0 or ip in NAT64:
        found.append(low)
    return [address for address in found if address is not None]


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Routable on the internet (ipaddress's `is_global`), not multicast, and so is every
    IPv4 address it carries. The whole IPv4-compatible block (::/96) is refused: nothing
    legitimate uses it, and some stacks route it to the IPv4 host it names."""
    if not ip.is_global or ip.is_multicast:
        return False
    if ip.version == 6:
        if int(ip) >> 32 == 0:
            return False
        return all(is_public(carried) for carried in embedded_ipv4(ip))
    return True


def check_address(url: str) -> tuple[str | None, Target | None]:
    """Why this URL may not be called (and None), or None and where to connect: every
    address the name resolves to must be public (unless WEBHOOK_ALLOW_PRIVATE), and the
    first is the one connected to."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range; a broken IPv6 host
        return "the webhook URL cannot be read; give an http or https URL with a host", None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "the webhook URL must be http or https, with a host", None
    default_port = 443 if parts.scheme == "https" else 80
    try:
        found = socket.getaddrinfo(parts.hostname, port or default_port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):  # UnicodeError: a host name IDNA cannot encode
        return f"the webhook host {parts.hostname} does not resolve", None
    addresses = [ipaddress.ip_address(address[0].split("%", 1)[0]) for *_, address in found]
    if not addresses:
        return f"the webhook host {parts.hostname} does not resolve", None
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for ip in addresses:
            if not is_public(ip):
                return (
                    f"the webhook host {parts.hostname} is a private, loopback or reserved "
                    f"address ({ip}); set WEBHOOK_ALLOW_PRIVATE to allow it"
                ), None
    pinned = addresses[0]
    literal = f"[{pinned}]" if pinned.version == 6 else str(pinned)
    netloc = f"{literal}:{port or default_port}"
    host = parts.hostname if port is None else f"{parts.hostname}:{port}"
    if ":" in parts.hostname and port is None:
        host = f"[{parts.hostname}]"
    elif ":" in parts.hostname:
        host = f"[{parts.hostname}]:{port}"
    return None, Target(parts._replace(netloc=netloc).geturl(), host, parts.hostname)


def address_problem(url: str) -> str | None:
    """Why this URL may not be called, or None."""
    return check_address(url)[0]


def set_webhook(generation, url: str) -> None:
    """Set (or clear) the URL; the secret that signs deliveries is made once."""
    generation.webhook_url = url
    if url and not generation.webhook_secret:
        generation.webhook_secret = new_secret()
    generation.save(update_fields=["webhook_url", "webhook_secret", "updated_at"])


def rotate_secret(generation) -> None:
    """A new signing secret; deliveries from now on are signed with it only."""
    generation.webhook_secret = new_secret()
    generation.save(update_fields=["webhook_secret", "updated_at"])


def payload(version: Version) -> dict:
    return {
        "event": "version.ended",
        "generation_id": str(version.generation_id),
        "version": version.number,
        "status": version.status,
        "stage": version.stage,
        "message": version.message,
        "progress": version.progress,
        "timestamp": time.time(),
        "url": version.get_absolute_url(),
        "changes": version.changes,
        "checks": version.check_summary if version.checked else None,
    }


def version_ended(version: Version) -> WebhookDelivery | None:
    """Record a delivery for this version's end and send it on a thread of its own."""
    generation = version.generation
    if not generation.webhook_url:
        return None
    delivery = WebhookDelivery.objects.create(version=version, url=generation.webhook_url)
    body = json.dumps(payload(version), cls=DjangoJSONEncoder).encode()
    thread = threading.Thread(
        target=deliver,
        args=(delivery.pk, generation.webhook_secret, body),
        name=f"webhook-{delivery.pk}",
        daemon=True,
    )
    thread.start()
    return delivery


def deliver(delivery_id: int, secret: str, body: bytes, sleep=time.sleep) -> WebhookDelivery:
    """Send one delivery, retrying with backoff, and record each attempt's outcome."""
    try:
        delivery = WebhookDelivery.objects.get(pk=delivery_id)
        for attempt in range(1, settings.WEBHOOK_ATTEMPTS + 1):
            # Checked before every attempt (the host may resolve elsewhere by now), and the
            # connection goes to the address checked, never to a second lookup's.
            problem, target = check_address(delivery.url)
            if problem:
                return _finish(delivery, WebhookDelivery.Status.REFUSED, error=problem)
            timestamp = str(int(time.time()))
            headers = {
                "Host": target.host,
                "Content-Type": "application/json",
                "User-Agent": "Iterum-Webhook/1",
                "X-Iterum-Event": delivery.event,
                "X-Iterum-Delivery": str(delivery.delivery_id),
                "X-Iterum-Timestamp": timestamp,
                "X-Iterum-Signature": sign(secret, timestamp, body),
            }
            status, error = None, ""
            try:
                response = send_pinned(target, body, headers)
                status = response.status_code
                if 200 <= status < 300:
                    return _finish(
                        delivery,
                        WebhookDelivery.Status.SUCCEEDED,
                        attempts=attempt,
                        response_status=status,
                    )
                error = f"answered {status}"
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"[:500]
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                attempts=attempt, response_status=status, error=error
            )
            if attempt < settings.WEBHOOK_ATTEMPTS:
                sleep(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
        delivery.refresh_from_db()
        return _finish(delivery, WebhookDelivery.Status.FAILED, attempts=delivery.attempts)
    finally:
        close_old_connections()


def send_pinned(target: Target, body: bytes, headers: dict) -> httpx.Response:
    """POST to the checked address; TLS's SNI and certificate check use the host name."""
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        request = client.build_request(
            "POST",
            target.url,
            content=body,
            headers=headers,
            extensions={"sni_hostname": target.server_name},
        )
        return client.send(request)


def _finish(
    delivery: WebhookDelivery,
    outcome: str,
    *,
    attempts: int | None = None,
    response_status: int | None = None,
    error: str | None = None,
) -> WebhookDelivery:
    delivery.status = outcome
    delivery.finished_at = timezone.now()
    if attempts is not None:
        delivery.attempts = attempts
    if response_status is not None:
        delivery.response_status = response_status
    if error is not None:
        delivery.error = error
    elif outcome == WebhookDelivery.Status.SUCCEEDED:
        delivery.error = ""
    delivery.save()
    logger.info("webhook %s for version %s: %s", delivery.pk, delivery.version_id, outcome)
    return delivery
