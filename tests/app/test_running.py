"""Running a version from its page and the API: a real runner in this process runs the app
and the tests in the sandbox (nothing is installed: plain Python and node's own runner),
and what it reports reaches the rows, the events and the page."""

import json
import shutil
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core import signing
from django.urls import reverse
from django_eventstream.models import Event

from generations.running import access
from generations.running.models import Preview, TestRun
from generations.running.proxy import answer_headers, request_headers
from generations.running.test_runs import CheckedTests
from orchestrator.running.config import uv_binary
from tests.support.runner_service import NODE_TESTS, PLAIN_APP, runner_service, wait_for

needs_tools = pytest.mark.skipif(
    shutil.which("bwrap") is None or uv_binary() is None or shutil.which("npm") is None,
    reason="needs bubblewrap, uv and npm",
)


@pytest.fixture
def runner(transactional_db, settings, tmp_path):
    with runner_service(settings, tmp_path / "cache") as running:
        yield running


@pytest.fixture
def app_version(make_version):
    return make_version(files=PLAIN_APP)


def url(name: str, version, **query) -> str:
    path = reverse(name, args=[version.generation_id, version.number])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def preview_of(version) -> Preview:
    return Preview.objects.filter(version=version).latest("created_at")


def events_of(version, event_type: str) -> list[dict]:
    rows = Event.objects.filter(channel=version.channel, type=event_type).order_by("eid")
    return [json.loads(json.loads(row.data)) for row in rows]


