"""Issue 11's probes, one regression test each: limits under concurrency, redirects, login
throttling, the Content-Security-Policy, NUL, dangerous names, oversized bodies.

The stream's own probes (Last-Event-ID, headers, HTTPS, logout) are in test_event_streams.
"""

import io
import threading
import zipfile
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from generations.downloads import zip_stream
from generations.models import Version, VersionFile
from generations.refusals import ActionRefused
from generations.runs.lifecycle import claim_version
from generations.runs.limits import OwnerAtLimit
from generations.runs.queue import create_generation, start_iteration
from generations.storage import version_files

NEW = {"title": "T", "prompt": "an api", "tech_stack": "flask", "domain": "todos"}


def run_at_once(count: int, action) -> list[object]:
    """Call `action` from `count` threads released together; return results or errors."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = action(index)
        except Exception as error:  # the refusals are the point
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [12, 20])
def test_simultaneous_creates_never_exceed_the_queue_limit(user, settings, count):
    settings.MAX_QUEUED_PER_USER = 5
    results = run_at_once(count, lambda n: create_generation(owner=user, **NEW))
    created = [r for r in results if isinstance(r, Version)]
    refused = [r for r in results if isinstance(r, ActionRefused)]
    assert len(created) == 5, results
    assert len(refused) == count - 5
    assert Version.objects.filter(status="queued").count() == 5
    assert "limit is 5" in str(refused[0])


@pytest.mark.django_db(transaction=True)
def test_simultaneous_iterations_never_exceed_the_queue_limit(user, settings, make_version):
    settings.MAX_QUEUED_PER_USER = 3
    base = make_version()
    results = run_at_once(10, lambda n: start_iteration(base=base, prompt=f"add {n}", user=user))
    assert sum(isinstance(r, Version) for r in results) == 3, results
    assert Version.objects.filter(status="queued").count() == 3
    numbers = sorted(Version.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_claims_never_exceed_the_running_limit(user, settings, make_version):
    settings.MAX_RUNNING_PER_USER = 2
    generation = make_version().generation
    queued = [
        make_version(generation=generation, number=n, status=Version.Status.QUEUED)
        for n in range(2, 8)
    ]
    results = run_at_once(len(queued), lambda n: claim_version(version_id=queued[n].pk))
    assert sum(isinstance(r, Version) for r in results) == 2, results
    assert sum(isinstance(r, OwnerAtLimit) for r in results) == 4
    assert Version.objects.filter(status="processing").count() == 2


@pytest.mark.parametrize("path", ["a+b.txt", "x#y", "a&x=1", "%41", "./x", "a/./b", "d//x"])
def test_saving_a_manual_edit_goes_to_the_saved_file(owner_client, make_version, path):
    base = make_version()
    url = reverse("version-edit", args=[base.generation_id, 1])
    response = owner_client.post(url, {"path": path, "content": "hello\n"}, follow=True)
    assert response.status_code == 200
    expected = {"./x": "x", "a/./b": "a/b", "d//x": "d/x"}.get(path, path)
    assert response.context["selected"] == expected
    assert version_files(Version.objects.get(number=2))[expected] == "hello\n"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        " //evil.example",
    ],
)
def test_naming_a_version_never_redirects_off_site(owner_client, make_version, target):
    version = make_version()
    url = reverse("version-name", args=[version.generation_id, 1])
    response = owner_client.post(url, {"name": "x", "next": target})
    assert response.status_code == 302
    assert urlsplit(response.url).netloc == ""
    assert response.url == version.get_absolute_url()


def test_naming_a_version_may_go_on_to_a_page_of_the_site(owner_client, make_version):
    version = make_version()
    url = reverse("version-name", args=[version.generation_id, 1])
    response = owner_client.post(url, {"name": "x", "next": "/generations/"})
    assert response.url == "/generations/"


@pytest.mark.parametrize("login_url", ["/accounts/login/", "/admin/login/"])
def test_repeated_wrong_passwords_lock_the_login_even_for_the_right_one(
    client, staff_user, settings, login_url
):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        response = client.post(login_url, {"username": "root", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post(login_url, {"username": "root", "password": "wrong"})
    assert response.status_code == 429  # the fifth failure locks
    response = client.post(login_url, {"username": "root", "password": "root-password-1"})
    assert response.status_code == 429
    assert "Too many wrong passwords for root" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_another_address_or_user_is_not_locked_out(client, staff_user, user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "root", "password": "wrong"})
    other_address = Client(REMOTE_ADDR="10.9.8.7")
    response = other_address.post(
        "/accounts/login/", {"username": "root", "password": "root-password-1"}
    )
    assert response.status_code == 302
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "alice-password-1"}
    )
    assert response.status_code == 302


def test_every_page_has_a_strict_content_security_policy(owner_client, make_version):
    version = make_version()
    for url in [
        "/generations/",
        "/generations/new/",
        version.get_absolute_url(),
        reverse("generation-compare", args=[version.generation_id]),
        "/accounts/login/",
    ]:
        policy = owner_client.get(url, follow=True).headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "style-src 'self';" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy


def test_no_template_holds_inline_script_or_style():
    from pathlib import Path

    for template in Path("templates").rglob("*.html"):
        text = template.read_text()
        assert "style=" not in text, template
        assert "hx-on" not in text, template
        assert "<script>" not in text, template
        # A JSON data block (Swagger UI's settings) is data, never run.
        data_blocks = text.replace('<script type="application/json"', "")
        assert "<script " not in data_blocks.replace("<script src=", ""), template


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("generation-create", {**NEW, "title": "a\x00b"}),
        ("generation-create", {**NEW, "prompt": "x\x00"}),
        ("generation-create", {**NEW, "constraints": "\x00"}),
        ("version-iterate", {"prompt": "add\x00x"}),
        ("version-edit", {"path": "a.txt", "content": "a\x00b"}),
        ("version-edit", {"path": "a\x00.txt", "content": "a"}),
    ],
)
def test_nul_characters_are_refused_with_a_message(owner_client, make_version, url_name, data):
    version = make_version()
    args = [] if url_name == "generation-create" else [version.generation_id, 1]
    before = Version.objects.count()
    response = owner_client.post(reverse(url_name, args=args), data)
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode() or (
        "control character" in response.content.decode()
    )
    assert Version.objects.count() == before


def test_nul_in_a_version_name_is_refused_and_nothing_is_stored(owner_client, make_version):
    version = make_version()
    url = reverse("version-name", args=[version.generation_id, 1])
    response = owner_client.post(url, {"name": "a\x00b"}, follow=True)
    assert "Null characters are not allowed" in response.content.decode()
    version.refresh_from_db()
    assert version.name == ""


def test_nul_in_an_uploaded_file_makes_it_binary_kept_byte_for_byte(owner_client, make_version):
    version = make_version()
    upload = SimpleUploadedFile("data.txt", b"a\x00b")
    url = reverse("version-edit", args=[version.generation_id, 1])
    response = owner_client.post(url, {"path": "data.txt", "upload": upload})
    assert response.status_code == 302
    saved = Version.objects.get(number=2).files.select_related("blob").get(path="data.txt")
    assert saved.blob.binary
    assert bytes(saved.blob.content) == b"a\x00b"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (".git/config", "version-control internals"),
        (".GIT/hooks/post-checkout", "version-control internals"),
        ("con", "Windows reserves"),
        ("nul.txt", "Windows reserves"),
        ("docs/aux.md", "Windows reserves"),
        ("invoice\u202egpj.txt", "invisible or control character"),
        ("a\u200b.txt", "invisible or control character"),
        ("readme.md", "differ only in letter case"),
        ("App.py/x.txt", "both a file and a folder"),
    ],
)
@pytest.mark.parametrize("how", ["typed", "uploaded"])
def test_dangerous_names_are_refused_for_edits_and_uploads(
    owner_client, make_version, path, reason, how
):
    version = make_version(files={"README.md": "# Hi\n", "app.py": "x\n"})
    data = {"path": path, "content": "x\n"}
    if how == "uploaded":
        data = {"path": path, "upload": SimpleUploadedFile("f.txt", b"x\n")}
    response = owner_client.post(reverse("version-edit", args=[version.generation_id, 1]), data)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert Version.objects.count() == 1


def test_the_zip_leaves_out_a_stored_path_the_policy_refuses(make_version):
    version = make_version(files={"README.md": "# Hi\n", "ok/a.txt": "a\n"})
    VersionFile.objects.filter(version=version, path="ok/a.txt").update(path=".git/config")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zip_stream(version))))
    assert archive.namelist() == ["todo-service-v1/README.md"]


def test_an_oversized_follow_up_gets_413_naming_the_limit_as_a_page_or_as_json(
    owner_client, make_version, settings
):
    settings.REQUEST_MAX_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    version = make_version()
    url = reverse("version-iterate", args=[version.generation_id, 1])
    page = version.get_absolute_url()
    browser = owner_client.post(
        url,
        {"prompt": "x" * 3_000_000},
        HTTP_REFERER=f"http://testserver{page}",
        HTTP_ACCEPT="text/html,application/xhtml+xml",
    )
    assert browser.status_code == 413
    assert "larger than 100,000 bytes (REQUEST_MAX_BYTES)" in browser.content.decode()
    assert f'{page}">Go back</a>' in browser.content.decode()

    program = owner_client.post(url, {"prompt": "x" * 3_000_000}, HTTP_HX_REQUEST="true")
    assert program.status_code == 413
    assert program.json()["code"] == "too_large"
    assert program.json()["limit"] == "REQUEST_MAX_BYTES"
    assert program.json()["limit_bytes"] == 100_000
    assert Version.objects.count() == 1


def test_an_unreadable_form_gets_a_message_not_a_bare_400(owner_client, make_version):
    version = make_version()
    url = reverse("version-edit", args=[version.generation_id, 1])
    response = owner_client.generic(
        "POST", url, b"--x\r\nbroken", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 400
    assert "could not be read" in response.json()["detail"]


@pytest.mark.django_db
def test_the_demo_account_is_not_locked_by_other_peoples_failures(settings):
    """Lockouts are per username and address: a stranger cannot lock everyone out."""
    settings.AXES_FAILURE_LIMIT = 2
    get_user_model().objects.create_user("demo", password="demo-password-1")
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for _ in range(5):
        attacker.post("/accounts/login/", {"username": "demo", "password": "guess"})
    owner = Client(REMOTE_ADDR="10.0.0.1")
    response = owner.post("/accounts/login/", {"username": "demo", "password": "demo-password-1"})
    assert response.status_code == 302
