"""How a project is run: which language and stack it is, which files define its
environment, what the runner adds to it, how its tests run and how its app starts.

Every stack's start command is in one table, START. A project can say it itself with a
Procfile `web:` line; its command then runs with PORT set to the Unix socket's path, where
it must listen (uvicorn --uds $PORT, gunicorn --bind unix:$PORT, Node's listen(PORT)).
"""

import json
import re
import shlex
import tomllib
from dataclasses import dataclass

from orchestrator.running.sandbox import SOCKET_DIR

SOCKET = f"{SOCKET_DIR}/app.sock"
JUNIT = "/tmp/iterum-junit.xml"
PYTHON_MANIFESTS = ("requirements.txt", "pyproject.toml")
NODE_MANIFESTS = ("package.json", "package-lock.json")
PYTHON_TEST = re.compile(r"(^|/)(test_[^/]*|[^/]*_test|tests)\.py$")
NODE_TEST = re.compile(r"(^|/)([^/]*\.test\.[cm]?js|test/[^/]*\.[cm]?js)$")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class StartRule:
    label: str
    command: str  # shell; {socket} and {app} are filled in
    server: tuple[str, ...] = ()  # packages the runner adds to the environment to serve it
    landing: str = "/"  # the page a preview opens on


START: dict[str, StartRule] = {
    "fastapi": StartRule(
        "FastAPI",
        "exec python -m uvicorn {app} --uds {socket}",
        server=("uvicorn",),
        landing="/docs",
    ),
    "flask": StartRule(
        "Flask",
        "exec python -m gunicorn --bind unix:{socket} --workers 1 --threads 8"
        " --access-logfile - {app}",
        server=("gunicorn",),
    ),
    "django": StartRule(
        "Django",
        "python manage.py migrate --noinput --run-syncdb"
        " && exec python -m gunicorn --bind unix:{socket} --workers 1 --threads 8"
        " --access-logfile - {app}",
        server=("gunicorn",),
    ),
    "node": StartRule("Node.js", "exec {app}"),
    "procfile": StartRule("Procfile", "{app}"),
}


@dataclass(frozen=True)
class Plan:
    """How one version's project is run."""

    language: str  # "python", "node", or "" when there is nothing to run
    manifests: dict[str, str]  # the files its environment is made from
    added: tuple[str, ...] = ()  # packages the runner adds (a server, pytest)
    stack: str = ""  # a key of START
    start: str = ""  # the shell command that starts the app ("" when it cannot be told)
    start_problem: str = ""  # why not
    env: tuple[tuple[str, str], ...] = ()  # variables the app and its tests get
    landing: str = "/"
    tests: bool = False
    test_problem: str = ""  # why its tests cannot run


def plan_for(files: dict[str, str]) -> Plan:
    python_manifests = {name: files[name] for name in PYTHON_MANIFESTS if name in files}
    if "package.json" in files and not python_manifests:
        return _node_plan(files)
    if python_manifests or any(path.endswith(".py") for path in files):
        return _python_plan(files, python_manifests)
    return Plan("", {}, start_problem="Iterum runs Python and Node.js projects; this is neither.")


def python_requirements(files: dict[str, str]) -> set[str]:
    """The distribution names a Python project asks for, normalised."""
    names = set()
    for line in files.get("requirements.txt", "").splitlines():
        match = _REQUIREMENT_NAME.match(line.split("#", 1)[0])
        if match and not line.lstrip().startswith("-"):
            names.add(normalise(match.group(1)))
    for requirement in pyproject_dependencies(files.get("pyproject.toml", "")):
        if match := _REQUIREMENT_NAME.match(requirement):
            names.add(normalise(match.group(1)))
    return names


def pyproject_dependencies(text: str) -> list[str]:
    if not text:
        return []
    try:
        project = tomllib.loads(text).get("project", {})
    except tomllib.TOMLDecodeError:
        return []
    found = [str(d) for d in project.get("dependencies", []) if isinstance(d, str)]
    for extra in (project.get("optional-dependencies") or {}).values():
        found += [str(d) for d in extra if isinstance(d, str)]
    return found


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _python_plan(files: dict[str, str], manifests: dict[str, str]) -> Plan:
    wanted = python_requirements(files)
    tests = any(PYTHON_TEST.search(path) for path in files)
    env: list[tuple[str, str]] = []
    added: list[str] = []
    stack, app, problem = "", "", ""
    settings = _django_settings(files) if "manage.py" in files else ""
    if procfile := _procfile_web(files):
        stack, app = "procfile", procfile
    elif "django" in wanted or settings:
        stack = "django"
        if settings:
            env.append(("DJANGO_SETTINGS_MODULE", settings))
            package = settings.rsplit(".", 1)[0]
            wsgi = f"{package.replace('.', '/')}/wsgi.py"
            app = f"{package}.wsgi:application" if wsgi in files else _DJANGO_FACTORY
        else:
            problem = "manage.py does not name its settings (DJANGO_SETTINGS_MODULE)"
    elif "fastapi" in wanted:
        stack = "fastapi"
        app = _find_app(files, "FastAPI")
        problem = "" if app else _no_app("FastAPI", "app = FastAPI()")
    elif "flask" in wanted:
        stack = "flask"
        app = _find_app(files, "Flask")
        problem = "" if app else _no_app("Flask", "app = Flask(__name__)")
    else:
        problem = (
            "Iterum cannot tell how to start this app: it is not FastAPI, Flask or Django. "
            "Add a Procfile with a line such as `web: python server.py`, listening on the "
            "Unix socket named by $PORT."
        )
    rule = START.get(stack)
    if rule is not None:
        added += [p for p in rule.server if normalise(p) not in wanted]
    if tests and "pytest" not in wanted:
        added.append("pytest")
    if tests and stack == "django" and "pytest-django" not in wanted:
        added.append("pytest-django")
    start = rule.command.format(socket=SOCKET, app=app) if rule and app and not problem else ""
    return Plan(
        "python",
        manifests,
        tuple(added),
        stack,
        start,
        problem,
        tuple(env),
        rule.landing if rule else "/",
        tests,
    )


