"""A version as a zip, streamed file by file: never built whole in memory."""

import logging
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from django.utils.text import slugify
from zipstream import ZIP_DEFLATED, ZipStream

from generations.models import Blob, Version
from generations.refusals import ActionRefused
from orchestrator.errors import UnsafePath
from orchestrator.paths import clean_path

logger = logging.getLogger(__name__)

BLOBS_PER_QUERY = 100  # contents held at once: about 100 files
BYTES_PER_HANDOVER = 256 * 1024


def zip_name(version: Version) -> str:
    return f"{slugify(version.generation.title) or 'project'}-v{version.number}"


class BlobReader:
    """Reads contents in path order, a hundred per query, keeping only the current hundred."""

    def __init__(self, hashes: list[str]) -> None:
        self._hashes = hashes
        self._next = 0
        self._loaded: dict[str, str] = {}

    def read(self, index: int) -> Iterator[bytes]:
        if self._hashes[index] not in self._loaded:
            batch = self._hashes[index : index + BLOBS_PER_QUERY]
            self._loaded = dict(
                Blob.objects.filter(sha256__in=batch).values_list("sha256", "content")
            )
        yield self._loaded[self._hashes[index]].encode()


def zip_stream(version: Version) -> ZipStream:
    folder = zip_name(version)
    rows = list(version.files.values_list("path", "blob_id").order_by("path"))
    reader = BlobReader([sha256 for _, sha256 in rows])
    stream = ZipStream(compress_type=ZIP_DEFLATED, sized=False)
    for index, (path, _) in enumerate(rows):
        # Stored paths were cleaned on the way in; the policy applies again here, so a zip
        # never holds what it refuses (a path stored before a rule existed is left out).
        try:
            name = clean_path(path)
        except UnsafePath as refusal:
            logger.warning("left %r out of the zip of %s: %s", path, version, refusal.message)
            continue
        stream.add(reader.read(index), f"{folder}/{name}")
    return stream


def zip_response(version: Version) -> StreamingHttpResponse:
    """The version's files as a zip download; refused for a version without files."""
    if not version.has_files:
        raise ActionRefused(
            f"Version {version.number} is {version.get_status_display().lower()}; only a "
            "version with files can be downloaded."
        )
    response = StreamingHttpResponse(
        as_async(iter(zip_stream(version))), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="{zip_name(version)}.zip"'
    return response


async def as_async(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Hand a sync iterator to ASGI in pieces of about 256 KB (Django would otherwise buffer
    it all), so the thread hop is paid per piece rather than per zip header."""

    def next_piece() -> bytes:
        pieces, size = [], 0
        for part in parts:
            pieces.append(part)
            size += len(part)
            if size >= BYTES_PER_HANDOVER:
                break
        return b"".join(pieces)

    read = sync_to_async(next_piece, thread_sensitive=True)
    while piece := await read():
        yield piece
