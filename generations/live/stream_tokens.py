"""Stream tokens (one version's events, for minutes) and the origin of a stream.

A browser's EventSource cannot send headers, so a program asks the API for a stream token:
signed with the site's key (django.core.signing), naming one version's channel, its user
and its origin, good for STREAM_TOKEN_SECONDS. The events URL accepts that, and never an
API token (a URL ends up in logs).

A stream's origin is what let it open: an API token (`t:<id>`) or a login session
(`s:<digest of the session key>`, never the key itself). Logging out ends the streams of
that session only; revoking a token ends the streams of that token only.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

STREAM_SALT = "iterum.stream-token"


def session_origin(session_key: str | None) -> str | None:
    if not session_key:
        return None
    return "s:" + hashlib.sha256(session_key.encode()).hexdigest()[:32]


def token_origin(api_token_id: int) -> str:
    return f"t:{api_token_id}"


def origin_of(request: HttpRequest) -> str | None:
    """The origin of an authenticated request: its API token, else its session."""
    api_token = getattr(request, "api_token", None)
    if api_token is not None:
        return token_origin(api_token.pk)
    return session_origin(request.session.session_key)


def origin_channel(origin: str) -> str:
    """The GRIP channel a stream held by Pushpin also listens on, so that its origin's end
    (a logout) can close it there."""
    return "origin-" + origin.replace(":", "-")


def stream_token(*, user, channel: str, origin: str | None) -> str:
    return signing.dumps({"u": user.pk, "c": channel, "o": origin}, salt=STREAM_SALT, compress=True)


def read_stream_token(token: str, channel: str) -> tuple[int, str | None] | None:
    """The user and origin a stream token was made for, if it is genuine, unexpired and for
    `channel`; else None."""
    try:
        data = signing.loads(token, salt=STREAM_SALT, max_age=settings.STREAM_TOKEN_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or data.get("c") != channel:
        return None
    user_id, origin = data.get("u"), data.get("o")
    if not isinstance(user_id, int) or not (origin is None or isinstance(origin, str)):
        return None
    return user_id, origin
