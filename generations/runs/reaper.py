"""Marks versions failed when their worker died (django-tasks-db leaves such tasks RUNNING)."""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from generations.runs.lifecycle import reap_stale_versions

logger = logging.getLogger(__name__)
_started = False


def _run(interval: float) -> None:
    while True:
        time.sleep(interval)
        try:
            for version in reap_stale_versions():
                logger.warning("version %s had no heartbeat; marked failed", version.pk)
        except Exception:
            logger.exception("reaping stale versions failed; retrying")
        finally:
            close_old_connections()


def start_reaper() -> None:
    """Check for silent workers a few times per heartbeat timeout, in a daemon thread."""
    global _started
    if not _started:
        _started = True
        interval = max(1.0, settings.WORKER_HEARTBEAT_TIMEOUT / 4)
        threading.Thread(target=_run, args=(interval,), name="reaper", daemon=True).start()
