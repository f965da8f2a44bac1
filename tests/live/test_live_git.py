"""The real `git` against a live Iterum (daphne and a worker): clone, log, diff, push
(versions made and checked), refusals with git's own messages, concurrent pushes."""

import os
import subprocess
import threading
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from dulwich.objects import Blob, Tree
from dulwich.repo import Repo

from generations.history import save_manual_files
from generations.models import ApiToken, Version
from generations.storage import changes_between, version_files
from generations.tokens import create_token
from tests.support.imported_projects import png
from tests.support.live_servers import start_stack

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

STARTER = {"app.py": "print('hello')\n", "README.md": "# Demo\n"}


def git(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(cwd or Path.cwd()),
        "GIT_AUTHOR_NAME": "Alice",
        "GIT_AUTHOR_EMAIL": "alice@example.com",
        "GIT_COMMITTER_NAME": "Alice",
        "GIT_COMMITTER_EMAIL": "alice@example.com",
    }
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=60
    )
    if check and result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """One daphne and worker for the module (each test has its own generation)."""
    stack = start_stack(GIT_CACHE_DIR=str(tmp_path_factory.mktemp("git-cache")))
    yield stack
    stack.stop()


@pytest.fixture
def history(make_generation, make_version, user):
    """A generation with three versions: generated, iterated, edited by hand."""
    generation = make_generation()
    v1 = make_version(generation=generation, number=1, files=STARTER, model="demo")
    v2 = make_version(
        generation=generation,
        number=2,
        parent=v1,
        files={**STARTER, "app.py": "print('hello, world')\n"},
        model="demo",
        prompt="say hello to the world",
    )
    save_manual_files(base=v2, files={"NOTES.md": "notes\n"}, user=user)
    return generation


def clone_url(live, generation, token: str) -> str:
    host = live.base_url.removeprefix("http://")
    return f"http://alice:{token}@{host}/git/{generation.pk}.git"


def test_clone_log_and_diff_match_the_versions(live, history, user, tmp_path):
    _, token = create_token(user=user, name="git")
    git("clone", clone_url(live, history, token), "work", cwd=tmp_path)
    work = tmp_path / "work"
    log = git("log", "--format=%s|%an", "main", cwd=work).stdout.splitlines()
    assert len(log) == 3
    assert log[0].startswith("Edited NOTES.md by hand|alice")
    assert log[2].endswith("|Iterum (demo)")
    assert (work / "NOTES.md").read_text() == "notes\n"
    numstat = git("diff", "--numstat", "v1", "v3", cwd=work).stdout.splitlines()
    by_git = {line.split("\t")[2]: tuple(map(int, line.split("\t")[:2])) for line in numstat}
    v1, v3 = (history.versions.get(number=n) for n in (1, 3))
    by_iterum = {
        change["path"]: (change["lines_added"], change["lines_removed"])
        for change in changes_between(version_files(v1), version_files(v3))
    }
    assert by_git == by_iterum == {"NOTES.md": (1, 0), "app.py": (1, 1)}


def test_binary_files_clone_and_push_byte_for_byte(live, history, user, tmp_path):
    _, token = create_token(user=user, name="git")
    v3 = history.versions.get(number=3)
    save_manual_files(base=v3, files={"static/logo.png": png(12, 12)}, user=user)
    git("clone", clone_url(live, history, token), "work", cwd=tmp_path)
    work = tmp_path / "work"
    assert (work / "static" / "logo.png").read_bytes() == png(12, 12)
    (work / "static" / "logo.png").write_bytes(png(20, 20, 7))
    (work / "font.woff2").write_bytes(b"wOF2\x00" + bytes(range(256)))
    commit_all(work, "New logo and a font")
    git("push", "origin", "main", cwd=work)
    five = history.versions.get(number=5)
    stored = {row.path: bytes(row.blob.content) for row in five.files.select_related("blob")}
    assert stored["static/logo.png"] == png(20, 20, 7)
    assert stored["font.woff2"] == b"wOF2\x00" + bytes(range(256))


def commit_all(work: Path, message: str) -> None:
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", message, cwd=work)


def test_a_push_makes_one_checked_version_per_commit(live, history, user, tmp_path):
    _, token = create_token(user=user, name="git")
    git("clone", clone_url(live, history, token), "work", cwd=tmp_path)
    work = tmp_path / "work"
    (work / "app.py").write_text("import missing_module\nprint('pushed')\n")
    commit_all(work, "Use a module")
    (work / "README.md").unlink()
    (work / "tool.sh").write_text("#!/bin/sh\necho hi\n")
    (work / "tool.sh").chmod(0o755)
    commit_all(work, "Remove the README, add a tool")
    pushed = git("push", "origin", "main", cwd=work)
    assert "Iterum: version 4" in pushed.stderr
    assert "Iterum: version 5" in pushed.stderr
    four, five = Version.objects.filter(generation=history, number__in=(4, 5)).order_by("number")
    assert (four.kind, four.prompt, four.parent.number) == ("push", "Use a module", 3)
    assert four.checked, "the checks ran on the pushed version"
    assert four.findings
    assert five.parent == four
    assert set(five.files.values_list("path", flat=True)) == {"app.py", "NOTES.md", "tool.sh"}
    assert five.files.get(path="tool.sh").executable
    # The derived commits are the pushed ones: nothing new to fetch, and main agrees.
    local = git("rev-parse", "main", cwd=work).stdout.strip()
    git("fetch", "origin", cwd=work)
    assert git("rev-parse", "origin/main", cwd=work).stdout.strip() == local
    assert git("rev-parse", "v5", cwd=work).stdout.strip() == local


