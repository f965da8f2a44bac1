"""How each project is run: its environment's manifests, what the runner adds, how its app
starts (one table per stack, a Procfile overriding it) and how its tests run."""

import pytest

from orchestrator import LocalHost, ProjectBrief, generate
from orchestrator.providers.demo import DemoProvider
from orchestrator.running.stacks import command_for_tests, plan_for

DEMO = DemoProvider(chunk_delay=0)


def starter(stack: str) -> dict[str, str]:
    brief = ProjectBrief(title="Todo", prompt="a todo api", stack=stack, domain="todos")
    return generate(brief, DEMO, LocalHost()).files


@pytest.mark.parametrize(
    ("stack", "language", "start", "added", "landing"),
    [
        (
            "fastapi_postgres",
            "python",
            "exec python -m uvicorn app.main:app --uds /run/app/app.sock",
            (),
            "/docs",
        ),
        (
            "flask",
            "python",
            "exec python -m gunicorn --bind unix:/run/app/app.sock --workers 1 --threads 8"
            " --access-logfile - app:app",
            ("gunicorn",),
            "/",
        ),
        (
            "django",
            "python",
            "python manage.py migrate --noinput --run-syncdb && exec python -m gunicorn --bind"
            " unix:/run/app/app.sock --workers 1 --threads 8 --access-logfile -"
            " config.wsgi:application",
            ("gunicorn",),
            "/",
        ),
        ("express", "node", "exec node src/server.js", (), "/"),
    ],
)
def test_every_starter_has_a_plan(stack, language, start, added, landing):
    plan = plan_for(starter(stack))
    assert (plan.language, plan.start, plan.added, plan.landing) == (
        language,
        start,
        added,
        landing,
    )
    assert plan.tests
    assert (plan.start_problem, plan.test_problem) == ("", "")
    assert set(plan.manifests) <= {"requirements.txt", "package.json"}


def test_a_procfile_web_line_overrides_the_table():
    files = starter("flask") | {"Procfile": "worker: celery\nweb: python serve.py --uds $PORT\n"}
    assert plan_for(files).start == "python serve.py --uds $PORT"


def test_the_runner_adds_what_tests_and_serving_need_when_the_project_lacks_it():
    plan = plan_for(
        {
            "requirements.txt": "Django>=5\n",
            "manage.py": 'environ.setdefault("DJANGO_SETTINGS_MODULE", "site_config.settings")\n',
            "shop/tests.py": "",
        }
    )
    assert plan.added == ("gunicorn", "pytest", "pytest-django")
    assert dict(plan.env) == {"DJANGO_SETTINGS_MODULE": "site_config.settings"}
    assert "'django.core.wsgi:get_wsgi_application()'" in plan.start  # no wsgi.py of its own


def test_a_flask_factory_is_started_by_calling_it():
    files = {
        "requirements.txt": "flask\n",
        "shop/__init__.py": (
            "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
        ),
    }
    assert plan_for(files).start.endswith("'shop:create_app()'")


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"requirements.txt": "fastapi\n", "main.py": "x = 1\n"}, "No FastAPI application"),
        ({"script.py": "print(1)\n"}, "cannot tell how to start"),
        ({"package.json": '{"name": "x"}'}, "no start script or main file"),
        ({"package.json": "{"}, "not valid JSON"),
        ({"README.md": "# hi\n"}, "neither"),
    ],
)
def test_a_project_that_cannot_be_started_says_why(files, problem):
    assert problem in plan_for(files).start_problem


def test_node_tests_of_another_runner_are_not_run_with_node_test():
    files = {
        "package.json": '{"scripts": {"start": "node index.js", "test": "jest"}}',
        "index.js": "",
        "index.test.js": "",
    }
    assert plan_for(files).test_problem == (
        "The tests use jest; Iterum runs Node.js tests with node --test only."
    )


def test_a_start_script_that_is_not_plain_node_runs_through_npm():
    files = {"package.json": '{"scripts": {"start": "node --watch index.js"}}', "index.js": ""}
    assert plan_for(files).start == "exec npm run --silent start"


def test_test_commands_write_junit_to_descriptor_three_and_keep_the_exit_code():
    python = command_for_tests(plan_for(starter("django")))
    assert "--junitxml=/tmp/iterum-junit.xml" in python
    assert "python_files=tests.py" in python
    node = command_for_tests(plan_for(starter("express")))
    assert "--test-reporter=junit" in node
    for command in (python, node):
        assert command.endswith('cat /tmp/iterum-junit.xml >&3 2>/dev/null; exit "$code"')
