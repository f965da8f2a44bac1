"""Who may use a preview, and how a browser proves it on the preview's host.

The preview host is another site than Iterum, so it never sees Iterum's session cookie. The
version page (or the API) hands over a signed token good for ENTER_SECONDS; the preview host
exchanges it for its own host-only cookie, signed too, which names the preview and the user.
The cookie is Partitioned (CHIPS) and SameSite=None, so it is sent inside the version page's
frame even where third-party cookies are blocked, and with the preview's own fetch() calls
(the CSP sandbox keeps the page on its own origin). HttpOnly: the page never reads it.
"""

import re
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import HttpRequest

from generations.running.models import Preview

COOKIE = "iterum_preview"
ENTER_PATH = "/__iterum/enter"
ENTER_SECONDS = 120
COOKIE_SECONDS = 24 * 3600
_ENTER_SALT = "iterum.preview.enter"
_COOKIE_SALT = "iterum.preview.cookie"
_ID = re.compile(r"^[a-z0-9]{8,40}$")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def new_preview_id() -> str:
    """26 random letters and digits (134 bits): a host name label that nobody guesses."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(26))


def may_use(user, preview: Preview) -> bool:
    """The version's owner, and staff; nobody else."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or preview.version.generation.owner_id == user.pk


def preview_host_name() -> str:
    return settings.PREVIEW_HOST.split(":")[0]


def preview_id_of_host(host: str) -> str | None:
    """The preview a Host header names (<id>.PREVIEW_HOST, any port), or None."""
    name = host.split(":")[0].lower().rstrip(".")
    label, dot, rest = name.partition(".")
    if dot and rest == preview_host_name() and _ID.match(label):
        return label
    return None


def origin(preview_id: str, request: HttpRequest) -> str:
    """http(s)://<id>.PREVIEW_HOST, on PREVIEW_HOST's port if it names one, else on the port
    the request came to (one server serves both, as `make run` does)."""
    host = settings.PREVIEW_HOST
    if ":" not in host:
        port = request.get_port()
        default = "443" if request.is_secure() else "80"
        host += "" if port == default else f":{port}"
    return f"{request.scheme}://{preview_id}.{host}"


def enter_url(preview: Preview, user, request: HttpRequest, path: str = "") -> str:
    token = signing.dumps({"p": preview.id, "u": user.pk}, salt=_ENTER_SALT)
    query = urlencode({"token": token, "next": path or preview.landing})
    return f"{origin(preview.id, request)}{ENTER_PATH}?{query}"


def user_of_enter_token(token: str, preview_id: str):
    """The user a genuine, unexpired token for this preview was made for, or None."""
    try:
        data = signing.loads(token, salt=_ENTER_SALT, max_age=ENTER_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("p") != preview_id:
        return None
    return get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()


def cookie_value(preview_id: str, user_id: int) -> str:
    return signing.dumps({"p": preview_id, "u": user_id}, salt=_COOKIE_SALT)


def user_id_of_cookie(value: str, preview_id: str) -> int | None:
    try:
        data = signing.loads(value, salt=_COOKIE_SALT, max_age=COOKIE_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("p") != preview_id or not isinstance(data.get("u"), int):
        return None
    return data["u"]


def cookie_header(preview_id: str, user_id: int) -> str:
    return (
        f"{COOKIE}={cookie_value(preview_id, user_id)}; Path=/; Max-Age={COOKIE_SECONDS}; "
        "HttpOnly; Secure; SameSite=None; Partitioned"
    )


def safe_path(path: str) -> str:
    """A path on the preview's own host to go to, else "/" (never another host)."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"
