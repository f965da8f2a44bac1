"""The lasting store of file facts: a worker that has never read a project finds what an
earlier one learned, gives the same findings, and reads only what it has not seen."""

import pytest
from django.db import DatabaseError

from generations.file_facts import DatabaseFactStore
from generations.models import FileFacts
from generations.runs.host import VersionHost
from orchestrator.checks import check_project, code_index, fact_store, forget_in_memory
from orchestrator.checks import project as checks_project
from orchestrator.context import build_context
from orchestrator.providers.demo import DemoProvider
from tests.support.broken_projects import CASES, CLEAN

PROJECT = {**CLEAN[next(iter(CLEAN))], **CASES[0].files}


@pytest.fixture
def store(db):
    forget_in_memory()
    yield DatabaseFactStore()
    forget_in_memory()


def test_a_new_worker_gives_the_same_findings_from_the_store_without_reading(store, monkeypatch):
    first = check_project(PROJECT, store=store)
    assert FileFacts.objects.count() > len(PROJECT)  # an index per file, ruff's per module
    forget_in_memory()
    read = []
    monkeypatch.setattr(code_index, "_read", lambda *args: read.append(args))
    monkeypatch.setattr(checks_project, "ruff_findings", lambda files: pytest.fail("ruff ran"))
    again = check_project(PROJECT, store=store)
    assert read == []
    assert again.findings == first.findings


def test_only_a_changed_file_is_read_again(store, monkeypatch):
    check_project(PROJECT, store=store)
    forget_in_memory()
    changed = dict(PROJECT)
    path = next(p for p in changed if p.endswith(".py"))
    changed[path] += "\nNEW = 1\n"
    read = []
    real = code_index._read
    monkeypatch.setattr(code_index, "_read", lambda p, c: read.append(p) or real(p, c))
    check_project(changed, store=store)
    assert read == [path]


def test_the_repository_map_reads_the_store_too(store, monkeypatch):
    build_context(PROJECT, "change main", 10, store)
    forget_in_memory()
    monkeypatch.setattr(code_index, "_read", lambda *args: pytest.fail("read again"))
    build_context(PROJECT, "change main", 10, store)


def test_facts_are_kept_by_path_content_and_checker_versions():
    same = fact_store.key("index", "a.py", "d1")
    assert same == fact_store.key("index", "a.py", "d1")
    others = {
        fact_store.key("ruff", "a.py", "d1"),
        fact_store.key("index", "b.py", "d1"),
        fact_store.key("index", "a.py", "d2"),
    }
    assert same not in others
    assert len(others) == 3
    assert fact_store.VERSIONS.startswith(f"{fact_store.FORMAT}/")


def test_a_database_error_in_the_store_never_fails_the_checks(store, monkeypatch, caplog):
    expected = check_project(PROJECT).findings  # no store at all
    assert expected  # the project has findings to lose
    forget_in_memory()

    def broken(*args, **kwargs):
        raise DatabaseError("the database is locked")

    monkeypatch.setattr(FileFacts.objects, "filter", broken)
    monkeypatch.setattr(FileFacts.objects, "bulk_create", broken)
    assert check_project(PROJECT, store=store).findings == expected
    assert "could not read stored file facts" in caplog.text
    assert "could not keep file facts" in caplog.text


def test_the_worker_keeps_what_its_checks_learn_unless_told_not_to(make_version, settings):
    forget_in_memory()
    host = VersionHost(make_version(), DemoProvider())
    assert isinstance(host.fact_store, DatabaseFactStore)
    host.check(PROJECT)
    assert FileFacts.objects.count() > len(PROJECT)
    FileFacts.objects.all().delete()
    forget_in_memory()
    settings.CHECK_FACTS_STORED = False
    host = VersionHost(make_version(number=2), DemoProvider())
    assert host.fact_store is None
    host.check(PROJECT)
    assert not FileFacts.objects.exists()
