"""Part of `make bench`: running versions, for the demo model's four starter projects.

- cold environment build: an empty cache (no environment, no download cache), so every
  package comes from the index (RUN_PYTHON_INDEX_URL / RUN_NPM_REGISTRY, else what pip and
  npm are configured with); three builds per stack, the median and the slowest printed;
- warm build (a cache hit): twenty look-ups of a built environment in a running runner, and
  the first look-up of a fresh process (which asks uv, python, node and npm their versions);
- click to first answer, warm: a real daphne and `manage.py runner` on the database in
  DATABASE_URL; the Run form is posted over HTTP as the browser's click posts it, and the
  figure is the time until the app's landing page answers through the preview proxy (the
  hand-over to the preview's cookie included); five runs per stack;
- memory of an idle preview: the resident memory of every process in its sandbox, summed,
  two seconds after its first answer (shared pages count once per process: an upper bound).
"""

import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.events import ROOT
from tests.support.live_servers import free_port, stop_processes
from tests.support.waiting import wait_for_port, wait_for_socket

STACKS = ["fastapi_postgres", "flask", "django", "express"]
COLD_RUNS, WARM_RUNS, CLICK_RUNS = 3, 20, 5


def starter(stack: str) -> dict[str, str]:
    from orchestrator import LocalHost, ProjectBrief, generate
    from orchestrator.providers.demo import DemoProvider

    brief = ProjectBrief(title="Todo", prompt="a todo api", stack=stack, domain="todos")
    return generate(brief, DemoProvider(chunk_delay=0), LocalHost()).files


def environments(config_of) -> None:
    from orchestrator.running.environments import EnvironmentCache
    from orchestrator.running.stacks import plan_for

    print("Environment builds (from the index, into an empty cache):")
    for stack in STACKS:
        plan = plan_for(starter(stack))
        seconds = []
        for _ in range(COLD_RUNS):
            with tempfile.TemporaryDirectory(prefix="iterum-bench-cold-") as folder:
                cache = EnvironmentCache(config_of(Path(folder)))
                started = time.perf_counter()
                with cache.use(plan) as environment:
                    seconds.append(time.perf_counter() - started)
                    assert environment.built
        print(
            f"  {stack:17} cold: median {statistics.median(seconds):5.1f} s, "
            f"slowest {max(seconds):5.1f} s ({COLD_RUNS} builds)"
        )


