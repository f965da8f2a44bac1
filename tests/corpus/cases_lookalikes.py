"""Legitimate code that reads like a placeholder, and shrinks the request asks for: each must
apply with no repair call."""

import functools

from tests.corpus import Case, classed, edit, whole
from tests.corpus.projects import APP, EXPRESS, FLASK, INDEX_OK, MODELS

case = functools.partial(classed, wf=True)  # every case here must apply at once


def one_edit(
    path: str,
    old: str,
    new: str,
    files: dict = FLASK,
    prompt: str = "make the requested change",
    name: str | None = None,
) -> Case:
    """A well-formed one-block edit of `path` that replaces `old` with `new`."""
    return case(
        "lazy",
        name or f"legit edit {old[:30]!r}",
        [edit(path, (old, new))],
        {path: files[path].replace(old, new)},
        files=files,
        prompt=prompt,
    )


CASES = [
    one_edit(
        "app.py",
        INDEX_OK,
        "    # Same response as before, plus the version number.\n"
        + INDEX_OK.replace("})", ', "version": 2})'),
        name="comment: same response as before, plus",
    ),
    one_edit(
        "app.py",
        INDEX_OK,
        "    # The rest of the routes live below.\n" + INDEX_OK,
        name="comment: the rest of the routes live below",
    ),
    one_edit(
        "models.py",
        "    def all(self):\n        return list(self.todos.values())\n",
        "    def all(self):\n        # Existing code relied on insertion order; keep it.\n        return list(self.todos.values())\n",
        name="comment: existing code relied on",
    ),
    one_edit(
        "models.py",
        "    def remove(self, todo_id):\n        return self.todos.pop(todo_id, None) is not None\n",
        "    def remove(self, todo_id):\n        # Unchanged behaviour for unknown ids: report False.\n        return self.todos.pop(todo_id, None) is not None\n",
        name="comment: unchanged behaviour for",
    ),
    one_edit(
        "models.py",
        "    def complete(self, todo_id):\n        todo = self.todos[todo_id]\n        todo.done = True\n        return todo\n",
        '    def complete(self, todo_id):\n        raise NotImplementedError("completing todos moved to the service layer")\n',
        prompt="stop completing todos in the store; raise NotImplementedError instead",
        name="requested NotImplementedError",
    ),
    one_edit(
        "models.py",
        "    def remove(self, todo_id):\n        return self.todos.pop(todo_id, None) is not None\n",
        "    def remove(self, todo_id):\n        pass\n",
        prompt="make remove a no-op for now",
        name="requested no-op",
    ),
    one_edit(
        "models.py",
        "    def complete(self, todo_id):\n        todo = self.todos[todo_id]\n        todo.done = True\n        return todo\n",
        "    def complete(self, todo_id):\n        todo = self.todos[todo_id]\n        todo.done = True\n        # TODO: notify watchers once notifications exist\n        return todo\n",
        name="a real TODO next to code",
    ),
    one_edit(
        "README.md",
        "- `POST /todos` creates one.\n",
        "- `POST /todos` creates one.\n- ... and more to come.\n",
        name="readme: and more to come",
    ),
    one_edit(
        "src/db.js",
        "async function listBooks() {\n  return books;\n}\n",
        "async function listBooks() {\n  // ...existing books are returned as a copy\n  return [...books];\n}\n",
        files=EXPRESS,
        name="js spread and elision-like comment",
    ),
    one_edit(
        "src/server.js",
        "app.use(express.json());\n",
        "app.use(express.json());\n// Other middleware goes here as the app grows.\n",
        files=EXPRESS,
        name="js: other middleware goes here",
    ),
    case(
        "lazy",
        "whole rewrite, simplify request, file halves",
        [
            whole(
                "app.py",
                'from flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef index():\n    return jsonify({"status": "ok"})\n',
            )
        ],
        {
            "app.py": 'from flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef index():\n    return jsonify({"status": "ok"})\n'
        },
        prompt="strip the app down to just the index route",
    ),
    case(
        "lazy",
        "whole rewrite that converts functions to a class (defs renamed)",
        [
            whole(
                "tests/test_app.py",
                'from app import app\n\n\nclass TestApp:\n    def setup_method(self):\n        self.client = app.test_client()\n\n    def test_index(self):\n        assert self.client.get("/").status_code == 200\n\n    def test_create_requires_title(self):\n        assert self.client.post("/todos", json={}).status_code == 400\n',
            )
        ],
        {
            "tests/test_app.py": 'from app import app\n\n\nclass TestApp:\n    def setup_method(self):\n        self.client = app.test_client()\n\n    def test_index(self):\n        assert self.client.get("/").status_code == 200\n\n    def test_create_requires_title(self):\n        assert self.client.post("/todos", json={}).status_code == 400\n'
        },
        prompt="group the tests in a class",
    ),
    case(
        "lazy",
        "whole rewrite of models in a different order",
        [
            whole(
                "models.py",
                MODELS.replace(
                    "    def all(self):\n        return list(self.todos.values())\n\n", ""
                ).replace(
                    "    def complete(self, todo_id):",
                    "    def all(self):\n        return list(self.todos.values())\n\n    def complete(self, todo_id):",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "    def all(self):\n        return list(self.todos.values())\n\n", ""
            ).replace(
                "    def complete(self, todo_id):",
                "    def all(self):\n        return list(self.todos.values())\n\n    def complete(self, todo_id):",
            )
        },
        prompt="put all() just before complete()",
    ),
    case(
        "lazy",
        "python abstract base with ... bodies, new file",
        [
            whole(
                "base.py",
                "from abc import ABC, abstractmethod\n\n\nclass Store(ABC):\n    @abstractmethod\n    def all(self): ...\n\n    @abstractmethod\n    def add(self, title): ...\n",
            )
        ],
        {
            "base.py": "from abc import ABC, abstractmethod\n\n\nclass Store(ABC):\n    @abstractmethod\n    def all(self): ...\n\n    @abstractmethod\n    def add(self, title): ...\n"
        },
    ),
    case(
        "lazy",
        "except: pass replacing logging on request to silence",
        [
            edit(
                "app.py",
                (
                    "    todo = store.add(title)\n",
                    "    try:\n        todo = store.add(title)\n    except ValueError:\n        pass\n",
                ),
            )
        ],
        {
            "app.py": APP.replace(
                "    todo = store.add(title)\n",
                "    try:\n        todo = store.add(title)\n    except ValueError:\n        pass\n",
            )
        },
    ),
]
