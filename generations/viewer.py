"""How a stored file is shown and served: text highlighted in the page; PNG, JPEG, GIF and
WebP images as images, served from their own URL with a type read from their bytes (never
from the name), `nosniff` and a sandboxing Content-Security-Policy; everything else (SVG
included, which is text and never rendered) as text or a size-and-type card."""

from dataclasses import dataclass

from django.http import HttpResponse

from generations.models import Blob

IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
RAW_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def image_type(data: bytes) -> str | None:
    """The image type its bytes show (PNG, JPEG, GIF, WebP), or None."""
    for signature, kind in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def describe_binary(data: bytes) -> str:
    """What a binary file is, for the card and the repository map."""
    if kind := image_type(data):
        return kind
    for signature, kind in (
        (b"PK\x03\x04", "zip archive"),
        (b"\x1f\x8b", "gzip data"),
        (b"%PDF", "PDF document"),
        (b"\x00\x00\x01\x00", "icon"),
        (b"wOFF", "web font"),
        (b"wOF2", "web font"),
        (b"\x7fELF", "executable"),
    ):
        if data.startswith(signature):
            return kind
    return "binary data"


@dataclass(frozen=True)
class Shown:
    kind: str  # text, image, binary
    mime: str
    size: int


def shown_as(blob: Blob) -> Shown:
    data = bytes(blob.content)
    if not blob.binary:
        return Shown("text", "text/plain", blob.size)
    if mime := image_type(data):
        return Shown("image", mime, blob.size)
    return Shown("binary", describe_binary(data), blob.size)


def raw_file_response(blob: Blob, path: str) -> HttpResponse:
    """The file's bytes: images inline with their true type, anything else as a download;
    never sniffed, never run, never framed."""
    data = bytes(blob.content)
    kind = image_type(data) if blob.binary else None
    response = HttpResponse(data, content_type=kind or "application/octet-stream")
    if kind is None:
        name = path.rsplit("/", 1)[-1].replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = RAW_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response
