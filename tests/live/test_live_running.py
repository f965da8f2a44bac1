"""Running versions for real: daphne, the worker and the runner as processes; environments
built from the package index into one cache shared by the session (var/test-run-cache: the
first session builds them cold, later ones find them warm).

Each of the demo model's four stacks is generated with its tests run in the checks, passes
them in the sandbox, and answers through the preview proxy from its own host name. The
proxy streams, carries WebSockets, and lets nothing of Iterum's through."""

import re
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest
import websockets.sync.client
from django.contrib.auth import get_user_model

from generations.models import Generation, Version
from generations.running import access
from generations.running.models import Preview, TestRun
from generations.storage import save_files
from tests.support.live_servers import (
    ROOT,
    log_in,
    post_form,
    read_events,
    start_stack,
    stream_url,
)
from tests.support.runner_service import PLAIN_APP

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
CACHE = ROOT / "var" / "test-run-cache"
RESOURCE = {
    "fastapi_postgres": "/todos",
    "flask": "/todos",
    "django": "/todos/",
    "express": "/todos",
}
LANDING_TEXT = {
    "fastapi_postgres": "Swagger UI",  # /docs
    "flask": "Not Found",
    "django": "Page not found",
    "express": "Cannot GET /",
}


@pytest.fixture(scope="module")
def stack(django_db_setup):
    CACHE.mkdir(parents=True, exist_ok=True)
    running = start_stack(runner=True, CHECK_RUN_TESTS="true", RUN_CACHE_DIR=str(CACHE))
    yield running
    running.stop()


@pytest.fixture
def client(stack):
    get_user_model().objects.create_user("alice", password="live-password-1")
    with httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=60) as http:
        log_in(http, "alice", "live-password-1")
        yield http


def wait_for(condition, what: str, seconds: float = 300):
    """Cold environments come from the index: minutes at worst on a busy machine."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)
    return value


def preview_request(url: str, cookie: str = "", method: str = "GET", **options) -> httpx.Response:
    """A request to http://<id>.preview.localhost:PORT/...: sent to 127.0.0.1 with that Host
    (Python's resolver, unlike browsers and curl, knows no *.localhost)."""
    parts = urlsplit(url)
    target = f"http://127.0.0.1:{parts.port}{parts.path}" + (
        f"?{parts.query}" if parts.query else ""
    )
    headers = {
        "Host": parts.netloc,
        **({"Cookie": cookie} if cookie else {}),
        **options.pop("headers", {}),
    }
    return httpx.request(method, target, headers=headers, timeout=30, **options)


def enter(page: str) -> tuple[str, str]:
    """Follow the page's hand-over: the preview's origin and its cookie."""
    enter_url = re.search(r'src="(http://[^"]+/__iterum/enter\?[^"]+)"', page).group(1)
    entered = preview_request(enter_url.replace("&amp;", "&"))
    assert entered.status_code == 302
    cookie = entered.headers["set-cookie"].split(";", 1)[0]
    parts = urlsplit(enter_url)
    return f"{parts.scheme}://{parts.netloc}", cookie


def run_preview(client: httpx.Client, version_url: str) -> tuple[str, str]:
    client.post(version_url + "preview/", headers={"X-CSRFToken": client.cookies["csrftoken"]})
    version = Version.objects.get(generation_id=version_url.split("/")[2], number=1)
    wait_for(
        lambda: (
            Preview.objects.filter(version=version).latest("created_at").state
            in ("running", "stopped")
        ),
        "the preview to run",
    )
    preview = Preview.objects.filter(version=version).latest("created_at")
    assert preview.state == "running", preview.reason
    return enter(client.get(version_url).text)


@pytest.mark.parametrize("tech_stack", ["fastapi_postgres", "flask", "django", "express"])
def test_every_stack_passes_its_tests_in_the_sandbox_and_answers_through_the_preview(
    client, tech_stack
):
    created = post_form(
        client,
        "/generations/new/",
        "/generations/new/",
        {"title": "Todo", "prompt": "a todo api", "tech_stack": tech_stack, "domain": "todos"},
    )
    events = list(read_events(client, stream_url(created.text), seconds=600))
    assert events[-1]["stage"] == "generation_complete", events[-1]
    version = Version.objects.get(generation__title="Todo", generation__tech_stack=tech_stack)
    # Run by the checks; kept for the version once its files are saved (after its last event).
    run = wait_for(lambda: TestRun.objects.filter(version=version).first(), "the kept report")
    assert (run.state, run.failed, run.errors) == ("passed", 0, 0), run.message + run.output
    assert run.passed >= 1

    origin, cookie = run_preview(client, created.url.path)
    landing = preview_request(origin + Preview.objects.get(version=version).landing, cookie)
    assert LANDING_TEXT[tech_stack] in landing.text
    policies = landing.headers.get_list("content-security-policy")  # the app's own too
    assert "sandbox allow-scripts allow-forms allow-popups allow-same-origin" in policies
    listed = preview_request(origin + RESOURCE[tech_stack], cookie)
    assert listed.status_code == 200, listed.text
    assert listed.json() in ([], {"todos": []})
    if tech_stack == "fastapi_postgres":
        assert preview_request(origin + "/openapi.json", cookie).json()["info"]["title"] == "Todo"

    client.post(
        created.url.path + "preview/stop/", headers={"X-CSRFToken": client.cookies["csrftoken"]}
    )
    assert Preview.objects.get(version=version).state == "stopped"
    assert preview_request(origin + "/", cookie).status_code in (403, 502, 503)  # gone
    assert preview_request(origin + "/", cookie).status_code == 403  # and its cookie with it


def make_version(files: dict[str, str], title: str) -> Version:
    user = get_user_model().objects.get(username="alice")
    generation = Generation.objects.create(
        owner=user, title=title, prompt="x", tech_stack="fastapi_postgres"
    )
    version = Version.objects.create(
        generation=generation, number=1, kind="generate", prompt="x", status="completed"
    )
    save_files(version=version, files=files)
    return version


def test_nothing_of_iterum_reaches_the_app_and_only_the_owner_gets_in(client, stack):
    version = make_version(PLAIN_APP, "Plain")
    origin, cookie = run_preview(client, version.get_absolute_url())
    seen = preview_request(
        origin + "/",
        f"sessionid={client.cookies['sessionid']}; csrftoken=c; {cookie}; appcookie=mine",
        headers={"Authorization": "Bearer itm_not-for-the-app"},
    )
    assert seen.text == "app saw cookies: appcookie=mine"
    assert seen.headers.get_list("set-cookie") == ["appcookie=1; Path=/"]
    assert "strict-transport-security" not in seen.headers

    assert preview_request(origin + "/").status_code == 403  # no cookie
    alice = get_user_model().objects.get(username="alice")
    other_preview = f"{access.COOKIE}={access.cookie_value('b' * 26, alice.pk)}"
    assert preview_request(origin + "/", other_preview).status_code == 403
    get_user_model().objects.create_user("mallory", password="live-password-2")
    with httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=30) as other:
        log_in(other, "mallory", "live-password-2")
        assert other.get(version.get_absolute_url()).status_code == 404
        start = other.post(
            version.get_absolute_url() + "preview/",
            headers={"X-CSRFToken": other.cookies["csrftoken"]},
        )
        assert start.status_code == 404


