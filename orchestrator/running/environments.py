"""A project's environment, built from its manifests and cached by their hash.

Python: uv makes a virtual environment from requirements.txt or pyproject.toml; Node: npm ci
(npm install without a lock), always with --ignore-scripts. Both run in an install sandbox
of their own: wheels only by default, so no package's code runs while installing; network,
but none of Iterum's files or environment; a time limit, and a size limit watched as it
grows. The environment is made at /env inside that sandbox and mounted read-only at /env in
the ones that use it, so the paths written into it hold.

Environments are shared by every version and generation whose manifests hash the same, and
evicted by least recent use when the cache passes its budget. One that is in use (a shared
lock on its lock file) is never evicted; two processes wanting the same one build it once.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestrator.running import installs
from orchestrator.running.config import RunConfig, base_interpreter, missing_tools, uv_binary
from orchestrator.running.sandbox import (
    ENVIRONMENT,
    Bind,
    Limits,
    Sandbox,
    SandboxUnavailable,
    interpreter_mounts,
    run,
)
from orchestrator.running.stacks import Plan

MARKER = ".iterum-environment.json"
UV = "/opt/iterum/uv"


class EnvironmentFailed(Exception):
    """The environment could not be made; the message says why, naming the package and the
    index when one of them is the reason."""

    def __init__(self, message: str, output: str = "", unavailable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.output = output
        self.unavailable = unavailable  # this machine lacks a tool: nothing was tried


@dataclass(frozen=True)
class Environment:
    key: str
    path: Path  # on the host; mounted at /env
    language: str
    built: bool  # False when it came from the cache
    seconds: float  # to build it, or to find it

    def binds(self, interpreter: str | None) -> tuple[Bind, ...]:
        """What a sandbox using it mounts: it at /env, and the interpreter it was made from."""
        if self.language == "node":
            modules = self.path / "node_modules"
            return (
                Bind(str(self.path), ENVIRONMENT),
                Bind(str(modules), "/project/node_modules"),
            )
        mounts = interpreter_mounts(interpreter) if interpreter else []
        return (Bind(str(self.path), ENVIRONMENT), *(Bind(m, m) for m in mounts))


class EnvironmentCache:
    def __init__(self, config: RunConfig) -> None:
        self.config = config

    def key(self, plan: Plan) -> str:
        """The hash of everything the environment is made from."""
        parts = {
            "language": plan.language,
            "manifests": plan.manifests,
            "added": sorted(plan.added),
            "only_binary": self.config.only_binary,
        }
        if plan.language == "python":
            interpreter = base_interpreter(self.config.python) or ""
            parts |= {
                "python": interpreter,
                "python_version": _version(interpreter, "--version"),
                "uv": _version(uv_binary() or "uv", "--version"),
                "index": self.config.python_index,
            }
        else:
            parts |= {
                "node": _version("node", "--version"),
                "npm": _version("npm", "--version"),
                "registry": self.config.npm_registry,
            }
        text = json.dumps(parts, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @contextlib.contextmanager
    def use(self, plan: Plan, on_build: Callable[[], None] | None = None) -> Iterator[Environment]:
        """The plan's environment, built first when it is not cached (`on_build` is called
        then), held so that it is not evicted while the caller uses it."""
        started = time.monotonic()
        missing = missing_tools(plan.language)
        if missing:
            raise EnvironmentFailed("; ".join(missing), unavailable=True)
        key = self.key(plan)
        root = self.config.environments
        root.mkdir(parents=True, exist_ok=True)
        path = root / key
        # A shared hold on the use lock keeps it from eviction while it is used; building
        # takes the build lock, so a second process waits for the first one's build (only).
        with _locked(root / f"{key}.lock", fcntl.LOCK_SH):
            built = False
            if not (path / MARKER).exists():
                with _locked(root / f"{key}.build", fcntl.LOCK_EX):
                    if not (path / MARKER).exists():
                        if on_build is not None:
                            on_build()
                        with _locked(self.config.cache_dir / "downloads.lock", fcntl.LOCK_SH):
                            self._build(plan, key, path)
                        built = True
            os.utime(path / MARKER)  # least recently used goes first
            seconds = time.monotonic() - started
            yield Environment(key, path, plan.language, built, seconds)
        if built:
            self.evict()

    def _build(self, plan: Plan, key: str, path: Path) -> None:
        problem = installs.manifest_problem(plan, self.config)
        if problem:
            raise EnvironmentFailed(problem)
        building = Path(tempfile.mkdtemp(prefix=f".building-{key}-", dir=path.parent))
        try:
            with tempfile.TemporaryDirectory(prefix="iterum-manifests-") as source:
                for name, content in plan.manifests.items():
                    Path(source, name).write_text(content, encoding="utf-8")
                if plan.added:
                    Path(source, installs.ADDED).write_text("\n".join(plan.added) + "\n")
                os.chmod(source, 0o755)
                finished = self._install(plan, source, building)
            if finished.code != 0:
                raise EnvironmentFailed(
                    installs.failure_message(plan.language, finished, self.config),
                    finished.output,
                )
            size = disk_usage(building)
            if size > self.config.install_max_mb * 1024 * 1024:  # grew after the last look
                limit = self.config.install_max_mb
                raise EnvironmentFailed(
                    f"Installing stopped: the environment grew beyond {limit} MB."
                )
            marker = {"key": key, "language": plan.language, "bytes": size, "at": time.time()}
            (building / MARKER).write_text(json.dumps(marker))
            if path.exists():  # a build that died half-way, before its marker was written
                shutil.rmtree(path, ignore_errors=True)
            building.rename(path)
        finally:
            shutil.rmtree(building, ignore_errors=True)

    def _install(self, plan: Plan, source: str, building: Path):
        config = self.config
        downloads = config.downloads / ("uv" if plan.language == "python" else "npm")
        downloads.mkdir(parents=True, exist_ok=True)
        binds = [
            Bind(str(building), ENVIRONMENT, writable=True),
            Bind(str(downloads), "/cache", writable=True),
            *installs.network_binds(),
        ]
        if plan.language == "python":
            interpreter = base_interpreter(config.python)
            if interpreter is None:
                raise EnvironmentFailed(
                    f"The Python for projects ({config.python}) was not found (RUN_PYTHON)."
                )
            binds += [Bind(m, m) for m in interpreter_mounts(interpreter)]
            binds.append(Bind(os.path.realpath(uv_binary() or ""), UV))
            binds += installs.local_index_binds(config.python_index)
            command = installs.python_command(plan, config, interpreter)
        else:
            command = installs.node_command(plan, config)
        limit = config.install_max_mb * 1024 * 1024
        sandbox = Sandbox(
            command=("/bin/sh", "-c", command),
            limits=Limits(
                cpu_seconds=int(config.install_seconds),
                memory_mb=2048,
                address_space_mb=16384,  # uv and node map far more than they use
                processes=256,
                disk_mb=512,
                file_mb=min(config.install_max_mb, 1024),
            ),
            env=installs.install_environment(plan.language),
            binds=tuple(binds),
            source=source,
            network=True,
        )

        def too_big() -> str:
            if disk_usage(building) > limit:
                return f"the environment grew beyond {config.install_max_mb} MB"
            return ""

        try:
            return run(sandbox, config.install_seconds, watch=too_big)
        except SandboxUnavailable as unavailable:
            raise EnvironmentFailed(unavailable.message, unavailable=True) from None

    def evict(self) -> list[str]:
        """Remove least recently used environments (never one in use) until the cache fits
        its budget; then the download caches, if they alone are over it."""
        root = self.config.environments
        if not root.exists():
            return []
        found = []
        for marker in root.glob(f"*/{MARKER}"):
            try:
                size = json.loads(marker.read_text()).get("bytes", 0)
                found.append((marker.stat().st_mtime, marker.parent, int(size)))
            except (OSError, ValueError):
                continue
        total = sum(size for *_, size in found) + disk_usage(self.config.downloads)
        evicted = []
        for _, path, size in sorted(found):
            if total <= self.config.cache_bytes:
                break
            with _try_locked(root / f"{path.name}.lock") as free:
                if free:
                    (path / MARKER).unlink(missing_ok=True)
                    shutil.rmtree(path, ignore_errors=True)
                    total -= size
                    evicted.append(path.name)
        if total > self.config.cache_bytes:
            with _try_locked(self.config.cache_dir / "downloads.lock") as free:
                if free:  # no build is reading them
                    shutil.rmtree(self.config.downloads, ignore_errors=True)
        return evicted


@contextlib.contextmanager
def _locked(path: Path, mode: int) -> Iterator[int]:
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, mode)
        yield handle
    finally:
        os.close(handle)


@contextlib.contextmanager
def _try_locked(path: Path) -> Iterator[bool]:
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(handle)


def disk_usage(folder: Path) -> int:
    """Bytes on disk under `folder`, each hard-linked file once."""
    total, seen = 0, set()
    for directory, _, names in os.walk(folder):
        for name in names:
            try:
                status = os.lstat(os.path.join(directory, name))
            except OSError:
                continue
            if (status.st_dev, status.st_ino) in seen:
                continue
            seen.add((status.st_dev, status.st_ino))
            total += status.st_blocks * 512
    return total


@cache
def _version(*command: str) -> str:
    """A tool's version line, asked once per process."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return ""
    return re.sub(r"\s+", " ", done.stdout + done.stderr).strip()
