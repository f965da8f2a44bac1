"""Reading an uploaded .zip or .tar.gz under the import policy, bombs judged while reading.

Nothing is extracted to disk and no entry is followed: names are checked before any content
is read, links and devices are refused, and every decompressed byte is counted against the
archive's size, so a bomb stops within a buffer of crossing a bound, never after.
"""

import stat
import tarfile
import tempfile
import zipfile
import zlib
from typing import BinaryIO

from orchestrator.imports.ignore import IgnoreRules
from orchestrator.imports.tree import (
    ImportedTree,
    ImportLimits,
    ImportRefused,
    TreeCollector,
    common_root,
)

CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # a decompressed tar past this goes to a temporary file


class Expansion:
    """Counts what decompression produced against what it consumed: a bound on the whole
    archive and on the ratio, judged on every chunk."""

    def __init__(self, limits: ImportLimits) -> None:
        self.limits = limits
        self.produced = 0

    def judge(self, produced: int, consumed: int, name: str) -> None:
        """`produced` bytes came from `consumed` compressed bytes (of one stream)."""
        limits = self.limits
        if self.produced + produced > limits.max_expanded_bytes:
            raise ImportRefused(
                f"The archive expands to more than {limits.max_expanded_bytes:,} bytes (at "
                f"{name[:80]!r}); it looks like a zip bomb, so nothing was imported."
            )
        if produced > limits.ratio_floor and produced > limits.max_ratio * max(consumed, 1):
            raise ImportRefused(
                f"{name[:80]!r} expands more than {limits.max_ratio} times its compressed "
                "size; it looks like a zip bomb, so nothing was imported."
            )

    def spend(self, produced: int) -> None:
        self.produced += produced


def read_archive(source: BinaryIO, limits: ImportLimits) -> ImportedTree:
    """The files of a .zip or .tar.gz (told apart by their first bytes, not their name)."""
    source.seek(0)
    head = source.read(4)
    source.seek(0)
    if head.startswith(b"PK"):
        return read_zip(source, limits)
    if head.startswith(b"\x1f\x8b"):
        return read_tar_gz(source, limits)
    raise ImportRefused("The upload is neither a .zip nor a .tar.gz archive.")


def _special_kind(mode: int) -> str | None:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return "a pipe or a socket"
    return None


# Zip ------------------------------------------------------------------------------------------


def read_zip(source: BinaryIO, limits: ImportLimits) -> ImportedTree:
    archive_size = source.seek(0, 2)
    source.seek(0)
    try:
        archive = zipfile.ZipFile(source)
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ImportRefused(f"The .zip cannot be read ({error}).") from None
    if len(infos) > limits.max_entries:
        raise ImportRefused(
            f"The archive holds {len(infos):,} entries; an import may read at most "
            f"{limits.max_entries:,} (and keep {limits.max_files:,} files). Leave out "
            "generated or vendored folders and try again."
        )
    collector = TreeCollector(limits, common_root(i.filename for i in infos))
    expansion = Expansion(limits)
    declared = 0
    planned: list[tuple[zipfile.ZipInfo, str]] = []
    for info in infos:  # every name and kind is judged before any content is read
        collector.count_entry(info.filename)
        relative = collector.path_of(info.filename)
        mode = info.external_attr >> 16
        if kind := _special_kind(mode):
            collector.refuse_special(info.filename, kind)
        if relative is None or info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise ImportRefused(f"The entry {info.filename[:80]!r} is encrypted.")
        if collector.left_out_early(relative):
            collector.leave_out(relative, "vendored")
            continue
        if info.compress_size > archive_size:
            raise ImportRefused(f"The entry {info.filename[:80]!r} claims more than the archive.")
        expansion.judge(info.file_size, info.compress_size, info.filename)
        declared += info.file_size
        planned.append((info, collector.accept(relative)))
    if declared > limits.max_expanded_bytes:
        raise ImportRefused(
            f"The archive's files add up to {declared:,} bytes once expanded, more than "
            f"{limits.max_expanded_bytes:,}; it looks like a zip bomb, so nothing was imported."
        )
    gitignores = {
        path: _zip_entry(archive, info, limits, expansion) or b""
        for info, path in planned
        if path.rsplit("/", 1)[-1] == ".gitignore"
    }
    ignore = IgnoreRules(gitignores)
    for info, path in planned:
        if ignore.ignored(path):
            collector.leave_out(path, "ignored")
            continue
        content = gitignores.get(path)
        if content is None:
            content = _zip_entry(archive, info, limits, expansion)
        if content is None:
            collector.leave_out(path, "too large")
            continue
        executable = info.create_system == 3 and bool((info.external_attr >> 16) & 0o111)
        collector.keep(path, content, executable=executable)
    return collector.finish()


