"""A real browser (Debian's Chromium through Playwright) watches a run from click to 100%."""

import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from generations.models import Generation, Version
from tests.support.live_servers import start_stack

CHROMIUM = (
    os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)"
    ),
]

# Records every value the progress bar shows, and marks the page so a reload would be seen.
WATCH_PROGRESS = """
window.__loadedOnce = true;
window.__progress = [];
new MutationObserver(() => {
  for (const bar of document.querySelectorAll('[data-testid=progress]')) {
    const value = Number(bar.getAttribute('aria-valuenow'));
    if (window.__progress.at(-1) !== value) window.__progress.push(value);
  }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


@contextmanager
def browser_on_stack(**env: str) -> Iterator[tuple]:
    """Chromium on a fresh page, and the live stack (daphne + worker) it talks to."""
    from playwright.sync_api import sync_playwright

    stack = start_stack(**env)
    try:
        user, _ = get_user_model().objects.get_or_create(username="alice")
        user.set_password("browser-password-1")
        user.save()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_context(base_url=stack.base_url).new_page()
            page.set_default_timeout(30_000)
            page.add_init_script(WATCH_PROGRESS)
            try:
                yield page, stack
            finally:
                browser.close()
    finally:
        stack.stop()
        # Playwright runs us in a greenlet with its own context, so queries made here
        # opened their own connection; close it or PostgreSQL refuses to drop the test db.
        connections.close_all()


@pytest.fixture
def page():
    with browser_on_stack(DEMO_MODEL_CHUNK_DELAY="0.01") as (page, _):
        yield page


def log_in(page) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "browser-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url("**/generations/")


def wait_for_js(page, expression: str, seconds: float = 30) -> None:
    """Poll a JavaScript expression until it is true. (Playwright's wait_for_function runs
    eval inside the page, which the Content-Security-Policy refuses, as it should.)"""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(50)


def wait_until_finished(page) -> None:
    page.wait_for_selector("#version-main[data-status=completed]")


def test_create_then_iterate_watching_the_bar_move_without_reloading(page):
    log_in(page)
    page.click("text=New generation")
    page.fill("input[name=title]", "Browser todo")
    page.fill("textarea[name=prompt]", "a todo api")
    page.select_option("select[name=tech_stack]", "flask")
    page.fill("input[name=domain]", "todos")
    page.click("main button[type=submit]")
    wait_until_finished(page)
    assert page.get_attribute("[data-testid=progress]", "aria-valuenow") == "100"
    first_run = page.evaluate("window.__progress")
    assert first_run == sorted(first_run), f"the bar went backwards: {first_run}"
    assert len([v for v in first_run if 0 < v < 100]) >= 3, (
        f"the bar did not move live: {first_run}"
    )
    assert page.locator("[data-testid=file-tree] a.file:not(.add-file)").all_inner_texts() == [
        "README.md",
        "app.py",
        "requirements.txt",
        "test_app.py",
    ]

    page.fill("textarea[name=prompt]", "add a Dockerfile")
    page.click("text=Create version 2")
    page.wait_for_url("**/v2/")
    page.evaluate("window.__sameDocument = true")
    wait_until_finished(page)

    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"
    seen = page.evaluate("window.__progress")
    assert seen[-1] == 100
    assert seen == sorted(seen), f"the bar went backwards: {seen}"
    # A short iteration may finish before the page's first refresh; the bar's intermediate
    # steps are checked on version 1 above.
    tree = page.locator("[data-testid=file-tree]").inner_text()
    assert "Dockerfile" in tree
    assert "Iteration complete" in page.locator("[data-testid=stage]").inner_text()

    page.click("[data-testid=file-tree] >> text=Dockerfile")
    expect(page.locator("[data-testid=file-viewer]")).to_contain_text("FROM python")
    expect(page).to_have_url(re.compile(r"\?file=Dockerfile$"))
    # No ORM query here: the tree above is rendered from the stored files, and queries made
    # inside Playwright's context leave a connection that PostgreSQL will not drop.


PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


@pytest.fixture
def payload_generation():
    """Made before the browser starts, so these queries use this thread's own connection."""
    from generations.storage import save_files

    user, _ = get_user_model().objects.get_or_create(username="alice")
    user.set_password("browser-password-1")
    user.save()
    generation = Generation.objects.create(
        owner=user, title=PAYLOAD, prompt=PAYLOAD, tech_stack="flask"
    )
    v1 = Version.objects.create(
        generation=generation, number=1, kind="generate", prompt=PAYLOAD, status="completed"
    )
    save_files(version=v1, files={"index.html": "<p>hello</p>\n"})
    v2 = Version.objects.create(
        generation=generation,
        number=2,
        parent=v1,
        kind="iterate",
        prompt=PAYLOAD,
        status="completed",
        changes=[
            {"path": "index.html", "action": "modified", "lines_added": 1, "lines_removed": 0}
        ],
        # Findings whose text is the payload too: the checks' list, the viewer's lines and the
        # diff's rows must render it inert.
        findings=[
            {
                "path": "index.html",
                "line": 2,
                "column": 1,
                "severity": "error",
                "rule": "syntax",
                "message": PAYLOAD,
            },
            {
                "path": "index.html",
                "line": 1,
                "column": 1,
                "severity": "warning",
                "rule": "syntax",
                "message": "a warning",
            },
        ],
        checked_at=timezone.now(),
    )
    save_files(
        version=v2, files={"index.html": f"<p>hello</p>\n{PAYLOAD}\n", f"{PAYLOAD}.md": PAYLOAD}
    )
    return generation


