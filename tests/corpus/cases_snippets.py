"""Snippets where a whole file belongs, elided searches and bodies, diffs with loose headers,
and edits that must keep a file's own habits."""

import json

from tests.corpus import NO_CHANGES, Fails, block, classed, edit, plan, whole
from tests.corpus.projects import (
    APP,
    APP_UP,
    CONFIG_YAML,
    EXPRESS,
    GO,
    INDEX_OK,
    INDEX_UP,
    MAIN_GO,
    MIXED,
    MODELS,
    PACKAGE_JSON,
    README,
    WIN_APP,
)

CREATE_OLD = APP[APP.index('@app.post("/todos")') : APP.index("@app.delete")]


SNIPPET = 'def index():\n    return jsonify({"service": "todos", "status": "up"})\n'
MODELS_LAZY = MODELS.replace(
    "        todo = self.todos[todo_id]\n        todo.done = True\n        return todo\n",
    "        ...  # as before\n",
)
MODELS_TODO = MODELS.replace(
    "        return self.todos.pop(todo_id, None) is not None\n",
    "        # TODO: implement\n        pass\n",
)
CASES = [
    classed(
        "repair",
        "EDIT holding just a snippet of the function, no blocks",
        ["@@@ EDIT app.py\n" + SNIPPET + "@@@ END\n", edit("app.py", (INDEX_OK, INDEX_UP))],
        {"app.py": APP_UP},
    ),
    classed(
        "repair",
        "FILE holding just a snippet for an existing file",
        ["@@@ FILE app.py\n" + SNIPPET + "@@@ END\n", edit("app.py", (INDEX_OK, INDEX_UP))],
        {"app.py": APP_UP},
    ),
    classed(
        "repair",
        "prose fenced snippet named by file, existing file",
        [
            "Update `app.py`:\n\n```python\n" + SNIPPET + "```\n",
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "repair",
        "search with elision in the middle",
        [
            edit(
                "app.py",
                (
                    '@app.post("/todos")\ndef create_todo():\n    ...\n    return jsonify(todo.to_dict()), 201\n',
                    '@app.post("/todos")\ndef create_todo():\n    ...\n    return jsonify(todo.to_dict()), 202\n',
                ),
            ),
            edit(
                "app.py",
                (
                    "    return jsonify(todo.to_dict()), 201\n",
                    "    return jsonify(todo.to_dict()), 202\n",
                ),
            ),
        ],
        {
            "app.py": APP.replace(
                "    return jsonify(todo.to_dict()), 201\n",
                "    return jsonify(todo.to_dict()), 202\n",
            )
        },
    ),
    classed(
        "lazy",
        "whole rewrite: one method body becomes ... # as before",
        [
            whole("models.py", MODELS_LAZY + "\n\ndef extra():\n    return 1\n"),
            whole("models.py", MODELS + "\n\ndef extra():\n    return 1\n"),
        ],
        {"models.py": MODELS + "\n\ndef extra():\n    return 1\n"},
    ),
    classed(
        "lazy",
        "whole rewrite: a method body becomes TODO pass",
        [
            whole("models.py", MODELS_TODO),
            whole(
                "models.py",
                MODELS.replace(
                    "    done: bool = False\n", '    done: bool = False\n    due: str = ""\n'
                ),
            ),
        ],
        {
            "models.py": MODELS.replace(
                "    done: bool = False\n", '    done: bool = False\n    due: str = ""\n'
            )
        },
        prompt="add a due date to todos",
    ),
    classed(
        "lazy",
        "replace block with '# ... existing code ...' in the middle",
        [
            edit(
                "app.py",
                (
                    CREATE_OLD,
                    '@app.post("/todos")\ndef create_todo():\n    # ... existing code ...\n    return jsonify(todo.to_dict()), 201\n',
                ),
            ),
            edit(
                "app.py",
                (
                    "    return jsonify(todo.to_dict()), 201\n",
                    "    return jsonify(todo.to_dict()), 202\n",
                ),
            ),
        ],
        {
            "app.py": APP.replace(
                "    return jsonify(todo.to_dict()), 201\n",
                "    return jsonify(todo.to_dict()), 202\n",
            )
        },
    ),
    classed(
        "repair",
        "ambiguous search, repaired with more context",
        [
            edit("models.py", ("        return todo\n", "        return todo  # done\n")),
            edit(
                "models.py",
                (
                    "        todo.done = True\n        return todo\n",
                    "        todo.done = True\n        return todo  # done\n",
                ),
            ),
        ],
        {
            "models.py": MODELS.replace(
                "        todo.done = True\n        return todo\n",
                "        todo.done = True\n        return todo  # done\n",
            )
        },
    ),
    classed(
        "well_formed",
        "delete a function with empty replace",
        [
            edit(
                "app.py",
                (
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
        prompt="remove the delete endpoint",
        wf=True,
    ),
    classed(
        "well_formed",
        "package.json dependency added",
        [
            edit(
                "package.json",
                ('    "express": "^4.21.0"\n', '    "express": "^4.21.0",\n    "cors": "^2.8.5"\n'),
            )
        ],
        {
            "package.json": PACKAGE_JSON.replace(
                '    "express": "^4.21.0"\n', '    "express": "^4.21.0",\n    "cors": "^2.8.5"\n'
            )
        },
        files=EXPRESS,
        wf=True,
    ),
    classed(
        "indentation",
        "python nested block quoted without indentation",
        [
            edit(
                "models.py",
                (
                    "def complete(self, todo_id):\n    todo = self.todos[todo_id]\n    todo.done = True\n    return todo\n",
                    "def complete(self, todo_id):\n    todo = self.todos.get(todo_id)\n    if todo is None:\n        raise KeyError(todo_id)\n    todo.done = True\n    return todo\n",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "        todo = self.todos[todo_id]\n        todo.done = True\n",
                "        todo = self.todos.get(todo_id)\n        if todo is None:\n            raise KeyError(todo_id)\n        todo.done = True\n",
            )
        },
        wf=True,
    ),
    classed(
        "well_formed",
        "two blocks, second depends on first",
        [
            edit(
                "models.py",
                ("    done: bool = False\n", "    done: bool = False\n    priority: int = 0\n"),
                (
                    "    priority: int = 0\n",
                    "    priority: int = 0\n    tags: list = field(default_factory=list)\n",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "    done: bool = False\n",
                "    done: bool = False\n    priority: int = 0\n    tags: list = field(default_factory=list)\n",
            )
        },
        wf=True,
    ),
    classed(
        "well_formed",
        "blocks given in reverse file order",
        [
            edit(
                "app.py",
                ("    app.run(debug=True)\n", "    app.run(debug=False)\n"),
                (INDEX_OK, INDEX_UP),
            )
        ],
        {"app.py": APP_UP.replace("    app.run(debug=True)\n", "    app.run(debug=False)\n")},
        wf=True,
    ),
    classed(
        "formats",
        "crlf file edited by a diff",
        [
            "--- a/win/app.py\n+++ b/win/app.py\n@@ -4,3 +4,3 @@\n def main():\n-    print(sys.argv)\n+    print(sys.argv[1:])\n \n"
        ],
        {"win/app.py": WIN_APP.replace("sys.argv)", "sys.argv[1:])")},
        files=MIXED,
        wf=True,
    ),
    classed(
        "formats",
        "diff with CRLF lines on LF file",
        [
            "--- a/app.py\r\n+++ b/app.py\r\n@@ -11,2 +11,2 @@\r\n def index():\r\n-"
            + INDEX_OK[:-1]
            + "\r\n+"
            + INDEX_UP[:-1]
            + "\r\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "indentation",
        "yaml edit with indentation quoted exactly",
        [edit("config.yaml", ("  pool:\n    size: 5\n", "  pool:\n    size: 10\n"))],
        {"config.yaml": CONFIG_YAML.replace("size: 5", "size: 10")},
        files=MIXED,
        wf=True,
    ),
    classed(
        "line_endings",
        "markdown file without final newline appended",
        [edit("notes/todo.md", ("- ship it\n", "- ship it\n- celebrate\n"))],
        {"notes/todo.md": "# To do\n\n- write docs\n- ship it\n- celebrate"},
        files=MIXED,
        wf=True,
    ),
    classed(
        "variants",
        "setext heading in search, divider ambiguity",
        [
            edit(
                "docs/guide.md",
                ("Setup\n=====\n\nRun make.\n", "Setup\n=====\n\nRun make, then make test.\n"),
            )
        ],
        {
            "docs/guide.md": MIXED["docs/guide.md"].replace(
                "Run make.\n", "Run make, then make test.\n"
            )
        },
        files=MIXED,
        wf=True,
    ),
    classed(
        "variants",
        "setext heading underline of 7 = in README search",
        [
            edit(
                "README.md",
                ("Endpoints\n=========\n", "Endpoints\n=========\n\nAll endpoints speak JSON.\n"),
            )
        ],
        {
            "README.md": README.replace(
                "Endpoints\n=========\n", "Endpoints\n=========\n\nAll endpoints speak JSON.\n"
            )
        },
        wf=True,
    ),
    classed(
        "formats",
        "JSON answer with files dict path->content",
        [json.dumps({"app.py": APP_UP})],
        {"app.py": APP_UP},
    ),
    classed(
        "formats",
        "JSON answer fenced with explanation key",
        [
            "```json\n"
            + json.dumps(
                {"explanation": "status up", "files": [{"path": "app.py", "content": APP_UP}]}
            )
            + "\n```\n"
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "formats",
        "aider whole-file format: path line then fence",
        ["app.py\n```python\n" + APP_UP + "```\n"],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "aider udiff format with @@ ... @@",
        [
            '```diff\n--- app.py\n+++ app.py\n@@ ... @@\n-@app.get("/")\n-def index():\n-'
            + INDEX_OK
            + '+@app.get("/")\n+def index():\n+'
            + INDEX_UP
            + "```\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "repair",
        "diff header pair followed by nothing usable",
        [
            "--- app.py\n+++ app.py\nI changed the status to up.\n",
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "formats",
        "new file via diff without a/ b/",
        ["--- /dev/null\n+++ tests/test_x.py\n@@ -0,0 +1,2 @@\n+def test_x():\n+    assert True\n"],
        {"tests/test_x.py": "def test_x():\n    assert True\n"},
        wf=True,
    ),
    classed(
        "fences",
        "local model: END inside the fence and closing fence after",
        [
            "```\n@@@ EDIT app.py\n<<<<<<< SEARCH\n"
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>> REPLACE\n@@@ END\n```"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "fences",
        "model writes FILE with path then on next line the fence with filename comment",
        ["@@@ FILE NOTES.md\n```markdown\n# Notes\n\n```sh\nmake\n```\n```\n@@@ END\n"],
        {"NOTES.md": "# Notes\n\n```sh\nmake\n```\n"},
        wf=True,
    ),
    classed(
        "fences",
        "FILE python whose body is fenced with filename comment first line",
        [
            "@@@ FILE util.py\n```python\n# util.py\ndef add(a, b):\n    return a + b\n```\n@@@ END\n"
        ],
        {"util.py": "# util.py\ndef add(a, b):\n    return a + b\n"},
        wf=True,
    ),
    classed(
        "repair",
        "edit referencing missing file 'src/app.py' that is app.py",
        ["@@@ EDIT src/app.py\n" + block(INDEX_OK, INDEX_UP) + "@@@ END\n"],
        {"app.py": APP_UP},
    ),
    classed(
        "repair",
        "delete of non-existent plus valid edit",
        [
            "@@@ DELETE old_stuff.py\n" + edit("app.py", (INDEX_OK, INDEX_UP)),
            "old_stuff.py does not exist; nothing to delete.",
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "renames",
        "rename onto a case variant of itself",
        ["@@@ RENAME README.md -> readme.md\n"],
        {"README.md": None, "readme.md": README},
    ),
    classed(
        "renames",
        "write new file and also same name different case",
        [whole("Notes.md", "a\n") + whole("notes.md", "b\n")],
        Fails("letter case|case"),
    ),
    classed(
        "renames",
        "write inside a folder named with a different case of an existing folder",
        [whole("Tests/test_more.py", "def test_more():\n    assert True\n")],
        {"tests/test_more.py": "def test_more():\n    assert True\n"},
    ),
    classed(
        "repair",
        "a plan whose files the answer never writes, not written on request",
        [
            plan("app.py", "models.py") + edit("app.py", (INDEX_OK, INDEX_UP)),
            "I've already made all needed changes.",
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "indentation",
        "search block with trailing whitespace differences and a tab in replace",
        [
            edit(
                "app.py",
                (
                    "def index():   \n" + INDEX_OK,
                    'def index():\n\treturn jsonify({"service": "todos", "status": "up"})\n',
                ),
            )
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "indentation",
        "tab-indented replacement for space file, nested",
        [
            edit(
                "models.py",
                (
                    "    def all(self):\n        return list(self.todos.values())\n",
                    "\tdef all(self):\n\t\tif not self.todos:\n\t\t\treturn []\n\t\treturn list(self.todos.values())\n",
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                "    def all(self):\n        return list(self.todos.values())\n",
                "    def all(self):\n        if not self.todos:\n            return []\n        return list(self.todos.values())\n",
            )
        },
    ),
    classed(
        "indentation",
        "go file with a replacement indented by spaces",
        [
            edit(
                "main.go",
                (
                    'func health(w http.ResponseWriter, r *http.Request) {\n\tfmt.Fprintln(w, "ok")\n}\n',
                    'func health(w http.ResponseWriter, r *http.Request) {\n    w.WriteHeader(http.StatusOK)\n    fmt.Fprintln(w, "ok")\n}\n',
                ),
            )
        ],
        {
            "main.go": MAIN_GO.replace(
                '\tfmt.Fprintln(w, "ok")\n',
                '\tw.WriteHeader(http.StatusOK)\n\tfmt.Fprintln(w, "ok")\n',
            )
        },
        files=GO,
    ),
    classed(
        "variants",
        "SEARCH/REPLACE with markers inside a FILE of an existing file",
        ["@@@ FILE app.py\n" + block(INDEX_OK, INDEX_UP) + "@@@ END\n"],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "garbage",
        "garbage: random markdown table",
        ["| file | change |\n|---|---|\n| app.py | status up |\n"],
        NO_CHANGES,
    ),
]
