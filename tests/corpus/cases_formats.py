"""Answers in another format than ours: unified diffs, Aider-style blocks, JSON, prose with
fenced files. Each is applied when its meaning is certain, and repaired when it is not."""

import json

from tests.corpus import Case, edit, whole
from tests.corpus.projects import APP, EXPRESS, MODELS, SERVER_JS, TESTS

APP_UP = APP.replace('"status": "ok"})', '"status": "up"})')
DIFF_INDEX = """--- a/app.py
+++ b/app.py
@@ -9,7 +9,7 @@ store = TodoStore()
 
 @app.get("/")
 def index():
-    return jsonify({"service": "todos", "status": "ok"})
+    return jsonify({"service": "todos", "status": "up"})
 
 
 @app.get("/todos")
"""
DIFF_TWO_HUNKS = """--- models.py
+++ models.py
@@ -9,6 +9,7 @@
     id: int
     title: str
     done: bool = False
+    priority: int = 0
 
     def to_dict(self):
         return {"id": self.id, "title": self.title, "done": self.done}
@@ -33,5 +34,6 @@
     def complete(self, todo_id):
         todo = self.todos[todo_id]
         todo.done = True
+        self.todos[todo_id] = todo
         return todo
"""
MODELS_TWO = MODELS.replace(
    "    done: bool = False\n", "    done: bool = False\n    priority: int = 0\n"
).replace(
    "        todo.done = True\n", "        todo.done = True\n        self.todos[todo_id] = todo\n"
)
HEALTH_TEST = 'from app import app\n\n\ndef test_health():\n    assert app.test_client().get("/").status_code == 200\n'


def case(name: str, answers: list, expect, **fields) -> Case:
    fields.setdefault("well_formed", True)
    return Case(name, "formats", answers, expect, **fields)