def _zip_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ImportLimits, expansion: Expansion
) -> bytes | None:
    """An entry's content, or None when it is over the size of one file (read no further)."""
    if info.file_size > limits.max_file_bytes:
        return None
    chunks: list[bytes] = []
    produced = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                produced += len(chunk)
                expansion.judge(produced, info.compress_size, info.filename)
                if produced > limits.max_file_bytes:
                    return None
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as error:
        raise ImportRefused(f"The entry {info.filename[:80]!r} cannot be read ({error}).") from None
    expansion.spend(produced)
    return b"".join(chunks)


# Tar --------------------------------------------------------------------------------------


def read_tar_gz(source: BinaryIO, limits: ImportLimits) -> ImportedTree:
    with tempfile.SpooledTemporaryFile(SPOOL_IN_MEMORY) as plain:
        _gunzip(source, plain, limits)
        plain.seek(0)
        try:
            with tarfile.open(fileobj=plain, mode="r:") as archive:
                return _read_tar(archive, limits)
        except tarfile.TarError as error:
            raise ImportRefused(f"The .tar.gz cannot be read ({error}).") from None


def _gunzip(source: BinaryIO, target: BinaryIO, limits: ImportLimits) -> None:
    """Decompress gzip into `target`, judging the total and the ratio on every chunk."""
    expansion = Expansion(limits)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    consumed = produced = 0
    try:
        while chunk := source.read(CHUNK):
            consumed += len(chunk)
            while chunk:
                # At most CHUNK bytes out per step: a bomb never sits whole in memory.
                out = inflater.decompress(chunk, CHUNK)
                produced += len(out)
                expansion.judge(produced, consumed, "the .tar.gz")
                target.write(out)
                chunk = inflater.unconsumed_tail
                if inflater.eof and inflater.unused_data:  # another gzip member follows
                    chunk = inflater.unused_data
                    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    except zlib.error as error:
        raise ImportRefused(f"The .tar.gz cannot be read ({error}).") from None
    if not inflater.eof:
        raise ImportRefused("The .tar.gz is cut short; upload it again.")


def _read_tar(archive: tarfile.TarFile, limits: ImportLimits) -> ImportedTree:
    members: list[tarfile.TarInfo] = []
    while (member := archive.next()) is not None:  # counted one by one: never 100,000 held
        if len(members) >= limits.max_entries:
            raise ImportRefused(
                f"The archive holds more than {limits.max_entries:,} entries; an import may "
                f"keep at most {limits.max_files:,} files. Leave out generated or vendored "
                "folders and try again."
            )
        members.append(member)
    collector = TreeCollector(limits, common_root(m.name + "/" * m.isdir() for m in members))
    planned: list[tuple[tarfile.TarInfo, str]] = []
    for member in members:
        collector.count_entry(member.name)
        relative = collector.path_of(member.name)
        if member.issym() or member.islnk():
            collector.refuse_special(member.name, "a link")
        if member.ischr() or member.isblk():
            collector.refuse_special(member.name, "a device file")
        if member.isfifo():
            collector.refuse_special(member.name, "a pipe")
        if relative is None or member.isdir():
            continue
        if not member.isreg():
            collector.refuse_special(member.name, "not a regular file")
        if collector.left_out_early(relative):
            collector.leave_out(relative, "vendored")
            continue
        planned.append((member, collector.accept(relative)))
    gitignores = {
        path: _tar_entry(archive, member, limits) or b""
        for member, path in planned
        if path.rsplit("/", 1)[-1] == ".gitignore"
    }
    ignore = IgnoreRules(gitignores)
    for member, path in planned:
        if ignore.ignored(path):
            collector.leave_out(path, "ignored")
            continue
        content = gitignores.get(path)
        if content is None:
            content = _tar_entry(archive, member, limits)
        if content is None:
            collector.leave_out(path, "too large")
            continue
        collector.keep(path, content, executable=bool(member.mode & 0o111))
    return collector.finish()


def _tar_entry(archive: tarfile.TarFile, member: tarfile.TarInfo, limits: ImportLimits):
    if member.size > limits.max_file_bytes:
        return None
    stream = archive.extractfile(member)
    if stream is None:
        return None
    content = stream.read(limits.max_file_bytes + 1)
    return None if len(content) > limits.max_file_bytes else content
