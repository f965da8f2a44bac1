"""A version's status is the truth: completed only with its files saved, failed with a reason."""

import pytest
from django_eventstream.models import Event

from generations.models import ModelCall, Version, VersionFile
from generations.runs import lifecycle
from generations.runs.host import VersionHost
from generations.runs.lifecycle import claim_version, reap_stale_versions
from generations.runs.queue import create_generation, start_iteration
from generations.runs.tasks import run_version
from generations.storage import version_files
from orchestrator.providers.base import StreamChunk

pytestmark = pytest.mark.django_db(transaction=True)


def run(version: Version) -> Version:
    run_version.call(version.pk)
    version.refresh_from_db()
    return version


def events_of(version: Version) -> list[dict]:
    import json

    rows = Event.objects.filter(channel=version.channel).exclude(type="").order_by("eid")
    return [json.loads(json.loads(row.data)) | {"type": row.type} for row in rows]


@pytest.fixture
def version_one(user):
    return create_generation(
        owner=user, title="Todo", prompt="a todo api", tech_stack="flask", domain="todos"
    )


def test_a_successful_generation_is_completed_with_its_files_and_calls(version_one):
    version = run(version_one)
    assert version.status == Version.Status.COMPLETED
    assert version.progress == 1.0
    assert sorted(version_files(version)) == [
        "README.md",
        "app.py",
        "requirements.txt",
        "test_app.py",
    ]
    assert ModelCall.objects.filter(version=version, outcome="ok").count() == 3
    events = events_of(version)
    assert events[0]["stage"] == "queued"
    assert events[-1] | {"timestamp": 0} == events[-1] | {
        "stage": "generation_complete",
        "status": "completed",
        "progress": 1.0,
        "type": "done",
        "timestamp": 0,
    }
    progress = [e["progress"] for e in events]
    assert progress == sorted(progress)


def test_an_iteration_with_changes_is_completed_and_leaves_its_parent_alone(version_one):
    parent = run(version_one)
    before = version_files(parent)
    child = run(
        start_iteration(base=parent, prompt="add a health-check endpoint", user=parent.created_by)
    )
    assert child.status == Version.Status.COMPLETED
    assert child.intent == "add"
    assert '"/health-check"' in version_files(child)["app.py"]
    assert version_files(parent) == before
    assert child.changes == [
        {
            "path": "app.py",
            "action": "modified",
            "lines_added": 5,
            "lines_removed": 0,
            "old_path": None,
        }
    ]


def test_unchanged_files_are_not_stored_again(version_one):
    parent = run(version_one)
    child = run(start_iteration(base=parent, prompt="add a ping endpoint", user=parent.created_by))
    parent_blobs = dict(parent.files.values_list("path", "blob_id"))
    child_blobs = dict(child.files.values_list("path", "blob_id"))
    assert [p for p in child_blobs if child_blobs[p] != parent_blobs[p]] == ["app.py"]


def test_no_changes_ends_as_no_changes_with_the_reason(version_one):
    parent = run(version_one)
    child = run(
        start_iteration(base=parent, prompt="make it enterprise grade", user=parent.created_by)
    )
    assert child.status == Version.Status.NO_CHANGES
    assert "only understands simple follow-ups" in child.message
    assert version_files(child) == version_files(parent)
    assert events_of(child)[-1]["stage"] == "iteration_no_changes"


class Boom(Exception):
    pass


def broken_stream(request):
    yield StreamChunk("@@@ FILE a.py\n")
    raise Boom("connection reset by peer")


