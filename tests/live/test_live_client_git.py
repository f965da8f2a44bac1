"""The client's import, clone (git with the client as credential helper), and pull/push with
deletions both ways and binary files, against a real daphne and worker."""

import os
import subprocess

import pytest
from django.contrib.auth import get_user_model
from iterum_client import cli
from rich.console import Console

from generations.history import save_manual_files
from generations.models import Version
from generations.tokens import create_token
from tests.support.imported_projects import PROJECTS, png
from tests.support.live_servers import start_stack

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(key, "Alice")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(key, "alice@example.com")
    return tmp_path


@pytest.fixture
def live(home):
    stack = start_stack(GIT_CACHE_DIR=str(home / "git-cache"))
    user = get_user_model().objects.create_user("alice", password="live-password-1")
    _, token = create_token(user=user, name="laptop")
    with open(os.devnull, "w") as quiet:
        assert (
            cli.main(["login", stack.base_url, "--token", token], console=Console(file=quiet)) == 0
        )
    yield stack, user
    stack.stop()


def recorded() -> Console:
    return Console(record=True, width=200, force_terminal=True, color_system=None)


def write_tree(folder, files: dict[str, bytes]) -> None:
    for path, content in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def test_import_a_folder_then_clone_pull_and_push_with_deletions(live, home):
    _, user = live
    project = home / "flaskr"
    write_tree(project, PROJECTS["flask"])
    write_tree(project, {"venv/lib/site.py": b"x", "instance/flaskr.sqlite": b"db"})
    console = recorded()
    assert cli.main(["import", str(project)], console=console) == cli.OK
    shown = console.export_text()
    assert "Stack: Python, Flask (pip)" in shown
    generation = next(
        line.split()[1].rstrip(":") for line in shown.splitlines() if line.startswith("Generation ")
    )
    v1 = Version.objects.get(generation_id=generation, number=1)
    stored = {row.path: bytes(row.blob.content) for row in v1.files.select_related("blob")}
    assert stored == PROJECTS["flask"]  # venv/ and the ignored instance/ left out

    clone = home / "clone"
    assert cli.main(["clone", generation, str(clone)], console=recorded()) == cli.OK
    assert (clone / "screenshots" / "register-page.png").read_bytes() == PROJECTS["flask"][
        "screenshots/register-page.png"
    ]
    helper = subprocess.run(
        ["git", "config", "--get-all", "credential.helper"],
        cwd=clone,
        capture_output=True,
        text=True,
    ).stdout
    assert "iterum_client.cli credential" in helper
    (clone / "NOTES.md").write_text("notes\n")
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    subprocess.run(["git", "commit", "-qm", "Add notes"], cwd=clone, check=True)
    pushed = subprocess.run(
        ["git", "push", "origin", "main"], cwd=clone, capture_output=True, text=True
    )
    assert pushed.returncode == 0, pushed.stderr  # the helper answered with the token
    assert Version.objects.get(generation_id=generation, number=2).kind == "push"

    # pull: a file deleted upstream is removed (asked, --yes here); binary files byte for byte
    folder = home / "work"
    assert cli.main(["pull", generation, str(folder)], console=recorded()) == cli.OK
    v2 = Version.objects.get(generation_id=generation, number=2)
    v3 = save_manual_files(base=v2, files={}, deleted=["README.rst"], user=user)
    kept = recorded()
    assert cli.main(["pull", generation, str(folder)], console=kept) == cli.OK
    assert "Kept 1 files deleted upstream (README.rst)" in kept.export_text()
    assert (folder / "README.rst").exists()
    assert cli.main(["pull", generation, str(folder), "--yes"], console=recorded()) == cli.OK
    assert not (folder / "README.rst").exists()

    # push: a local deletion and a new binary file go up as one version
    (folder / "flaskr" / "schema.sql").unlink()
    (folder / "flaskr" / "static" / "logo.png").write_bytes(png(5, 5))
    console = recorded()
    assert cli.main(["push", generation, str(folder)], console=console) == cli.OK
    assert "Pushed 1 files and 1 deletions as version 4" in console.export_text()
    v4 = Version.objects.get(generation_id=generation, number=4)
    paths = set(v4.files.values_list("path", flat=True))
    assert "flaskr/schema.sql" not in paths
    assert bytes(v4.files.get(path="flaskr/static/logo.png").blob.content) == png(5, 5)
    assert v3.number == 3


def test_import_a_git_url_is_refused_outside_the_allowed_hosts(live):
    console = recorded()
    code = cli.main(["import", "https://evil.example/x/y.git"], console=console)
    assert code == cli.REFUSED
    assert "only" in console.export_text()