CASES = [
    case(
        "a git diff in a diff fence",
        ["Here is the patch:\n\n```diff\n" + DIFF_INDEX + "```\n"],
        {"app.py": APP_UP},
    ),
    case("a diff with two hunks and no fence", [DIFF_TWO_HUNKS], {"models.py": MODELS_TWO}),
    case(
        "a diff that creates a file",
        [
            "```diff\n--- /dev/null\n+++ b/tests/test_health.py\n@@ -0,0 +1,5 @@\n"
            + "".join("+" + line for line in HEALTH_TEST.splitlines(keepends=True))
            + "```\n"
        ],
        {"tests/test_health.py": HEALTH_TEST},
    ),
    case(
        "a diff that creates a file from an empty old side, without /dev/null",
        [
            "--- a/tests/test_health.py\n+++ b/tests/test_health.py\n@@ -0,0 +1,5 @@\n"
            + "".join("+" + line for line in HEALTH_TEST.splitlines(keepends=True))
        ],
        {"tests/test_health.py": HEALTH_TEST},
    ),
    case(
        "a git diff that deletes a file",
        [
            "diff --git a/requirements.txt b/requirements.txt\ndeleted file mode 100644\n--- a/requirements.txt\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-flask==3.1.0\n-pytest==8.3.4\n"
        ],
        {"requirements.txt": None},
    ),
    case(
        "a diff whose line numbers are wrong",
        [DIFF_INDEX.replace("@@ -9,7 +9,7 @@ store = TodoStore()", "@@ -40,7 +40,7 @@")],
        {"app.py": APP_UP},
    ),
    case(
        "a diff whose blank context lines lost their space",
        [DIFF_INDEX.replace("\n \n", "\n\n")],
        {"app.py": APP_UP},
    ),
    case(
        "a diff of two files",
        ["```diff\n" + DIFF_INDEX + DIFF_TWO_HUNKS + "```\n"],
        {"app.py": APP_UP, "models.py": MODELS_TWO},
    ),
    case(
        "a git rename",
        [
            "diff --git a/models.py b/todo/models.py\nsimilarity index 100%\nrename from models.py\nrename to todo/models.py\n"
        ],
        {"models.py": None, "todo/models.py": MODELS},
    ),
    case(
        "Aider-style blocks after the file name",
        [
            "I'll change the status.\n\napp.py\n```python\n<<<<<<< SEARCH\n"
            '    return jsonify({"service": "todos", "status": "ok"})\n=======\n'
            '    return jsonify({"service": "todos", "status": "up"})\n>>>>>>> REPLACE\n```\n'
        ],
        {"app.py": APP_UP},
    ),
    case(
        "two Aider-style blocks, the second without its file name",
        [
            "models.py\n```python\n<<<<<<< SEARCH\n    done: bool = False\n=======\n    done: bool = False\n    priority: int = 0\n"
            ">>>>>>> REPLACE\n```\n\n```python\n<<<<<<< SEARCH\n        todo.done = True\n=======\n        todo.done = True\n"
            "        self.todos[todo_id] = todo\n>>>>>>> REPLACE\n```\n"
        ],
        {"models.py": MODELS_TWO},
    ),
    case(
        "an Aider-style block that creates a file",
        [
            "tests/test_health.py\n```python\n<<<<<<< SEARCH\n=======\n"
            + HEALTH_TEST
            + ">>>>>>> REPLACE\n```\n"
        ],
        {"tests/test_health.py": HEALTH_TEST},
    ),
    case(
        "an Aider-style block with a bold file name",
        [
            "**src/db.js**\n```js\n<<<<<<< SEARCH\nlet nextId = 1;\n=======\nlet nextId = 100;\n>>>>>>> REPLACE\n```\n"
        ],
        {"src/db.js": EXPRESS["src/db.js"].replace("nextId = 1;", "nextId = 100;")},
        files=EXPRESS,
    ),
    case(
        "JSON with a files list",
        [
            json.dumps(
                {"files": [{"path": "tests/test_health.py", "content": HEALTH_TEST}]}, indent=2
            )
        ],
        {"tests/test_health.py": HEALTH_TEST},
    ),
    case(
        "JSON in a fence with a delete and a write",
        [
            "```json\n"
            + json.dumps(
                {
                    "changes": [
                        {"action": "delete", "file": "requirements.txt"},
                        {"action": "create", "file": "NOTES.md", "content": "n\n"},
                    ]
                }
            )
            + "\n```\n"
        ],
        {"requirements.txt": None, "NOTES.md": "n\n"},
    ),
    case(
        "JSON with search and replace",
        [
            json.dumps(
                [{"path": "src/db.js", "search": "let nextId = 1;", "replace": "let nextId = 100;"}]
            )
        ],
        {"src/db.js": EXPRESS["src/db.js"].replace("nextId = 1;", "nextId = 100;")},
        files=EXPRESS,
    ),
    case(
        "prose with the whole file fenced",
        ["Here is the updated `app.py`:\n\n```python\n" + APP_UP + "```\n\nThat's all."],
        {"app.py": APP_UP},
    ),
    case(
        "prose with a new file named in its first comment",
        ["Add this test:\n\n```python\n# tests/test_health.py\n" + HEALTH_TEST + "```\n"],
        {"tests/test_health.py": HEALTH_TEST},
    ),
    case(
        "a fenced file named in the info string",
        ["```python tests/test_health.py\n" + HEALTH_TEST + "```\n"],
        {"tests/test_health.py": HEALTH_TEST},
    ),
    case(
        "prose with a snippet of a file is refused, then repaired",
        [
            'Add this to `app.py`:\n\n```python\n@app.get("/health")\ndef health():\n    return {"ok": True}\n```\n',
            edit(
                "app.py",
                (
                    '\n\nif __name__ == "__main__":\n',
                    '\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n\n\nif __name__ == "__main__":\n',
                ),
            ),
        ],
        {
            "app.py": APP.replace(
                '\n\nif __name__ == "__main__":\n',
                '\n\n@app.get("/health")\ndef health():\n    return {"ok": True}\n\n\nif __name__ == "__main__":\n',
            )
        },
        well_formed=False,
    ),
    case(
        "code without a file name is refused, then repaired",
        [
            'Change the status line to:\n\n```python\n    return jsonify({"service": "todos", "status": "up"})\n```\n',
            edit(
                "app.py",
                (
                    '    return jsonify({"service": "todos", "status": "ok"})\n',
                    '    return jsonify({"service": "todos", "status": "up"})\n',
                ),
            ),
        ],
        {"app.py": APP_UP},
        well_formed=False,
    ),
    case(
        "a diff with a line missing its prefix is refused, then repaired",
        [
            DIFF_INDEX.replace(" def index():\n", "def index():\n").replace(
                " \n \n @app", "\n\n@app"
            ),
            whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP},
        well_formed=False,
    ),
    case(
        "bare hunks after the file name",
        [
            'In `src/server.js`:\n\n```\n@@ @@\n app.get("/health", (req, res) => {\n-  res.json({ ok: true });\n+  res.json({ ok: true, v: 2 });\n });\n```\n'
        ],
        {"src/server.js": SERVER_JS.replace("{ ok: true }", "{ ok: true, v: 2 }")},
        files=EXPRESS,
    ),
    case(
        "a diff that only adds lines without context is refused, then repaired",
        [
            "--- a/app.py\n+++ b/app.py\n@@ -12,0 +13,2 @@\n+# a comment\n+\n",
            edit("app.py", ("app = Flask(__name__)\n", "app = Flask(__name__)\n# a comment\n")),
        ],
        {"app.py": APP.replace("app = Flask(__name__)\n", "app = Flask(__name__)\n# a comment\n")},
        well_formed=False,
    ),
    case(
        "a diff appending at the end by its line number",
        ["--- a/requirements.txt\n+++ b/requirements.txt\n@@ -2,0 +3 @@\n+gunicorn==23.0.0\n"],
        {"requirements.txt": "flask==3.1.0\npytest==8.3.4\ngunicorn==23.0.0\n"},
    ),
    case(
        "a test file rewritten through a diff that spans it",
        [
            "--- a/tests/test_app.py\n+++ b/tests/test_app.py\n@@ -1,4 +1,5 @@\n from app import app\n+import pytest\n \n \n def test_index():\n"
        ],
        {
            "tests/test_app.py": TESTS.replace(
                "from app import app\n", "from app import app\nimport pytest\n"
            )
        },
    ),
    case(
        "an apply_patch update with an anchor line, in a fence",
        [
            "```\n*** Begin Patch\n*** Update File: app.py\n@@ def index():\n"
            '-    return jsonify({"service": "todos", "status": "ok"})\n'
            '+    return jsonify({"service": "todos", "status": "up"})\n*** End Patch\n```\n'
        ],
        {"app.py": APP_UP},
    ),
    case(
        "an apply_patch wrapped in a shell heredoc",
        [
            "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: models.py\n@@\n"
            "     done: bool = False\n+    priority: int = 0\n \n     def to_dict(self):\n"
            "@@ def complete(self, todo_id):\n         todo.done = True\n"
            "+        self.todos[todo_id] = todo\n         return todo\n*** End of File\n"
            "*** End Patch\nEOF\n"
        ],
        {"models.py": MODELS_TWO},
    ),
    case(
        "an apply_patch that adds, deletes and moves files",
        [
            "*** Begin Patch\n*** Add File: tests/test_health.py\n"
            + "".join("+" + line for line in HEALTH_TEST.splitlines(keepends=True))
            + "*** Delete File: requirements.txt\n*** Update File: models.py\n"
            "*** Move to: todo/models.py\n*** End Patch\n"
        ],
        {
            "tests/test_health.py": HEALTH_TEST,
            "requirements.txt": None,
            "models.py": None,
            "todo/models.py": MODELS,
        },
    ),
    case(
        "an apply_patch whose added file lost its + prefixes is refused, then repaired",
        [
            "*** Begin Patch\n*** Add File: tests/test_health.py\n"
            + HEALTH_TEST
            + "*** End Patch\n",
            whole("tests/test_health.py", HEALTH_TEST),
        ],
        {"tests/test_health.py": HEALTH_TEST},
        well_formed=False,
    ),
    case(
        "an apply_patch whose context lines lost their space is refused, then repaired",
        [
            "*** Begin Patch\n*** Update File: app.py\n@@\ndef index():\n"
            '-    return jsonify({"service": "todos", "status": "ok"})\n'
            '+    return jsonify({"service": "todos", "status": "up"})\n*** End Patch\n',
            whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP},
        well_formed=False,
    ),
]