LAYERS = {
    "provider raises mid-stream": (
        "generations.runs.execute.get_provider",
        lambda: type(
            "P",
            (),
            {"name": "p", "model": "m", "label": "p", "stream": staticmethod(broken_stream)},
        )(),
    ),
    "pipeline returns None": ("generations.runs.execute.generate", lambda *a, **k: None),
    "saving files raises": (
        "generations.runs.lifecycle.save_files",
        lambda **k: (_ for _ in ()).throw(Boom("disk full")),
    ),
    "emit raises": (
        "generations.runs.host.record_progress",
        lambda **k: (_ for _ in ()).throw(Boom("db gone")),
    ),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_whatever_layer_fails_the_version_is_failed_with_a_reason_and_no_files(
    monkeypatch, version_one, layer
):
    target, replacement = LAYERS[layer]
    monkeypatch.setattr(target, replacement)
    version = run(version_one)
    assert version.status == Version.Status.FAILED
    assert version.error
    assert version.finished_at is not None
    assert not VersionFile.objects.filter(version=version).exists()
    last = events_of(version)[-1]
    assert (last["type"], last["status"], last["stage"]) == ("done", "failed", "generation_error")
    assert last["message"] == version.error


def test_a_failed_run_still_logs_its_model_calls(monkeypatch, version_one):
    monkeypatch.setattr(
        "generations.runs.lifecycle.save_files", lambda **k: (_ for _ in ()).throw(Boom("x"))
    )
    version = run(version_one)
    assert version.status == Version.Status.FAILED
    assert ModelCall.objects.filter(version=version).count() == 3


def test_a_version_is_claimed_once(version_one):
    assert claim_version(version_id=version_one.pk) is not None
    assert claim_version(version_id=version_one.pk) is None
    assert run_version.call(version_one.pk) == "skipped"


def test_cancel_requested_before_the_model_answers_ends_cancelled(monkeypatch, version_one):
    monkeypatch.setattr(VersionHost, "should_cancel", lambda self: True)
    version = run(version_one)
    assert version.status == Version.Status.CANCELLED
    assert not version.files.exists()
    assert events_of(version)[-1]["status"] == "cancelled"


def test_a_reaped_version_is_not_overwritten_by_a_late_finish(monkeypatch, version_one):
    original = lifecycle.save_files

    def reaped_meanwhile(**kwargs):
        Version.objects.filter(pk=version_one.pk).update(status=Version.Status.FAILED)
        return original(**kwargs)

    monkeypatch.setattr("generations.runs.lifecycle.save_files", reaped_meanwhile)
    version = run(version_one)
    assert version.status == Version.Status.FAILED
    assert not version.files.exists()


def test_the_reaper_fails_versions_whose_worker_went_silent(settings, version_one):
    from datetime import timedelta

    from django.utils import timezone

    settings.WORKER_HEARTBEAT_TIMEOUT = 60
    claim_version(version_id=version_one.pk)
    Version.objects.filter(pk=version_one.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=61), progress=0.4
    )
    [reaped] = reap_stale_versions()
    assert reaped.status == Version.Status.FAILED
    assert "worker stopped" in reaped.error
    last = events_of(reaped)[-1]
    assert (last["status"], last["progress"]) == ("failed", 0.4)


def test_a_version_reaped_mid_run_gets_no_progress_events_after_its_end(monkeypatch, version_one):
    from generations.runs.lifecycle import record_progress

    calls = []

    def reaped_then_record(**kwargs):
        Version.objects.filter(pk=version_one.pk).update(status=Version.Status.FAILED)
        calls.append(kwargs["event"].stage)
        record_progress(**kwargs)

    monkeypatch.setattr("generations.runs.host.record_progress", reaped_then_record)
    run(version_one)
    stages = [e["stage"] for e in events_of(version_one)]
    assert calls  # the pipeline did try to report
    assert stages == ["queued"]  # but nothing was published for a version that had ended


def test_a_version_waits_while_its_owner_has_the_most_runs_allowed(settings, user, version_one):
    from django_tasks_db.models import DBTaskResult

    settings.MAX_RUNNING_PER_USER = 1
    other = create_generation(owner=user, title="Second", prompt="x", tech_stack="flask")
    claim_version(version_id=version_one.pk)  # the first is running
    assert run_version.call(other.pk) == "deferred"
    other.refresh_from_db()
    assert other.status == Version.Status.QUEUED
    deferred = (
        DBTaskResult.objects.filter(args_kwargs__args=[other.pk]).order_by("-enqueued_at").first()
    )
    assert deferred is not None
    assert deferred.run_after > deferred.enqueued_at