def test_script_payloads_in_files_render_inert_in_both_diff_views(payload_generation, page):
    generation = payload_generation
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page)
    for mode in ("unified", "split"):
        page.goto(f"/generations/{generation.pk}/compare/?from=1&to=2&file=index.html&mode={mode}")
        expect(page.locator("[data-testid=file-diff]")).to_contain_text(PAYLOAD)
        # The path holds a "/", so the tree shows a folder and a file: both as plain text.
        expect(page.locator("[data-testid=diff-tree]")).to_contain_text(
            '<img src=x onerror="window.__pwned = 2">.md'
        )
        assert page.evaluate("window.__pwned") is None
    page.goto(f"/generations/{generation.pk}/v2/?file=index.html")
    expect(page.locator("[data-testid=file-viewer]")).to_contain_text(PAYLOAD)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []


def test_a_refused_stream_sends_the_page_to_log_in_without_a_reconnect_loop():
    with browser_on_stack(DEMO_MODEL_CHUNK_DELAY="0.3") as (page, stack):
        log_in(page)
        page.goto("/generations/new/")
        page.fill("input[name=title]", "Long run")
        page.fill("textarea[name=prompt]", "an api")
        page.select_option("select[name=tech_stack]", "fastapi_postgres")
        page.click("main button[type=submit]")
        wait_for_js(page, "window.__progress.some(v => v > 0)")
        stream_requests = []
        page.on("request", lambda r: "/events/" in r.url and stream_requests.append(r.url))

        # The session ends (as at logout), then the stream is cut: the browser reconnects,
        # the server refuses, and the page must re-read its state instead of retrying.
        page.context.clear_cookies()
        stack.restart_web()
        page.wait_for_url("**/accounts/login/**", timeout=30_000)
        time.sleep(5)  # a reconnect loop would show up here, one request every 3 s

        assert 1 <= len(stream_requests) <= 2, stream_requests


# Records every Content-Security-Policy violation the page reports.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def start_generation(page, title: str = "Long run", stack_name: str = "fastapi_postgres") -> None:
    page.goto("/generations/new/")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=prompt]", "an api")
    page.select_option("select[name=tech_stack]", stack_name)
    page.click("main button[type=submit]")


