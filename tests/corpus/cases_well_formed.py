"""Answers written as asked: each must apply exactly, with no repair call."""

from tests.corpus import Case, edit, plan, whole
from tests.corpus.projects import (
    APP,
    EXPRESS,
    GO,
    MAIN_GO,
    MAKEFILE,
    MIXED,
    MODELS,
    README,
    SERVER_JS,
    TESTS,
)

HEALTH = """

@app.get("/health")
def health():
    return jsonify({"ok": True})
"""
APP_HEALTH = APP.replace(
    '\n\nif __name__ == "__main__":', HEALTH + '\n\nif __name__ == "__main__":'
)
INDEX = (
    'def index():\n    return jsonify({"service": "todos", "status": "ok"})\n',
    'def index():\n    return jsonify({"service": "todos", "status": "ok", "version": 2})\n',
)
APP_V2 = APP.replace('"status": "ok"})', '"status": "ok", "version": 2})')
COMPLETE = """

@app.post("/todos/<int:todo_id>/complete")
def complete_todo(todo_id):
    return jsonify(store.complete(todo_id).to_dict())
"""


def case(name: str, answers: list, expect, **fields) -> Case:
    return Case(name, "well_formed", answers, expect, well_formed=True, **fields)


CASES = [
    case(
        "a new file, planned",
        [plan("NOTES.md") + whole("NOTES.md", "# Notes\n\nRemember the milk.\n")],
        {"NOTES.md": "# Notes\n\nRemember the milk.\n"},
    ),
    case("one edit block", [edit("app.py", INDEX)], {"app.py": APP_V2}),
    case(
        "two blocks in one file",
        [
            edit(
                "models.py",
                ("    done: bool = False\n", "    done: bool = False\n    priority: int = 0\n"),
                (
                    '        return {"id": self.id, "title": self.title, "done": self.done}\n',
                    '        return {"id": self.id, "title": self.title, "done": self.done,'
                    ' "priority": self.priority}\n',
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "    done: bool = False\n", "    done: bool = False\n    priority: int = 0\n"
            ).replace('"done": self.done}\n', '"done": self.done, "priority": self.priority}\n')
        },
    ),
    case(
        "an endpoint and its test in two files",
        [
            "I'll add a health endpoint and a test for it.\n\n"
            + plan("app.py", "tests/test_app.py")
            + edit(
                "app.py",
                ('\n\nif __name__ == "__main__":\n', HEALTH + '\n\nif __name__ == "__main__":\n'),
            )
            + edit(
                "tests/test_app.py",
                (
                    '    assert client.post("/todos", json={}).status_code == 400\n',
                    '    assert client.post("/todos", json={}).status_code == 400\n\n\n'
                    'def test_health():\n    assert app.test_client().get("/health").json == {"ok": True}\n',
                ),
            )
        ],
        {
            "app.py": APP_HEALTH,
            "tests/test_app.py": TESTS
            + '\n\ndef test_health():\n    assert app.test_client().get("/health").json == {"ok": True}\n',
        },
    ),
    case(
        "edit, delete and rename together",
        [
            edit("app.py", INDEX)
            + "@@@ DELETE requirements.txt\n@@@ RENAME README.md -> docs/README.md\n"
        ],
        {"app.py": APP_V2, "requirements.txt": None, "README.md": None, "docs/README.md": README},
    ),
    case(
        "a whole file rewritten with a small change",
        [whole("models.py", MODELS.replace("done: bool = False", "done: bool = True"))],
        {"models.py": MODELS.replace("done: bool = False", "done: bool = True")},
    ),
    case(
        "prose around the operations",
        [
            "Sure! Here is the change you asked for.\n\n"
            + edit("app.py", INDEX)
            + "\nThis adds a version field. Let me know if you need anything else.\n"
        ],
        {"app.py": APP_V2},
    ),
    case(
        "an empty SEARCH appends",
        [edit("requirements.txt", ("", "gunicorn==23.0.0\n"))],
        {"requirements.txt": "flask==3.1.0\npytest==8.3.4\ngunicorn==23.0.0\n"},
    ),
    case(
        "a delete",
        ["@@@ PLAN tests/test_app.py\n@@@ DELETE tests/test_app.py\n"],
        {"tests/test_app.py": None},
    ),
    case(
        "a rename into a new folder",
        ["@@@ RENAME models.py -> todos/models.py\n"],
        {"models.py": None, "todos/models.py": MODELS},
    ),
    case(
        "a JavaScript edit with two-space indentation",
        [
            edit(
                "src/server.js",
                (
                    'app.get("/health", (req, res) => {\n  res.json({ ok: true });\n});\n',
                    'app.get("/health", (req, res) => {\n  res.json({ ok: true, uptime: process.uptime() });\n});\n',
                ),
            )
        ],
        {
            "src/server.js": SERVER_JS.replace(
                "{ ok: true }", "{ ok: true, uptime: process.uptime() }"
            )
        },
        files=EXPRESS,
    ),
    case(
        "a Makefile recipe with tabs",
        [
            edit(
                "Makefile", ("test:\n\tgo test ./...\n", "test:\n\tgo vet ./...\n\tgo test ./...\n")
            )
        ],
        {"Makefile": MAKEFILE.replace("test:\n\tgo test", "test:\n\tgo vet ./...\n\tgo test")},
        files=GO,
    ),
    case(
        "a Go edit with tabs",
        [
            edit(
                "main.go",
                (
                    '\tfmt.Fprintln(w, "ok")\n',
                    '\tw.Header().Set("Content-Type", "text/plain")\n\tfmt.Fprintln(w, "ok")\n',
                ),
            )
        ],
        {
            "main.go": MAIN_GO.replace(
                '\tfmt.Fprintln(w, "ok")\n',
                '\tw.Header().Set("Content-Type", "text/plain")\n\tfmt.Fprintln(w, "ok")\n',
            )
        },
        files=GO,
    ),
    case(
        "a YAML edit",
        [edit("config.yaml", ("  pool:\n    size: 5\n", "  pool:\n    size: 20\n"))],
        {"config.yaml": MIXED["config.yaml"].replace("size: 5", "size: 20")},
        files=MIXED,
    ),
    case(
        "a block that deletes lines",
        [
            edit(
                "app.py",
                (
                    '@app.get("/")\ndef index():\n    return jsonify({"service": "todos", "status": "ok"})\n\n\n',
                    "",
                ),
            )
        ],
        {
            "app.py": APP.replace(
                '@app.get("/")\ndef index():\n    return jsonify({"service": "todos", "status": "ok"})\n\n\n',
                "",
            )
        },
        prompt="remove the index endpoint",
    ),
    case(
        "new files in new folders",
        [
            plan("app/__init__.py", "app/routes/health.py")
            + whole("app/__init__.py", "")
            + whole("app/routes/health.py", "def health():\n    return {'ok': True}\n")
        ],
        {"app/__init__.py": "", "app/routes/health.py": "def health():\n    return {'ok': True}\n"},
    ),
    case(
        "a Markdown edit whose text holds a code fence",
        [
            edit(
                "README.md",
                (
                    "```sh\npip install -r requirements.txt\npython app.py\n```\n",
                    "```sh\npip install -r requirements.txt\nflask --app app run\n```\n",
                ),
            )
        ],
        {"README.md": README.replace("python app.py\n```", "flask --app app run\n```")},
    ),
    case(
        "a new Markdown file that holds fences",
        [whole("docs/usage.md", "# Usage\n\n```sh\ncurl localhost:5000/todos\n```\n\nDone.\n")],
        {"docs/usage.md": "# Usage\n\n```sh\ncurl localhost:5000/todos\n```\n\nDone.\n"},
    ),
    case(
        "a comment that reads like a placeholder, next to real code",
        [
            edit(
                "app.py",
                (
                    "    todo = store.add(title)\n",
                    "    # Keep the existing behaviour for old clients: strip the title.\n"
                    "    todo = store.add(title)\n",
                ),
            )
        ],
        {
            "app.py": APP.replace(
                "    todo = store.add(title)\n",
                "    # Keep the existing behaviour for old clients: strip the title.\n    todo = store.add(title)\n",
            )
        },
    ),
    case(
        "a simplification the user asked for",
        [
            whole(
                "app.py",
                'from flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n@app.get("/")\n'
                'def index():\n    return jsonify({"service": "todos", "status": "ok"})\n',
            )
        ],
        {
            "app.py": 'from flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n@app.get("/")\n'
            'def index():\n    return jsonify({"service": "todos", "status": "ok"})\n'
        },
        prompt="simplify app.py down to the index endpoint only",
    ),
    case(
        "a function removed on request",
        [
            edit(
                "models.py",
                (
                    "\n    def complete(self, todo_id):\n        todo = self.todos[todo_id]\n        todo.done = True\n        return todo\n",
                    "",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "\n    def complete(self, todo_id):\n        todo = self.todos[todo_id]\n        todo.done = True\n        return todo\n",
                "",
            )
        },
        prompt="remove TodoStore.complete, nothing uses it",
    ),
    case(
        "a new except clause with pass",
        [
            edit(
                "app.py",
                (
                    "    payload = request.get_json(force=True)\n",
                    "    try:\n        payload = request.get_json(force=True)\n    except ValueError:\n        pass\n",
                ),
            )
        ],
        {
            "app.py": APP.replace(
                "    payload = request.get_json(force=True)\n",
                "    try:\n        payload = request.get_json(force=True)\n    except ValueError:\n        pass\n",
            )
        },
    ),
    case(
        "a new protocol whose methods are ellipses",
        [
            whole(
                "store_protocol.py",
                "from typing import Protocol\n\n\nclass Store(Protocol):\n    def all(self): ...\n\n    def add(self, title):\n        ...\n",
            )
        ],
        {
            "store_protocol.py": "from typing import Protocol\n\n\nclass Store(Protocol):\n    def all(self): ...\n\n    def add(self, title):\n        ...\n"
        },
    ),
    case(
        "a JSON manifest edit",
        [
            edit(
                "package.json",
                (
                    '    "express": "^4.21.0"\n',
                    '    "express": "^4.21.0",\n    "morgan": "^1.10.0"\n',
                ),
            )
        ],
        {
            "package.json": EXPRESS["package.json"].replace(
                '"express": "^4.21.0"\n', '"express": "^4.21.0",\n    "morgan": "^1.10.0"\n'
            )
        },
        files=EXPRESS,
    ),
    case(
        "a rename with its imports updated",
        [
            plan("models.py", "store.py", "app.py")
            + "@@@ RENAME models.py -> store.py\n"
            + edit(
                "app.py",
                ("from models import Todo, TodoStore\n", "from store import Todo, TodoStore\n"),
            )
        ],
        {
            "models.py": None,
            "store.py": MODELS,
            "app.py": APP.replace("from models import", "from store import"),
        },
        prompt="rename models.py to store.py",
    ),
    case(
        "an endpoint added at the end of the routes",
        [edit("app.py", ('    return "", 204\n', '    return "", 204\n' + COMPLETE))],
        {"app.py": APP.replace('    return "", 204\n', '    return "", 204\n' + COMPLETE)},
    ),
    case(
        "a change to the last line of a file",
        [edit("app.py", ("    app.run(debug=True)\n", "    app.run(debug=True, port=8080)\n"))],
        {"app.py": APP.replace("app.run(debug=True)", "app.run(debug=True, port=8080)")},
    ),
]
