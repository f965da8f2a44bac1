"""Imports through the API and the page: kept byte for byte, stack detected, checked,
left-out files listed; hostile archives refused with a message and nothing saved; git URLs
from allowed hosts; an iteration on an import with the demo model."""

import io
import json

import pytest
from django.core import serializers
from django.test import Client
from django.urls import reverse

from generations.git.repository import commit_of_version
from generations.models import ApiToken, Blob, Generation, Version
from generations.runs.queue import start_iteration
from generations.runs.tasks import run_version
from generations.tokens import create_token
from tests.support.git_server import commit_files, served
from tests.support.imported_projects import EXPECTED, PROJECTS, as_tar_gz, as_zip

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def token(user):
    return create_token(user=user, name="tests")[1]


@pytest.fixture(autouse=True)
def _git_cache(settings, tmp_path):
    settings.GIT_CACHE_DIR = str(tmp_path / "git")
    settings.IMPORT_GIT_HOSTS = ["127.0.0.1"]
    settings.IMPORT_GIT_ALLOW_HTTP = True


def upload(token: str, archive: bytes, name: str = "project.zip", title: str = ""):
    return Client().post(
        f"{API}/generations/import",
        {"archive": _named(archive, name), "title": title},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _named(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def files_of(version: Version) -> dict[str, bytes]:
    rows = version.files.values_list("path", "blob__content")
    return {
        path: content.encode() if isinstance(content, str) else bytes(content)
        for path, content in rows
    }


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_an_imported_project_is_version_1_byte_for_byte_checked_with_its_stack(token, name):
    response = upload(token, as_zip(PROJECTS[name]), f"{name}-main.zip")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["kind"], body["status"]) == (1, "import", "completed")
    version = Version.objects.get(number=1, generation__title=f"{name}-main")
    assert files_of(version) == PROJECTS[name]
    assert version.checked
    key, framework, manager = EXPECTED[name]
    generation = version.generation
    assert generation.tech_stack == key
    assert framework in generation.stack["frameworks"]
    assert manager in generation.stack["package_managers"]
    detail = (
        Client()
        .get(f"{API}/generations/{generation.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
        .json()
    )
    assert detail["git_url"] == f"/git/{generation.pk}.git"
    assert detail["stack"]["label"] == generation.stack_label


def test_left_out_files_are_listed_on_the_version(token):
    extra = {"node_modules/x/index.js": b"x", "debug.log": b"log"}
    response = upload(token, as_zip(PROJECTS["express"], extra=extra))
    version = Version.objects.get(pk=Version.objects.latest("pk").pk)
    assert response.status_code == 201
    assert "Left out:" in version.summary
    assert {item["path"] for item in version.import_report["left_out"]} == set(extra)


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (as_zip({"../evil.py": b"x"}, folder=""), "leaves the project"),
        (as_zip({"/etc/cron.d/x": b"x"}, folder=""), "is absolute"),
        (as_zip({"a.txt": b"\0" * 30_000_000}), "zip bomb"),
        (as_zip({"README.md": b"a", "readme.md": b"b"}), "differ only in letter case"),
        (b"not an archive", "neither a .zip nor a .tar.gz"),
    ],
)
def test_hostile_archives_are_refused_and_nothing_is_saved(token, archive, message):
    blobs = Blob.objects.count()
    response = upload(token, archive)
    assert response.status_code == 409
    assert message in response.json()["detail"]
    assert Generation.objects.count() == 0
    assert Blob.objects.count() == blobs


def test_an_archive_over_the_upload_limit_is_refused_unread(token, settings):
    settings.IMPORT_MAX_ARCHIVE_BYTES = 500
    response = upload(token, as_tar_gz(PROJECTS["flask"]), "flask.tar.gz")
    assert response.status_code == 413
    assert "at most 500" in response.json()["detail"]
    assert response.json()["limit"] == "IMPORT_MAX_ARCHIVE_BYTES"


