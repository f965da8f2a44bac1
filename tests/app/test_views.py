"""Every page as its owner, as another user (404) and anonymous (to the login page)."""

import io
import zipfile

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse

from generations.models import Generation, Version

pytestmark = pytest.mark.django_db


def version_urls(version):
    args = [version.generation_id, version.number]
    return {
        "version": reverse("version-detail", args=args),
        "download": reverse("version-download", args=args),
        "generation": reverse("generation-detail", args=[version.generation_id]),
    }


async def collect(response) -> bytes:
    return b"".join([part async for part in response.streaming_content])


def test_anonymous_is_sent_to_log_in_everywhere(client, make_version):
    version = make_version()
    for url in [
        reverse("generation-list"),
        reverse("generation-create"),
        *version_urls(version).values(),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_an_htmx_request_after_logout_makes_the_browser_go_to_log_in(client, make_version):
    """Not a redirect htmx would follow and swap the login form into the old page."""
    version = make_version()
    response = client.get(version.get_absolute_url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")


def test_another_users_generation_is_404_everywhere(client, other_user, make_version):
    version = make_version()
    client.force_login(other_user)
    for url in version_urls(version).values():
        assert client.get(url).status_code == 404
    iterate = reverse("version-iterate", args=[version.generation_id, 1])
    assert client.post(iterate, {"prompt": "remove the README"}).status_code == 404
    assert Version.objects.count() == 1


def test_the_list_shows_only_my_generations(owner_client, other_user, make_generation):
    make_generation(title="Mine")
    make_generation(owner=other_user, title="Theirs")
    page = owner_client.get(reverse("generation-list")).content.decode()
    assert "Mine" in page
    assert "Theirs" not in page


def test_the_model_in_use_is_labelled(owner_client):
    page = owner_client.get(reverse("generation-list")).content.decode()
    assert "offline demo model: set GEMINI_API_KEY for real generations" in page


def test_creating_a_generation_queues_version_one(
    owner_client, user, django_capture_on_commit_callbacks
):
    data = {"title": "Shop", "prompt": "an online shop", "tech_stack": "django", "domain": "shop"}
    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(reverse("generation-create"), data)
    version = Version.objects.get()
    assert response.status_code == 302
    assert response.url == version.get_absolute_url()
    assert (version.number, version.status, version.generation.owner) == (1, "queued", user)
    assert len(callbacks) == 1  # the enqueue, after commit


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"prompt": ""}, "cannot be empty"),
        ({"prompt": "x" * 4001}, "under 4,000 characters"),
        ({"tech_stack": "cobol"}, "Unknown tech stack cobol"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_generation_input_gets_a_message_and_saves_nothing(owner_client, change, message):
    data = {"title": "Shop", "prompt": "an online shop", "tech_stack": "django"} | change
    response = owner_client.post(reverse("generation-create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Generation.objects.exists()


def test_a_completed_version_shows_its_tree_and_highlighted_file(owner_client, make_version):
    version = make_version()
    page = owner_client.get(version.get_absolute_url()).content.decode()
    assert 'data-testid="file-tree"' in page
    assert "README.md" in page
    assert 'class="source' in page  # Pygments output


def test_selecting_a_file_with_htmx_returns_only_the_tree_and_viewer(owner_client, make_version):
    version = make_version()
    response = owner_client.get(
        version.get_absolute_url() + "?file=app.py",
        headers={"HX-Request": "true", "HX-Target": "file-browser"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div class="browser" id="file-browser">')
    assert 'class="file depth-0 selected"' in page
    assert "Flask" in page


def test_any_other_htmx_request_gets_the_version_and_responses_vary_on_htmx(
    owner_client, make_version
):
    url = make_version().get_absolute_url()
    whole = owner_client.get(url)
    main = owner_client.get(url, headers={"HX-Request": "true", "HX-Target": "elsewhere"})
    assert "<html" in whole.content.decode()
    assert main.content.decode().lstrip().startswith('<section id="version-main"')
    for response in (whole, main):
        assert {"HX-Request", "HX-Target"} <= {h.strip() for h in response["Vary"].split(",")}


def test_an_unknown_file_is_404(owner_client, make_version):
    version = make_version()
    assert owner_client.get(version.get_absolute_url() + "?file=nope.py").status_code == 404


def test_file_content_is_escaped(owner_client, make_version):
    version = make_version(files={"x.html": "<script>alert(1)</script>\n"})
    page = owner_client.get(version.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;" in page


def test_a_running_version_connects_to_its_stream_with_the_current_event_id(
    owner_client, make_version
):
    version = make_version(
        status=Version.Status.PROCESSING, live_files=[{"path": "app.py", "action": "added"}]
    )
    page = owner_client.get(version.get_absolute_url()).content.decode()
    assert f"/events/?lastEventId=version-{version.generation_id}-1" in page
    assert "app.py" in page


def test_the_live_panel_partial_is_served_to_htmx(owner_client, make_version):
    version = make_version(
        status=Version.Status.PROCESSING, progress=0.6, message="Waiting for the model"
    )
    response = owner_client.get(
        version.get_absolute_url(), headers={"HX-Request": "true", "HX-Target": "live-panel"}
    )
    page = response.content.decode()
    assert "60%" in page
    assert "Waiting for the model" in page
    assert "<html" not in page
    # The model's thinking has its folded place, hidden until live.js fills it.
    assert '<details class="thinking" data-testid="thinking" hidden>' in page


def test_a_reloaded_page_shows_the_bar_in_the_tenths_the_live_page_showed(
    owner_client, make_version
):
    # live.js shows an event of 0.171 as 17.1; a reload once showed the row rounded to 17,
    # a step back.
    version = make_version(status=Version.Status.PROCESSING, progress=0.171)
    page = owner_client.get(version.get_absolute_url()).content.decode()
    assert 'value="17.1"' in page
    assert 'aria-valuenow="17.1"' in page


@pytest.mark.parametrize(
    ("progress", "shown"),
    [(0.0, "0"), (0.1705, "17.1"), (0.1704, "17"), (0.17, "17"), (0.9999, "100"), (1.0, "100")],
)
def test_the_bar_value_rounds_as_the_live_page_does(progress, shown):
    # Math.round(p * 1000) / 10 in live.js: halves go up, a whole number has no ".0".
    assert Version(progress=progress).bar_value == shown


def test_iterating_queues_the_next_version(owner_client, make_version):
    version = make_version()
    url = reverse("version-iterate", args=[version.generation_id, 1])
    response = owner_client.post(url, {"prompt": "add a health-check endpoint"})
    child = Version.objects.get(number=2)
    assert response.url == child.get_absolute_url()
    assert (child.parent, child.kind, child.status) == (version, "iterate", "queued")


@pytest.mark.parametrize("status", ["queued", "processing", "failed", "cancelled"])
def test_iterating_on_a_version_without_files_is_refused(owner_client, make_version, status):
    version = make_version(status=status)
    url = reverse("version-iterate", args=[version.generation_id, 1])
    response = owner_client.post(url, {"prompt": "add a health-check endpoint"})
    assert response.status_code == 400
    assert "only a completed version can be iterated on" in response.content.decode()
    assert Version.objects.count() == 1


def test_an_empty_follow_up_is_refused(owner_client, make_version):
    version = make_version()
    response = owner_client.post(
        reverse("version-iterate", args=[version.generation_id, 1]), {"prompt": " "}
    )
    assert response.status_code == 400
    assert "cannot be empty" in response.content.decode()
    assert Version.objects.count() == 1


def test_download_is_a_zip_named_after_generation_and_version(
    owner_client, make_version, make_generation
):
    version = make_version(generation=make_generation(title="Todo Service"))
    response = owner_client.get(reverse("version-download", args=[version.generation_id, 1]))
    assert response["Content-Disposition"] == 'attachment; filename="todo-service-v1.zip"'
    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(async_to_sync(collect)(response)))
    assert sorted(archive.namelist()) == ["todo-service-v1/README.md", "todo-service-v1/app.py"]
    assert archive.read("todo-service-v1/README.md") == b"# Demo\n"


def test_a_running_version_cannot_be_downloaded(owner_client, make_version):
    version = make_version(status=Version.Status.PROCESSING)
    response = owner_client.get(
        reverse("version-download", args=[version.generation_id, 1]), follow=True
    )
    assert "only a version with files can be downloaded" in response.content.decode()


def test_staff_inspect_versions_and_files_in_the_admin(client, staff_user, make_version):
    version = make_version()
    client.force_login(staff_user)
    assert (
        client.get(
            reverse("admin:generations_generation_change", args=[version.generation_id])
        ).status_code
        == 200
    )
    page = client.get(
        reverse("admin:generations_version_change", args=[version.pk])
    ).content.decode()
    assert "# Demo" in page
    listing = client.get(
        reverse("admin:generations_version_changelist") + "?status__exact=completed&q=todo"
    )
    assert listing.status_code == 200
    assert "Todo service v1" in listing.content.decode()


def cancel_url(version):
    return reverse("version-cancel", args=[version.generation_id, version.number])


def test_cancelling_a_queued_version_ends_it_at_once(owner_client, make_version):
    version = make_version(status=Version.Status.QUEUED)
    response = owner_client.post(cancel_url(version))
    version.refresh_from_db()
    assert response.status_code == 302
    assert (version.status, version.message) == ("cancelled", "Cancelled; nothing was saved.")


def test_cancelling_a_running_version_asks_its_worker_to_stop(owner_client, make_version):
    version = make_version(status=Version.Status.PROCESSING)
    response = owner_client.post(cancel_url(version), headers={"HX-Request": "true"})
    version.refresh_from_db()
    assert response.status_code == 204
    assert (version.status, version.cancel_requested) == ("processing", True)
    assert "Cancelling..." in owner_client.get(version.get_absolute_url()).content.decode()


def test_cancelling_a_finished_version_says_there_is_nothing_to_cancel(owner_client, make_version):
    version = make_version()
    response = owner_client.post(cancel_url(version), follow=True)
    assert "is not running, so there is nothing to cancel" in response.content.decode()
    version.refresh_from_db()
    assert (version.status, version.cancel_requested) == ("completed", False)


def test_only_the_owner_can_cancel(client, other_user, make_version):
    version = make_version(status=Version.Status.PROCESSING)
    assert client.post(cancel_url(version)).status_code == 302  # to the login page
    client.force_login(other_user)
    assert client.post(cancel_url(version)).status_code == 404
    version.refresh_from_db()
    assert not version.cancel_requested


def test_the_version_page_shows_tokens_and_cost_of_its_model_calls(owner_client, make_version):
    from generations.models import ModelCall

    version = make_version(provider="gemini", model="gemini-2.5-flash")
    for tokens_in, tokens_out in [(1000, 200), (3000, 800)]:
        ModelCall.objects.create(
            version=version,
            purpose="iterate",
            provider="gemini",
            model="gemini-2.5-flash",
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            outcome="ok",
        )
    page = owner_client.get(version.get_absolute_url()).content.decode()
    assert "2 model calls · 4000 tokens in, 1000 out" in page
    assert "about $0.0037" in page  # 4000 * 0.30 + 1000 * 2.50 per million


def test_the_zip_reads_contents_in_batches_and_keeps_every_file(
    owner_client, make_version, monkeypatch
):
    from generations import downloads

    monkeypatch.setattr(downloads, "BLOBS_PER_QUERY", 2)
    files = {f"src/file_{n}.txt": f"content {n}\n" * (n + 1) for n in range(7)}
    version = make_version(files=files)
    response = owner_client.get(reverse("version-download", args=[version.generation_id, 1]))
    archive = zipfile.ZipFile(io.BytesIO(async_to_sync(collect)(response)))
    assert {
        name.split("/", 1)[1]: archive.read(name).decode() for name in archive.namelist()
    } == files


def test_beyond_the_queued_limit_nothing_is_queued(owner_client, make_version, settings):
    settings.MAX_QUEUED_PER_USER = 2
    base = make_version()
    url = reverse("version-iterate", args=[base.generation_id, 1])
    for _ in range(2):
        assert owner_client.post(url, {"prompt": "add a ping endpoint"}).status_code == 302
    response = owner_client.post(url, {"prompt": "add a pong endpoint"})
    assert response.status_code == 400
    assert (
        "You already have 2 runs waiting for a worker (the limit is 2)" in response.content.decode()
    )
    data = {"title": "More", "prompt": "another", "tech_stack": "flask"}
    response = owner_client.post(reverse("generation-create"), data)
    assert response.status_code == 400
    assert "runs waiting" in response.content.decode()
    assert Version.objects.count() == 3


def test_logging_out_says_so_on_the_login_page(owner_client):
    response = owner_client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "You have logged out." in response.content.decode()


def test_the_favicon_is_served_and_linked(owner_client):
    assert 'rel="icon"' in owner_client.get("/generations/").content.decode()


def test_the_demo_account_command_prints_the_port_it_was_given(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("ensure_demo_user", "--port", "8765", stdout=out)
    assert "http://127.0.0.1:8765/" in out.getvalue()