@needs_tools
def test_run_starts_the_app_and_the_page_shows_it_running_with_its_log(
    runner, owner_client, app_version
):
    response = owner_client.post(
        url("version-preview", app_version), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    wait_for(lambda: preview_of(app_version).state == "running", "the app to run")
    page = owner_client.get(app_version.get_absolute_url()).content.decode()
    assert 'data-testid="preview-frame"' in page
    assert f"http://{preview_of(app_version).id}.preview.localhost/__iterum/enter?token=" in page
    wait_for(
        lambda: "app starting" in owner_client.get(app_version.get_absolute_url()).content.decode(),
        "the log on the page",
    )
    states = [e["preview_state"] for e in events_of(app_version, "preview")]
    assert states == ["building", "starting", "running"]
    event = events_of(app_version, "preview")[-1]
    assert (event["status"], event["stage"], event["version"]) == (
        "completed",
        "preview_running",
        1,
    )
    assert any("app starting" in e["lines"] for e in events_of(app_version, "preview-log"))

    owner_client.post(url("version-preview-stop", app_version))
    assert preview_of(app_version).state == "stopped"
    assert preview_of(app_version).reason == "stopped by its owner"
    assert events_of(app_version, "preview")[-1]["message"] == (
        "The app stopped: stopped by its owner"
    )


@needs_tools
def test_the_preview_page_frames_a_fresh_hand_over(runner, owner_client, app_version, user):
    owner_client.post(url("version-preview", app_version))
    wait_for(lambda: preview_of(app_version).state == "running", "the app to run")
    page = owner_client.get(url("version-preview-page", app_version)).content.decode()
    token = unquote(page.split("/__iterum/enter?token=", 1)[1].split("&", 1)[0])
    assert access.user_of_enter_token(token, preview_of(app_version).id) == user


def test_a_stopped_preview_page_says_so(owner_client, app_version):
    response = owner_client.get(url("version-preview-page", app_version))
    assert response.status_code == 404
    assert b"app is not running" in response.content


@pytest.mark.parametrize("name", ["version-preview", "version-preview-stop", "version-tests"])
def test_another_user_gets_404_and_starts_nothing(client, other_user, app_version, name):
    client.force_login(other_user)
    assert client.post(url(name, app_version)).status_code == 404
    assert client.get(url("version-run", app_version)).status_code == 404
    page = client.get(url("version-preview-page", app_version))
    assert page.status_code == 404
    assert b"app is not running" not in page.content  # Django's 404: nothing of the version
    assert not Preview.objects.exists()
    assert not TestRun.objects.exists()


def test_staff_may_open_another_users_preview_page(client, staff_user, app_version):
    client.force_login(staff_user)
    page = client.get(url("version-preview-page", app_version))
    assert b"app is not running" in page.content  # the version's own page: nothing runs


def test_anonymous_is_sent_to_log_in(client, app_version):
    response = client.post(url("version-preview", app_version))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@needs_tools
def test_a_user_runs_at_most_their_limit_of_previews(runner, settings, owner_client, make_version):
    settings.PREVIEW_MAX_PER_USER = 1
    first = make_version(files=PLAIN_APP)
    second = make_version(files=PLAIN_APP)
    owner_client.post(url("version-preview", first))
    response = owner_client.post(url("version-preview", second), follow=True)
    assert "You have 1 previews running, the most allowed (1). Stop one to start another." in (
        response.content.decode()
    )
    assert not Preview.objects.filter(version=second).exists()


def test_without_a_runner_the_preview_says_why(
    transactional_db, settings, owner_client, make_version
):
    settings.RUNNER_SOCKET = "/tmp/no-such-runner.sock"
    version = make_version(files=PLAIN_APP)
    owner_client.post(url("version-preview", version))
    preview = preview_of(version)
    assert preview.state == "stopped"
    assert preview.reason.startswith("The runner is not running, so nothing can be run now")
    page = owner_client.get(version.get_absolute_url()).content.decode()
    assert "The runner is not running" in page


@needs_tools
def test_tests_run_by_the_runner_are_kept_test_by_test_and_shown(
    runner, owner_client, make_version, make_generation
):
    version = make_version(files=NODE_TESTS)
    owner_client.post(url("version-tests", version))
    wait_for(lambda: TestRun.objects.get(version=version).finished, "the tests to finish")
    run = TestRun.objects.get(version=version)
    assert (run.state, run.passed, run.failed) == ("failed", 1, 1)
    assert [(r.name, r.outcome) for r in run.results.all()] == [
        ("adds", "passed"),
        ("subtracts", "failed"),
    ]
    page = owner_client.get(version.get_absolute_url()).content.decode()
    assert "subtracts" in page
    assert "0 == 1" in page  # the failure's output
    history = owner_client.get(version.generation.get_absolute_url()).content.decode()
    assert "✗ 1 of 2" in history
    assert [e["tests_state"] for e in events_of(version, "tests")] == ["running", "failed"]


@needs_tools
def test_a_runs_checks_send_failing_tests_to_the_fix_round(runner):
    findings, unavailable = CheckedTests()(NODE_TESTS)
    assert unavailable == []
    assert [f.message for f in findings] == ["subtracts failed: 0 == 1"]


def test_without_a_runner_the_checks_say_the_tests_were_not_run(settings):
    settings.RUNNER_SOCKET = "/tmp/no-such-runner.sock"
    findings, unavailable = CheckedTests()(NODE_TESTS)
    assert findings == []
    assert unavailable[0].startswith("The project's tests were not run: The runner is not running")


# The API -------------------------------------------------------------------------------------


def api_path(version, tail: str) -> str:
    return f"/api/v1/generations/{version.generation_id}/versions/{version.number}/{tail}"


@needs_tools
def test_the_api_starts_reads_and_stops_a_preview(runner, owner_client, app_version):
    started = owner_client.post(api_path(app_version, "preview"))
    assert started.status_code == 201
    preview_id = started.json()["id"]
    wait_for(
        lambda: owner_client.get(api_path(app_version, "preview")).json()["state"] == "running",
        "the app to run",
    )
    body = owner_client.get(api_path(app_version, "preview")).json()
    assert body["url"] == f"http://{preview_id}.preview.localhost/"
    assert body["enter_url"].startswith(f"http://{preview_id}.preview.localhost/__iterum/enter?")
    assert "app starting" in body["logs"]["lines"]
    later = owner_client.get(api_path(app_version, "preview") + f"?after={body['logs']['last']}")
    assert later.json()["logs"]["lines"] == []
    stopped = owner_client.delete(api_path(app_version, "preview")).json()
    assert (stopped["state"], stopped["reason"], stopped["enter_url"]) == (
        "stopped",
        "stopped by its owner",
        "",
    )


@needs_tools
def test_the_api_runs_tests_and_reads_them(runner, owner_client, make_version):
    version = make_version(files=NODE_TESTS)
    assert owner_client.get(api_path(version, "tests")).status_code == 404
    assert owner_client.post(api_path(version, "tests")).json()["state"] == "running"
    wait_for(
        lambda: owner_client.get(api_path(version, "tests")).json()["state"] != "running",
        "the tests to finish",
    )
    body = owner_client.get(api_path(version, "tests")).json()
    assert (body["state"], body["passed"], body["failed"]) == ("failed", 1, 1)
    assert body["tests"][1]["name"] == "subtracts"
    assert body["tests"][1]["message"] == "0 == 1"


def test_the_api_answers_404_for_another_users_version(client, other_user, app_version):
    client.force_login(other_user)
    calls = [("post", "preview"), ("get", "preview"), ("delete", "preview"), ("post", "tests")]
    for method, tail in [*calls, ("get", "tests")]:
        assert getattr(client, method)(api_path(app_version, tail)).status_code == 404


# What crosses the proxy ---------------------------------------------------------------------


def scope_with(headers: list[tuple[str, str]]) -> dict:
    return {
        "headers": [(k.encode(), v.encode()) for k, v in headers],
        "client": ("203.0.113.9", 5000),
        "scheme": "http",
    }


def test_iterums_cookies_and_tokens_never_reach_the_app():
    headers = dict(
        request_headers(
            scope_with(
                [
                    ("host", "abc12345.preview.localhost:8000"),
                    ("cookie", "sessionid=s; csrftoken=c; iterum_preview=p; appcookie=a"),
                    ("authorization", "Bearer itm_secret"),
                    ("x-forwarded-for", "1.2.3.4"),
                    ("connection", "keep-alive"),
                    ("accept", "text/html"),
                ]
            )
        )
    )
    assert headers["cookie"] == "appcookie=a"
    assert "authorization" not in headers
    assert "connection" not in headers
    assert headers["x-forwarded-for"] == "203.0.113.9"
    assert headers["accept"] == "text/html"


def test_the_apps_own_authorization_passes():
    headers = dict(request_headers(scope_with([("authorization", "Basic dXNlcjpwYXNz")])))
    assert headers["authorization"] == "Basic dXNlcjpwYXNz"


def test_the_app_cannot_set_cookies_for_other_hosts_or_ours_and_is_sandboxed():
    headers = answer_headers(
        [
            ("Content-Type", "text/html"),
            ("Set-Cookie", "appcookie=1; Domain=preview.localhost; Path=/"),
            ("Set-Cookie", "sessionid=overwritten; Path=/"),
            ("Set-Cookie", "iterum_preview=forged; Path=/"),
            ("Strict-Transport-Security", "max-age=999"),
            ("Transfer-Encoding", "chunked"),
        ]
    )
    cookies = [v.decode() for k, v in headers if k == b"set-cookie"]
    assert cookies == ["appcookie=1; Path=/"]
    names = [k for k, _ in headers]
    assert b"strict-transport-security" not in names
    assert b"transfer-encoding" not in names
    assert (
        b"content-security-policy",
        b"sandbox allow-scripts allow-forms allow-popups allow-same-origin",
    ) in headers


@pytest.mark.parametrize(
    ("host", "preview_id"),
    [
        ("abcdefgh12.preview.localhost:8000", "abcdefgh12"),
        ("ABCDEFGH12.Preview.Localhost", "abcdefgh12"),
        ("abcdefgh12.preview.localhost.", "abcdefgh12"),
        ("preview.localhost", None),
        ("127.0.0.1:8000", None),
        ("a.b.preview.localhost", None),
        ("abc.preview.localhost", None),  # too short to be one of ours
        ("abcdefgh12.preview.localhost.evil.example", None),
    ],
)
def test_a_preview_is_named_by_its_host(host, preview_id):
    assert access.preview_id_of_host(host) == preview_id


def test_a_hand_over_is_for_one_preview_and_expires(user, app_version, rf, monkeypatch):
    preview = Preview.objects.create(id="abcdefgh12", version=app_version, user=user)
    enter = access.enter_url(preview, user, rf.get("/"))
    token = parse_qs(urlsplit(enter).query)["token"][0]
    assert access.user_of_enter_token(token, "abcdefgh12") == user
    assert access.user_of_enter_token(token, "otherpreview1") is None
    monkeypatch.setattr(access, "ENTER_SECONDS", -1)
    assert access.user_of_enter_token(token, "abcdefgh12") is None
    cookie = access.cookie_value("abcdefgh12", user.pk)
    assert access.user_id_of_cookie(cookie, "abcdefgh12") == user.pk
    assert access.user_id_of_cookie(cookie, "otherpreview1") is None
    forged = signing.dumps({"p": "abcdefgh12", "u": user.pk}, salt="another salt")
    assert access.user_id_of_cookie(forged, "abcdefgh12") is None
