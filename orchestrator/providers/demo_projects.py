"""Starter projects the offline demo model writes, one per tech stack.

Each file's content lives in starters/<stack>/<path>.tmpl beside this module, with tokens:
__title__, __Resource__ (class name), __resource__ (singular), __resources__ (plural).
Each stack also says where a new endpoint goes, so the demo can honour "add an endpoint".
"""

from dataclasses import dataclass
from pathlib import Path

from orchestrator.tech_stacks import TECH_STACKS

STARTERS = Path(__file__).with_name("starters")


@dataclass(frozen=True)
class StarterFile:
    path: str
    purpose: str
    phase: int


@dataclass(frozen=True)
class Stack:
    key: str  # one of orchestrator.tech_stacks.TECH_STACKS
    phases: tuple[str, ...]
    files: tuple[StarterFile, ...]
    route_file: str  # where endpoints live
    route_anchor: str  # new endpoints go just before this line
    route_template: str  # tokens: __route__ (url path), __handler__ (function name)
    # Stacks whose routes are registered apart from the handler (Django's urls.py):
    register_file: str = ""
    register_anchor: str = ""
    register_template: str = ""

    @property
    def label(self) -> str:
        return next(stack.label for stack in TECH_STACKS if stack.key == self.key)

    def template(self, file: StarterFile) -> str:
        """The content of one starter file, tokens unfilled."""
        return (STARTERS / self.key / f"{file.path}.tmpl").read_text()


FASTAPI = Stack(
    key="fastapi_postgres",
    phases=("Foundation", "API", "Docs and tests"),
    route_file="app/main.py",
    route_anchor="# End of routes.\n",
    route_template='@app.get("/__route__")\ndef __handler__():\n    return {"status": "ok"}\n\n\n',
    files=(
        StarterFile("requirements.txt", "Python dependencies", 1),
        StarterFile("app/__init__.py", "Package marker", 1),
        StarterFile("app/database.py", "Engine, session and base class", 1),
        StarterFile("app/models.py", "The __Resource__ table", 1),
        StarterFile("app/schemas.py", "Request and response shapes", 2),
        StarterFile("app/main.py", "The HTTP API", 2),
        StarterFile("tests/test_api.py", "API tests", 3),
        StarterFile("README.md", "How to run it", 3),
    ),
)

FLASK = Stack(
    key="flask",
    phases=("Application", "Docs and tests"),
    route_file="app.py",
    route_anchor='if __name__ == "__main__":\n',
    route_template='@app.get("/__route__")\ndef __handler__():\n    return {"status": "ok"}\n\n\n',
    files=(
        StarterFile("requirements.txt", "Python dependencies", 1),
        StarterFile("app.py", "The web application", 1),
        StarterFile("test_app.py", "Tests", 2),
        StarterFile("README.md", "How to run it", 2),
    ),
)

EXPRESS = Stack(
    key="express",
    phases=("Application", "Docs and tests"),
    route_file="src/app.js",
    route_anchor="module.exports = app;\n",
    route_template='app.get("/__route__", (req, res) => {\n  res.json({ status: "ok" });\n});\n\n',
    files=(
        StarterFile("package.json", "Dependencies and scripts", 1),
        StarterFile("src/app.js", "Routes", 1),
        StarterFile("src/server.js", "Starts the server", 1),
        StarterFile("test/app.test.js", "Tests", 2),
        StarterFile("README.md", "How to run it", 2),
    ),
)

DJANGO = Stack(
    key="django",
    phases=("Project", "App", "Docs and tests"),
    route_file="__resources__/views.py",
    route_anchor="# End of views.\n",
    route_template='def __handler__(request):\n    return JsonResponse({"status": "ok"})\n\n\n',
    register_file="__resources__/urls.py",
    register_anchor="]\n",
    register_template='    path("__route__/", views.__handler__),\n',
    files=(
        StarterFile("requirements.txt", "Python dependencies", 1),
        StarterFile("manage.py", "Django's command line", 1),
        StarterFile("config/__init__.py", "Package marker", 1),
        StarterFile("config/settings.py", "Settings", 1),
        StarterFile("config/urls.py", "URL routes", 1),
        StarterFile("config/wsgi.py", "The WSGI entry point", 1),
        StarterFile("__resources__/__init__.py", "Package marker", 2),
        StarterFile("__resources__/models.py", "The __Resource__ model", 2),
        StarterFile("__resources__/views.py", "JSON views", 2),
        StarterFile("__resources__/urls.py", "The app's routes", 2),
        StarterFile("__resources__/tests.py", "Tests", 3),
        StarterFile("pytest.ini", "Test settings", 3),
        StarterFile("README.md", "How to run it", 3),
    ),
)

STACKS: dict[str, Stack] = {stack.key: stack for stack in (FASTAPI, DJANGO, FLASK, EXPRESS)}
