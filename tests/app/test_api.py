"""The JSON API: every endpoint for its owner, for another user (404), without credentials
(401) and with a revoked token (401); bodies that do not validate (422); stream tokens; the
pages' rules (limits, CSRF); and an OpenAPI document that validates."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.core import signing
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate

from generations.live import streams
from generations.models import ApiToken, Version
from generations.tokens import STREAM_SALT, create_token, revoke_token, stream_token
from tests.conftest import STARTER

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def token(user):
    return create_token(user=user, name="tests")[1]


@pytest.fixture
def history(make_generation, make_version):
    generation = make_generation()
    v1 = make_version(generation=generation, number=1)
    v2 = make_version(
        generation=generation, number=2, parent=v1, files={**STARTER, "NEW.md": "new\n"}
    )
    return generation, v1, v2


def call(method: str, path: str, token: str | None = None, body=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    client = Client()
    send = getattr(client, method)
    if body is not None and method != "get":
        return send(
            API + path, json.dumps(body), content_type="application/json", **headers, **extra
        )
    return send(API + path, body, **headers, **extra)


def endpoints(generation, number=2):
    base = f"/generations/{generation.pk}"
    version = f"{base}/versions/{number}"
    return [
        ("get", base, None),
        ("put", f"{base}/webhook", {"url": ""}),
        ("get", f"{base}/diff?new=2", None),
        ("get", version, None),
        ("post", f"{version}/iterate", {"prompt": "add a health endpoint"}),
        ("post", f"{version}/cancel", None),
        ("post", f"{version}/restore", None),
        ("put", f"{version}/name", {"name": "before auth"}),
        ("get", f"{version}/files", None),
        ("get", f"{version}/files/app.py", None),
        ("post", f"{version}/files", {"files": {"app.py": "print(1)\n"}}),
        ("get", f"{version}/zip", None),
        ("post", f"{version}/stream-token", None),
    ]


def test_every_endpoint_refuses_anonymous_callers_and_revoked_tokens(history, user, token):
    generation, _, _ = history
    revoked_raw = create_token(user=user, name="old")[1]
    revoke_token(ApiToken.objects.get(name="old"))
    for method, path, body in [*endpoints(generation), ("get", "/generations", None)]:
        assert call(method, path, body=body).status_code == 401, (method, path)
        assert call(method, path, revoked_raw, body).status_code == 401, (method, path)
        assert call(method, path, "itm_not-a-real-token", body).status_code == 401, (method, path)


def test_every_endpoint_answers_404_for_another_users_objects(history, other_user):
    generation, _, _ = history
    theirs = create_token(user=other_user, name="mallory")[1]
    for method, path, body in endpoints(generation):
        assert call(method, path, theirs, body).status_code == 404, (method, path)
    assert Version.objects.count() == 2


def test_the_owner_reads_a_generation_its_versions_files_and_diff(history, token):
    generation, _v1, _v2 = history
    listed = call("get", "/generations", token).json()
    assert [g["id"] for g in listed] == [str(generation.pk)]
    assert listed[0]["latest_version"] == 2
    detail = call("get", f"/generations/{generation.pk}", token).json()
    assert [v["number"] for v in detail["versions"]] == [1, 2]
    assert detail["versions"][1]["parent"] == 1
    files = call("get", f"/generations/{generation.pk}/versions/2/files", token).json()
    assert [f["path"] for f in files] == sorted([*STARTER, "NEW.md"])
    one = call("get", f"/generations/{generation.pk}/versions/2/files/app.py", token).json()
    assert one["content"] == STARTER["app.py"]
    assert one["size"] == len(STARTER["app.py"].encode())
    assert (
        call("get", f"/generations/{generation.pk}/versions/2/files/nope.py", token).status_code
        == 404
    )
    diff = call("get", f"/generations/{generation.pk}/diff?new=2", token).json()
    assert (diff["old"], diff["new"]) == (1, 2)
    [added] = diff["files"]
    assert (added["path"], added["status"], added["added"]) == ("NEW.md", "added", 1)
    assert added["unified"] == "--- /dev/null\n+++ b/NEW.md\n@@ -0,0 +1 @@\n+new\n"


def test_the_owner_starts_runs_and_acts_on_versions(history, token, user):
    generation, _v1, _v2 = history
    created = call(
        "post",
        "/generations",
        token,
        {"title": "Shop", "prompt": "a shop", "tech_stack": "flask"},
    )
    assert created.status_code == 201
    assert created.json()["status"] == "queued"
    version = f"/generations/{generation.pk}/versions/2"
    iterated = call("post", f"{version}/iterate", token, {"prompt": "add a health endpoint"})
    assert iterated.status_code == 201
    number = iterated.json()["number"]
    queued = Version.objects.get(generation=generation, number=number)
    assert queued.api_token.name == "tests"
    cancelled = call("post", f"/generations/{generation.pk}/versions/{number}/cancel", token)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = call("post", f"/generations/{generation.pk}/versions/{number}/cancel", token)
    assert again.status_code == 409
    restored = call("post", f"/generations/{generation.pk}/versions/1/restore", token)
    assert (restored.status_code, restored.json()["kind"]) == (201, "restore")
    named = call("put", f"{version}/name", token, {"name": "before auth"})
    assert named.json()["name"] == "before auth"
    saved = call(
        "post", f"{version}/files", token, {"files": {"app.py": "print(1)\n", "b.py": "x = 2\n"}}
    )
    assert saved.status_code == 201
    body = saved.json()
    assert body["kind"] == "manual"
    assert {c["path"] for c in body["changes"]} == {"app.py", "b.py"}
    assert body["checks"] is not None
    assert ApiToken.objects.get(name="tests").last_used_at is not None


async def collect(response) -> bytes:
    return b"".join([chunk async for chunk in response.streaming_content])


def test_uploads_and_zips(history, token):
    generation, _, _ = history
    version = f"/generations/{generation.pk}/versions/2"
    upload = io.BytesIO(b"a,b\r\n1,2\r\n")
    upload.name = "data.csv"
    response = Client().post(
        API + f"{version}/upload",
        {"path": "data/data.csv", "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    number = response.json()["number"]
    zipped = call("get", f"/generations/{generation.pk}/versions/{number}/zip", token)
    assert zipped["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(async_to_sync(collect)(zipped)))
    assert archive.read(next(n for n in archive.namelist() if n.endswith("data/data.csv"))) == (
        b"a,b\r\n1,2\r\n"
    )


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/generations", {"prompt": "x", "tech_stack": "flask"}, "title"),
        ("/generations", {"title": "x", "prompt": "x", "tech_stack": "cobol"}, "tech_stack"),
        ("/generations", {"title": "x", "prompt": "p" * 5000, "tech_stack": "flask"}, "prompt"),
        ("/generations", {"title": "x", "prompt": "a\x00b", "tech_stack": "flask"}, "prompt"),
        ("/V/iterate", {"prompt": ""}, "prompt"),
        ("/V/iterate", {}, "prompt"),
        ("/V/name", {"name": "n" * 101}, "name"),
        ("/V/files", {"files": "not a mapping"}, "files"),
    ],
)
def test_bodies_that_do_not_validate_get_422_with_the_field(history, token, path, body, field):
    generation, _, _ = history
    path = path.replace("/V", f"/generations/{generation.pk}/versions/2")
    response = call("post" if not path.endswith("/name") else "put", path, token, body)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["detail"])


def test_a_manual_save_that_changes_nothing_or_escapes_is_refused(history, token):
    generation, _, _ = history
    version = f"/generations/{generation.pk}/versions/2"
    same = call("post", f"{version}/files", token, {"files": {"README.md": "# Demo\n"}})
    assert (same.status_code, same.json()["detail"]) == (
        409,
        "README.md is unchanged, so there is nothing to save.",
    )
    escape = call("post", f"{version}/files", token, {"files": {"../x.py": "x"}})
    assert escape.status_code == 422  # bad input, not a conflict
    assert "leaves the project" in escape.json()["detail"]


def test_run_limits_hold_through_the_api(history, token, settings):
    settings.MAX_QUEUED_PER_USER = 1
    generation, _, _ = history
    version = f"/generations/{generation.pk}/versions/2"
    assert call("post", f"{version}/iterate", token, {"prompt": "one"}).status_code == 201
    refused = call("post", f"{version}/iterate", token, {"prompt": "two"})
    assert refused.status_code == 409
    assert "waiting" in refused.json()["detail"] or "queue" in refused.json()["detail"]


def test_a_token_may_start_only_so_many_runs_a_minute(history, token, settings):
    settings.API_RUNS_PER_MINUTE = 2
    settings.MAX_QUEUED_PER_USER = 10
    settings.MAX_RUNNING_PER_USER = 10
    generation, _, _ = history
    version = f"/generations/{generation.pk}/versions/2"
    for _ in range(2):
        assert call("post", f"{version}/iterate", token, {"prompt": "again"}).status_code == 201
    limited = call("post", f"{version}/iterate", token, {"prompt": "again"})
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert "the most allowed (2)" in limited.json()["detail"]
    Version.objects.filter(api_token__isnull=False).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    assert call("post", f"{version}/iterate", token, {"prompt": "later"}).status_code == 201


def test_session_calls_count_against_the_same_limit_and_the_user_has_a_cap(history, user, settings):
    settings.API_RUNS_PER_MINUTE = 2
    settings.API_RUNS_PER_USER_PER_MINUTE = 3
    settings.MAX_QUEUED_PER_USER = settings.MAX_RUNNING_PER_USER = 10
    generation, _, _ = history
    iterate = API + f"/generations/{generation.pk}/versions/2/iterate"
    session = Client()
    session.force_login(user)

    def by_session():
        return session.post(iterate, json.dumps({"prompt": "again"}), "application/json")

    assert [by_session().status_code for _ in range(2)] == [201, 201]
    limited = by_session()
    assert limited.status_code == 429, "a session is counted as a token is"
    assert "login session" in limited.json()["detail"]
    assert int(limited["Retry-After"]) >= 1
    # Two fresh tokens: the first has room, but the user's cap (3) across them is reached.
    first, second = (create_token(user=user, name=n)[1] for n in ("one", "two"))
    assert (
        call(
            "post", f"/generations/{generation.pk}/versions/2/iterate", first, {"prompt": "a"}
        ).status_code
        == 201
    )
    capped = call(
        "post", f"/generations/{generation.pk}/versions/2/iterate", second, {"prompt": "b"}
    )
    assert capped.status_code == 429
    assert "tokens and sessions together" in capped.json()["detail"]
    assert capped.json()["retry_after"] >= 1
    # The pages' own runs are not counted.
    page = session.post(f"/generations/{generation.pk}/v2/iterate/", {"prompt": "from the page"})
    assert page.status_code == 302


def test_a_session_may_use_the_api_with_csrf_as_forms_do(history, user):
    generation, _, _ = history
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(API + f"/generations/{generation.pk}").status_code == 200
    url = API + f"/generations/{generation.pk}/versions/2/name"
    body = json.dumps({"name": "x"})
    assert client.put(url, body, content_type="application/json").status_code == 403
    client.get("/generations/")  # sets the CSRF cookie, as a page does
    csrf = client.cookies["csrftoken"].value
    answer = client.put(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert answer.status_code == 200


def test_tokens_are_kept_hashed_and_shown_once(user):
    token, raw = create_token(user=user, name="CI")
    assert raw.startswith("itm_")
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.prefix == raw[:12]


def test_the_account_page_makes_lists_and_revokes_tokens(owner_client, user):
    made = owner_client.post("/accounts/tokens/", {"name": "laptop"})
    page = made.content.decode()
    raw = page.split('<code class="token">')[1].split("</code>")[0]
    assert raw.startswith("itm_")
    assert call("get", "/me", raw).json() == {"username": "alice", "token": "laptop"}
    again = owner_client.get("/accounts/tokens/").content.decode()
    assert raw not in again  # shown once
    assert "laptop" in again
    token = ApiToken.objects.get(name="laptop")
    owner_client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert call("get", "/me", raw).status_code == 401


def test_stream_tokens_are_bound_to_one_channel_and_expire(history, user, other_user, token):
    generation, v1, v2 = history
    made = call("post", f"/generations/{generation.pk}/versions/2/stream-token", token).json()
    assert made["expires_in"] == 300
    assert made["events_url"].startswith(f"/generations/{generation.pk}/v2/events/?token=")
    assert "lastEventId" not in made["events_url"], "it replays the run from its first event"

    def reader(token_text, channel):
        request = Client().get("/").wsgi_request
        request.GET = request.GET.copy()
        request.GET["token"] = token_text
        return streams.reader_of(request, channel)

    assert reader(made["token"], v2.channel) is not None
    assert reader(made["token"], v1.channel) is None  # another version's channel
    assert reader(token, v2.channel) is None  # an API token is never accepted in a URL
    old = signing.dumps({"u": user.pk, "c": v2.channel}, salt=STREAM_SALT, compress=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.STREAM_TOKEN_SECONDS", -1)
        assert reader(old, v2.channel) is None  # expired
    mallory = stream_token(user=other_user, channel=v2.channel, origin=None)
    assert reader(mallory, v2.channel) is None  # signed, but not the owner's


def test_the_openapi_document_validates_and_documents_the_events():
    schema = Client().get(API + "/openapi.json").json()  # as programs read it
    validate(schema)
    assert "Last-Event-ID" in schema["info"]["description"]
    assert "/api/v1/generations/{generation_id}/versions/{number}/iterate" in schema["paths"]
    assert Client().get(API + "/docs").status_code == 200


def test_a_body_over_the_limit_gets_413_naming_it_on_every_method(history, token, settings):
    """Three files of 936 KB each, as `iterum push` sent them, gave a 500."""
    generation, _, _ = history
    files = {f"f{i}.txt": "x" * 936_000 for i in range(3)}
    version = f"/generations/{generation.pk}/versions/2"
    for method, path, body in [
        ("post", f"{version}/files", {"files": files}),
        ("put", f"{version}/name", {"name": "x" * 3_000_000}),
    ]:
        response = call(method, path, token, body)
        assert response.status_code == 413, (method, path, response.content[:200])
        assert response["Content-Type"] == "application/json"
        error = response.json()
        assert error["code"] == "too_large"
        assert error["limit"] == "REQUEST_MAX_BYTES"
        assert error["limit_bytes"] == settings.REQUEST_MAX_BYTES
        assert "REQUEST_MAX_BYTES" in error["detail"]
    assert Version.objects.count() == 2, "nothing half-saved"


def test_an_upload_over_the_file_limit_gets_413_naming_it(history, token, settings):
    settings.FILE_MAX_BYTES = 1_000
    generation, _, _ = history
    upload = io.BytesIO(b"x" * 1_001)
    upload.name = "big.bin"
    response = Client().post(
        f"{API}/generations/{generation.pk}/versions/2/upload",
        {"path": "big.bin", "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 413
    assert response.json()["limit"] == "FILE_MAX_BYTES"
    assert response.json()["limit_bytes"] == 1_000
