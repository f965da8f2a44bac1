"""A real ASGI server (daphne) and a real worker (manage.py worker) on the test database."""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
from django.db import connection
from httpx_sse import connect_sse

from tests.support.waiting import wait_for_port, wait_for_socket

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database this test process uses, for the child processes."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_command(port: int, directory: str = ".") -> list[str]:
    """A throwaway redis-server on a loopback port that writes nothing to disk."""
    return [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        directory,
    ]


@dataclass
class LiveStack:
    base_url: str
    processes: list[subprocess.Popen]
    web_command: list[str]
    environment: dict

    def restart_web(self) -> None:
        """Stop the web server and start a new one on the same port (the worker runs on)."""
        web = self.processes[0]
        web.terminate()
        web.wait(timeout=10)
        self.processes[0] = subprocess.Popen(self.web_command, cwd=ROOT, env=self.environment)
        wait_for_port(int(self.base_url.rsplit(":", 1)[1]), self.processes[0])

    def stop(self) -> None:
        stop_processes(self.processes)


def stop_processes(processes: list[subprocess.Popen]) -> None:
    """Terminate them all, then wait; kill any that has not ended within 10 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def start_stack(runner: bool = False, **env: str) -> LiveStack:
    """daphne and a worker on the test database; with `runner`, the runner too (its socket
    and its apps' sockets in a short folder of their own, unless `env` names them)."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEMO_MODEL_CHUNK_DELAY": "0.005",
        "EVENTS_POLL_SECONDS": "0.05",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    if runner and "RUNNER_SOCKET" not in env:
        folder = tempfile.mkdtemp(prefix="it-", dir="/tmp")  # a Unix socket's path is short
        environment |= {"RUNNER_SOCKET": f"{folder}/runner.sock", "RUNNER_DIR": f"{folder}/apps"}
    port = free_port()
    web_command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    web_command.append("config.asgi:application")
    web = subprocess.Popen(web_command, cwd=ROOT, env=environment)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "1"],
        cwd=ROOT,
        env=environment,
    )
    stack = LiveStack(f"http://127.0.0.1:{port}", [web, worker], web_command, environment)
    if runner:
        command = [sys.executable, "manage.py", "runner"]
        stack.processes.append(subprocess.Popen(command, cwd=ROOT, env=environment))
    try:
        wait_for_port(port, web)
        if runner:
            wait_for_socket(environment["RUNNER_SOCKET"], stack.processes[-1])
    except Exception:
        stack.stop()
        raise
    return stack


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def log_in(client: httpx.Client, username: str, password: str) -> None:
    form = client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf_token(form.text),
        },
    )
    assert response.url.path == "/generations/", "login failed"


def post_form(client: httpx.Client, page_url: str, action: str, data: dict) -> httpx.Response:
    page = client.get(page_url)
    return client.post(action, data={**data, "csrfmiddlewaretoken": csrf_token(page.text)})


def stream_url(page: str) -> str:
    return re.search(r'sse-connect="([^"]+)"', page).group(1).replace("&amp;", "&")


def replay_from(url: str, event_number: int) -> str:
    """The same stream URL, asking for every event after `event_number` of the channel."""
    parts = urlsplit(url)
    (last_id,) = parse_qs(parts.query)["lastEventId"]
    channel = last_id.rsplit(":", 1)[0]
    return urlunsplit(parts._replace(query=urlencode({"lastEventId": f"{channel}:{event_number}"})))


def read_events(client: httpx.Client, url: str, seconds: float = 60) -> Iterator[dict]:
    """Yield each event's data (with its SSE type and id) until the terminal one."""
    deadline = time.monotonic() + seconds
    with connect_sse(client, "GET", url, timeout=httpx.Timeout(seconds)) as source:
        for event in source.iter_sse():
            if time.monotonic() > deadline:
                raise TimeoutError("no terminal event in time")
            if event.event in ("progress", "done"):
                yield json.loads(event.data) | {"type": event.event, "id": event.id}
                if event.event == "done":
                    return
            elif event.event == "stream-error":
                raise AssertionError(f"stream refused: {event.data}")
