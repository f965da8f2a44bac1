"""The runner as the settings describe it: its configuration (for `manage.py runner`) and
the client every other process reaches it with."""

from pathlib import Path

from django.conf import settings

from orchestrator.running.client import RunnerClient
from orchestrator.running.config import (
    RunConfig,
    configured_npm_registry,
    configured_python_index,
)
from orchestrator.running.sandbox import Limits


def run_config() -> RunConfig:
    return RunConfig(
        cache_dir=Path(settings.RUN_CACHE_DIR),
        cache_bytes=settings.RUN_CACHE_BYTES,
        python=settings.RUN_PYTHON,
        python_index=settings.RUN_PYTHON_INDEX_URL or configured_python_index(),
        npm_registry=settings.RUN_NPM_REGISTRY or configured_npm_registry(),
        only_binary=settings.RUN_ONLY_BINARY,
        install_seconds=settings.RUN_INSTALL_SECONDS,
        install_max_mb=settings.RUN_INSTALL_MAX_MB,
        test_seconds=settings.CHECK_TEST_SECONDS,
        test_limits=Limits(cpu_seconds=int(settings.CHECK_TEST_SECONDS)),
        preview_limits=Limits(
            cpu_seconds=settings.PREVIEW_CPU_SECONDS,
            memory_mb=settings.PREVIEW_MEMORY_MB,
            processes=settings.PREVIEW_PROCESSES,
            disk_mb=settings.PREVIEW_DISK_MB,
            cpus=settings.PREVIEW_CPUS,
        ),
        preview_start_seconds=settings.PREVIEW_START_SECONDS,
        preview_idle_seconds=settings.PREVIEW_IDLE_SECONDS,
    )


def runner() -> RunnerClient:
    """The runner's interface, wherever the runner lives."""
    return RunnerClient(
        settings.RUNNER_SOCKET,
        test_timeout=settings.RUN_INSTALL_SECONDS + settings.CHECK_TEST_SECONDS + 60,
    )
