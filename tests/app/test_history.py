"""History, restore, manual edits, the compare page and time estimates."""

import itertools
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_eventstream.models import Event

from generations.history import restore_version, save_manual_edit, save_manual_files
from generations.models import Version
from generations.refusals import ActionRefused
from generations.runs.forecasts import expected_duration
from generations.storage import version_files
from tests.conftest import STARTER

pytestmark = pytest.mark.django_db

V2 = {
    **STARTER,
    "app.py": STARTER["app.py"].replace("Flask(__name__)", "Flask('demo')"),
    "NEW.md": "new\n",
}


@pytest.fixture
def history(make_version, make_generation):
    generation = make_generation()
    v1 = make_version(generation=generation, number=1)
    v2 = make_version(generation=generation, number=2, parent=v1, files=V2)
    return v1, v2


def test_restore_makes_a_new_version_with_exactly_the_old_files(history, user):
    v1, v2 = history
    restored = restore_version(source=v1, user=user)
    assert (restored.number, restored.kind, restored.status, restored.parent) == (
        3,
        "restore",
        "completed",
        v2,
    )
    assert version_files(restored) == STARTER
    assert version_files(v1) == STARTER
    assert version_files(v2) == V2
    assert {c["path"]: c["action"] for c in restored.changes} == {
        "app.py": "modified",
        "NEW.md": "deleted",
    }


def test_restore_view_as_owner_other_and_anonymous(user, other_user, history):
    from django.test import Client

    v1, _ = history
    url = reverse("version-restore", args=[v1.generation_id, 1])
    anonymous = Client().post(url)
    assert anonymous.url.startswith(reverse("login"))
    assert Version.objects.count() == 2
    other = Client()
    other.force_login(other_user)
    assert other.post(url).status_code == 404
    assert Version.objects.count() == 2
    owner = Client()
    owner.force_login(user)
    assert owner.post(url).url == Version.objects.get(number=3).get_absolute_url()


def test_a_version_without_files_cannot_be_restored(make_version, user):
    failed = make_version(status=Version.Status.FAILED)
    with pytest.raises(ActionRefused, match="no files to restore"):
        restore_version(source=failed, user=user)


def test_a_manual_edit_saves_exactly_the_typed_file_as_a_new_version(owner_client, history):
    _, v2 = history
    url = reverse("version-edit", args=[v2.generation_id, 2])
    response = owner_client.post(
        url, {"path": "app.py", "content": "print('by hand')\r\nprint(2)\r\n"}
    )
    v3 = Version.objects.get(number=3)
    assert response.url == v3.get_absolute_url() + "?file=app.py"
    assert version_files(v3) == {**V2, "app.py": "print('by hand')\nprint(2)\n"}
    assert version_files(v2) == V2
    assert (v3.kind, v3.parent, v3.status) == ("manual", v2, "completed")


def test_an_uploaded_file_is_kept_byte_for_byte(owner_client, history):
    _, v2 = history
    upload = SimpleUploadedFile("data.csv", b"a,b\r\n1,2\r\n")
    url = reverse("version-edit", args=[v2.generation_id, 2])
    owner_client.post(url, {"path": "data/data.csv", "content": "", "upload": upload})
    assert version_files(Version.objects.get(number=3))["data/data.csv"] == "a,b\r\n1,2\r\n"


def test_manual_edits_and_uploads_are_checked_without_a_model_call(owner_client, history):
    _, v2 = history
    url = reverse("version-edit", args=[v2.generation_id, 2])
    owner_client.post(url, {"path": "app.py", "content": "def broken(:\n    pass\n"})
    v3 = Version.objects.get(number=3)
    assert v3.checked
    assert v3.model_calls.count() == 0
    assert {(f["path"], f["line"], f["rule"]) for f in v3.check_errors} == {("app.py", 1, "syntax")}
    page = owner_client.get(v3.get_absolute_url() + "?file=app.py").content.decode()
    assert f"✗ {v3.check_summary}" in page
    assert 'href="#L-1">Line 1</a>: syntax error' in page
    upload = SimpleUploadedFile("settings.json", b'{"debug": true,}\n')
    owner_client.post(url, {"path": "settings.json", "content": "", "upload": upload})
    v4 = Version.objects.get(number=4)
    assert [(f["path"], f["rule"]) for f in v4.check_errors] == [("settings.json", "syntax")]


