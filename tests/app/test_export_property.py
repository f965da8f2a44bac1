"""Property: a tree imported from an archive comes back out byte for byte, as a zip and as
a git clone (the real `git` reading the repository Iterum serves)."""

import io
import os
import subprocess
import zipfile

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generations.downloads import zip_stream
from generations.git.repository import commit_of_version, repository_path
from generations.imports import import_archive
from tests.support.imported_projects import as_zip

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "25"))

names = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)
paths = (
    st.lists(names, min_size=1, max_size=3)
    .map("/".join)
    .filter(lambda p: not any(part in {"dist", "build", "venv"} for part in p.split("/")))
)
contents = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def tree_strategy():
    return st.dictionaries(paths, contents, min_size=1, max_size=12).filter(_no_file_folder_clash)


def _no_file_folder_clash(tree: dict) -> bool:
    folders = {"/".join(p.split("/")[:i]) for p in tree for i in range(1, p.count("/") + 1)}
    keys = [p.casefold() for p in tree]
    return (
        not (set(tree) & folders)
        and len(keys) == len(set(keys))
        and not ({f.casefold() for f in folders} & set(keys))
    )


@pytest.fixture
def owner(settings, tmp_path):
    settings.GIT_CACHE_DIR = str(tmp_path / "git")
    settings.CHECKS_ENABLED = False  # the property is about bytes; checks are tested elsewhere
    return get_user_model().objects.create_user("prop", password="prop-password-1")


def zipped(version) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zip_stream(version))))
    return {name.split("/", 1)[1]: archive.read(name) for name in archive.namelist()}


def cloned(version, folder) -> dict[str, bytes]:
    commit_of_version(version)
    target = folder / f"clone-{version.generation_id}"
    subprocess.run(
        ["git", "clone", "-q", str(repository_path(version.generation_id)), str(target)],
        check=True,
        capture_output=True,
    )
    return {
        str(path.relative_to(target)): path.read_bytes()
        for path in target.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(target).parts
    }


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=tree_strategy())
def test_an_imported_tree_comes_back_byte_for_byte(owner, tmp_path, tree):
    archive = as_zip(tree)
    version = import_archive(
        owner=owner, archive=io.BytesIO(archive), name="p.zip", size=len(archive)
    )
    assert zipped(version) == tree
    assert cloned(version, tmp_path) == tree
