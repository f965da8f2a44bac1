"""Lazy answers (code replaced by placeholders, files cut down) and the honest answers that
only look lazy (a comment that reads like a placeholder, a shrink the user asked for)."""

from tests.corpus import Case, Fails, edit, whole
from tests.corpus.projects import APP, EXPRESS, MODELS, README, SERVER_JS

APP_UP = APP.replace('"status": "ok"})', '"status": "up"})')
COMPLETE_BODY = (
    "        todo = self.todos[todo_id]\n        todo.done = True\n        return todo\n"
)
MODELS_PRIORITY = MODELS.replace(
    "    done: bool = False\n", "    done: bool = False\n    priority: int = 0\n"
)


def case(name: str, answers: list, expect, **fields) -> Case:
    return Case(name, "lazy", answers, expect, **fields)


CASES = [
    case(
        "a method body elided as ... # unchanged, regenerated",
        [
            whole(
                "models.py", MODELS_PRIORITY.replace(COMPLETE_BODY, "        ...  # unchanged\n")
            ),
            whole("models.py", MODELS_PRIORITY),
        ],
        {"models.py": MODELS_PRIORITY},
        prompt="add a priority field to Todo",
    ),
    case(
        "a method body elided as pass # same as before, repaired",
        [
            whole(
                "models.py",
                MODELS_PRIORITY.replace(COMPLETE_BODY, "        pass  # same as before\n"),
            ),
            edit(
                "models.py",
                ("    done: bool = False\n", "    done: bool = False\n    priority: int = 0\n"),
            ),
        ],
        {"models.py": MODELS_PRIORITY},
        prompt="add a priority field to Todo",
    ),
    case(
        "routes replaced by a rest-of-the-code comment",
        [
            whole(
                "app.py",
                APP_UP.split('@app.get("/todos")')[0] + "# ... rest of the code unchanged\n",
            ),
            whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP},
        prompt="report status up",
    ),
    case(
        "an existing-code comment in a replace block",
        [
            edit(
                "src/server.js",
                (
                    'app.get("/health", (req, res) => {\n  res.json({ ok: true });\n});\n',
                    'app.get("/health", (req, res) => {\n  // ... existing code ...\n  res.set("Cache-Control", "no-store");\n});\n',
                ),
            ),
            edit(
                "src/server.js",
                (
                    "  res.json({ ok: true });\n",
                    '  res.set("Cache-Control", "no-store");\n  res.json({ ok: true });\n',
                ),
            ),
        ],
        {
            "src/server.js": SERVER_JS.replace(
                "  res.json({ ok: true });\n",
                '  res.set("Cache-Control", "no-store");\n  res.json({ ok: true });\n',
            )
        },
        files=EXPRESS,
        prompt="add a no-store cache header to /health",
    ),
    case(
        "a placeholder comment inserted in a replace block",
        [
            edit(
                "models.py",
                (
                    "class TodoStore:\n",
                    "class TodoStore:\n    # existing methods remain unchanged\n",
                ),
            ),
            edit(
                "models.py",
                ("class TodoStore:\n", 'class TodoStore:\n    """Todos in memory."""\n'),
            ),
        ],
        {
            "models.py": MODELS.replace(
                "class TodoStore:\n", 'class TodoStore:\n    """Todos in memory."""\n'
            )
        },
        prompt="document TodoStore",
    ),
    case(
        "a file gutted for an additive request",
        [
            whole("app.py", "from flask import Flask\n\napp = Flask(__name__)\n"),
            whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP},
        prompt="add a status field to index",
    ),
    case(
        "a definition silently dropped from a rewrite",
        [
            whole(
                "models.py",
                MODELS_PRIORITY.replace("\n    def complete(self, todo_id):\n" + COMPLETE_BODY, ""),
            ),
            whole("models.py", MODELS_PRIORITY),
        ],
        {"models.py": MODELS_PRIORITY},
        prompt="add a priority field to Todo",
    ),
    case(
        "a placeholder in Markdown",
        [
            whole(
                "README.md", README.split("Running")[0] + "<!-- rest of the README unchanged -->\n"
            ),
            whole("README.md", README.replace("A small Flask API", "A tiny Flask API")),
        ],
        {"README.md": README.replace("A small Flask API", "A tiny Flask API")},
        prompt="call the API tiny in the README",
    ),
    case(
        "lazy every time fails, naming the file",
        [whole("models.py", MODELS_PRIORITY.replace(COMPLETE_BODY, "        ...  # unchanged\n"))],
        Fails(r"models\.py.*placeholder"),
        prompt="add a priority field to Todo",
    ),
    case(
        "a legitimate comment about the rest of the pipeline",
        [
            edit(
                "app.py",
                (
                    "    todo = store.add(title)\n",
                    "    # The rest of the pipeline handles validation.\n    todo = store.add(title)\n",
                ),
            )
        ],
        {
            "app.py": APP.replace(
                "    todo = store.add(title)\n",
                "    # The rest of the pipeline handles validation.\n    todo = store.add(title)\n",
            )
        },
        well_formed=True,
    ),
    case(
        "a Markdown heading that reads like a placeholder",
        [
            edit(
                "README.md",
                (
                    "- `POST /todos` creates one.\n",
                    "- `POST /todos` creates one.\n\nRest of the API\n---------------\n\n- `DELETE /todos/<id>` deletes one.\n",
                ),
            )
        ],
        {
            "README.md": README
            + "\nRest of the API\n---------------\n\n- `DELETE /todos/<id>` deletes one.\n"
        },
        well_formed=True,
    ),
    case(
        "a whole rewrite that removes an endpoint on request",
        [
            whole(
                "app.py",
                APP.replace(
                    '@app.delete("/todos/<int:todo_id>")\ndef delete_todo(todo_id):\n    if not store.remove(todo_id):\n        return jsonify({"error": "not found"}), 404\n    return "", 204\n\n\n',
                    "",
                ),
            )
        ],
        {
            "app.py": APP.replace(
                '@app.delete("/todos/<int:todo_id>")\ndef delete_todo(todo_id):\n    if not store.remove(todo_id):\n        return jsonify({"error": "not found"}), 404\n    return "", 204\n\n\n',
                "",
            )
        },
        prompt="delete the delete endpoint",
        well_formed=True,
    ),
    case(
        "stubs the user asked for",
        [whole("models.py", MODELS.replace(COMPLETE_BODY, "        pass\n"))],
        {"models.py": MODELS.replace(COMPLETE_BODY, "        pass\n")},
        prompt="stub out TodoStore.complete for now",
        well_formed=True,
    ),
    case(
        "a comment that says the same as before, with more words",
        [
            edit(
                "models.py",
                (
                    "        todo.done = True\n",
                    "        # Same as before, but idempotent.\n        todo.done = True\n",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "        todo.done = True\n",
                "        # Same as before, but idempotent.\n        todo.done = True\n",
            )
        },
        well_formed=True,
    ),
    case(
        "a comment naming existing users",
        [
            edit(
                "models.py",
                (
                    "    done: bool = False\n",
                    "    done: bool = False\n    # existing users keep their settings\n    legacy: bool = False\n",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "    done: bool = False\n",
                "    done: bool = False\n    # existing users keep their settings\n    legacy: bool = False\n",
            )
        },
        well_formed=True,
    ),
]