def test_a_restore_keeps_the_checks_of_the_version_it_restores(owner_client, history, user):
    v1, _ = history
    v1.findings = [
        {
            "path": "app.py",
            "line": 3,
            "column": 1,
            "severity": "warning",
            "rule": "F401",
            "message": "`os` imported but unused",
        }
    ]
    v1.checked_at = timezone.now()
    v1.save()
    restored = restore_version(source=v1, user=user)
    assert restored.findings == v1.findings
    assert restored.check_summary == "1 warning"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"path": "../escape.py", "content": "x"}, "leaves the project"),
        ({"path": "/etc/passwd", "content": "x"}, "is absolute"),
        ({"path": "README.md", "content": "# Demo\n"}, "unchanged, so there is nothing to save"),
        ({"path": "", "content": "x"}, "This field is required"),
    ],
)
def test_bad_manual_edits_are_refused_and_save_nothing(owner_client, history, data, message):
    _, v2 = history
    response = owner_client.post(reverse("version-edit", args=[v2.generation_id, 2]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Version.objects.count() == 2


@pytest.mark.parametrize("how", ["typed", "uploaded"])
def test_manual_edits_and_uploads_honour_the_project_size_limit(
    owner_client, history, settings, how
):
    _, v2 = history
    size = sum(len(content.encode()) for content in V2.values())
    settings.PROJECT_MAX_BYTES = size + 100
    data = {"path": "data/big.txt", "content": "x" * 101}
    if how == "uploaded":
        data = {
            "path": "data/big.txt",
            "content": "",
            "upload": SimpleUploadedFile("b", b"x" * 101),
        }
    url = reverse("version-edit", args=[v2.generation_id, 2])
    response = owner_client.post(url, data)
    assert response.status_code == 400
    assert f"The project would be {size + 101:,} bytes; the limit is {size + 100:,}." in (
        response.content.decode()
    )
    assert Version.objects.count() == 2
    data["content"], data["upload"] = "x" * 100, SimpleUploadedFile("b", b"x" * 100)
    if how == "typed":
        del data["upload"]
    assert owner_client.post(url, data).status_code == 302  # exactly at the limit: saved
    assert len(version_files(Version.objects.get(number=3))["data/big.txt"]) == 100


def test_a_restore_and_a_push_honour_the_project_limits(history, user, settings):
    v1, _ = history
    settings.PROJECT_MAX_FILES = len(STARTER) + 1
    with pytest.raises(ActionRefused, match="would have 4 files; the limit is 3"):
        save_manual_files(base=v1, files={"b.txt": "b", "c.txt": "c"}, user=user)
    settings.PROJECT_MAX_BYTES = sum(len(c.encode()) for c in STARTER.values()) - 1
    with pytest.raises(ActionRefused, match="the limit is"):
        restore_version(source=v1, user=user)
    assert Version.objects.count() == 2


def test_a_binary_upload_is_kept_byte_for_byte_and_shown_as_an_image(owner_client, history):
    _, v2 = history
    image = b"\x89PNG\r\n\x1a\n\x00\xff\xfe"
    upload = SimpleUploadedFile("logo.png", image)
    response = owner_client.post(
        reverse("version-edit", args=[v2.generation_id, 2]), {"path": "logo.png", "upload": upload}
    )
    v3 = Version.objects.get(number=3)
    assert response.status_code == 302
    assert bytes(v3.files.get(path="logo.png").blob.content) == image
    page = owner_client.get(v3.get_absolute_url() + "?file=logo.png").content.decode()
    assert 'data-testid="image-view"' in page
    raw = owner_client.get(reverse("version-raw", args=[v3.generation_id, 3]) + "?file=logo.png")
    assert raw.content == image
    assert raw["Content-Type"] == "image/png"
    assert raw["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in raw["Content-Security-Policy"]


def test_the_edit_page_starts_from_the_current_file(owner_client, history):
    _, v2 = history
    page = owner_client.get(
        reverse("version-edit", args=[v2.generation_id, 2]) + "?file=NEW.md"
    ).content.decode()
    assert 'value="NEW.md"' in page
    assert "new\n</textarea>" in page


def test_manual_edits_need_a_version_with_files(make_version, user):
    running = make_version(status=Version.Status.PROCESSING)
    with pytest.raises(ActionRefused, match="no files to edit"):
        save_manual_edit(base=running, path="a.py", content="x", user=user)


def test_versions_can_be_named_and_the_history_shows_them(owner_client, history):
    v1, _v2 = history
    owner_client.post(reverse("version-name", args=[v1.generation_id, 1]), {"name": "before auth"})
    page = owner_client.get(reverse("generation-detail", args=[v1.generation_id])).content.decode()
    assert "before auth" in page
    assert 'data-testid="history"' in page
    assert "Restore" in page


def compare_url(version, **query):
    from urllib.parse import urlencode

    return reverse("generation-compare", args=[version.generation_id]) + "?" + urlencode(query)


def test_the_diff_of_a_version_against_its_parent(owner_client, history):
    _, v2 = history
    response = owner_client.get(reverse("version-diff", args=[v2.generation_id, 2]), follow=True)
    page = response.content.decode()
    assert "2 files changed" in page
    # The first changed file is shown: NEW.md, added with one line.
    assert page.count('<tr class="insert">') == 1
    assert ">new\n</td>" in page or ">new</td>" in page
    assert 'class="action modified"' in page
    assert 'class="action added"' in page


def test_compare_views_are_only_for_the_owner(client, other_user, history):
    _, v2 = history
    url = compare_url(v2, **{"from": 1, "to": 2})
    assert client.get(url).status_code == 302
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    assert client.get(reverse("version-diff", args=[v2.generation_id, 2])).status_code == 404


def test_switching_file_or_mode_with_htmx_returns_the_diff_partial(owner_client, history):
    _, v2 = history
    url = compare_url(v2, **{"from": 1, "to": 2, "file": "app.py", "mode": "split"})
    response = owner_client.get(url, headers={"HX-Request": "true", "HX-Target": "diff-main"})
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="diff-main"')
    assert 'class="diff split source"' in page
    assert "<html" not in page


def test_unchanged_regions_expand_on_request(owner_client, make_generation, make_version):
    generation = make_generation()
    old = "".join(f"line {i}\n" for i in range(40))
    v1 = make_version(generation=generation, number=1, files={"a.txt": old})
    make_version(
        generation=generation,
        number=2,
        parent=v1,
        files={"a.txt": old.replace("line 20\n", "twenty\n")},
    )
    page = owner_client.get(compare_url(v1, **{"from": 1, "to": 2})).content.decode()
    assert "Show 17 unchanged lines" in page
    rows = owner_client.get(
        compare_url(v1, **{"from": 1, "to": 2, "file": "a.txt", "expand": "0-17-0"})
    )
    assert rows.content.decode().count('<tr class="context">') == 17


def test_hiding_whitespace_hides_whitespace_only_changes(
    owner_client, make_generation, make_version
):
    generation = make_generation()
    v1 = make_version(generation=generation, number=1, files={"a.py": "x = 1\n"})
    make_version(generation=generation, number=2, parent=v1, files={"a.py": "x  =  1\n"})
    page = owner_client.get(
        compare_url(v1, **{"from": 1, "to": 2, "ws": "ignore"})
    ).content.decode()
    assert "Only whitespace changed" in page


def test_large_files_are_collapsed_with_a_way_to_see_them(
    owner_client, make_generation, make_version, settings
):
    from orchestrator import diffing

    generation = make_generation()
    v1 = make_version(generation=generation, number=1, files={"big.txt": "a\n" * 30})
    make_version(generation=generation, number=2, parent=v1, files={"big.txt": "b\n" * 30})
    diffing.LARGE_LINES, saved = 10, diffing.LARGE_LINES
    try:
        page = owner_client.get(compare_url(v1, **{"from": 1, "to": 2})).content.decode()
    finally:
        diffing.LARGE_LINES = saved
    assert "its diff is collapsed" in page
    assert "full=1" in page


def test_an_unknown_file_or_version_is_404(owner_client, history):
    _, v2 = history
    assert (
        owner_client.get(compare_url(v2, **{"from": 1, "to": 2, "file": "nope"})).status_code == 404
    )
    assert owner_client.get(compare_url(v2, **{"from": 1, "to": 9})).status_code == 404


def finished(make_version, generation, number, seconds, **fields):
    now = timezone.now()
    return make_version(
        generation=generation,
        number=number,
        provider="demo",
        model="iterum-demo-1",
        kind="iterate",
        started_at=now - timedelta(seconds=seconds),
        finished_at=now,
        **fields,
    )


def test_the_estimate_is_the_median_of_recent_similar_runs(make_generation, make_version):
    generation = make_generation()
    assert expected_duration(provider="demo", model="iterum-demo-1", kind="iterate") is None
    for number, seconds in enumerate([4, 10, 6], start=1):
        finished(make_version, generation, number, seconds)
    assert expected_duration(
        provider="demo", model="iterum-demo-1", kind="iterate"
    ) == pytest.approx(6, abs=0.1)
    assert expected_duration(provider="gemini", model="iterum-demo-1", kind="iterate") is None


def test_a_running_version_shows_the_time_left_and_hides_it_without_history(
    owner_client, make_version
):
    running = make_version(
        status=Version.Status.PROCESSING,
        expected_seconds=30,
        started_at=timezone.now() - timedelta(seconds=10),
    )
    page = owner_client.get(running.get_absolute_url()).content.decode()
    assert "About 20 s left" in page
    Version.objects.filter(pk=running.pk).update(expected_seconds=None)
    page = owner_client.get(running.get_absolute_url()).content.decode()
    assert '<p class="meta" data-testid="eta" hidden></p>' in page


def test_the_time_left_follows_the_bar_and_says_finishing_at_the_end(make_version):
    running = make_version(
        status=Version.Status.PROCESSING,
        expected_seconds=30,
        started_at=timezone.now() - timedelta(seconds=10),
    )
    now = running.started_at + timedelta(seconds=10)
    assert running.seconds_left(progress=0.5, now=now) == pytest.approx(10)
    assert running.seconds_left(progress=0.05, now=now) == pytest.approx(20)
    assert running.seconds_left(progress=0.99, now=now) < 1.5  # shown as "Finishing..."


def test_the_time_left_never_jumps_as_the_bar_moves(make_version):
    # A 6 s run whose bar lagged: 3 s in, at 15%, the figure once jumped from 3 s to 17 s.
    running = make_version(
        status=Version.Status.PROCESSING,
        expected_seconds=6,
        started_at=timezone.now() - timedelta(seconds=3),
    )
    now = running.started_at + timedelta(seconds=3)
    figures = [running.seconds_left(progress=n / 1000, now=now) for n in range(20, 600)]
    steps = [abs(later - earlier) for earlier, later in itertools.pairwise(figures)]
    assert max(steps) < 0.5


@pytest.mark.django_db(transaction=True)
def test_events_carry_the_estimate_once_there_is_history(user, make_generation, make_version):
    from generations.runs.queue import start_iteration
    from generations.runs.tasks import run_version

    generation = make_generation()
    for number in (1, 2, 3):
        finished(make_version, generation, number, 8)
    parent = Version.objects.get(generation=generation, number=3)
    version = start_iteration(base=parent, prompt="add a ping endpoint", user=user)
    run_version.call(version.pk)
    events = [
        json.loads(json.loads(e.data))
        for e in Event.objects.filter(channel=version.channel).exclude(type="")
    ]
    running = [e for e in events if e["status"] == "processing"]
    assert running
    assert all(e["eta_seconds"] >= 0 for e in running)
