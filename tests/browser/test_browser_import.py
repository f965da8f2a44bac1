"""A folder picked in a real browser is zipped by the page and imported byte for byte, and
an image of the import shows in the viewer."""

import pytest
from playwright.sync_api import expect

from generations.models import Version
from tests.browser.test_browser import CHROMIUM, browser_on_stack, log_in
from tests.support.imported_projects import PROJECTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]


def test_a_picked_folder_is_imported_byte_for_byte(tmp_path):
    folder = tmp_path / "static-files"
    for path, content in {**PROJECTS["express"], "node_modules/x/index.js": b"x"}.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    with browser_on_stack(GIT_CACHE_DIR=str(tmp_path / "git")) as (page, _):
        log_in(page)
        page.goto("/generations/new/")
        page.get_by_test_id("import-link").click()
        page.get_by_test_id("folder-picker").set_input_files(folder)
        # The page zips in the browser; on a loaded machine that can take longer than the
        # 5 s Playwright waits by default.
        expect(page.locator("#folder-status")).to_contain_text(
            "files packed as static-files.zip", timeout=60_000
        )
        page.get_by_role("button", name="Import as version 1").click()
        page.wait_for_url("**/v1/")
        expect(page.locator("body")).to_contain_text(f"Imported {len(PROJECTS['express'])} files")
        version = Version.objects.get(number=1, generation__title="static-files")
        page.goto(version.generation.get_absolute_url())
        expect(page.locator("body")).to_contain_text("JavaScript, Express (npm)")
        expect(page.get_by_test_id("clone-url")).to_contain_text(
            f"/git/{version.generation_id}.git"
        )
        stored = {row.path: bytes(row.blob.content) for row in version.files.select_related("blob")}
        assert stored == PROJECTS["express"]  # node_modules left out by the page
        page.goto(version.get_absolute_url() + "?file=public/images/logo.png")
        image = page.get_by_test_id("image-view").locator("img")
        expect(image).to_be_visible()
        assert page.evaluate("img => img.naturalWidth", image.element_handle()) == 32
