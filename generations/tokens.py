"""API tokens (a user's key for programs) and stream tokens (one version's events, minutes).

An API token is `itm_` and 40 random characters. It is shown once, when made; the database
keeps its SHA-256, so a stolen database gives no usable key. It goes in the Authorization
header, never in a URL: a URL ends up in logs.

Stream tokens (generations.live.stream_tokens) stand for an API token or a session in an
events URL; revoking an API token ends its streams at once.
"""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from generations.live.events import end_user_streams
from generations.live.stream_tokens import STREAM_SALT, stream_token, token_origin
from generations.models import ApiToken

__all__ = ["STREAM_SALT", "authenticate", "create_token", "revoke_token", "stream_token"]

PREFIX = "itm_"
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
    """Revoke the token, and end the event streams it opened (in every web process) now."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        end_user_streams(
            token.user, origin=token_origin(token.pk), text="This API token was revoked."
        )
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
