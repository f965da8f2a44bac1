import pytest
from django.contrib.auth import get_user_model

from generations.models import Generation, Version
from generations.storage import save_files

STARTER = {
    "app.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\nif __name__ == "__main__":\n'
    "    app.run(debug=True)\n",
    "README.md": "# Demo\n",
}


@pytest.fixture(scope="session", autouse=True)
def _close_stream_readers(django_db_setup, django_db_blocker):
    """Stream readers keep their connections; close them before the test database goes."""
    yield
    from generations.live.streams import close_reader_connections

    with django_db_blocker.unblock():
        close_reader_connections()


@pytest.fixture(autouse=True)
def _fast_settings(request, settings):
    settings.DEMO_MODEL_CHUNK_DELAY = 0
    if not request.node.get_closest_marker("live"):
        # Live servers run in other processes with the real hashers; everything else is quicker.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def other_user(db):
    return get_user_model().objects.create_user("mallory", password="mallory-password-1")


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        "root", password="root-password-1", is_staff=True, is_superuser=True
    )


@pytest.fixture
def owner_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def make_generation(user):
    def make(owner=None, **fields) -> Generation:
        defaults = {
            "title": "Todo service",
            "prompt": "a todo api",
            "tech_stack": "flask",
            "domain": "todos",
        }
        return Generation.objects.create(owner=owner or user, **{**defaults, **fields})

    return make


@pytest.fixture
def make_version(make_generation):
    """A version in the given status, with files when it is one that has files."""

    def make(generation=None, number=1, status=Version.Status.COMPLETED, files=None, **fields):
        generation = generation or make_generation()
        version = Version.objects.create(
            generation=generation,
            number=number,
            kind=fields.pop("kind", Version.Kind.GENERATE if number == 1 else Version.Kind.ITERATE),
            prompt=fields.pop("prompt", generation.prompt),
            status=status,
            **fields,
        )
        if status in (Version.Status.COMPLETED, Version.Status.NO_CHANGES):
            save_files(version=version, files=STARTER if files is None else files)
        return version

    return make