def test_non_fast_forward_and_other_refs_are_refused(live, history, user, tmp_path):
    _, token = create_token(user=user, name="git")
    git("clone", clone_url(live, history, token), "work", cwd=tmp_path)
    work = tmp_path / "work"
    git("reset", "-q", "--hard", "HEAD~1", cwd=work)
    (work / "other.txt").write_text("other\n")
    commit_all(work, "Diverge")
    refused = git("push", "--force", "origin", "main", cwd=work, check=False)
    assert refused.returncode != 0
    assert "non-fast-forward" in refused.stderr
    assert "denying non-fast-forward refs/heads/main (you should pull first)" in refused.stderr
    branch = git("push", "origin", "main:feature", cwd=work, check=False)
    assert branch.returncode != 0
    assert "Iterum takes pushes to main only" in branch.stderr
    assert history.versions.count() == 3


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (".git/hooks/x", "version-control internals"),
        ("../x", None),
        ("readme.md", "differ only in letter case"),
    ],
)
def test_hostile_paths_are_refused_with_the_reason(live, history, user, tmp_path, path, reason):
    _, token = create_token(user=user, name="git")
    git("clone", clone_url(live, history, token), "work", cwd=tmp_path)
    work = tmp_path / "work"
    # Write the objects with dulwich: git itself refuses to make such trees.
    repo = Repo(str(work))
    head = repo[repo.head()]
    tree = repo[head.tree]
    blob = Blob.from_string(b"#!/bin/sh\n")
    objects = [blob]
    *folders, name = path.split("/")
    inner = Tree()
    inner.add(name.encode(), 0o100644, blob.id)
    objects.append(inner)
    for folder in reversed(folders):
        outer = Tree()
        outer.add(folder.encode(), 0o040000, inner.id)
        objects.append(outer)
        inner = outer
    root = Tree()
    for entry in tree.iteritems():
        root.add(entry.path, entry.mode, entry.sha)
    for entry in inner.iteritems():
        root.add(entry.path, entry.mode, entry.sha)
    objects.append(root)
    for obj in objects:
        repo.object_store.add_object(obj)
    commit = git("commit-tree", root.id.decode(), "-p", "HEAD", "-m", "hostile", cwd=work)
    refused = git(
        "push", "origin", f"{commit.stdout.strip()}:refs/heads/main", cwd=work, check=False
    )
    assert refused.returncode != 0
    assert reason is None or reason in refused.stderr, refused.stderr
    assert history.versions.count() == 3


def test_read_tokens_fetch_but_never_push_and_others_get_404(live, history, user, tmp_path):
    token_row, token = create_token(user=user, name="read")
    ApiToken.objects.filter(pk=token_row.pk).update(scope=ApiToken.Scope.READ)
    git("clone", clone_url(live, history, token), "work", cwd=tmp_path)
    work = tmp_path / "work"
    (work / "x.txt").write_text("x\n")
    commit_all(work, "x")
    refused = git("push", "origin", "main", cwd=work, check=False)
    assert refused.returncode != 0
    assert "403" in refused.stderr
    mallory = get_user_model().objects.create_user("mallory", password="pw-mallory-1")
    _, theirs = create_token(user=mallory, name="m")
    stranger = git("clone", clone_url(live, history, theirs), "theirs", cwd=tmp_path, check=False)
    assert stranger.returncode != 0
    assert "not found" in stranger.stderr.lower()
    anonymous = git("ls-remote", f"{live.base_url}/git/{history.pk}.git", check=False, cwd=tmp_path)
    assert anonymous.returncode != 0


def test_concurrent_pushes_make_one_version_and_refuse_the_other(live, history, user, tmp_path):
    _, token = create_token(user=user, name="git")
    works = []
    for name in ("one", "two"):
        git("clone", clone_url(live, history, token), name, cwd=tmp_path)
        work = tmp_path / name
        (work / f"{name}.txt").write_text(name + "\n")
        commit_all(work, f"Add {name}")
        works.append(work)
    results = {}

    def push(work: Path) -> None:
        results[work.name] = git("push", "origin", "main", cwd=work, check=False)

    threads = [threading.Thread(target=push, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(result.returncode for result in results.values())
    assert codes[0] == 0, results
    assert codes[1] != 0, results
    assert history.versions.count() == 4
    (loser,) = [r for r in results.values() if r.returncode != 0]
    assert "non-fast-forward" in loser.stderr or "fetch first" in loser.stderr
