"""The API's interactive docs render in a real browser under our Content-Security-Policy:
Swagger UI's files come from us, its scripts carry the nonce, nothing is blocked."""

import pytest

from tests.browser.test_browser import CHROMIUM, WATCH_CSP, browser_on_stack, wait_for_js

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]


def test_the_api_docs_render_with_no_csp_violation():
    with browser_on_stack() as (page, stack):
        page.add_init_script(WATCH_CSP)
        console: list[str] = []
        page.on("console", lambda m: m.type == "error" and console.append(m.text))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))

        page.goto("/api/v1/docs")
        page.wait_for_selector(".swagger-ui .info .title")
        assert "Iterum API" in page.inner_text(".swagger-ui .info .title")
        wait_for_js(page, "document.querySelectorAll('.opblock').length > 10")
        operations = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/iterate" in path for path in operations)

        assert page.evaluate("window.__csp") == []
        assert console == []
        assert all(url.startswith(stack.base_url) for url in requests), "no CDN"