_DJANGO_FACTORY = "'django.core.wsgi:get_wsgi_application()'"


def _django_settings(files: dict[str, str]) -> str:
    match = re.search(
        r"DJANGO_SETTINGS_MODULE['\"]\s*,\s*['\"]([A-Za-z_][\w.]*)['\"]", files["manage.py"]
    )
    return match.group(1) if match else ""


def _find_app(files: dict[str, str], factory: str) -> str:
    """`module:name` of the object a line `name = Factory(...)` makes, or of a create_app()
    factory; the shallowest file wins (app/main.py before app/api/v1/main.py)."""
    assignment = re.compile(rf"^(\w+)\s*(?::[^=\n]+)?=\s*{factory}\(", re.M)
    candidates = []
    for path, content in files.items():
        if not path.endswith(".py") or PYTHON_TEST.search(path):
            continue
        module = path[:-3].replace("/", ".").removesuffix(".__init__")
        if match := assignment.search(content):
            candidates.append((path.count("/"), path, f"{module}:{match.group(1)}"))
        elif re.search(r"^def create_app\(", content, re.M) and factory in content:
            candidates.append((path.count("/") + 0.5, path, f"'{module}:create_app()'"))
    return min(candidates)[2] if candidates else ""


def _no_app(framework: str, example: str) -> str:
    return (
        f"No {framework} application was found (a line such as `{example}`). Add one, or a "
        "Procfile `web:` line that starts the app on the Unix socket named by $PORT."
    )


def _procfile_web(files: dict[str, str]) -> str:
    for line in files.get("Procfile", "").splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "web" and command.strip():
            return command.strip()
    return ""


def _node_plan(files: dict[str, str]) -> Plan:
    manifests = {name: files[name] for name in NODE_MANIFESTS if name in files}
    tests = any(NODE_TEST.search(path) for path in files)
    try:
        package = json.loads(files["package.json"])
    except json.JSONDecodeError as error:
        problem = f"package.json is not valid JSON ({error})"
        return Plan("node", manifests, start_problem=problem, tests=tests, test_problem=problem)
    if not isinstance(package, dict):
        package = {}
    scripts = package.get("scripts") if isinstance(package.get("scripts"), dict) else {}
    test_problem = ""
    runner = str(scripts.get("test", ""))
    if other := next((t for t in ("jest", "mocha", "vitest", "ava", "tap") if t in runner), None):
        test_problem = f"The tests use {other}; Iterum runs Node.js tests with node --test only."
    if procfile := _procfile_web(files):
        stack, app = "procfile", procfile
    else:
        stack, app = "node", _node_main(files, package, scripts)
    rule = START[stack]
    problem = (
        ""
        if app
        else "Iterum cannot tell how to start this app: package.json has no start script or "
        "main file. Add one that listens on process.env.PORT (a Unix socket's path)."
    )
    start = rule.command.format(socket=SOCKET, app=app) if app else ""
    return Plan(
        "node",
        manifests,
        (),
        stack,
        start,
        problem,
        (("NODE_ENV", "development"),),
        "/",
        tests,
        test_problem,
    )


def _node_main(files: dict[str, str], package: dict, scripts: dict) -> str:
    start = str(scripts.get("start", "")).strip()
    words = start.split()
    if len(words) == 2 and words[0] == "node" and words[1].lstrip("./") in files:
        return "node " + shlex.quote(words[1])
    if start:
        return "npm run --silent start"
    main = str(package.get("main", "") or "")
    for candidate in (main, "server.js", "index.js", "app.js", "src/server.js", "src/index.js"):
        if candidate and candidate.lstrip("./") in files:
            return "node " + shlex.quote(candidate)
    return ""


def command_for_tests(plan: Plan) -> str:
    """The shell command that runs the project's tests and writes JUnit XML to descriptor 3."""
    if plan.language == "python":
        run = (
            "python -m pytest -p no:cacheprovider -q --tb=short -o junit_family=xunit1 "
            f"--junitxml={JUNIT}"
        )
        if plan.stack == "django":
            run += " -o 'python_files=tests.py test_*.py *_test.py *_tests.py'"
    else:
        run = (
            "node --test --test-reporter=spec --test-reporter-destination=stdout "
            f"--test-reporter=junit --test-reporter-destination={JUNIT}"
        )
    return f'{run}; code=$?; cat {JUNIT} >&3 2>/dev/null; exit "$code"'
