"""`iterum tests` and `iterum preview` against a real daphne and runner, through the API
(nothing to install: node's own test runner, a plain Python app)."""

import shutil

import pytest
from django.contrib.auth import get_user_model
from iterum_client import cli

from generations.models import Generation, Version
from generations.storage import save_files
from orchestrator.running.config import uv_binary
from tests.live.test_live_client import logged_in, recorded
from tests.support.live_servers import start_stack
from tests.support.runner_service import NODE_TESTS, PLAIN_APP

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("bwrap") is None or uv_binary() is None or shutil.which("npm") is None,
        reason="needs bubblewrap, uv and npm",
    ),
]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The client's config directory, in a temporary home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def stack(tmp_path):
    running = start_stack(runner=True, RUN_CACHE_DIR=str(tmp_path / "cache"))
    yield running
    running.stop()


def version_of(files: dict[str, str]) -> Version:
    owner = get_user_model().objects.get(username="alice")
    generation = Generation.objects.create(
        owner=owner, title="Run me", prompt="x", tech_stack="flask"
    )
    version = Version.objects.create(
        generation=generation, number=1, kind="generate", prompt="x", status="completed"
    )
    save_files(version=version, files=files)
    return version


def test_tests_runs_them_and_shows_each_failure(stack, home):
    logged_in(stack, home)
    version = version_of(NODE_TESTS)
    console = recorded()
    assert cli.main(["tests", str(version.generation_id)], console=console) == cli.FAILED
    text = console.export_text()
    assert "FAILED subtracts" in text
    assert "Tests failed: 1 passed, 1 failed" in text
    console = recorded()
    assert cli.main(["tests", str(version.generation_id), "--last"], console=console) == 1
    assert "Tests failed: 1 passed, 1 failed" in console.export_text()


def test_preview_runs_the_app_prints_its_log_and_where_to_see_it_then_stops(stack, home):
    logged_in(stack, home)
    version = version_of(PLAIN_APP)
    console = recorded()
    assert cli.main(["preview", str(version.generation_id)], console=console) == cli.OK
    text = console.export_text()
    assert "app starting" in text
    assert (
        f"Running. Open it in a browser: {stack.base_url}{version.get_absolute_url()}preview/page/"
        in text
    )
    console = recorded()
    assert cli.main(["preview", str(version.generation_id), "--stop"], console=console) == 0
    assert "Version 1's app: stopped (stopped by its owner)." in console.export_text()
