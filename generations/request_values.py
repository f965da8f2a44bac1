"""Reading values from requests totally: a value that cannot be read is None, never an
exception (and so never a 500)."""

import re

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits only: str.isdigit() accepts "²"


def whole_number(raw: str | None) -> int | None:
    """A non-negative whole number of at most 18 digits, or None."""
    if raw is None or not _NUMBER.fullmatch(raw):
        return None
    return int(raw)


def safe_next(request: HttpRequest, raw: str | None) -> str | None:
    """A user-supplied address to go on to, if it stays on this site; otherwise None."""
    if not raw or not url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return raw
