"""What running a project needs, as one plain dataclass (the app fills it from its settings),
and where the tools and package indexes are found on this machine."""

import configparser
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from orchestrator.running.sandbox import Limits, bwrap_binary

PYPI = "https://pypi.org/simple"
NPM_REGISTRY = "https://registry.npmjs.org/"


@dataclass(frozen=True)
class RunConfig:
    cache_dir: Path  # environments and download caches
    cache_bytes: int = 5 * 1024**3  # evict least recently used environments beyond this
    python: str = ""  # the interpreter environments are made from; "" for Iterum's own
    python_index: str = PYPI
    npm_registry: str = NPM_REGISTRY
    only_binary: bool = True  # wheels only: no package's code runs while installing
    install_seconds: float = 600
    install_max_mb: int = 2048  # one environment, at most
    npm_fetch_retries: int = 2
    test_seconds: float = 120
    test_limits: Limits = field(default_factory=Limits)
    preview_limits: Limits = field(
        default_factory=lambda: Limits(cpu_seconds=3600, memory_mb=512, processes=64)
    )
    preview_start_seconds: float = 60  # from starting the app to its first answer
    preview_idle_seconds: float = 900

    @property
    def environments(self) -> Path:
        return self.cache_dir / "envs"

    @property
    def downloads(self) -> Path:
        return self.cache_dir / "downloads"


def configured_python_index(environ: dict[str, str] | None = None) -> str:
    """The index pip and uv are configured with on this machine (environment first, then
    pip's configuration files), else PyPI."""
    environ = os.environ if environ is None else environ
    for name in ("UV_INDEX_URL", "UV_DEFAULT_INDEX", "PIP_INDEX_URL"):
        if environ.get(name, "").strip():
            return environ[name].strip()
    files = [
        "/etc/pip.conf",
        "/etc/xdg/pip/pip.conf",
        os.path.join(environ.get("XDG_CONFIG_HOME") or "~/.config", "pip", "pip.conf"),
        "~/.pip/pip.conf",
    ]
    if environ.get("PIP_CONFIG_FILE"):
        files.append(environ["PIP_CONFIG_FILE"])
    found = ""
    for path in files:  # later files win, as in pip
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(os.path.expanduser(path))
        except configparser.Error:
            continue
        for section in ("global", "install"):
            if parser.has_option(section, "index-url"):
                found = parser.get(section, "index-url").strip() or found
    return found or PYPI


def configured_npm_registry(environ: dict[str, str] | None = None) -> str:
    """The registry npm is configured with (environment, then ~/.npmrc), else npm's own."""
    environ = os.environ if environ is None else environ
    for name in ("NPM_CONFIG_REGISTRY", "npm_config_registry"):
        if environ.get(name, "").strip():
            return environ[name].strip()
    try:
        text = Path(os.path.expanduser("~/.npmrc")).read_text()
    except OSError:
        return NPM_REGISTRY
    for line in text.splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "registry" and value.strip():
            return value.strip()
    return NPM_REGISTRY


def uv_binary() -> str | None:
    """uv: on PATH, or beside the interpreter running Iterum (pip installs it there)."""
    beside = Path(sys.executable).with_name("uv")
    return shutil.which("uv") or (str(beside) if beside.exists() else None)


@cache
def base_interpreter(python: str = "") -> str | None:
    """The real interpreter environments are made from: a name on PATH or a path, asked for
    its base executable (a pyenv shim or a virtualenv's link would not work inside the
    sandbox); "" means the Python running Iterum, without its virtualenv."""
    if not python:
        return os.path.realpath(getattr(sys, "_base_executable", "") or sys.executable)
    found = shutil.which(python)
    if found is None:
        return None
    probe = "import sys; print(getattr(sys, '_base_executable', '') or sys.executable)"
    try:
        answer = subprocess.run(
            [found, "-c", probe], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return os.path.realpath(answer.stdout.strip()) or None


def missing_tools(language: str) -> list[str]:
    """Why a project in `language` ("python" or "node") cannot be run here: each missing tool
    with how to get it. Empty when everything is present."""
    missing = []
    if bwrap_binary() is None:
        missing.append("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    if language == "python" and uv_binary() is None:
        missing.append("uv is not installed: pip install uv (it is in requirements.txt)")
    if language == "node":
        if shutil.which("node") is None:
            missing.append("node is not installed: apt-get install nodejs")
        if shutil.which("npm") is None:
            missing.append("npm is not installed: apt-get install npm")
    return missing