STREAMING_APP = {
    "requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.6\nwsproto\n",
    "main.py": (
        "import asyncio\n\nfrom fastapi import FastAPI, WebSocket\n"
        "from fastapi.responses import StreamingResponse\n\napp = FastAPI()\n\n\n"
        "@app.get('/stream')\nasync def stream():\n"
        "    async def chunks():\n        for number in range(3):\n"
        "            yield f'chunk {number}\\n'\n            await asyncio.sleep(0.2)\n"
        "    return StreamingResponse(chunks(), media_type='text/plain')\n\n\n"
        "@app.websocket('/echo')\nasync def echo(websocket: WebSocket):\n"
        "    await websocket.accept()\n    while True:\n"
        "        await websocket.send_text('echo: ' + await websocket.receive_text())\n"
    ),
}


def test_streaming_answers_and_websockets_cross_the_proxy(client):
    version = make_version(STREAMING_APP, "Streams")
    origin, cookie = run_preview(client, version.get_absolute_url())
    parts = urlsplit(origin)
    target = f"http://127.0.0.1:{parts.port}/stream"
    arrivals = []
    with httpx.stream("GET", target, headers={"Host": parts.netloc, "Cookie": cookie}) as answer:
        for chunk in answer.iter_text():
            arrivals.append(chunk)
    assert "".join(arrivals) == "chunk 0\nchunk 1\nchunk 2\n"
    assert len(arrivals) >= 2  # it came in pieces, as the app sent them

    with websockets.sync.client.connect(
        f"ws://{parts.netloc}/echo",
        sock=socket.create_connection(("127.0.0.1", parts.port)),
        additional_headers={"Cookie": cookie},
    ) as socket_to_app:
        socket_to_app.send("hello")
        assert socket_to_app.recv(timeout=30) == "echo: hello"
    with pytest.raises(websockets.exceptions.InvalidStatus):
        websockets.sync.client.connect(
            f"ws://{parts.netloc}/echo",
            sock=socket.create_connection(("127.0.0.1", parts.port)),
        )  # no cookie: refused


def test_versions_with_the_same_manifests_share_one_environment(client):
    first = make_version(STREAMING_APP, "Streams")
    run_preview(client, first.get_absolute_url())
    built = {p.name for p in (CACHE / "envs").iterdir() if p.is_dir()}
    changed = STREAMING_APP | {"main.py": STREAMING_APP["main.py"] + "\n# another version\n"}
    second = make_version(changed, "Streams again")
    run_preview(client, second.get_absolute_url())
    assert {p.name for p in (CACHE / "envs").iterdir() if p.is_dir()} == built
    log = client.get(f"/api/v1/generations/{second.generation_id}/versions/1/preview").json()
    assert "[iterum] Found the environment" in log["logs"]["lines"][0]
