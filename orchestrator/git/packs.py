"""A pack from elsewhere, judged before any object in it is expanded: how many objects, and
how large each one (and each delta's result) says it is, read by inflating in small steps."""

import zlib
from typing import BinaryIO

from orchestrator.errors import PipelineError

CHUNK = 64 * 1024


class PackRefused(PipelineError):
    """A pack that must not be expanded; the message says why."""


OFS_DELTA, REF_DELTA = 6, 7


def _varint(data: bytes, start: int) -> tuple[int, int]:
    value = shift = 0
    index = start
    while True:
        if index >= len(data):
            raise PackRefused("The repository sent a damaged pack (a delta is cut short).")
        byte = data[index]
        value |= (byte & 0x7F) << shift
        shift += 7
        index += 1
        if not byte & 0x80:
            return value, index


def scan_pack(
    pack: BinaryIO, *, max_objects: int, max_object_bytes: int, max_total_bytes: int
) -> int:
    """Refuse a pack with too many objects, an object (or a delta's result) larger than
    `max_object_bytes`, or objects adding up to more than `max_total_bytes` once expanded;
    returns the number of objects. Never holds more than a chunk."""
    total = 0
    head = pack.read(12)
    if len(head) < 12 or head[:4] != b"PACK":
        raise PackRefused("The repository did not send a git pack.")
    count = int.from_bytes(head[8:12], "big")
    if count > max_objects:
        raise PackRefused(
            f"The repository's newest commit holds {count:,} objects; an import reads at "
            f"most {max_objects:,}."
        )
    for _ in range(count):
        byte = pack.read(1)
        if not byte:
            raise PackRefused("The repository sent a pack that is cut short.")
        kind, size, shift = (byte[0] >> 4) & 7, byte[0] & 15, 4
        while byte[0] & 0x80:
            byte = pack.read(1)
            size |= (byte[0] & 0x7F) << shift
            shift += 7
        if kind == OFS_DELTA:
            byte = pack.read(1)
            while byte[0] & 0x80:
                byte = pack.read(1)
        elif kind == REF_DELTA:
            pack.read(20)
        if size > max_object_bytes:
            raise PackRefused(
                f"The repository holds an object of {size:,} bytes; one file may hold at "
                f"most {max_object_bytes:,}."
            )
        first = _inflate_skipping(pack, size)
        result = size
        if kind in (OFS_DELTA, REF_DELTA):
            _, index = _varint(first, 0)  # the base's size, then the result's
            result, _ = _varint(first, index)
            if result > max_object_bytes:
                raise PackRefused(
                    f"The repository holds a delta that expands to {result:,} bytes; one "
                    f"file may hold at most {max_object_bytes:,}."
                )
        total += result
        if total > max_total_bytes:
            raise PackRefused(
                f"The repository's newest commit expands to more than {max_total_bytes:,} "
                "bytes; it looks like a bomb, so nothing was imported."
            )
    return count


def _inflate_skipping(pack: BinaryIO, size: int) -> bytes:
    """Inflate one entry in small steps, keeping only its first bytes; leaves the file at
    the next entry. The entry must expand to exactly the size its header states."""
    inflater = zlib.decompressobj()
    first = b""
    produced = 0
    while not inflater.eof:
        chunk = pack.read(CHUNK)
        if not chunk:
            raise PackRefused("The repository sent a pack that is cut short.")
        while chunk and not inflater.eof:
            out = inflater.decompress(chunk, CHUNK)
            produced += len(out)
            if produced > size:
                raise PackRefused("The repository sent an object larger than it says.")
            if len(first) < 32:
                first += out[:32]
            chunk = inflater.unconsumed_tail
        if inflater.eof:
            pack.seek(-len(inflater.unused_data) - len(chunk), 1)
    if produced != size:
        raise PackRefused("The repository sent an object smaller than it says.")
    return first
