"""`make bench`: the API's server time for `GET version` and `POST iterate`, p50 and p99.

Requests go through Django's whole stack (middleware, token authentication, the view, the
database) in this process, with an API token, as a program sends them; the figure is the
time to the response. Run against the database in DATABASE_URL (SQLite by default;
`make bench` runs it on PostgreSQL too when one is running).
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client, override_settings

from generations.models import Generation, Version
from generations.storage import save_files
from generations.tokens import create_token

GETS = 300
POSTS = 100


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options) -> None:
        user, _ = get_user_model().objects.get_or_create(username="bench-api")
        _, token = create_token(user=user, name="bench")
        generation = Generation.objects.create(
            owner=user, title="API bench", prompt="p", tech_stack="flask"
        )
        base = Version.objects.create(
            generation=generation, number=1, kind="generate", prompt="p", status="completed"
        )
        save_files(version=base, files={"app.py": "print('hi')\n", "README.md": "# Hi\n"})
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
        path = f"/api/v1/generations/{generation.pk}/versions/1"
        client.get(path)  # warm: imports, the first connection
        gets = self.timed(lambda: client.get(path), GETS, 200)
        with override_settings(MAX_QUEUED_PER_USER=10**6, API_RUNS_PER_MINUTE=10**6):
            posts = self.timed(
                lambda: client.post(
                    path + "/iterate", {"prompt": "add a health-check endpoint"}, "application/json"
                ),
                POSTS,
                201,
            )
        vendor = connection.vendor
        for label, values in (("GET version", gets), ("POST iterate", posts)):
            self.stdout.write(
                f"API server time on {vendor}, {label} ({len(values)} requests): "
                f"p50 {statistics.median(values) * 1000:.1f} ms, "
                f"p99 {percentile(values, 0.99) * 1000:.1f} ms"
            )

    def timed(self, request, count: int, status: int) -> list[float]:
        values = []
        for _ in range(count):
            started = time.perf_counter()
            response = request()
            values.append(time.perf_counter() - started)
            assert response.status_code == status, response.content[:300]
        return values