def test_a_git_url_is_imported_from_an_allowed_host(token, tmp_path):
    with served(tmp_path / "remote") as (url, repo):
        head = commit_files(repo, PROJECTS["django"], "Initial")
        response = Client().post(
            f"{API}/generations/import",
            json.dumps({"git_url": url}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 201, response.content
    version = Version.objects.get(number=1)
    assert files_of(version) == PROJECTS["django"]
    assert version.import_report["source"]["commit"] == head.decode()
    assert version.generation.tech_stack == "django"


def test_a_git_url_elsewhere_is_refused(token, settings):
    settings.IMPORT_GIT_HOSTS = ["github.com"]
    settings.IMPORT_GIT_ALLOW_HTTP = False
    response = Client().post(
        f"{API}/generations/import",
        json.dumps({"git_url": "https://169.254.169.254/latest"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 409
    assert "github.com only" in response.json()["detail"]


def test_an_iteration_on_an_import_works_with_the_demo_model(token, user, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    upload(token, as_zip(PROJECTS["flask"]))
    base = Version.objects.get(number=1)
    version = start_iteration(base=base, prompt="add a file NOTES.md", user=user)
    run_version.call(version.pk)
    version.refresh_from_db()
    assert version.status == Version.Status.COMPLETED, version.error
    files = files_of(version)
    assert "NOTES.md" in files
    assert {p: c for p, c in files.items() if p != "NOTES.md"} == PROJECTS["flask"]


def test_the_page_imports_an_archive_and_the_detail_page_shows_the_clone_url(owner_client):
    page = owner_client.get(reverse("generation-import"))
    assert page.status_code == 200
    assert b"webkitdirectory" in page.content
    response = owner_client.post(
        reverse("generation-import"),
        {"archive": _named(as_zip(PROJECTS["flask"]), "flaskr.zip"), "title": ""},
    )
    version = Version.objects.get(number=1)
    assert response.status_code == 302
    assert response.url == version.get_absolute_url()
    detail = owner_client.get(version.generation.get_absolute_url()).content.decode()
    assert f"/git/{version.generation.pk}.git" in detail
    assert "Python, Flask (pip)" in detail


def test_the_page_says_why_an_import_was_refused(owner_client):
    response = owner_client.post(
        reverse("generation-import"), {"archive": _named(b"nope", "x.zip"), "title": ""}
    )
    assert response.status_code == 400
    assert "neither a .zip nor a .tar.gz" in response.content.decode()
    both = owner_client.post(
        reverse("generation-import"),
        {"archive": _named(b"x", "x.zip"), "git_url": "https://github.com/a/b"},
    )
    assert "Give one source" in both.content.decode()


def test_anonymous_and_read_tokens_cannot_import(user, client):
    assert client.get(reverse("generation-import")).status_code == 302
    _, read_only = create_token(user=user, name="r", scope=ApiToken.Scope.READ)
    refused = upload(read_only, as_zip(PROJECTS["flask"]))
    assert refused.status_code == 403
    assert "only read" in refused.json()["detail"]
    listed = Client().get(f"{API}/generations", HTTP_AUTHORIZATION=f"Bearer {read_only}")
    assert listed.status_code == 200


def test_a_version_is_pushed_to_a_remote_with_a_token_never_kept(token, tmp_path, user):
    upload(token, as_zip(PROJECTS["express"]))
    version = Version.objects.get(number=1)
    secret = "ghp_remote-secret-123"
    with served(tmp_path / "remote", password=secret) as (url, remote):
        path = f"{API}/generations/{version.generation_id}/versions/1/push-remote"
        wrong = Client().post(
            path,
            json.dumps({"url": url, "token": "wrong"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert wrong.status_code == 409
        assert "refused the token" in wrong.json()["detail"]
        pushed = Client().post(
            path,
            json.dumps({"url": url, "token": secret, "branch": "main"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        assert pushed.status_code == 200, pushed.content
        assert remote.refs[b"refs/heads/main"] == commit_of_version(version)
        tree = remote[remote[b"refs/heads/main"].tree]
        assert b"package.json" in [entry.path for entry in tree.iteritems()]
    everything = serializers.serialize(
        "json", [*Generation.objects.all(), *Version.objects.all(), *ApiToken.objects.all()]
    )
    assert secret not in everything
