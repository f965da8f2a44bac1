"""The checks' lasting store of file facts, in the database (orchestrator.checks.fact_store).

A cache, so it never fails a run: a database error while reading or keeping facts is
logged, and the checks read the files themselves instead.
"""

import logging

from django.db import DatabaseError, transaction

from generations.models import FileFacts

BATCH = 500  # keys per query: well under every database's limit on parameters
logger = logging.getLogger(__name__)


class DatabaseFactStore:
    """Facts as rows of FileFacts: every worker and web process shares what any one read."""

    def load(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        try:
            with transaction.atomic():  # a savepoint: an error leaves the caller's intact
                for start in range(0, len(keys), BATCH):
                    rows = FileFacts.objects.filter(key__in=keys[start : start + BATCH])
                    found.update(rows.values_list("key", "data"))
        except DatabaseError:
            logger.warning("could not read stored file facts", exc_info=True)
        return found

    def save(self, items: dict[str, str]) -> None:
        rows = [FileFacts(key=key, data=data) for key, data in items.items()]
        try:
            with transaction.atomic():
                FileFacts.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        except DatabaseError:
            logger.warning("could not keep file facts", exc_info=True)
