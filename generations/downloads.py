"""A version as a zip, streamed file by file: never built whole in memory."""

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.utils.text import slugify
from zipstream import ZIP_DEFLATED, ZipStream

from generations.models import Blob, Version
from orchestrator.paths import clean_path


def zip_name(version: Version) -> str:
    return f"{slugify(version.generation.title) or 'project'}-v{version.number}"


def _blob_bytes(sha256: str) -> Iterator[bytes]:
    # Read when the zip reaches this file, so only one file's content is held at a time.
    yield Blob.objects.values_list("content", flat=True).get(pk=sha256).encode()


def zip_stream(version: Version) -> ZipStream:
    folder = zip_name(version)
    stream = ZipStream(compress_type=ZIP_DEFLATED, sized=False)
    for path, sha256 in version.files.values_list("path", "blob_id").order_by("path"):
        # Stored paths were cleaned on the way in; cleaning again costs little and means a
        # zip can never write outside its folder, whatever reached the database.
        stream.add(_blob_bytes(sha256), f"{folder}/{clean_path(path)}")
    return stream


async def as_async(parts: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Hand a sync iterator to ASGI piece by piece (Django would otherwise buffer it all)."""
    done = object()
    next_part = sync_to_async(lambda: next(parts, done), thread_sensitive=True)
    while (part := await next_part()) is not done:
        yield part
