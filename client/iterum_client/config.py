"""Where the client keeps the server's URL and the token, and how a typed URL is read."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

TOKEN_PAGE = "/accounts/tokens/"  # where a signed-in user makes an API token


class NotLoggedIn(Exception):
    pass


class BadUrl(ValueError):
    """A server URL the client cannot use; the message says why."""


def config_path() -> Path:
    return Path(platformdirs.user_config_dir("iterum")) / "config.json"


def save_config(url: str, token: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump({"url": url.rstrip("/"), "token": token}, handle)
    os.chmod(path, 0o600)  # also when the file was there before
    return path


def load_config() -> dict:
    """{"url": ..., "token": ...} as `iterum login` saved them; NotLoggedIn without them."""
    try:
        config = json.loads(config_path().read_text())
        if not isinstance(config, dict) or not config.get("url") or not config.get("token"):
            raise NotLoggedIn
        return config
    except (OSError, ValueError):
        raise NotLoggedIn from None


def server_url(typed: str) -> str:
    """The server's URL from what was typed. Without a scheme, a loopback host (localhost,
    127.x, ::1) is taken as http:// and any other host as https://, since a token must not
    cross a network in clear. Any scheme other than http(s) is refused."""
    text = typed.strip()
    if not text:
        raise BadUrl("No server URL was given: iterum login http://127.0.0.1:8000")
    if "://" not in text:
        host, slash, rest = text.partition("/")
        if _is_address(host) and ":" in host:  # a bare IPv6 address: ::1
            text = f"[{host}]{slash}{rest}"
        scheme = "http" if is_loopback(urlsplit("//" + text).hostname or "") else "https"
        text = f"{scheme}://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise BadUrl(f"{typed} is not an http:// or https:// URL.")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise BadUrl(f"{typed} has a port that is not a number.") from None
    if not parts.hostname:
        raise BadUrl(f"{typed} names no host.")
    return text.rstrip("/")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def token_page(url: str) -> str:
    """The page where a token for this server is made."""
    return url.rstrip("/") + TOKEN_PAGE