def test_no_page_reports_a_content_security_policy_violation(payload_generation):
    generation = payload_generation
    version = generation.versions.get(number=2)
    get_user_model().objects.filter(username="alice").update(is_staff=True, is_superuser=True)
    with browser_on_stack(DEMO_MODEL_CHUNK_DELAY="0.05") as (page, _):
        page.add_init_script(WATCH_CSP)
        console = []
        page.on("console", lambda m: "Content Security Policy" in m.text and console.append(m.text))
        violations = {}

        def visit(url: str) -> None:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            violations[url] = page.evaluate("window.__csp")

        visit("/accounts/login/")
        log_in(page)
        start_generation(page, "CSP run", "flask")
        wait_for_js(page, "window.__progress.some(v => v > 0)")  # htmx live panel at work
        violations["live page"] = page.evaluate("window.__csp")
        wait_until_finished(page)
        violations["finished page"] = page.evaluate("window.__csp")
        for url in [
            "/generations/",
            "/generations/new/",
            f"/generations/{generation.pk}/",
            f"/generations/{generation.pk}/v2/?file=index.html",
            f"/generations/{generation.pk}/compare/?from=1&to=2&file=index.html&mode=split",
            f"/generations/{generation.pk}/compare/?from=1&to=2&file=index.html",
            f"/generations/{generation.pk}/v2/edit/?file=index.html",
            "/admin/",
            "/admin/generations/version/",
            f"/admin/generations/version/{version.pk}/change/",
            "/admin/generations/generation/",
            "/admin/auth/user/",
        ]:
            visit(url)
    assert {url: found for url, found in violations.items() if found} == {}
    assert console == []


def test_logging_out_in_another_tab_ends_the_open_pages_stream():
    with browser_on_stack(DEMO_MODEL_CHUNK_DELAY="0.3") as (page, _):
        log_in(page)
        start_generation(page)
        wait_for_js(page, "window.__progress.some(v => v > 0)")
        other = page.context.new_page()
        other.goto("/generations/")
        other.click("text=Log out alice")
        other.wait_for_url("**/accounts/login/**")
        # The open page's stream is ended by the server: the page goes to log in by itself.
        page.wait_for_url("**/accounts/login/**", timeout=15_000)


# Samples the bar every 100 ms: [milliseconds, percent, version status].
SAMPLE_BAR = """
window.__samples = [];
setInterval(() => {
  const bar = document.querySelector('[data-testid=progress]');
  const main = document.querySelector('#version-main');
  if (bar) window.__samples.push(
    [performance.now(), Number(bar.getAttribute('aria-valuenow')), main && main.dataset.status]);
}, 100);
"""


def longest_stall(samples: list, low: int, high: int) -> float:
    """Seconds the bar stood still at its longest while between `low` and `high` percent."""
    window = [(t, v) for t, v, _ in samples if low < v < high]
    longest, since, value = 0.0, None, None
    for t, v in window:
        if v != value:
            since, value = t, v
        longest = max(longest, (t - since) / 1000)
    return longest


def test_the_bar_never_goes_back_nor_stands_still_while_the_model_streams():
    env = {"DEMO_MODEL_CHUNK_DELAY": "0.15", "DEMO_MODEL_FIRST_TOKEN_DELAY": "1.5"}
    with browser_on_stack(**env) as (page, _):
        page.add_init_script(SAMPLE_BAR)
        log_in(page)
        start_generation(page, "Paced run", "flask")
        wait_until_finished(page)
        first = page.evaluate("window.__samples")
        page.fill("textarea[name=prompt]", "add a health-check endpoint")
        page.click("text=Create version 2")
        page.wait_for_url("**/v2/")
        wait_until_finished(page)
        second = page.evaluate("window.__samples")
    # Version 1 streams a plan and four files; the iteration's answer is a few lines, so its
    # bar has fewer steps to show (the wait for the first token, then its one file).
    for samples, steps in ((first, 5), (second, 4)):
        values = [v for _, v, status in samples if status in ("queued", "processing")]
        assert values == sorted(values), f"the bar went back: {values}"
        assert len(set(values)) >= steps, f"the bar hardly moved: {sorted(set(values))}"
    # While a model call streams (version 1: the plan and phases, 2-97.5%; an iteration's
    # call, 4-97%) the bar moves at least every 2 s.
    stalls = longest_stall(first, 2, 97), longest_stall(second, 4, 97)
    print(
        f"longest stall while streaming: version 1 {stalls[0]:.1f} s, iteration {stalls[1]:.1f} s"
    )
    assert stalls[0] <= 2.0
    assert stalls[1] <= 2.0


