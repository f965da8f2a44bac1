"""Importing archives and git repositories under one policy: what is kept byte for byte,
what is left out and said so, what is refused (with a message) before anything is kept."""

import io
import os
import stat
import tarfile
import zipfile

import pytest

from orchestrator.git.packs import PackRefused, scan_pack
from orchestrator.imports.archives import read_archive
from orchestrator.imports.remote import GitSource, checked_url, fetch_tree
from orchestrator.imports.stack import detect_stack
from orchestrator.imports.tree import ImportLimits, ImportRefused
from tests.support.git_server import commit_files, served
from tests.support.imported_projects import EXPECTED, PROJECTS, as_tar_gz, as_zip

LIMITS = ImportLimits()


def zip_of(entries: list[tuple[str, bytes]], **info_fields) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            for key, value in info_fields.items():
                setattr(info, key, value)
            archive.writestr(info, content)
    return io.BytesIO(buffer.getvalue())


def tar_of(members: list[tarfile.TarInfo], contents: dict[str, bytes] | None = None):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member in members:
            data = (contents or {}).get(member.name)
            archive.addfile(member, io.BytesIO(data) if data is not None else None)
    return io.BytesIO(buffer.getvalue())


def refusal(source, limits: ImportLimits = LIMITS) -> str:
    with pytest.raises(ImportRefused) as caught:
        read_archive(source, limits)
    return caught.value.message


@pytest.mark.parametrize("name", sorted(PROJECTS))
@pytest.mark.parametrize("pack", [as_zip, as_tar_gz])
def test_real_shaped_projects_import_byte_for_byte_with_their_stack(name, pack):
    files = PROJECTS[name]
    tree = read_archive(io.BytesIO(pack(files)), LIMITS)
    assert tree.files == files  # every byte, images included; the top folder is taken off
    key, framework, manager = EXPECTED[name]
    stack = detect_stack(tree.files)
    assert stack.key == key
    assert framework in stack.frameworks
    assert manager in stack.package_managers


def test_executable_bits_are_kept_from_tar_and_zip():
    tree = read_archive(io.BytesIO(as_tar_gz(PROJECTS["django"])), LIMITS)
    assert tree.executable == {"manage.py"}
    source = zip_of([("run.sh", b"#!/bin/sh\n")], create_system=3, external_attr=0o100755 << 16)
    assert read_archive(source, LIMITS).executable == {"run.sh"}


def test_vendored_ignored_and_large_files_are_left_out_and_listed():
    limits = ImportLimits(max_file_bytes=4000)
    extra = {
        "node_modules/left-pad/index.js": b"module.exports = 1\n",
        ".git/config": b"[core]\n",
        "server.log": b"log\n",
        "big.bin": os.urandom(5000),
        "nested/inner.zip": as_zip({"a.txt": b"a"}),
    }
    tree = read_archive(io.BytesIO(as_zip(PROJECTS["express"], extra=extra)), limits)
    left = {item.path: item.reason for item in tree.left_out}
    assert left == {
        "node_modules/left-pad/index.js": "vendored",
        ".git/config": "vendored",
        "server.log": "ignored",
        "big.bin": "too large",
    }
    assert tree.files["nested/inner.zip"] == extra["nested/inner.zip"]  # kept, never expanded
    assert "Left out: " in tree.summary()
    assert "1 over the size limit of one file (big.bin)" in tree.summary()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../evil.py", "leaves the project"),
        ("project/../../evil.py", "leaves the project"),
        ("/etc/passwd", "is absolute"),
        ("C:/Windows/evil.dll", "is absolute"),
        ("a\\..\\evil.py", "leaves the project"),
        ("CON.txt", "reserves for a device"),
        ("bad\u202etxt.py", "invisible or control"),
        ("docs/%2e%2e/x", "leaves the project when percent-decoded"),
    ],
)
def test_hostile_names_are_refused(name, expected):
    message = refusal(zip_of([("ok.txt", b"ok"), (name, b"x")]))
    assert expected in message
    assert "nothing was imported" in message.lower()


def test_zip_symlinks_and_devices_are_refused():
    link = zip_of([("link", b"/etc/passwd")], create_system=3, external_attr=0o120777 << 16)
    assert "symbolic link" in refusal(link)
    device = zip_of([("dev", b"")], create_system=3, external_attr=0o020644 << 16)
    assert "device file" in refusal(device)


def test_tar_links_devices_and_pipes_are_refused():
    for kind, expected in [
        (tarfile.SYMTYPE, "a link"),
        (tarfile.LNKTYPE, "a link"),
        (tarfile.CHRTYPE, "a device file"),
        (tarfile.BLKTYPE, "a device file"),
        (tarfile.FIFOTYPE, "a pipe"),
    ]:
        member = tarfile.TarInfo("project/thing")
        member.type = kind
        member.linkname = "/etc/passwd"
        assert expected in refusal(tar_of([member]))


def test_a_zip_bomb_by_ratio_is_refused():
    bomb = zip_of([("zeros.txt", b"\0" * 30_000_000)])
    assert "zip bomb" in refusal(bomb)
    # Small enough to keep, but still a bomb by ratio: refused, not left out.
    small = zip_of([("zeros.txt", b"\0" * 900_000)])
    assert "expands more than 200 times" in refusal(small, ImportLimits(ratio_floor=100_000))


