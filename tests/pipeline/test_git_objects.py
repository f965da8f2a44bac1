"""Commits derived from versions: the same facts give the same bytes, and git agrees."""

import subprocess

from dulwich.repo import Repo

from orchestrator.git.objects import CommitFacts, blob_of, commit_of, trees_of

FACTS = CommitFacts("Iterum (demo) <iterum@iterum.invalid>", 1_796_000_000, "Add a page\n\nDone.")


def entries(files: dict[str, bytes], executable=()) -> tuple[dict, list]:
    blobs = {path: blob_of(content) for path, content in files.items()}
    return {p: (b.id, p in executable) for p, b in blobs.items()}, list(blobs.values())


def test_the_same_version_gives_the_same_commit():
    files = {"app.py": b"print(1)\n", "static/logo.png": b"\x89PNG\x00", "run.sh": b"#!/bin/sh\n"}
    first, _ = entries(files, {"run.sh"})
    again, _ = entries(dict(reversed(files.items())), {"run.sh"})
    tree_a, _ = trees_of(first)
    tree_b, _ = trees_of(again)
    assert tree_a == tree_b
    assert commit_of(tree_a, None, FACTS).id == commit_of(tree_b, None, FACTS).id
    other, _ = entries(files)  # no executable bit: another tree
    assert trees_of(other)[0] != tree_a
    later = CommitFacts(FACTS.author, FACTS.time + 1, FACTS.message)
    assert commit_of(tree_a, None, later).id != commit_of(tree_a, None, FACTS).id


def test_git_reads_the_derived_commit_as_written(tmp_path):
    files = {"app.py": b"print(1)\n", "deep/er/x.txt": b"x", "run.sh": b"#!/bin/sh\n"}
    mapping, blobs = entries(files, {"run.sh"})
    tree_id, trees = trees_of(mapping)
    commit = commit_of(tree_id, None, FACTS)
    repo = Repo.init_bare(str(tmp_path / "r.git"), mkdir=True)
    for obj in [*blobs, *trees, commit]:
        repo.object_store.add_object(obj)
    repo.refs[b"refs/heads/main"] = commit.id
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "main"], cwd=tmp_path / "r.git", capture_output=True, text=True
    ).stdout
    assert "100755 blob" in listed.split("run.sh")[0].splitlines()[-1]
    assert "deep/er/x.txt" in listed
    fsck = subprocess.run(["git", "fsck", "--strict"], cwd=tmp_path / "r.git", capture_output=True)
    assert fsck.returncode == 0, fsck.stderr
    message = subprocess.run(
        ["git", "log", "-1", "--format=%an|%at|%B", "main"],
        cwd=tmp_path / "r.git",
        capture_output=True,
        text=True,
    ).stdout
    assert message.startswith("Iterum (demo)|1796000000|Add a page\n\nDone.")
