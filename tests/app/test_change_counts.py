"""The history and the diffs count the same changes, for every version of the demo model's
projects: model runs (new, changed, renamed, deleted files), edits by hand (lines moved),
uploads and restores. All three come from one diff engine (orchestrator.diffing)."""

import pytest
from django.urls import reverse

from generations.history import restore_version, save_manual_files
from generations.models import Version
from generations.runs import execute
from generations.runs.queue import create_generation, start_iteration
from generations.runs.tasks import run_version
from generations.storage import version_files
from orchestrator.tech_stacks import TECH_STACKS
from tests.support.scripted import ScriptedProvider

pytestmark = pytest.mark.django_db(transaction=True)

PROMPTS = [
    "add a health-check endpoint",
    "rename README.md to NOTES.md",
    "add a Dockerfile",
]


def run(version: Version) -> Version:
    run_version.call(version.pk)
    version.refresh_from_db()
    assert version.status == Version.Status.COMPLETED, version.message
    return version


def swapped_halves(text: str) -> str:
    """The same lines in another order: a change a multiset count would not see."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[len(lines) // 2 :] + lines[: len(lines) // 2])


def biggest_file(version: Version) -> tuple[str, str]:
    files = version_files(version)
    path = max(files, key=lambda path: files[path].count("\n"))
    return path, files[path]


def project_history(user, stack: str, monkeypatch) -> list[Version]:
    """Versions of every kind on one demo project, each on top of the one before."""
    latest = run(create_generation(owner=user, title="Shop", prompt="a shop", tech_stack=stack))
    versions = [latest]
    for prompt in PROMPTS:
        latest = run(start_iteration(base=latest, prompt=prompt, user=user))
        versions.append(latest)
    # A model that moves lines: its run's counts come from the same diff as the page's.
    path, text = biggest_file(latest)
    answer = f"Swapping the halves.\n\n@@@ FILE {path}\n{swapped_halves(text)}@@@ END\n"
    with monkeypatch.context() as patched:
        patched.setattr(execute, "get_provider", lambda: ScriptedProvider([answer]))
        latest = run(start_iteration(base=latest, prompt="swap the halves", user=user))
    versions.append(latest)
    path, text = biggest_file(latest)
    edited = {path: swapped_halves(text), "data/seed.csv": "id,name\r\n1,a\r\n"}
    latest = save_manual_files(base=latest, files=edited, user=user)
    versions.append(latest)
    versions.append(restore_version(source=versions[1], user=user))
    latest = run(start_iteration(base=versions[-1], prompt="remove the README", user=user))
    versions.append(latest)
    return versions


def counted(changes) -> list[tuple]:
    return sorted((c["path"], c["action"], c["lines_added"], c["lines_removed"]) for c in changes)


@pytest.mark.parametrize("stack", [stack.key for stack in TECH_STACKS])
def test_the_history_and_the_diffs_agree_on_every_version(owner_client, user, stack, monkeypatch):
    versions = project_history(user, stack, monkeypatch)
    kinds = {version.kind for version in versions}
    assert kinds == {"generate", "iterate", "manual", "restore"}
    actions = {c["action"] for version in versions for c in version.changes}
    assert actions == {"added", "modified", "renamed", "deleted"}
    for version in versions:
        generation = version.generation_id
        page = owner_client.get(
            reverse("generation-compare", args=[generation]) + f"?to={version.number}"
        )
        shown = [(d.path, d.status, d.added, d.removed) for d in page.context["counts"].values()]
        api = owner_client.get(f"/api/v1/generations/{generation}/diff?new={version.number}")
        listed = [(f["path"], f["status"], f["added"], f["removed"]) for f in api.json()["files"]]
        assert counted(version.changes) == sorted(shown) == sorted(listed), version.prompt
