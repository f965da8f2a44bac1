"""The checks: the broken projects give exactly their findings, right ones give no error,
real code from well-known packages gives no error, and nothing the model writes makes a
check fail."""

import importlib.util
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator import LocalHost, ProjectBrief, generate, iterate
from orchestrator.checks import Finding, check_project
from orchestrator.checks import project as checks_project
from orchestrator.checks import python as checks_python
from orchestrator.checks.languages import language_of
from orchestrator.providers.demo import DemoProvider
from orchestrator.providers.demo_projects import STACKS
from tests.support.broken_projects import CASES, CLEAN


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_broken_project_gives_its_finding_and_no_other_error(case):
    report = check_project(case.files)
    for want in case.expected:
        matching = [
            f
            for f in report.findings
            if (f.path, f.line, f.severity, f.rule)
            == (want.path, want.line, want.severity, want.rule)
            and want.words in f.message
        ]
        assert matching, f"expected {want}, found:\n" + "\n".join(
            f.describe() for f in report.findings
        )
    expected_errors = {(w.path, w.line) for w in case.expected if w.severity == "error"}
    others = [f for f in report.errors if (f.path, f.line) not in expected_errors]
    assert others == [], "\n".join(f.describe() for f in others)


@pytest.mark.parametrize("name", list(CLEAN))
def test_a_right_project_gives_no_error(name):
    report = check_project(CLEAN[name])
    assert report.errors == (), "\n".join(f.describe() for f in report.errors)


def installed_package(name: str) -> dict[str, str]:
    """A package's files as a project, read from the virtual environment (pinned versions):
    real code from well-known projects, under their own licences, never copied here."""
    spec = importlib.util.find_spec(name)
    root = pathlib.Path(spec.origin).parent
    files = {}
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".js", ".json"} and "__pycache__" not in path.parts:
            files[f"{name}/{path.relative_to(root).as_posix()}"] = path.read_text()
    return files


@pytest.mark.parametrize("package", ["h11", "sqlparse", "asgiref", "idna", "django_htmx", "httpx"])
def test_real_packages_give_no_error(package):
    report = check_project(installed_package(package))
    assert report.errors == (), "\n".join(f.describe() for f in report.errors[:20])


def test_this_repository_gives_no_error():
    root = pathlib.Path(__file__).resolve().parents[2]
    files = {}
    for folder in [
        "orchestrator",
        "generations",
        "config",
        "bench",
        "tests",
        "static/js",
        "client",
    ]:
        for path in (root / folder).rglob("*"):
            if path.suffix in {".py", ".js", ".css", ".toml"} and "__pycache__" not in path.parts:
                files[path.relative_to(root).as_posix()] = path.read_text()
    for name in ["requirements.txt", "pyproject.toml", "manage.py"]:
        files[name] = (root / name).read_text()
    report = check_project(files)
    assert report.errors == (), "\n".join(f.describe() for f in report.errors[:20])


@pytest.mark.parametrize("stack", list(STACKS))
def test_the_demo_model_projects_pass_their_own_checks(stack):
    brief = ProjectBrief("Todo app", "a todo app", stack)
    model = DemoProvider(chunk_delay=0)
    files = generate(brief, model, LocalHost()).files
    assert check_project(files).findings == ()
    for prompt in ["add a health-check endpoint", "rename Todo to Task", "add a Dockerfile"]:
        changed = iterate(files, prompt, brief, model, LocalHost()).files
        assert check_project(changed).findings == (), prompt


def test_unchanged_files_are_not_checked_again(monkeypatch):
    ran = []
    real = checks_project.ruff_findings
    monkeypatch.setattr(
        checks_project, "ruff_findings", lambda files: ran.append(set(files)) or real(files)
    )
    files = {"a_cache_test.py": "x = 1\n", "b_cache_test.py": "y = undefined_one\n"}
    first = check_project(files)
    second = check_project({**files, "c_cache_test.py": "z = 2\n"})
    assert ran == [set(files), {"c_cache_test.py"}]
    assert first.findings == second.findings
    assert [f.rule for f in first.findings] == ["F821"]


def test_without_ruff_python_is_still_checked_for_syntax_and_says_so(monkeypatch):
    monkeypatch.setattr(checks_python, "ruff_binary", lambda: None)
    monkeypatch.setattr(checks_project, "_ruff", type(checks_project._ruff)())
    report = check_project({"no_ruff.py": "def f(:\n    pass\n"})
    assert [(f.rule, f.line) for f in report.findings] == [("syntax", 1)]
    assert report.unavailable == (
        "ruff is not installed, so Python files were checked for syntax only",
    )


def test_a_report_says_what_it_found():
    report = check_project({"a.py": "print(missing)\n", "b.py": "import os\n"})
    assert report.summary() == "1 error, 1 warning"
    assert [f.describe() for f in report.findings] == [
        "a.py:1:7: error: Undefined name `missing` [F821]",
        "b.py:1:8: warning: `os` imported but unused [F401]",
    ]
    assert Finding.from_dict(report.findings[0].as_dict()) == report.findings[0]
    assert check_project({"ok.py": "x = 1\n"}).summary() == "All checks passed"


# Whatever the model writes, the checks give findings, never an exception. -------------------

EXTENSIONS = ["py", "js", "ts", "tsx", "json", "yaml", "toml", "css", "html", "go", "sql"]
TEXT = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=300
)
SNIPPETS = st.sampled_from(
    [
        "import ",
        "from . import x\n",
        "from .. import (\n",
        "require('./",
        "export * from './a';\n",
        "module.exports = ",
        "def f(:\n",
        "{\n",
        "'''",
        "\\",
        "\n\t",
        "@@@ END\n",
    ]
)
CONTENT = st.lists(st.one_of(TEXT, SNIPPETS), max_size=8).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.tuples(
            st.sampled_from(["a", "pkg/b", "src/c", "pkg/__init__"]), st.sampled_from(EXTENSIONS)
        ).map(lambda p: f"{p[0]}.{p[1]}"),
        CONTENT,
        max_size=4,
    )
)
def test_any_text_gives_findings_at_real_places(files):
    report = check_project(files)
    for finding in report.findings:
        assert finding.path in files or finding.path.endswith(("requirements.txt", "package.json"))
        lines = files[finding.path].count("\n") + 1 if finding.path in files else 1
        assert 0 <= finding.line <= lines + 1
        assert finding.severity in {"error", "warning"}
        assert finding.message


def test_languages_come_from_file_names():
    assert language_of("Dockerfile") == "dockerfile"
    assert language_of("docker/Dockerfile.dev") == "dockerfile"
    assert language_of("src/App.TSX") == "tsx"
    assert language_of("tsconfig.json") is None  # JSON with comments
    assert language_of(".env") is None
    assert language_of("README.md") is None
