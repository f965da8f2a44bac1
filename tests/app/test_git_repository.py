"""The repository derived from versions: the same hashes after the cache is deleted, tags
for names, `main` at the newest; a push while a model run goes on makes its own version."""

import base64
import shutil

import pytest
from django.urls import reverse
from dulwich.objects import Blob, Commit, Tree

from generations.git.pushes import versions_from_push
from generations.git.repository import MAIN, locked, repository_path, sync
from generations.history import name_version, restore_version, save_manual_files
from generations.models import ApiToken, Version
from generations.runs.queue import start_iteration
from generations.tokens import create_token
from orchestrator.git.trees import PushRefused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache(settings, tmp_path):
    settings.GIT_CACHE_DIR = str(tmp_path / "git")


@pytest.fixture
def three(make_version, user):
    v1 = make_version()
    v2 = save_manual_files(base=v1, files={"NOTES.md": "notes\n"}, user=user)
    return v1, v2, restore_version(source=v1, user=user)


def refs_of(generation) -> dict[bytes, bytes]:
    with locked(generation.pk) as repo:
        sync(generation, repo)
        return repo.refs.as_dict()


def test_the_store_is_a_cache_rebuilt_to_the_same_hashes(three):
    generation = three[0].generation
    name_version(version=three[1], name="before auth")
    first = refs_of(generation)
    assert first[b"refs/tags/before-auth"] == first[b"refs/tags/v2"]
    assert first[MAIN] == first[b"refs/tags/v3"]
    shutil.rmtree(repository_path(generation.pk))
    assert refs_of(generation) == first
    name_version(version=three[1], name="")
    assert b"refs/tags/before-auth" not in refs_of(generation)


def test_a_history_derived_at_once_has_the_hashes_derived_one_by_one(make_version, user):
    """A first clone derives every version together (one pack, packed tags); a repository
    synced after each version holds the same commits, and both store every object."""
    v1 = make_version()
    one_by_one = [refs_of(v1.generation)]
    latest = v1
    for n in range(2, 5):
        latest = save_manual_files(base=latest, files={f"f{n}.txt": f"{n}\n"}, user=user)
        one_by_one.append(refs_of(v1.generation))
    shutil.rmtree(repository_path(v1.generation_id))
    at_once = refs_of(v1.generation)
    assert at_once == one_by_one[-1]
    tags = sorted(ref for ref in at_once if ref.startswith(b"refs/tags/"))
    assert tags == [f"refs/tags/v{n}".encode() for n in range(1, 5)]
    with locked(v1.generation_id) as repo:
        for n in range(2, 5):
            tree = repo[repo[at_once[f"refs/tags/v{n}".encode()]].tree]
            assert repo[tree[f"f{n}.txt".encode()][1]].data == f"{n}\n".encode()


def test_a_restore_is_a_new_commit_whose_parent_is_the_newest(three):
    _, _, v3 = three
    with locked(v3.generation_id) as repo:
        done = sync(v3.generation, repo)
        restored = repo[done[3]]
        assert restored.parents == [done[2]]
        assert restored.tree == repo[done[1]].tree


def pushed_commit(repo, parent: bytes, files: dict[str, bytes], message: str) -> bytes:
    tree = Tree()
    for name, content in files.items():
        blob = Blob.from_string(content)
        repo.object_store.add_object(blob)
        tree.add(name.encode(), 0o100644, blob.id)
    repo.object_store.add_object(tree)
    commit = Commit()
    commit.tree, commit.parents = tree.id, [parent]
    commit.author = commit.committer = b"Alice <alice@example.com>"
    commit.author_time = commit.commit_time = 1_796_000_000
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = message.encode() + b"\n"
    repo.object_store.add_object(commit)
    return commit.id


def test_a_push_during_a_model_run_makes_its_own_version(three, user):
    _, _, v3 = three
    running = start_iteration(base=v3, prompt="add a page", user=user)  # v4, still queued
    generation = v3.generation
    with locked(generation.pk) as repo:
        main = sync(generation, repo)[3]
        new = pushed_commit(repo, main, {"app.py": b"print('pushed')\n"}, "Pushed meanwhile")
        (made,) = versions_from_push(generation=generation, repo=repo, old=main, new=new, user=user)
        repo.refs[MAIN] = new
    assert (made.number, made.parent_id, made.kind) == (5, v3.pk, "push")
    assert running.parent_id == v3.pk  # history stays linear by parent
    refs = refs_of(generation)
    assert refs[MAIN] == new == refs[b"refs/tags/v5"]
    # A stale push (from v3 again) is now refused, and nothing is saved.
    with locked(generation.pk) as repo:
        again = pushed_commit(repo, main, {"x.txt": b"x"}, "Stale")
        with pytest.raises(PushRefused, match="non-fast-forward"):
            versions_from_push(generation=generation, repo=repo, old=main, new=again, user=user)
    assert Version.objects.filter(generation=generation).count() == 5


def basic(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"x:{token}".encode()).decode()}


def test_git_over_http_asks_for_a_token_and_hides_other_users_repositories(
    three, client, user, other_user
):
    url = f"/git/{three[0].generation_id}.git/info/refs?service=git-upload-pack"
    anonymous = client.get(url)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Basic")
    _, mine = create_token(user=user, name="git")
    advertised = client.get(url, **basic(mine))
    assert advertised.status_code == 200
    body = b"".join(advertised.streaming_content)
    assert b"refs/heads/main" in body
    assert b"refs/tags/v3" in body
    _, theirs = create_token(user=other_user, name="git")
    assert client.get(url, **basic(theirs)).status_code == 404
    assert client.get(url, **basic("itm_not-a-token")).status_code == 401
    _, read_only = create_token(user=user, name="r", scope=ApiToken.Scope.READ)
    push = url.replace("git-upload-pack", "git-receive-pack")
    assert client.get(push, **basic(read_only)).status_code == 403
    assert client.get(url, **basic(read_only)).status_code == 200
    dumb = client.get(url.split("?")[0], **basic(mine))
    assert dumb.status_code == 403
    assert b"smart HTTP" in dumb.content


def test_raw_files_need_a_login(three, client):
    url = reverse("version-raw", args=[three[0].generation_id, 1]) + "?file=app.py"
    assert client.get(url).status_code == 302
