"""`manage.py worker`: django-tasks-db's db_worker, woken as soon as a version is queued.

The library's worker sleeps `--interval` seconds between looks at the queue. Here its sleep
is handed to generations.runs.wakeups: on PostgreSQL (LISTEN/NOTIFY) or with Redis it ends the
moment a version is queued, so the first stage follows the click within milliseconds; on
SQLite alone the worker looks every WORKER_IDLE_POLL_SECONDS.
"""

import time

from django.conf import settings
from django_tasks_db.management.commands import db_worker

from generations.runs.wakeups import Waiter


class _WakeableClock:
    """Stands in for the `time` module inside the library's worker loop: its idle sleep
    waits for a wake-up (or the interval), and everything else is the real `time`."""

    def __init__(self, waiter: Waiter) -> None:
        self._waiter = waiter

    def sleep(self, seconds: float) -> None:
        self._waiter.wait(seconds)

    def __getattr__(self, name: str):
        return getattr(time, name)


class Command(db_worker.Command):
    help = "Run the background worker, woken when a version is queued."

    def handle(self, *args, interval: float, **options) -> None:
        waiter = Waiter()
        db_worker.time = _WakeableClock(waiter)
        if not waiter.wakeable:
            interval = min(interval, settings.WORKER_IDLE_POLL_SECONDS)
        super().handle(*args, interval=interval, **options)
