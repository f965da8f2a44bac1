"""Schemathesis against the API, every check and every phase (examples, coverage, fuzzing,
stateful): the app runs in this process (pytest-django's live server, on the test
database), schemathesis's own runner drives it over loopback. 0 failures is the bar; the
count of cases it generated is printed. SCHEMATHESIS_SEED runs it with another seed (the
default is fixed, so a failure reproduces)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from generations.tokens import create_token

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
CONFIG = Path(__file__).with_name("schemathesis.toml")
ST = Path(sys.executable).with_name("st")


def test_schemathesis_finds_no_failure(
    live_server, make_generation, make_version, settings, capsys, tmp_path
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.MAX_QUEUED_PER_USER = 1000  # let it reach the code behind the limits
    user = get_user_model().objects.create_user("fuzz", password="fuzz-password-1")
    _, token = create_token(user=user, name="schemathesis")
    # A generation with a completed version, so generated requests reach more than a 404.
    generation = make_generation(owner=user)
    make_version(generation=generation, number=1)
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        CONFIG.read_text()
        + f'\n[parameters]\n"path.generation_id" = "{generation.pk}"\n"path.number" = 1\n'
    )

    run = subprocess.run(
        [
            str(ST),
            "--config-file",
            str(config),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "25",
            "--seed",
            os.environ.get("SCHEMATHESIS_SEED", "20261206"),
            "--workers",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = run.stdout[run.stdout.rfind(" SUMMARY ") - 40 :]
    with capsys.disabled():
        print("\n" + summary)  # the phases, the checks, how many cases it generated
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
    assert re.search(r"\d+ generated", summary)
    assert "✅ Stateful" in summary, "the stateful phase ran and passed"
    assert "failures" not in summary.split("Test cases:")[1]
