"""ETags for what never changes once made (a version's files, its zip), and 304 for a
client that already has it (If-None-Match)."""

import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from generations.models import Version


def etag_of_version(version: Version) -> str:
    """The zip's tag: the version's paths, contents and executable bits. Weak, since the
    zip's bytes are made afresh each time (the same files, the same entries)."""
    digest = hashlib.sha256(f"{version.generation_id}:{version.number}:".encode())
    rows = version.files.order_by("path").values_list("path", "blob__sha256", "executable")
    for path, sha256, executable in rows:
        digest.update(f"{path}\0{sha256}\0{int(executable)}\n".encode())
    return f'W/"{digest.hexdigest()[:40]}"'


def etag_of_file(sha256: str, *parts: object) -> str:
    """A file's tag: its content's hash, and what else its representation shows."""
    extra = hashlib.sha256(repr(parts).encode()).hexdigest()[:8] if parts else ""
    return f'"{sha256}{"-" + extra if extra else ""}"'


def unchanged(request: HttpRequest, etag: str) -> HttpResponse | None:
    """304 when the client's If-None-Match names this tag (weak comparison, RFC 9110)."""
    header = request.headers.get("If-None-Match", "")
    if not header:
        return None
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" in tags or etag.removeprefix("W/") in tags:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    return None
