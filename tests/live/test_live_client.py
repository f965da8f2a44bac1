"""The `iterum` terminal client against a real daphne and worker, through the API: with the
demo model and with the fake Gemini; a live bar; Ctrl-C cancels; pull and push."""

import os
import select
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from iterum_client import cli
from rich.console import Console

from generations.models import Version
from generations.tokens import create_token
from tests.support.fake_models import FakeModelServer, Reply
from tests.support.live_servers import start_stack
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
ITERUM = [sys.executable, "-m", "iterum_client.cli"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The client's config directory, in a temporary home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def logged_in(stack, home) -> str:
    user = get_user_model().objects.create_user("alice", password="live-password-1")
    _, token = create_token(user=user, name="laptop")
    with open(os.devnull, "w") as quiet:
        assert (
            cli.main(["login", stack.base_url, "--token", token], console=Console(file=quiet)) == 0
        )
    return token


def recorded() -> Console:
    return Console(record=True, width=120, force_terminal=True, color_system=None)


def generation_of(console_text: str) -> str:
    line = next(line for line in console_text.splitlines() if line.startswith("Generation "))
    return line.split()[1].rstrip(":")


def test_new_iterate_diff_pull_and_push_with_the_demo_model(home):
    stack = start_stack(DEMO_MODEL_CHUNK_DELAY="0.002")
    try:
        logged_in(stack, home)
        config = home / "config" / "iterum" / "config.json"
        assert stat.S_IMODE(config.stat().st_mode) == 0o600

        console = recorded()
        assert cli.main(["new", "a todo api", "--stack", "flask"], console=console) == cli.OK
        shown = console.export_text()
        assert "Version 1: Generation complete" in shown
        assert "100%" in shown
        assert "added app.py" in shown  # files as they arrive
        generation = generation_of(shown)

        console = recorded()
        code = cli.main(["iterate", generation, "add a health-check endpoint"], console=console)
        assert code == cli.OK
        assert "modified app.py" in console.export_text()

        console = recorded()
        assert cli.main(["diff", generation, "1", "2"], console=console) == cli.OK
        assert "+def health_check():" in console.export_text()

        folder = home / "todo"
        assert cli.main(["pull", generation, str(folder)], console=recorded()) == cli.OK
        app = folder / "app.py"
        assert "/health" in app.read_text()
        app.write_text(app.read_text() + "\n# edited here\n")
        console = recorded()
        assert cli.main(["pull", generation, str(folder), "--version", "1"], console=console) == (
            cli.CONFLICT
        )
        assert "local changes would be overwritten" in console.export_text()
        console = recorded()
        assert cli.main(["push", generation, str(folder)], console=console) == cli.OK
        assert "Pushed 1 files as version 3" in console.export_text()
        pushed = Version.objects.get(generation_id=generation, number=3)
        assert pushed.kind == "manual"
        assert pushed.files.get(path="app.py").blob.text.endswith("# edited here\n")
        assert cli.main(["pull", generation, str(folder)], console=recorded()) == cli.OK
    finally:
        stack.stop()


def test_ctrl_c_asks_and_cancels_the_run(home):
    stack = start_stack(DEMO_MODEL_CHUNK_DELAY="0.2", DEMO_MODEL_FIRST_TOKEN_DELAY="3")
    try:
        logged_in(stack, home)
        environment = {**os.environ, "COLUMNS": "120", "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            [*ITERUM, "new", "a todo api", "--stack", "flask"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=Path(__file__).resolve().parents[2],
        )
        output = b""

        def shown(text: bytes) -> bool:
            nonlocal output
            ready, _, _ = select.select([process.stdout], [], [], 0.2)
            if ready:
                output += os.read(process.stdout.fileno(), 65536)
            return text in output

        # The run has started and its bar is on screen; the worker has it and waits 3 s
        # for the first token, so the run is being watched when Ctrl-C comes.
        wait_until(lambda: shown(b"/v1/"), "the client never showed the run", 30)
        processing = Version.objects.filter(number=1, status="processing").exists
        wait_until(processing, "no worker took the run", 30)
        process.send_signal(signal.SIGINT)
        wait_until(lambda: shown(b"Cancel the run?"), "Ctrl-C asked nothing", 30)
        assert process.poll() is None, output.decode(errors="replace")
        process.stdin.write(b"y\n")
        process.stdin.flush()
        rest, _ = process.communicate(timeout=60)
        output += rest
        text = output.decode(errors="replace")
        assert process.returncode == cli.CANCELLED, text
        assert "Cancel the run?" in text
        assert "was cancelled; nothing was saved" in text
        assert Version.objects.get(number=1).status == "cancelled"
    finally:
        stack.stop()


def test_the_client_follows_a_run_of_the_fake_gemini(home):
    fake = FakeModelServer()
    fake.url = fake.start()
    stack = start_stack(
        MODEL_PROVIDER="gemini",
        GEMINI_API_KEY="test-key",
        GEMINI_BASE_URL=fake.url,
        GEMINI_MODEL="gemini-2.5-flash",
    )
    try:
        logged_in(stack, home)
        plan = (
            '{"summary": "s", "phases": [{"number": 1, "name": "App"}], "files": '
            '[{"path": "app.py", "purpose": "the app", "phase": 1}]}'
        )
        app = "@@@ FILE app.py\nprint('hello')\n@@@ END\n"
        fake.push(Reply.of(plan), Reply.of(app, size=8, delay=0.01))
        console = recorded()
        code = cli.main(["new", "hello", "--stack", "flask", "--title", "Hello"], console=console)
        shown = console.export_text()
        assert code == cli.OK, shown
        assert "Receiving gemini (gemini-2.5-flash)" in shown or "100%" in shown
        assert "added app.py" in shown
    finally:
        stack.stop()
        fake.stop()


def test_exit_codes_say_what_went_wrong(home):
    console = recorded()
    assert cli.main(["diff", "x", "1", "2"], console=console) == cli.AUTH  # not logged in
    stack = start_stack()
    try:
        logged_in(stack, home)
        missing = "00000000-0000-0000-0000-000000000000"
        assert cli.main(["cancel", missing, "1"], console=recorded()) == cli.NOT_FOUND
        console = recorded()
        code = cli.main(["new", "x" * 5000, "--stack", "flask", "--title", "t"], console=console)
        assert code == cli.REFUSED
        assert "prompt" in console.export_text()
    finally:
        stack.stop()
    assert cli.main(["diff", "x", "1", "2"], console=recorded()) == cli.UNREACHABLE


def test_watch_list_a_schemeless_login_and_a_push_of_three_large_files(home):
    """Against the real server: `watch` of a run that has ended ends at once with its
    ending (no stream can hold it), `list` shows the generation, `login 127.0.0.1:PORT`
    needs no scheme, and three files of 936 KB push (in bodies below the server's limit)."""
    stack = start_stack(DEMO_MODEL_CHUNK_DELAY="0.002")
    try:
        token = logged_in(stack, home)
        address = stack.base_url.removeprefix("http://")
        console = recorded()
        assert cli.main(["login", address, "--token", token], console=console) == cli.OK
        assert f"Logged in to http://{address}" in console.export_text()

        console = recorded()
        code = cli.main(["new", "a todo api", "--stack", "flask", "--no-follow"], console=console)
        assert code == cli.OK
        generation = generation_of(console.export_text())
        ended = lambda: Version.objects.filter(number=1, status="completed").exists()  # noqa: E731
        wait_until(ended, "the run never completed", 60)

        console = recorded()
        assert cli.main(["watch", generation], console=console) == cli.OK
        shown = console.export_text()
        assert "Version 1: Generation complete" in shown
        assert "v1 100%" in shown
        page = f"{stack.base_url}/generations/{generation}/v1/"
        assert cli.main(["watch", page], console=recorded()) == cli.OK

        console = recorded()
        assert cli.main(["list"], console=console) == cli.OK
        assert generation in console.export_text()

        folder = home / "todo"
        assert cli.main(["pull", generation, str(folder)], console=recorded()) == cli.OK
        line = b"x" * 103 + b"\n"
        for n in range(3):
            (folder / f"data{n}.txt").write_bytes(line * (936_000 // len(line)))
        (folder / "README.md").unlink()
        console = recorded()
        assert cli.main(["push", generation, str(folder)], console=console) == cli.OK, (
            console.export_text()
        )
        newest = Version.objects.filter(generation_id=generation).order_by("-number").first()
        paths = set(newest.files.values_list("path", flat=True))
        assert {"data0.txt", "data1.txt", "data2.txt"} <= paths
        assert "README.md" not in paths
    finally:
        stack.stop()
