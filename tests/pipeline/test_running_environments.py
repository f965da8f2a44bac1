"""Environments built from a project's manifests in the install sandbox, cached by their
hash and evicted by least recent use; failures name the package and the index. Everything
installs from an index on disk (tests/support/wheels.py): no network."""

import dataclasses
import io
import json
import os
import shutil
import subprocess
import tarfile
import threading

import pytest

from orchestrator.running import config as running_config
from orchestrator.running.config import RunConfig
from orchestrator.running.environments import MARKER, EnvironmentCache, EnvironmentFailed
from orchestrator.running.project_tests import ERRORED, FAILED, NO_TESTS, run_tests
from orchestrator.running.stacks import plan_for
from tests.support.wheels import write_index

pytestmark = pytest.mark.skipif(
    shutil.which("bwrap") is None or running_config.uv_binary() is None,
    reason="needs bubblewrap and uv (apt-get install bubblewrap; pip install uv)",
)
UNREACHABLE = "http://127.0.0.1:9/simple"  # the discard port: nothing listens


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("index")
    url = write_index(
        root,
        {
            "iterum-probe": [("1.0", None), ("2.0", None)],
            "iterum-big": [("1.0", {"iterum_big/blob.bin": os.urandom(3 * 1024 * 1024)})],
        },
    )
    # A package with only a source archive: wheels-only installs must refuse it unbuilt.
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        setup = b"open('/tmp/built-it', 'w').write('ran')\n"
        info = tarfile.TarInfo("iterum_source-1.0/setup.py")
        info.size = len(setup)
        tar.addfile(info, io.BytesIO(setup))
    (root / "iterum-source").mkdir()
    (root / "iterum-source" / "iterum_source-1.0.tar.gz").write_bytes(archive.getvalue())
    (root / "iterum-source" / "index.html").write_text(
        '<a href="iterum_source-1.0.tar.gz">iterum_source-1.0.tar.gz</a>'
    )
    return url


@pytest.fixture
def config(tmp_path, index) -> RunConfig:
    return RunConfig(cache_dir=tmp_path / "cache", python_index=index, npm_registry=UNREACHABLE)


def python_plan(requirements: str, **more: str):
    return plan_for({"requirements.txt": requirements, "app.py": "x = 1\n", **more})


def installed_version(environment) -> str:
    done = subprocess.run(
        [
            str(environment.path / "bin" / "python"),
            "-c",
            "import iterum_probe as p; print(p.VERSION)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_an_environment_is_built_once_then_found_in_the_cache(config):
    cache = EnvironmentCache(config)
    builds = []
    with cache.use(python_plan("iterum-probe==1.0\n"), on_build=lambda: builds.append(1)) as first:
        assert first.built
        assert installed_version(first) == "1.0"
    with cache.use(python_plan("iterum-probe==1.0\n"), on_build=lambda: builds.append(1)) as again:
        assert (again.built, again.path) == (False, first.path)
    assert builds == [1]


def test_manifests_decide_which_environment_a_project_shares(config):
    cache = EnvironmentCache(config)
    key = cache.key(python_plan("iterum-probe==1.0\n"))
    assert cache.key(python_plan("iterum-probe==1.0\n", **{"other.py": "y = 2\n"})) == key
    assert cache.key(python_plan("iterum-probe==2.0\n")) != key
    assert cache.key(python_plan("iterum-probe==1.0\n", **{"test_app.py": ""})) != key  # +pytest
    other_index = dataclasses.replace(config, python_index="https://example.org/simple")
    assert EnvironmentCache(other_index).key(python_plan("iterum-probe==1.0\n")) != key


@pytest.mark.parametrize(
    ("requirements", "message"),
    [
        ("nothing-here\n", "The package nothing-here was not found on the index {index}."),
        ("iterum-probe==3.0\n", "iterum-probe==3.0 is not on the index {index} (no such version)."),
        (
            "iterum-source==1.0\n",
            "iterum-source==1.0 has no wheel for this machine's Python on the index {index}, and "
            "packages are installed from wheels only (no package's code runs while installing).",
        ),
    ],
)
def test_a_package_that_cannot_be_installed_is_named_with_the_index(
    config, index, requirements, message
):
    with (
        pytest.raises(EnvironmentFailed) as failed,
        EnvironmentCache(config).use(python_plan(requirements)),
    ):
        pass
    assert failed.value.message == message.format(index=index)
    assert not os.path.exists("/tmp/built-it")
    assert not [p for p in config.environments.iterdir() if p.is_dir()]  # nothing half-made


def test_an_unreachable_index_is_named(config):
    unreachable = dataclasses.replace(config, python_index=UNREACHABLE)
    with (
        pytest.raises(EnvironmentFailed) as failed,
        EnvironmentCache(unreachable).use(python_plan("iterum-probe\n")),
    ):
        pass
    assert failed.value.message.startswith(f"The package index {UNREACHABLE} could not be reached")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"requirements.txt": "--index-url http://evil.example/simple\nflask\n"},
            "requirements.txt line 1: options such as --index-url are not used here",
        ),
        ({"requirements.txt": "-e .\n"}, "requirements.txt line 1: options such as -e"),
        (
            {"requirements.txt": "flask\nevil @ https://evil.example/evil.whl\n"},
            "requirements.txt line 2: evil is a URL or a path",
        ),
        ({"requirements.txt": "git+https://evil.example/x.git\n"}, "is a URL or a path"),
        (
            {"pyproject.toml": '[project]\nname="x"\ndependencies=["y @ file:///etc"]\n'},
            "pyproject.toml: 'y @ file:///etc' is a URL or a path",
        ),
        (
            {"package.json": '{"dependencies": {"x": "git+https://evil.example/x.git"}}'},
            "package.json: x is asked for as 'git+https://evil.example/x.git'",
        ),
        (
            {"package.json": '{"dependencies": {"x": "evil/x"}}'},
            "package.json: x is asked for as 'evil/x'",
        ),
        (
            {
                "package.json": '{"dependencies": {"x": "1.0.0"}}',
                "package-lock.json": json.dumps(
                    {"packages": {"node_modules/x": {"resolved": "http://evil.example/x.tgz"}}}
                ),
            },
            "package-lock.json: x comes from http://evil.example/x.tgz, not from the registry",
        ),
    ],
)
def test_manifests_that_reach_beyond_the_index_are_refused_before_anything_runs(
    config, files, message
):
    with (
        pytest.raises(EnvironmentFailed) as failed,
        EnvironmentCache(config).use(
            plan_for({**files, "app.py": "x = 1\n"} if "package.json" not in files else files)
        ),
    ):
        pass
    assert message in failed.value.message
    assert not config.downloads.exists()


