"""Answers in the many shapes Gemini, GPT-class and local models give, gathered while trying
the pipeline as a user would: each case carries its class."""

from tests.corpus import NO_CHANGES, Fails, block, classed, cut, edit, plan, whole
from tests.corpus.projects import (
    APP,
    APP_UP,
    EXPRESS,
    GO,
    INDEX_OK,
    INDEX_UP,
    MAIN_GO,
    MAKEFILE,
    MIXED,
    MODELS,
    README,
    SERVER_JS,
    TESTS,
    WIN_APP,
)

HEALTH_FN = '\n\n@app.get("/health")\ndef health():\n    return jsonify({"ok": True})\n'
APP_HEALTH = APP.replace(
    '\n\nif __name__ == "__main__":', HEALTH_FN + '\n\nif __name__ == "__main__":'
)


CASES = [
    # --- well formed, Gemini style: prose, plan, blocks, closing prose
    classed(
        "well_formed",
        "gemini: heading, plan, edit, summary",
        [
            "Okay, I'll add a health check endpoint.\n\n"
            "@@@ PLAN app.py\n\n"
            '@@@ EDIT app.py\n<<<<<<< SEARCH\n\n\nif __name__ == "__main__":\n=======\n'
            + HEALTH_FN
            + '\n\nif __name__ == "__main__":\n>>>>>>> REPLACE\n@@@ END\n\n'
            "**Summary of changes:**\n* Added `/health` to `app.py`.\n"
        ],
        {"app.py": APP_HEALTH},
        wf=True,
    ),
    classed(
        "fences",
        "gpt: whole answer fenced as text, block inside",
        [
            "```text\n@@@ PLAN app.py\n@@@ EDIT app.py\n<<<<<<< SEARCH\n"
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>> REPLACE\n@@@ END\n```\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "fences",
        "search with python fence inside EDIT around blocks",
        [
            "@@@ EDIT app.py\n```python\n<<<<<<< SEARCH\n"
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>> REPLACE\n```\n@@@ END\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "fences",
        "edit whose replacement adds a fenced code sample to README",
        [
            edit(
                "README.md",
                (
                    "- `POST /todos` creates one.\n",
                    '- `POST /todos` creates one.\n\nExample:\n\n```sh\ncurl -X POST localhost:5000/todos -d \'{"title": "x"}\'\n```\n',
                ),
            )
        ],
        {
            "README.md": README.replace(
                "- `POST /todos` creates one.\n",
                '- `POST /todos` creates one.\n\nExample:\n\n```sh\ncurl -X POST localhost:5000/todos -d \'{"title": "x"}\'\n```\n',
            )
        },
        wf=True,
    ),
    classed(
        "well_formed",
        "new python file whose content contains ======= in a string",
        [
            whole(
                "banner.py",
                'def banner():\n    print("=======")\n    print("Todos")\n    print("=======")\n',
            )
        ],
        {
            "banner.py": 'def banner():\n    print("=======")\n    print("Todos")\n    print("=======")\n'
        },
        wf=True,
    ),
    classed(
        "well_formed",
        "edit whose search contains a line of =======",
        [],
        {},
    ),
    classed(
        "well_formed",
        "new file whose content holds <<<<<<< lines in a string (git tool)",
        [
            whole(
                "conflicts.py",
                'MARK = "<<<<<<< HEAD"\n\n\ndef has_conflict(text):\n    return MARK in text\n',
            )
        ],
        {
            "conflicts.py": 'MARK = "<<<<<<< HEAD"\n\n\ndef has_conflict(text):\n    return MARK in text\n'
        },
        wf=True,
    ),
    classed(
        "well_formed",
        "delete two files in one DELETE line with commas",
        ["@@@ PLAN README.md, requirements.txt\n@@@ DELETE README.md, requirements.txt\n"],
        {"README.md": None, "requirements.txt": None},
        wf=True,
    ),
    classed(
        "renames",
        "rename then edit the renamed file",
        [
            "@@@ RENAME models.py -> todo_models.py\n"
            + edit(
                "app.py",
                (
                    "from models import Todo, TodoStore\n",
                    "from todo_models import Todo, TodoStore\n",
                ),
            )
        ],
        {
            "models.py": None,
            "todo_models.py": MODELS,
            "app.py": APP.replace("from models import", "from todo_models import"),
        },
        wf=True,
    ),
    classed(
        "renames",
        "rename then edit of new path",
        [
            "@@@ RENAME models.py -> todo_models.py\n"
            + edit(
                "todo_models.py",
                ("    done: bool = False\n", '    done: bool = False\n    tag: str = ""\n'),
            )
        ],
        {
            "models.py": None,
            "todo_models.py": MODELS.replace(
                "    done: bool = False\n", '    done: bool = False\n    tag: str = ""\n'
            ),
        },
        wf=True,
    ),
    classed(
        "renames",
        "edit then rename of same file",
        [
            edit(
                "models.py",
                ("    done: bool = False\n", '    done: bool = False\n    tag: str = ""\n'),
            )
            + "@@@ RENAME models.py -> todo_models.py\n"
        ],
        {
            "models.py": None,
            "todo_models.py": MODELS.replace(
                "    done: bool = False\n", '    done: bool = False\n    tag: str = ""\n'
            ),
        },
        wf=True,
    ),
    classed(
        "indentation",
        "go edit with tabs quoted exactly",
        [
            edit(
                "main.go",
                (
                    '\thttp.HandleFunc("/health", health)\n',
                    '\thttp.HandleFunc("/health", health)\n\thttp.HandleFunc("/ready", health)\n',
                ),
            )
        ],
        {
            "main.go": MAIN_GO.replace(
                '\thttp.HandleFunc("/health", health)\n',
                '\thttp.HandleFunc("/health", health)\n\thttp.HandleFunc("/ready", health)\n',
            )
        },
        files=GO,
        wf=True,
    ),
    classed(
        "indentation",
        "makefile new target appended with tabs",
        [
            edit(
                "Makefile",
                ("run: build\n\t./bin/app\n", "run: build\n\t./bin/app\n\nclean:\n\trm -rf bin\n"),
            )
        ],
        {"Makefile": MAKEFILE + "\nclean:\n\trm -rf bin\n"},
        files=GO,
        wf=True,
    ),
    classed(
        "indentation",
        "makefile new target with spaces (model lost tabs) in whole file",
        [whole("Makefile", MAKEFILE.replace("\t", "    ") + "\nclean:\n    rm -rf bin\n")],
        {"Makefile": MAKEFILE + "\nclean:\n\trm -rf bin\n"},
        files=GO,
    ),
    classed(
        "indentation",
        "makefile edit: new recipe lines with spaces, search exact",
        [
            edit(
                "Makefile",
                ("test:\n\tgo test ./...\n", "test:\n    go vet ./...\n    go test ./...\n"),
            )
        ],
        {
            "Makefile": MAKEFILE.replace(
                "test:\n\tgo test ./...\n", "test:\n\tgo vet ./...\n\tgo test ./...\n"
            )
        },
        files=GO,
    ),
    classed(
        "line_endings",
        "crlf file, whole rewrite with LF",
        [whole("win/app.py", "import sys\n\n\ndef main():\n    print(sys.argv[1:])\n\n\nmain()\n")],
        {"win/app.py": WIN_APP.replace("sys.argv)", "sys.argv[1:])")},
        files=MIXED,
        wf=True,
    ),
    classed(
        "line_endings",
        "crlf file, edit with LF",
        [edit("win/app.py", ("    print(sys.argv)\n", "    print(sys.argv[1:])\n    return 0\n"))],
        {
            "win/app.py": WIN_APP.replace(
                "    print(sys.argv)\r\n", "    print(sys.argv[1:])\r\n    return 0\r\n"
            )
        },
        files=MIXED,
        wf=True,
    ),
    classed(
        "line_endings",
        "VERSION without final newline, whole rewrite",
        [whole("VERSION", "1.2.4\n")],
        {"VERSION": "1.2.4"},
        files=MIXED,
        wf=True,
    ),
    classed(
        "well_formed",
        "JS edit",
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
                "res.json({ ok: true });", "res.json({ ok: true, uptime: process.uptime() });"
            )
        },
        files=EXPRESS,
        wf=True,
    ),
    # --- variants
    classed(
        "variants",
        "FILE with path in backticks and colon",
        ["@@@ FILE: `docs/api.md`\n# API\n@@@ END\n"],
        {"docs/api.md": "# API\n"},
        wf=True,
    ),
    classed(
        "variants",
        "EDIT with single quotes path",
        ["@@@ EDIT 'app.py'\n" + block(INDEX_OK, INDEX_UP) + "@@@ END\n"],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "variants",
        "markers of 8 chars",
        ["@@@ EDIT app.py\n" + block(INDEX_OK, INDEX_UP, size=8) + "@@@ END\n"],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "variants",
        "mixed marker lengths 7 search 7 divider 8 replace",
        [
            "@@@ EDIT app.py\n<<<<<<< SEARCH\n"
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>>> REPLACE\n@@@ END\n"
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "variants",
        "@@@ END app.py swallowing? END with path then EDIT",
        [
            "@@@ EDIT app.py\n" + block(INDEX_OK, INDEX_UP) + "@@@ END app.py\n"
            "@@@ DELETE requirements.txt\n"
        ],
        {"app.py": APP_UP, "requirements.txt": None},
        wf=True,
    ),
    classed(
        "renames",
        "rename with unicode arrow and backticks",
        ["@@@ RENAME `models.py` → `store.py`\n"],
        {"models.py": None, "store.py": MODELS},
        wf=True,
    ),
    classed(
        "renames",
        "rename into existing folder tests",
        ["@@@ RENAME models.py -> tests\n"],
        {"models.py": None, "tests/models.py": MODELS},
        wf=True,
    ),
    classed(
        "renames",
        "edit file with different case APP.py",
        ["@@@ EDIT App.py\n" + block(INDEX_OK, INDEX_UP) + "@@@ END\n"],
        {"app.py": APP_UP},
    ),
    classed(
        "renames",
        "new file README.MD differing in case",
        [whole("readme.md", "Todo service\n============\n\nNew text.\n")],
        {"README.md": "Todo service\n============\n\nNew text.\n"},
    ),
    # --- other formats
    classed(
        "formats",
        "unified diff with a/ b/ prefixes no fence, with prose",
        [
            "Here's the change:\n\n--- a/app.py\n+++ b/app.py\n@@ -11,3 +11,3 @@ def index():\n"
            ' @app.get("/")\n def index():\n-    return jsonify({"service": "todos", "status": "ok"})\n+    return jsonify({"service": "todos", "status": "up"})\n\nLet me know.\n'
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "unified diff hunk header without counts",
        [
            "```diff\n--- app.py\n+++ app.py\n@@ ... @@\n"
            ' def index():\n-    return jsonify({"service": "todos", "status": "ok"})\n+    return jsonify({"service": "todos", "status": "up"})\n```\n'
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "aider blocks in a python fence after ### heading",
        [
            "### app.py\n\n```python\n<<<<<<< SEARCH\n"
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>> REPLACE\n```\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "aider block filename inside fence first line",
        [
            "```python\napp.py\n<<<<<<< SEARCH\n"
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>> REPLACE\n```\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "json operations list",
        [
            '{"operations": [{"action": "edit", "path": "app.py", "search": '
            + __import__("json").dumps(INDEX_OK)
            + ', "replace": '
            + __import__("json").dumps(INDEX_UP)
            + "}]}"
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "formats",
        "prose with full file, filename in bold before",
        ["Here's the updated file:\n\n**app.py**\n```python\n" + APP_UP + "```\n"],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "prose with full file, path in fence info after colon",
        ["```python:app.py\n" + APP_UP + "```\n"],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "prose mentions two files then one full file fenced",
        ["I changed `app.py`; `models.py` stays as it is.\n\n```python\n" + APP_UP + "```\n"],
        {"app.py": APP_UP},
    ),
    # --- lazy
    classed(
        "lazy",
        "whole file with '# ... rest of the routes ...'",
        [
            whole(
                "app.py",
                APP_UP.split('@app.get("/todos")')[0] + "# ... rest of the routes unchanged ...\n",
            ),
            whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "lazy",
        "JS whole file with // ... existing code ...",
        [
            whole(
                "src/server.js",
                SERVER_JS.split('app.get("/books"')[0]
                + "// ... existing code ...\n\nmodule.exports = app;\n",
            ),
            whole("src/server.js", SERVER_JS.replace("ok: true", "ok: true, v: 2")),
        ],
        {"src/server.js": SERVER_JS.replace("ok: true", "ok: true, v: 2")},
        files=EXPRESS,
    ),
    classed(
        "lazy",
        "legit: replace adds 'pass  # nothing to clean up' in new method",
        [
            edit(
                "models.py",
                (
                    "    def complete(self, todo_id):\n",
                    "    def close(self):\n        pass  # nothing to clean up yet\n\n    def complete(self, todo_id):\n",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "    def complete(self, todo_id):\n",
                "    def close(self):\n        pass  # nothing to clean up yet\n\n    def complete(self, todo_id):\n",
            )
        },
        wf=True,
    ),
    classed(
        "lazy",
        "legit comment: '# Existing todos are kept'",
        [
            edit(
                "models.py",
                (
                    "    def all(self):\n        return list(self.todos.values())\n",
                    "    def all(self):\n        # Existing todos are returned in insertion order.\n        return list(self.todos.values())\n",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "    def all(self):\n        return list(self.todos.values())\n",
                "    def all(self):\n        # Existing todos are returned in insertion order.\n        return list(self.todos.values())\n",
            )
        },
        wf=True,
    ),
    classed(
        "lazy",
        "simplify request shrinks a file",
        [
            whole(
                "models.py",
                "from dataclasses import dataclass\n\n\n@dataclass\nclass Todo:\n    id: int\n    title: str\n",
            )
        ],
        {
            "models.py": "from dataclasses import dataclass\n\n\n@dataclass\nclass Todo:\n    id: int\n    title: str\n"
        },
        prompt="simplify models.py: drop the store, keep only the Todo dataclass with id and title",
        wf=True,
    ),
    # --- hostile
    classed("paths", "url-encoded escape", [whole("%2e%2e/evil.py", "x\n")], Fails(".")),
    classed("paths", "fullwidth dots", [whole("\uff0e\uff0e/evil.py", "x\n")], Fails(".")),
    classed(
        "paths", "git dir nested", [whole("vendor/.GIT/config", "x\n")], Fails("version-control")
    ),
    classed(
        "paths",
        "rename into .git",
        ["@@@ RENAME app.py -> .git/hooks/post-checkout\n"],
        Fails("version-control"),
    ),
    classed("paths", "delete .git", ["@@@ DELETE .git\n"], Fails("version-control")),
    classed("paths", "aux.c", [whole("src/aux.c", "int x;\n")], Fails("reserves")),
    classed("paths", "COM1 in caps with ext", [whole("COM1.log", "x\n")], Fails("reserves")),
    classed("paths", "rtl in folder", [whole("docs\u202e/x.md", "x\n")], Fails("invisible")),
    classed("paths", "word joiner", [whole("a\u2060b.py", "x\n")], Fails("invisible")),
    classed(
        "paths",
        "unified diff to .git/config",
        ["--- a/.git/config\n+++ b/.git/config\n@@ -0,0 +1 @@\n+[core]\n"],
        Fails("version-control"),
    ),
    classed(
        "paths",
        "json write outside",
        ['{"files": [{"path": "../../x.py", "content": "x"}]}'],
        Fails("leaves"),
    ),
    classed(
        "paths",
        "newline in path via json",
        ['{"files": [{"path": "a\\nb.py", "content": "x"}]}'],
        Fails("."),
    ),
    classed("paths", "very long path", [whole("a/" * 200 + "x.py", "x\n")], Fails("longer")),
    # --- truncated
    classed(
        "truncated",
        "truncated mid FILE then regenerated",
        [cut("@@@ FILE app.py\n" + APP_UP[:200]), whole("app.py", APP_UP)],
        {"app.py": APP_UP},
    ),
    classed(
        "truncated",
        "truncated mid edit block, no repair succeeding",
        [cut("@@@ EDIT app.py\n<<<<<<< SEARCH\n" + INDEX_OK + "=======\n")],
        Fails("app.py"),
    ),
    # --- plan names unwritten file
    classed(
        "repair",
        "plan names 2, writes 1, then writes second on request",
        [
            plan("app.py", "tests/test_app.py") + edit("app.py", (INDEX_OK, INDEX_UP)),
            edit("tests/test_app.py", ("def test_index():\n", "def test_index_is_up():\n")),
        ],
        {
            "app.py": APP_UP,
            "tests/test_app.py": TESTS.replace("def test_index():\n", "def test_index_is_up():\n"),
        },
    ),
    # --- no changes
    classed(
        "no_changes",
        "prose only: no change needed",
        ["The code already returns status ok; no change is needed."],
        NO_CHANGES,
    ),
    classed(
        "no_changes",
        "prose with a fenced shell command only",
        ["No code change needed. Run it with:\n\n```sh\nflask run\n```\n"],
        NO_CHANGES,
    ),
    classed(
        "no_changes",
        "prose with an illustrative python snippet, no file",
        [
            "You could call it like this:\n\n```python\nimport requests\nrequests.get('http://localhost:5000/')\n```\n\nNo changes to the project are needed.",
            "That was only an example; no change is needed.",
        ],
        NO_CHANGES,
    ),
]
CASES = [c for c in CASES if c.answers]