def test_a_zip_bomb_by_total_is_refused():
    limits = ImportLimits(max_expanded_bytes=2_000_000, max_file_bytes=1_000_000)
    entries = [(f"part{n}.bin", os.urandom(600_000)) for n in range(5)]
    assert "expand" in refusal(zip_of(entries), limits)


def test_a_tar_gz_bomb_is_refused_while_decompressing():
    member = tarfile.TarInfo("project/zeros")
    member.size = 40_000_000
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.addfile(member, io.BytesIO(b"\0" * member.size))
    assert "zip bomb" in refusal(io.BytesIO(buffer.getvalue()))


def test_a_hundred_thousand_tiny_files_are_refused_before_reading_them():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for n in range(100_000):
            archive.writestr(f"f/{n}.txt", b"")
    message = refusal(io.BytesIO(buffer.getvalue()))
    assert "100,000 entries" in message


def test_too_many_files_in_a_tar_are_refused_while_counting():
    members = []
    for n in range(30):
        member = tarfile.TarInfo(f"p/{n}.txt")
        member.size = 0
        members.append(member)
    assert "more than 20 entries" in refusal(tar_of(members), ImportLimits(max_entries=20))


def test_duplicate_and_case_twin_entries_are_refused():
    with pytest.warns(UserWarning, match="Duplicate name"):
        duplicate = zip_of([("app.py", b"a"), ("app.py", b"b")])
    assert "twice" in refusal(duplicate)
    twins = zip_of([("README.md", b"a"), ("readme.md", b"b")])
    assert "differ only in letter case" in refusal(twins)
    folders = zip_of([("Src/a.py", b"a"), ("src/b.py", b"b")])
    assert "differ only in letter case" in refusal(folders)


def test_what_is_not_an_archive_is_refused():
    assert "neither a .zip nor a .tar.gz" in refusal(io.BytesIO(b"hello"))
    assert "cut short" in refusal(io.BytesIO(as_tar_gz({"a": b"a" * 1000})[:-20]))


def test_stack_of_a_project_without_manifest_comes_from_its_code():
    stack = detect_stack({"main.py": b"from fastapi import FastAPI\n", "util.py": b"x = 1\n"})
    assert stack.key == "fastapi_postgres"
    assert stack.languages == [("Python", 2)]
    other = detect_stack({"main.go": b"package main\n", "go.mod": b"module x\n"})
    assert (other.key, other.package_managers) == ("go", ["Go modules"])


# Git URLs -----------------------------------------------------------------------------------


def test_only_allowed_hosts_and_https_are_read():
    source = GitSource(("github.com",))
    assert checked_url("https://github.com/a/b", source) == "https://github.com/a/b"
    for url, expected in [
        ("http://github.com/a/b", "https://"),
        ("https://evil.example/a/b", "github.com only"),
        ("https://user:pw@github.com/a/b", "credentials"),
        ("file:///etc", "https://"),
        ("ssh://git@github.com/a/b", "https://"),
    ]:
        with pytest.raises(ImportRefused, match=expected):
            checked_url(url, source)


@pytest.fixture
def loopback():
    return GitSource(("127.0.0.1",), allow_http=True, timeout=10)


def test_a_repository_is_fetched_shallow_byte_for_byte(tmp_path, loopback):
    with served(tmp_path / "remote") as (url, repo):
        commit_files(repo, {"old.txt": b"old"}, "first")
        files = {**PROJECTS["flask"], "node_modules/x.js": b"x"}
        head = commit_files(repo, files, "second")
        tree, commit = fetch_tree(url, LIMITS, loopback)
    assert commit == head.decode()
    assert tree.files == PROJECTS["flask"]
    assert [item.path for item in tree.left_out] == ["node_modules/x.js"]


def test_a_repository_with_a_link_is_refused(tmp_path, loopback):
    from dulwich.objects import Blob, Commit, Tree

    with served(tmp_path / "remote") as (url, repo):
        target = Blob.from_string(b"/etc/passwd")
        tree = Tree()
        tree.add(b"link", stat.S_IFLNK, target.id)
        commit = Commit()
        commit.tree, commit.parents = tree.id, []
        commit.author = commit.committer = b"x <x@x>"
        commit.author_time = commit.commit_time = 0
        commit.author_timezone = commit.commit_timezone = 0
        commit.message = b"link\n"
        for obj in (target, tree, commit):
            repo.object_store.add_object(obj)
        repo.refs[b"refs/heads/main"] = commit.id
        with pytest.raises(ImportRefused, match="symbolic link"):
            fetch_tree(url, LIMITS, loopback)


def test_a_pack_bomb_is_refused_before_expanding(tmp_path):
    from dulwich.object_format import SHA1
    from dulwich.objects import Blob
    from dulwich.pack import write_pack_objects

    pack = io.BytesIO()
    write_pack_objects(pack.write, [(Blob.from_string(b"\0" * 5_000_000), None)], SHA1)
    pack.seek(0)
    with pytest.raises(PackRefused, match="5,000,000 bytes"):
        scan_pack(pack, max_objects=10, max_object_bytes=1_000_000, max_total_bytes=10**9)
    pack.seek(0)
    with pytest.raises(PackRefused, match="expands to more than"):
        scan_pack(pack, max_objects=10, max_object_bytes=10**8, max_total_bytes=1_000_000)
    pack.seek(0)
    assert scan_pack(pack, max_objects=10, max_object_bytes=10**8, max_total_bytes=10**8) == 1
