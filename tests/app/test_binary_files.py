"""Binary files: stored byte for byte, shown safely (images as images, SVG as text, the rest
as a card), diffed by size, zipped and cloned byte for byte, never sent to a model."""

import io
import zipfile

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from generations.history import save_manual_files
from generations.models import Version
from generations.runs.execute import binary_map
from generations.storage import text_files as version_files
from orchestrator.prompts import iterate_request
from orchestrator.results import ProjectBrief
from tests.app.test_api import collect
from tests.support.imported_projects import png

pytestmark = pytest.mark.django_db
LOGO = png(8, 8)
FONT = b"wOF2\x00\x01\x00\x00" + bytes(range(256))
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'


@pytest.fixture
def with_binaries(make_version, user):
    v1 = make_version()
    return save_manual_files(
        base=v1,
        files={"static/logo.png": LOGO, "static/font.woff2": FONT, "icon.svg": SVG},
        user=user,
    )


def page(client, version: Version, path: str) -> str:
    return client.get(version.get_absolute_url() + f"?file={path}").content.decode()


def test_images_show_as_images_svg_as_text_and_the_rest_as_a_card(owner_client, with_binaries):
    image = page(owner_client, with_binaries, "static/logo.png")
    assert 'data-testid="image-view"' in image
    assert "image/png" in image
    card = page(owner_client, with_binaries, "static/font.woff2")
    assert 'data-testid="binary-card"' in card
    assert "web font" in card
    assert f"{len(FONT)} bytes" in card
    svg = page(owner_client, with_binaries, "icon.svg")
    assert "<script>alert(1)</script>" not in svg  # escaped text, never rendered
    assert "&lt;" in svg
    assert 'data-testid="image-view"' not in svg


def test_raw_files_are_served_safely_and_only_to_their_owner(
    owner_client, with_binaries, client, other_user
):
    url = reverse("version-raw", args=[with_binaries.generation_id, with_binaries.number])
    font = owner_client.get(url + "?file=static/font.woff2")
    assert font.content == FONT
    assert font["Content-Type"] == "application/octet-stream"
    assert font["Content-Disposition"].startswith("attachment")
    svg = owner_client.get(url + "?file=icon.svg")
    assert svg["Content-Type"] == "application/octet-stream"  # never image/svg+xml
    assert svg["X-Content-Type-Options"] == "nosniff"
    client.force_login(other_user)
    assert client.get(url + "?file=static/logo.png").status_code == 404


def test_the_diff_says_binary_file_changed_with_sizes(owner_client, with_binaries, user):
    v3 = save_manual_files(base=with_binaries, files={"static/logo.png": png(9, 9)}, user=user)
    compare = reverse("generation-compare", args=[v3.generation_id])
    html = owner_client.get(compare + "?from=2&to=3&file=static/logo.png").content.decode()
    assert f"Binary file changed ({len(LOGO):,} bytes → {len(png(9, 9)):,} bytes)" in html
    change = next(c for c in v3.changes if c["path"] == "static/logo.png")
    assert change["action"] == "modified"


def test_the_zip_carries_binary_files_byte_for_byte(owner_client, with_binaries):
    url = reverse("version-download", args=[with_binaries.generation_id, with_binaries.number])
    response = owner_client.get(url)
    body = async_to_sync(collect)(response)
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = {name.split("/", 1)[1]: name for name in archive.namelist()}
    assert archive.read(names["static/logo.png"]) == LOGO
    assert archive.read(names["static/font.woff2"]) == FONT


def test_binary_files_are_never_sent_to_the_model_but_listed_in_its_map(with_binaries):
    texts = version_files(with_binaries)
    assert "static/logo.png" not in texts
    assert texts["icon.svg"] == SVG
    listed = binary_map(with_binaries)
    assert listed == (
        f"static/font.woff2 (web font, {len(FONT):,} bytes)",
        f"static/logo.png (image/png, {len(LOGO):,} bytes)",
    )
    brief = ProjectBrief("t", "p", "flask", binary_files=listed)
    request = iterate_request(brief, "add a page", "add", "app.py\n```\nx\n```", texts)
    assert "static/logo.png (image/png" in request.prompt
    assert "\x89PNG" not in request.prompt
