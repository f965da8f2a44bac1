"""Waking an idle worker the moment a version is queued, instead of after a blind poll.

On PostgreSQL the web process sends NOTIFY iterum_tasks and workers LISTEN; with REDIS_URL a
hint goes over Redis pub/sub as well. On SQLite without Redis nothing can carry a wake-up
across processes, so an idle worker polls every WORKER_IDLE_POLL_SECONDS instead (a cheap
query on a local file). Whatever fails here only costs latency: workers poll regardless.
"""

import logging
import time

import psycopg
import redis
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)
CHANNEL = "iterum_tasks"


def _redis_channel() -> str:
    return f"{settings.EVENTS_REDIS_CHANNEL}:tasks"


def wake_workers() -> None:
    """Tell idle workers that a version was queued (after its transaction committed)."""
    if connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"NOTIFY {CHANNEL}")
        except Exception as error:  # a lost wake-up costs only the poll interval
            logger.warning("could not notify the workers (%s); they poll anyway", error)
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).publish(
                _redis_channel(), "1"
            )
        except redis.RedisError as error:
            logger.warning("could not hint the workers over Redis (%s); they poll anyway", error)


class Waiter:
    """For a worker: sleep up to `seconds`, ending early when woken."""

    def __init__(self) -> None:
        self._postgres = None
        self._redis = None
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            try:
                self._postgres = psycopg.connect(
                    dbname=db["NAME"],
                    user=db["USER"] or None,
                    password=db["PASSWORD"] or None,
                    host=db["HOST"] or None,
                    port=db["PORT"] or None,
                    autocommit=True,
                )
                self._postgres.execute(f"LISTEN {CHANNEL}")
            except psycopg.Error as error:
                logger.warning("could not LISTEN for wake-ups (%s); polling only", error)
                self._postgres = None
        elif settings.REDIS_URL:
            try:
                client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
                self._redis = client.pubsub(ignore_subscribe_messages=True)
                self._redis.subscribe(_redis_channel())
            except redis.RedisError as error:
                logger.warning("could not subscribe for wake-ups (%s); polling only", error)
                self._redis = None

    @property
    def wakeable(self) -> bool:
        return self._postgres is not None or self._redis is not None

    def wait(self, seconds: float) -> None:
        try:
            if self._postgres is not None:
                for _ in self._postgres.notifies(timeout=seconds, stop_after=1):
                    break
                return
            if self._redis is not None:
                self._redis.get_message(timeout=seconds)
                return
        except (psycopg.Error, redis.RedisError) as error:
            logger.warning("wake-ups lost (%s); polling only from now on", error)
            self._postgres = self._redis = None
        time.sleep(seconds)
