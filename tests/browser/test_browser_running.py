"""A real browser runs a version: Run, the app's page in the frame, its log lines arriving
live, Stop. And a previewed page that tries to read or act on Iterum as the user, in the
same browser where the user is logged in, gets nowhere."""

import time

import pytest
from django.contrib.auth import get_user_model

from generations.models import Generation, Version
from generations.storage import save_files
from orchestrator import LocalHost, ProjectBrief, generate
from orchestrator.providers.demo import DemoProvider
from tests.browser.test_browser import CHROMIUM, browser_on_stack, log_in
from tests.live.test_live_running import CACHE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
    ),
]


@pytest.fixture
def page():
    CACHE.mkdir(parents=True, exist_ok=True)
    with browser_on_stack(runner=True, RUN_CACHE_DIR=str(CACHE)) as (page, _):
        yield page


def version_with(files: dict[str, str], title: str) -> Version:
    owner = get_user_model().objects.get(username="alice")
    generation = Generation.objects.create(
        owner=owner, title=title, prompt="x", tech_stack="fastapi_postgres", domain="todos"
    )
    version = Version.objects.create(
        generation=generation, number=1, kind="generate", prompt="x", status="completed"
    )
    save_files(version=version, files=files)
    return version


def preview_frame(page, seconds: float = 300):
    """The frame showing the app, once the panel has drawn it."""
    deadline = time.monotonic() + seconds
    while True:
        for frame in page.frames:
            if ".preview.localhost" in frame.url and "/__iterum/" not in frame.url:
                return frame
        assert time.monotonic() < deadline, "the app never showed in the frame"
        page.wait_for_timeout(50)


def wait_until(condition, what: str, page, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        page.wait_for_timeout(50)


def test_run_shows_the_app_streams_its_log_and_stop_ends_it(page):
    brief = ProjectBrief(
        title="Todo", prompt="a todo api", stack="fastapi_postgres", domain="todos"
    )
    files = generate(brief, DemoProvider(chunk_delay=0), LocalHost()).files
    version = version_with(files, "Todo")
    log_in(page)
    page.goto(version.get_absolute_url())
    page.click("[data-testid=run-preview]")
    page.wait_for_selector("[data-testid=preview]:not([data-state=none])")

    frame = preview_frame(page)
    wait_until(lambda: frame.title() == "Todo - Swagger UI", "the app's page in the frame", page)
    assert frame.url.endswith("/docs")

    # The log was drawn with the panel; the frame's own request comes after, as an event.
    page.evaluate("document.getElementById('preview-log').dataset.drawn = 'once'")
    wait_until(
        lambda: (
            '"GET /openapi.json HTTP/1.1" 200' in page.inner_text("[data-testid=preview-log]")
            or '"GET /docs HTTP/1.1" 200' in page.inner_text("[data-testid=preview-log]")
        ),
        "the app's log lines",
        page,
    )
    assert page.evaluate("document.getElementById('preview-log').dataset.drawn") == "once"
    assert "Uvicorn running on unix socket" in page.inner_text("[data-testid=preview-log]")

    page.click("[data-testid=stop-preview]")
    page.wait_for_selector("[data-testid=preview][data-state=stopped]")
    assert "stopped by its owner" in page.inner_text("[data-testid=preview-state]")
    assert page.locator("[data-testid=preview-frame]").count() == 0


HOSTILE_PAGE = """<!doctype html><title>hostile</title><pre id="results"></pre><script>
const out = [];
const iterum = "http://127.0.0.1:" + location.port;
function note(name, value) {
  out.push(name + ": " + value);
  document.getElementById("results").textContent = out.join("\\n");
}
try { note("cookie", "read " + JSON.stringify(document.cookie)); }
catch (error) { note("cookie", "blocked " + error.name); }
try { note("parent", "read " + window.parent.document.title); }
catch (error) { note("parent", "blocked " + error.name); }
fetch(iterum + "/generations/", {credentials: "include"})
  .then((answer) => answer.text()).then((text) => note("read", "READ " + text.length),
        (error) => note("read", "blocked " + error.name));
fetch(iterum + "/generations/new/", {
  method: "POST", credentials: "include", mode: "no-cors",
  headers: {"Content-Type": "application/x-www-form-urlencoded"},
  body: "title=Hijacked&prompt=x&tech_stack=flask&domain=x",
}).then((answer) => note("act", "sent " + answer.type),
        (error) => note("act", "blocked " + error.name));
fetch(iterum + "/accounts/tokens/", {credentials: "include"})
  .then((answer) => answer.text()).then((text) => note("tokens", "READ " + text.length),
        (error) => note("tokens", "blocked " + error.name));
fetch("/own.json").then((answer) => answer.text())
  .then((text) => note("own", text), (error) => note("own", "blocked " + error.name));
</script>"""

HOSTILE_APP = {
    "server.py": (
        "import http.server, os, socketserver\n\nPAGE = " + repr(HOSTILE_PAGE) + "\n\n\n"
        "class Handler(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        own = self.path.endswith('/own.json')\n"
        "        body = (repr(self.path) if own else PAGE).encode()\n"
        "        self.send_response(200)\n"
        "        kind = 'application/json' if own else 'text/html; charset=utf-8'\n"
        "        self.send_header('Content-Type', kind)\n"
        "        self.send_header('Content-Length', str(len(body)))\n"
        "        self.end_headers()\n"
        "        self.wfile.write(body)\n\n"
        "    def address_string(self):\n"
        "        return 'browser'\n\n\n"
        "socketserver.UnixStreamServer(os.environ['PORT'], Handler).serve_forever()\n"
    ),
    "Procfile": "web: python server.py\n",
}


def test_a_previewed_page_cannot_read_or_act_on_iterum_as_the_user(page):
    version = version_with(HOSTILE_APP, "Hostile")
    log_in(page)  # the user is logged in to Iterum in this very browser
    page.goto(version.get_absolute_url())
    page.click("[data-testid=run-preview]")
    frame = preview_frame(page)
    wait_until(
        lambda: frame.locator("#results").inner_text().count("\n") >= 5, "every attempt", page
    )
    text = frame.locator("#results").inner_text()
    results = dict(line.split(": ", 1) for line in text.splitlines())
    # Its origin is its own preview host: the preview's cookie is HttpOnly and Iterum's
    # never come here, so the page reads none.
    assert results["cookie"] == 'read ""'
    assert results["parent"] == "blocked SecurityError"  # Iterum's page is another origin
    assert results["own"] == "'/own.json'"  # its own API, with the preview's cookie
    assert results["read"] == "blocked TypeError"  # CORS: Iterum's answer stays unread
    assert results["tokens"] == "blocked TypeError"
    assert not Generation.objects.filter(title="Hijacked").exists()  # CSRF: nothing done
    assert Generation.objects.filter(owner__username="alice").count() == 1