def warm_hits(cache_dir: Path, config_of) -> None:
    from orchestrator.running.environments import EnvironmentCache
    from orchestrator.running.stacks import plan_for

    print("Warm builds (cache hits):")
    for stack in STACKS:
        plan = plan_for(starter(stack))
        cache = EnvironmentCache(config_of(cache_dir))
        with cache.use(plan):
            pass  # built once if it was not
        probe = (
            "import time; from pathlib import Path; t = time.perf_counter();"
            "from orchestrator.running.environments import EnvironmentCache;"
            "from orchestrator.running.config import RunConfig;"
            "from bench.running import starter;"
            "from orchestrator.running.stacks import plan_for;"
            f"plan = plan_for(starter({stack!r}));"
            f"c = EnvironmentCache(RunConfig(cache_dir=Path({str(cache_dir)!r})));"
            "t = time.perf_counter(); c.use(plan).__enter__();"
            "print(time.perf_counter() - t)"
        )
        first = float(
            subprocess.run(
                [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.split()[-1]
        )
        seconds = []
        for _ in range(WARM_RUNS):
            started = time.perf_counter()
            with cache.use(plan) as environment:
                seconds.append(time.perf_counter() - started)
                assert not environment.built
        print(
            f"  {stack:17} hit: median {statistics.median(seconds) * 1000:6.1f} ms, "
            f"slowest {max(seconds) * 1000:6.1f} ms; first in a fresh process {first:4.2f} s"
        )


def click_to_answer(cache_dir: Path) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from generations.models import Generation, Version
    from generations.storage import save_files
    from orchestrator.running.client import RunnerClient
    from tests.support.live_servers import database_url

    user, _ = get_user_model().objects.get_or_create(username="bench-running")
    user.set_password("bench-running-1")
    user.save()
    folder = tempfile.mkdtemp(prefix="it-", dir="/tmp")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "RUN_CACHE_DIR": str(cache_dir),
        "RUNNER_SOCKET": f"{folder}/runner.sock",
        "RUNNER_DIR": f"{folder}/apps",
        "PREVIEW_MAX_PER_USER": "10",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    daphne = [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
    web = subprocess.Popen([*daphne, "config.asgi:application"], cwd=ROOT, env=env)
    runner = subprocess.Popen([sys.executable, "manage.py", "runner"], cwd=ROOT, env=env)
    print("Click on Run to the app's first answer through the preview (warm cache):")
    try:
        wait_for_port(port, web)
        wait_for_socket(env["RUNNER_SOCKET"], runner)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=True) as client:
            log_in(client, user.username, "bench-running-1")
            for stack in STACKS:
                generation = Generation.objects.create(
                    owner=user, title="Todo", prompt="p", tech_stack=stack, domain="todos"
                )
                version = Version.objects.create(
                    generation=generation, number=1, kind="generate", prompt="p",
                    status="completed",
                )  # fmt: skip
                save_files(version=version, files=starter(stack))
                seconds, memory = [], []
                for _ in range(CLICK_RUNS + 1):  # the first warms the cache if it is cold
                    took, preview_id = one_click(client, version)
                    seconds.append(took)
                    memory.append(idle_memory(RunnerClient(env["RUNNER_SOCKET"]), preview_id))
                    csrf = client.cookies["csrftoken"]
                    client.post(
                        version.get_absolute_url() + "preview/stop/", headers={"X-CSRFToken": csrf}
                    )
                timed = seconds[1:]
                megabytes = statistics.median(memory) / 2**20
                print(
                    f"  {stack:17} median {statistics.median(timed):5.2f} s, slowest "
                    f"{max(timed):5.2f} s; idle preview memory {megabytes:5.1f} MB"
                )
    finally:
        stop_processes([web, runner])
        shutil.rmtree(folder, ignore_errors=True)


def log_in(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    client.post(
        "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
    )


def one_click(client: httpx.Client, version) -> tuple[float, str]:
    """Seconds from posting Run to the landing page's answer through the proxy."""
    from generations.running.models import Preview

    csrf = client.cookies["csrftoken"]
    started = time.perf_counter()
    client.post(
        version.get_absolute_url() + "preview/", headers={"X-CSRFToken": csrf, "HX-Request": "true"}
    )
    preview = Preview.objects.filter(version=version).latest("created_at")
    cookie = ""
    while True:
        if not cookie:
            panel = client.get(
                version.get_absolute_url() + "run/?part=preview", headers={"HX-Request": "true"}
            )
            found = re.search(r'src="(http://[^"]+/__iterum/enter\?[^"]+)"', panel.text)
            if found:
                enter = found.group(1).replace("&amp;", "&")
                cookie = through(enter).headers["set-cookie"].split(";", 1)[0]
                origin = "{0.scheme}://{0.netloc}".format(urlsplit(enter))
            elif 'data-state="stopped"' in panel.text:
                raise RuntimeError(f"the preview stopped: {panel.text[-500:]}")
        if cookie:
            answer = through(origin + preview.landing, cookie)
            if answer.status_code < 500:
                return time.perf_counter() - started, preview.id
        time.sleep(0.01)


def through(url: str, cookie: str = "") -> httpx.Response:
    parts = urlsplit(url)
    target = f"http://127.0.0.1:{parts.port}{parts.path}" + (
        f"?{parts.query}" if parts.query else ""
    )
    headers = {"Host": parts.netloc, **({"Cookie": cookie} if cookie else {})}
    return httpx.get(target, headers=headers, timeout=30)


def idle_memory(runner, preview_id: str) -> int:
    time.sleep(2)  # idle: nobody asks it anything
    return runner.state(preview_id)["memory_bytes"] or 0


def main() -> None:
    from orchestrator.running.config import (
        RunConfig,
        configured_npm_registry,
        configured_python_index,
        missing_tools,
    )

    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    missing = missing_tools("python") + missing_tools("node")
    if missing:
        print("Running projects: not measured (" + "; ".join(missing) + ")")
        return

    def config_of(cache_dir: Path) -> RunConfig:
        return RunConfig(
            cache_dir=cache_dir,
            python_index=os.environ.get("RUN_PYTHON_INDEX_URL") or configured_python_index(),
            npm_registry=os.environ.get("RUN_NPM_REGISTRY") or configured_npm_registry(),
        )

    print(
        f"Running projects (index {config_of(Path('.')).python_index}, "
        f"registry {config_of(Path('.')).npm_registry}):"
    )
    environments(config_of)
    cache_dir = ROOT / "var" / "bench-run-cache"
    warm_hits(cache_dir, config_of)
    click_to_answer(cache_dir)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.stdout.reconfigure(line_buffering=True)  # each figure as it is measured
    main()