def test_a_late_answer_to_the_state_re_read_never_sets_the_bar_back():
    """The re-read at stream-open is rendered at once but answered 1.5 s later, while the
    run's events arrive: swapping in that older state must not undo them."""
    env = {"DEMO_MODEL_CHUNK_DELAY": "0.1", "DEMO_MODEL_FIRST_TOKEN_DELAY": "0.3"}
    with browser_on_stack(**env) as (page, _):
        log_in(page)
        late = []

        def answer_late(route) -> None:
            if route.request.headers.get("hx-target") != "live-panel":
                route.continue_()
                return
            response = route.fetch()  # the state as it is now
            late.append(response.url)
            page.wait_for_timeout(1500)  # events arrive meanwhile
            route.fulfill(response=response)

        page.route("**/generations/**", answer_late)
        start_generation(page, "Late re-read", "flask")
        wait_until_finished(page)
        seen = page.evaluate("window.__progress")
    assert late, "the page never re-read its state"
    assert seen == sorted(seen), f"the bar went back: {seen}"


def test_the_page_makes_no_request_per_event():
    with browser_on_stack(DEMO_MODEL_CHUNK_DELAY="0.05", DEMO_MODEL_FIRST_TOKEN_DELAY="0.5") as (
        page,
        _,
    ):
        log_in(page)
        requests = []
        page.on(
            "request",
            lambda r: (
                "/static/" not in r.url and "/events/" not in r.url and requests.append(r.url)
            ),
        )
        start_generation(page, "Quiet page", "flask")
        page.evaluate(
            """document.addEventListener('htmx:sseBeforeMessage', () => {
                 window.__events = (window.__events || 0) + 1; })"""
        )
        wait_until_finished(page)
        events = page.evaluate("window.__events || 0")
    # The form post and its redirect, the one re-read when the stream opens, and the final
    # page once the run is done: nothing per event.
    print(f"{events} events applied, {len(requests)} requests: {requests}")
    assert events >= 10, events
    assert len(requests) <= 6, requests


CANCEL_AT_REFRESH = """
document.addEventListener('htmx:beforeRequest', (event) => {
  if (!event.detail.elt || event.detail.elt.id !== 'live-panel') return;
  const button = document.querySelector('[data-testid=cancel]');
  if (button && !window.__clicked) { window.__clicked = true; button.click(); }
});
"""


def test_cancel_clicked_while_the_panel_refreshes_always_lands():
    with browser_on_stack(DEMO_MODEL_CHUNK_DELAY="0.05", DEMO_MODEL_FIRST_TOKEN_DELAY="1") as (
        page,
        _,
    ):
        page.add_init_script(CANCEL_AT_REFRESH)
        log_in(page)
        statuses = []
        for number in range(20):
            start_generation(page, f"Cancel {number}", "flask")
            page.wait_for_selector("#version-main[data-status=cancelled]", timeout=30_000)
            assert page.evaluate("window.__clicked") is True
            statuses.append(page.get_attribute("#version-main", "data-status"))
    assert statuses == ["cancelled"] * 20


AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


def serious_axe_violations(page) -> list[str]:
    page.evaluate(AXE.read_text())  # evaluated by the browser's tools, not as a page script
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['failureSummary'][:160]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"][:3]
    ]


def test_every_page_has_no_serious_accessibility_violation(payload_generation):
    generation = payload_generation
    with browser_on_stack(DEMO_MODEL_CHUNK_DELAY="0.1", DEMO_MODEL_FIRST_TOKEN_DELAY="2") as (
        page,
        _,
    ):
        found = {}
        page.goto("/accounts/login/")
        found["login"] = serious_axe_violations(page)
        log_in(page)
        start_generation(page, "Accessible run", "flask")
        wait_for_js(page, "window.__progress.some(v => v > 0)")
        found["live page"] = serious_axe_violations(page)
        wait_until_finished(page)
        found["finished page"] = serious_axe_violations(page)
        for url in [
            "/generations/",
            "/generations/new/",
            f"/generations/{generation.pk}/",
            f"/generations/{generation.pk}/v2/?file=index.html",
            f"/generations/{generation.pk}/compare/?from=1&to=2&file=index.html",
            f"/generations/{generation.pk}/compare/?from=1&to=2&file=index.html&mode=split",
            f"/generations/{generation.pk}/v2/edit/?file=index.html",
            "/accounts/tokens/",
        ]:
            page.goto(url)
            found[url] = serious_axe_violations(page)
    problems = {page: problems for page, problems in found.items() if problems}
    for where, what in problems.items():
        print(where, *what, sep="\n  ")
    assert problems == {}
