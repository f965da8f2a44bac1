"""API tokens (a user's key for programs) and stream tokens (one version's events, minutes).

An API token is `itm_` and 40 random characters. It is shown once, when made; the database
keeps its SHA-256, so a stolen database gives no usable key. It goes in the Authorization
header, never in a URL: a URL ends up in logs.

A browser's EventSource cannot send headers, so a program asks the API for a stream token:
signed with the site's key (django.core.signing), naming one version's channel and its
user, good for STREAM_TOKEN_SECONDS. The events URL accepts that, and never an API token.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from generations.models import ApiToken

PREFIX = "itm_"
STREAM_SALT = "iterum.stream-token"
LAST_USED_EVERY = timedelta(seconds=60)  # last_used_at is written at most this often


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(*, user, name: str, scope: str = ApiToken.Scope.FULL) -> tuple[ApiToken, str]:
    """A new token and its text, which is shown once and kept nowhere. A `read` token may
    only read: the API's GETs, git clone and fetch."""
    raw = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100] or "token",
        prefix=raw[:12],
        key_hash=digest(raw),
        scope=scope,
    )
    return token, raw


def revoke_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The active token with this text, its use recorded; None for anything else."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def stream_token(*, user, channel: str) -> str:
    return signing.dumps({"u": user.pk, "c": channel}, salt=STREAM_SALT, compress=True)


def stream_token_user_id(token: str, channel: str) -> int | None:
    """The user a stream token was made for, if it is genuine, unexpired and for `channel`."""
    try:
        data = signing.loads(token, salt=STREAM_SALT, max_age=settings.STREAM_TOKEN_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("c") != channel:
        return None
    user_id = data.get("u")
    return user_id if isinstance(user_id, int) else None