def test_an_environment_is_held_to_its_size(config):
    small = dataclasses.replace(config, install_max_mb=1)
    with (
        pytest.raises(EnvironmentFailed) as failed,
        EnvironmentCache(small).use(python_plan("iterum-big\n")),
    ):
        pass
    assert failed.value.message == "Installing stopped: the environment grew beyond 1 MB."


def test_least_recently_used_environments_go_first_and_one_in_use_stays(config):
    cache = EnvironmentCache(config)
    requirements = ["iterum-probe==1.0\n", "iterum-probe==2.0\n", "iterum-probe==1.0 # again\n"]
    plans = [python_plan(text) for text in requirements]
    paths = []
    for age, plan in enumerate(plans):
        with cache.use(plan) as environment:
            paths.append(environment.path)
        os.utime(environment.path / MARKER, (1000 + age, 1000 + age))  # oldest first
    sizes = [json.loads((p / MARKER).read_text())["bytes"] for p in paths]
    total = sum(sizes)
    budget = dataclasses.replace(config, cache_bytes=total - sizes[0] + 1)
    shutil.rmtree(config.downloads)  # only the environments count here
    assert EnvironmentCache(budget).evict() == [paths[0].name]
    assert [p.exists() for p in paths] == [False, True, True]

    with cache.use(plans[1]):  # in use: never evicted, whatever the budget
        nothing = dataclasses.replace(config, cache_bytes=1)
        assert EnvironmentCache(nothing).evict() == [paths[2].name]
    assert [p.exists() for p in paths] == [False, True, False]


def test_two_processes_wanting_the_same_environment_build_it_once(config):
    builds, paths = [], []
    plan = python_plan("iterum-probe==2.0\n")

    def want() -> None:
        with EnvironmentCache(config).use(plan, on_build=lambda: builds.append(1)) as env:
            paths.append(env.path)

    threads = [threading.Thread(target=want) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert builds == [1]
    assert len(paths) == 3
    assert len(set(paths)) == 1


needs_node = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")


@needs_node
def test_a_node_environment_without_dependencies_needs_no_registry(config):
    plan = plan_for({"package.json": '{"name": "x", "version": "1.0.0"}', "index.js": ""})
    with EnvironmentCache(config).use(plan) as environment:
        assert (environment.path / "node_modules").is_dir()


@needs_node
def test_an_unreachable_registry_is_named(config):
    quick = dataclasses.replace(config, npm_fetch_retries=0, npm_registry="http://127.0.0.1:9/")
    plan = plan_for({"package.json": '{"dependencies": {"left-pad": "1.3.0"}}', "index.js": ""})
    with pytest.raises(EnvironmentFailed) as failed, EnvironmentCache(quick).use(plan):
        pass
    assert failed.value.message == (
        "The registry http://127.0.0.1:9/ could not be reached (ECONNREFUSED)."
    )


@needs_node
def test_node_tests_run_for_real_and_are_read_test_by_test(config):
    files = {
        "package.json": '{"name": "x", "scripts": {"test": "node --test"}}',
        "test/math.test.js": (
            "const test = require('node:test');\nconst assert = require('node:assert');\n"
            "test('adds', () => assert.equal(1 + 1, 2));\n"
            "test('subtracts', () => assert.equal(1, 2));\n"
        ),
    }
    report = run_tests(files, config)
    assert report.state == FAILED
    assert [(c.name, c.outcome) for c in report.cases] == [
        ("adds", "passed"),
        ("subtracts", "failed"),
    ]
    [finding] = report.findings(files)
    assert finding.message == "subtracts failed: 1 == 2"


def test_tests_whose_environment_cannot_be_made_fail_on_the_manifest(config, index):
    files = {"requirements.txt": "nothing-here\n", "test_app.py": "def test_x():\n    pass\n"}
    report = run_tests(files, config)
    assert report.state == ERRORED
    [finding] = report.findings(files)
    assert finding.path == "requirements.txt"
    assert finding.message == (
        f"The environment could not be made: The package nothing-here was not found on the "
        f"index {index}."
    )


def test_a_project_without_tests_runs_nothing(config):
    assert run_tests({"app.py": "x = 1\n"}, config).state == NO_TESTS
    assert not config.cache_dir.exists()


def test_without_uv_nothing_runs_and_it_says_why(config, monkeypatch):
    monkeypatch.setattr(running_config, "uv_binary", lambda: None)
    with (
        pytest.raises(EnvironmentFailed) as failed,
        EnvironmentCache(config).use(python_plan("iterum-probe\n")),
    ):
        pass
    assert failed.value.unavailable
    assert failed.value.message == "uv is not installed: pip install uv (it is in requirements.txt)"
