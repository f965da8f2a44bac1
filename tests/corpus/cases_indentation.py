"""Indentation that differs from the file's: shifted, tabs for spaces, two for four."""

from tests.corpus import Case, edit
from tests.corpus.projects import EXPRESS, GO, MAIN_GO, MAKEFILE, MIXED, MODELS, SERVER_JS

ADD_BODY = "        todo = Todo(next(self.ids), title)\n"
STRIPPED = "        todo = Todo(next(self.ids), title.strip())\n"
EXPECTED_STRIP = MODELS.replace(ADD_BODY, STRIPPED)
COMPLETE = (
    "    def complete(self, todo_id):\n        todo = self.todos[todo_id]\n"
    "        todo.done = True\n        return todo\n"
)
COMPLETE_GUARDED = (
    "    def complete(self, todo_id):\n        todo = self.todos[todo_id]\n"
    "        if todo.done:\n            return todo\n        todo.done = True\n        return todo\n"
)


def case(name: str, answers: list, expect, **fields) -> Case:
    return Case(name, "indentation", answers, expect, **fields)


def tabs(text: str) -> str:
    return text.replace("    ", "\t")


def two(text: str) -> str:
    return text.replace("    ", "  ")


CASES = [
    case(
        "a method quoted without its indentation",
        [
            edit(
                "models.py",
                (
                    "def complete(self, todo_id):\n    todo = self.todos[todo_id]\n    todo.done = True\n",
                    "def complete(self, todo_id):\n    todo = self.todos[todo_id]\n    if todo.done:\n"
                    "        return todo\n    todo.done = True\n",
                ),
            )
        ],
        {"models.py": MODELS.replace(COMPLETE, COMPLETE_GUARDED)},
    ),
    case(
        "tabs in search and replace for a file of spaces",
        [edit("models.py", (tabs(COMPLETE), tabs(COMPLETE_GUARDED)))],
        {"models.py": MODELS.replace(COMPLETE, COMPLETE_GUARDED)},
    ),
    case(
        "two spaces for a file of four",
        [edit("models.py", (two(COMPLETE), two(COMPLETE_GUARDED)))],
        {"models.py": MODELS.replace(COMPLETE, COMPLETE_GUARDED)},
    ),
    case(
        "a Makefile recipe quoted with spaces",
        [
            edit(
                "Makefile",
                ("test:\n    go test ./...\n", "test:\n    go vet ./...\n    go test ./...\n"),
            )
        ],
        {"Makefile": MAKEFILE.replace("test:\n\tgo test", "test:\n\tgo vet ./...\n\tgo test")},
        files=GO,
    ),
    case(
        "a Go function quoted with four spaces",
        [
            edit(
                "main.go",
                (
                    'func health(w http.ResponseWriter, r *http.Request) {\n    fmt.Fprintln(w, "ok")\n}\n',
                    'func health(w http.ResponseWriter, r *http.Request) {\n    if r.Method != "GET" {\n'
                    '        w.WriteHeader(405)\n        return\n    }\n    fmt.Fprintln(w, "ok")\n}\n',
                ),
            )
        ],
        {
            "main.go": MAIN_GO.replace(
                '{\n\tfmt.Fprintln(w, "ok")\n}',
                '{\n\tif r.Method != "GET" {\n\t\tw.WriteHeader(405)\n\t\treturn\n\t}\n\tfmt.Fprintln(w, "ok")\n}',
            )
        },
        files=GO,
    ),
    case(
        "four spaces for a JavaScript file of two",
        [
            edit(
                "src/server.js",
                (
                    'app.get("/health", (req, res) => {\n    res.json({ ok: true });\n});\n',
                    'app.get("/health", (req, res) => {\n    if (req.query.deep) {\n        return res.json({ ok: true, deep: true });\n'
                    "    }\n    res.json({ ok: true });\n});\n",
                ),
            )
        ],
        {
            "src/server.js": SERVER_JS.replace(
                "(req, res) => {\n  res.json({ ok: true });",
                "(req, res) => {\n  if (req.query.deep) {\n    return res.json({ ok: true, deep: true });\n  }\n  res.json({ ok: true });",
            )
        },
        files=EXPRESS,
    ),
    case(
        "YAML quoted one level too deep",
        [
            edit(
                "config.yaml",
                ("    pool:\n      size: 5\n", "    pool:\n      size: 5\n      recycle: 3600\n"),
            )
        ],
        {
            "config.yaml": MIXED["config.yaml"].replace(
                "    size: 5\n", "    size: 5\n    recycle: 3600\n"
            )
        },
        files=MIXED,
    ),
    case(
        "an exact search whose new lines use tabs",
        [edit("models.py", (ADD_BODY, "\t\ttitle = title.strip()\n" + ADD_BODY))],
        {"models.py": MODELS.replace(ADD_BODY, "        title = title.strip()\n" + ADD_BODY)},
    ),
    case(
        "trailing whitespace in the search",
        [edit("models.py", (ADD_BODY.replace("\n", "   \n"), STRIPPED))],
        {"models.py": EXPECTED_STRIP},
    ),
    case(
        "a blank line added at the start of the search",
        [
            edit(
                "models.py",
                (
                    "\n" + ADD_BODY + "        self.todos[todo.id] = todo\n",
                    STRIPPED + "        self.todos[todo.id] = todo\n",
                ),
            )
        ],
        {"models.py": EXPECTED_STRIP},
    ),
    case(
        "lines whose indentation disagrees are refused, then repaired",
        [
            edit(
                "models.py",
                (
                    "def complete(self, todo_id):\n        todo = self.todos[todo_id]\n  todo.done = True\n",
                    "x\n",
                ),
            ),
            edit("models.py", (COMPLETE, COMPLETE_GUARDED)),
        ],
        {"models.py": MODELS.replace(COMPLETE, COMPLETE_GUARDED)},
    ),
    case(
        "an aligned continuation line keeps its alignment",
        [
            edit(
                "models.py",
                (
                    'def to_dict(self):\n    return {"id": self.id, "title": self.title, "done": self.done}\n',
                    'def to_dict(self):\n    return {"id": self.id,\n            "title": self.title,\n            "done": self.done}\n',
                ),
            )
        ],
        {
            "models.py": MODELS.replace(
                '        return {"id": self.id, "title": self.title, "done": self.done}\n',
                '        return {"id": self.id,\n                "title": self.title,\n                "done": self.done}\n',
            )
        },
    ),
]
