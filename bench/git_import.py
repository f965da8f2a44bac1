"""Part of `make bench`: importing a project and serving it over git, figures only.

- import: a 1,000-file, 10 MB project uploaded as a zip and made version 1 with its checks
  (import_archive: read, detect, save, check), timed in this process, never seen before (the
  checks' fact store is cold); its peak memory (tracemalloc) comes from a second import of
  another such project, since tracing slows every allocation. Two shapes: "mixed" (900 text
  files, about 4.5 MB: Python, JavaScript, HTML, CSS, Markdown; 100 images, 5.5 MB) and "all
  code" (980 Python modules, 9.8 MB, 20 images), the worst case for the checks;
- clone: `git clone` over HTTP from a real daphne of a history of 10 and of 50 versions
  (each after the first changes 4 files), with an empty object store (cold: every commit
  derived) and again (warm); the web process's peak memory (VmHWM) is read after each;
- fetch: `git fetch` after one more version.
Runs on the database in DATABASE_URL; nothing is asserted.
"""

import io
import os
import random
import shutil
import subprocess
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from bench.events import ROOT
from tests.support.live_servers import free_port, stop_processes, wait_for_port

FILES = 1000
TOTAL_BYTES = 10_000_000
SHAPES = {"mixed": 100, "all code": 20}  # images among the 1,000 files
KINDS = (".py", ".py", ".js", ".html", ".css", ".md")


def module(index: int, size: int, salt: int) -> bytes:
    """A plausible Python module of about `size` bytes (checks read it as code)."""
    lines = [f'"""Module {index} ({salt})."""', "", "import os", ""]
    n = 0
    while sum(len(line) + 1 for line in lines) < size:
        lines += [
            "",
            f"def handler_{index}_{n}(request, limit={n}):",
            f'    """Handle request {n} of module {index}."""',
            f"    values = [item for item in request.get('items', []) if item > {n}]",
            "    return {'count': len(values), 'path': os.path.join('a', 'b')}",
        ]
        n += 1
    return ("\n".join(lines) + "\n").encode()


def script(index: int, size: int, salt: int) -> bytes:
    body = f"// script {index} ({salt})\nexport function run{index}(items) {{\n"
    while len(body) < size:
        body += f"  items = items.filter((item) => item.id !== {len(body)});\n"
    return (body + "  return items;\n}\n").encode()


def markup(index: int, size: int, salt: int, kind: str) -> bytes:
    line = {
        ".html": f"<p class='row-{index}'>Row {index} ({salt})</p>\n",
        ".css": f".row-{index} {{ margin: {index % 9}px; color: #333; }}\n",
        ".md": f"- item {index} ({salt}): some words about the project\n",
    }[kind]
    return (line * (size // len(line) + 1)).encode()


def project(shape: str, salt: int) -> dict[str, bytes]:
    """1,000 files, about 10 MB; `salt` makes every text new to the checks."""
    rng = random.Random(salt)
    images = SHAPES[shape]
    files: dict[str, bytes] = {}
    image_size = 55_000 if shape == "mixed" else 10_000
    text_size = (TOTAL_BYTES - images * image_size) // (FILES - images)
    for index in range(FILES - images):
        kind = KINDS[index % len(KINDS)] if shape == "mixed" else ".py"
        folder = f"app/part{index // 50}"
        if kind == ".py":
            files[f"{folder}/mod{index}.py"] = module(index, text_size, salt)
        elif kind == ".js":
            files[f"{folder}/script{index}.js"] = script(index, text_size, salt)
        else:
            files[f"{folder}/page{index}{kind}"] = markup(index, text_size, salt, kind)
    for index in range(images):
        files[f"static/img/picture{index}.png"] = b"\x89PNG\r\n\x1a\n" + rng.randbytes(
            image_size - 8
        )
    return files


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(f"project/{path}", content)
    return buffer.getvalue()


def peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def git(*args: str, cwd: Path) -> float:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "HOME": str(cwd)}
    start = time.perf_counter()
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    import django

    cache = Path(tempfile.mkdtemp(prefix="iterum-bench-git-"))
    os.environ["GIT_CACHE_DIR"] = str(cache / "store")
    django.setup()
    from django.contrib.auth import get_user_model

    from generations.history import save_manual_files
    from generations.imports import import_archive
    from generations.tokens import create_token
    from tests.support.live_servers import database_url

    user, _ = get_user_model().objects.get_or_create(username="bench-git")
    _, token = create_token(user=user, name="bench")
    salt = time.time_ns()
    print("\nImport and git: 1,000 files, 10 MB, never seen before (cold checks)")
    for shape in SHAPES:
        files = project(shape, salt)
        archive = zipped(files)
        total = sum(len(content) for content in files.values())
        start = time.perf_counter()
        v1 = import_archive(
            owner=user, archive=io.BytesIO(archive), name="p.zip", size=len(archive)
        )
        took = time.perf_counter() - start
        # Memory from a second import of another never-seen project: tracemalloc slows
        # every allocation (several times over), so it never runs during the timed one.
        other = zipped(project(shape, salt + 1))
        tracemalloc.start()
        import_archive(owner=user, archive=io.BytesIO(other), name="p.zip", size=len(other))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        checks = v1.check_summary if v1.checked else "not run"
        print(
            f"  import, {shape} ({total / 1e6:.1f} MB, zip {len(archive) / 1e6:.1f} MB), to "
            f"version 1 with checks: {took:.2f} s, peak {peak / 1e6:.0f} MB ({checks})"
        )

    versions = {1: v1}
    latest = v1
    paths = [p for p in files if p.endswith(".py")]

    def grow(to: int) -> None:
        nonlocal latest
        while latest.number < to:
            n = latest.number
            changed = {p: files[p] + f"# edit {n}\n".encode() for p in paths[n * 4 : n * 4 + 4]}
            latest = save_manual_files(base=latest, files=changed, user=user)
            versions[latest.number] = latest

    env = {**os.environ, "DATABASE_URL": database_url(), "GIT_CACHE_DIR": str(cache / "store")}
    for count in (10, 50):
        grow(count)
        for temperature in ("cold", "warm"):
            if temperature == "cold":
                shutil.rmtree(cache / "store", ignore_errors=True)
            port = free_port()
            web = subprocess.Popen(
                [
                    str(Path(os.sys.executable)),
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "config.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for_port(port, web)
                url = f"http://bench:{token}@127.0.0.1:{port}/git/{v1.generation_id}.git"
                work = cache / f"clone-{count}-{temperature}"
                if temperature == "warm":  # the object store is already built: clone twice
                    git("clone", "-q", url, str(work) + "-first", cwd=cache)
                took = git("clone", "-q", url, str(work), cwd=cache)
                rss = peak_rss_kb(web.pid)
                line = f"  clone of {count} versions ({temperature} store): {took:.2f} s"
                print(f"{line}, web process peak {rss / 1024:.0f} MB")
                if count == 50 and temperature == "warm":
                    grow(count + 1)
                    fetch = git("fetch", "-q", "origin", cwd=work)
                    print(f"  fetch after one more version: {fetch * 1000:.0f} ms")
            finally:
                stop_processes([web])
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
