"""Classes seen in round 3 that no named report covers: paths with a line reference, a
repair that moves a block to the file it belongs to, empty SEARCH blocks, Unicode line
separators and no-break spaces, and placeholders in markup and SQL comments.

path_line_suffix: `app.py:42`, `app.py#L12`, `app.py (lines 10-12)` name app.py
cross_file_repair: the repair gives the failed block for the file where its text is
empty_search: an empty SEARCH appends, creates, or restates the whole file
unicode_lines: U+2028 inside a string is not a line break; a no-break space stays
lazy_markup: `<!-- ... -->`, `-- ...`, `{/* ... */}` standing for code a change dropped
"""

from tests.corpus import Case, edit, whole
from tests.corpus.changes import CHANGES, INDEX, PRIORITY, Change
from tests.corpus.projects import APP, FLASK, MODELS, README
from tests.corpus.projects_languages import SCHEMA_SQL


def case(kind: str, name: str, answers: list, change: Change, wf=False, expect=None) -> Case:
    return Case(
        name,
        kind,
        answers,
        change.expect if expect is None else expect,
        files=change.files,
        prompt=change.prompt,
        well_formed=wf,
    )


# Paths with a line reference ------------------------------------------------------------------

SUFFIXES = (":{n}", ":{n}-{m}", "#L{n}", "#L{n}-L{m}", ":{n}:5", " (line {n})", " (lines {n}-{m})")


def with_suffix(change: Change, suffix: str) -> str:
    n = change.text[: change.text.index(change.old)].count("\n") + 1
    return change.path + suffix.format(n=n, m=n + change.old.count("\n"))


PATH_LINE_SUFFIX = [
    case(
        "path_line_suffix",
        f"{change.key}: EDIT {with_suffix(change, suffix)}",
        [edit(with_suffix(change, suffix), (change.old, change.new))],
        change,
        wf=True,
    )
    for change, suffix in zip(CHANGES, SUFFIXES * 2, strict=False)
] + [
    case(
        "path_line_suffix",
        "an Aider block under `app.py:12`",
        [
            f"`{with_suffix(INDEX, ':{n}')}`\n```python\n<<<<<<< SEARCH\n{INDEX.old}=======\n"
            f"{INDEX.new}>>>>>>> REPLACE\n```\n"
        ],
        INDEX,
        wf=True,
    ),
    case(
        "path_line_suffix",
        "a FILE with a line reference is refused: a whole file has no line",
        [
            whole("app.py:1", APP.replace(INDEX.old, INDEX.new)),
            whole("app.py", APP.replace(INDEX.old, INDEX.new)),
        ],
        INDEX,
    ),
]


# Cross-file repair ----------------------------------------------------------------------------

CROSS_FILE_REPAIR = [
    case(
        "cross_file_repair",
        f"{change.key}: a block for the wrong file, repaired in the right one",
        [
            edit(wrong, (change.old, change.new)),
            f"You are right, that code is in {change.path}:\n\n"
            + edit(change.path, (change.old, change.new)),
        ],
        change,
    )
    for change, wrong in (
        (INDEX, "models.py"),
        (PRIORITY, "app.py"),
        (CHANGES[2], "api/routes.go"),
        (CHANGES[4], "app/models/account.rb"),
        (CHANGES[9], "compose.yaml"),
        (CHANGES[12], "src/db.js"),
    )
] + [
    case(
        "cross_file_repair",
        "two blocks for one file, one belonging to another; the repair moves it",
        [
            edit("app.py", (INDEX.old, INDEX.new), (PRIORITY.old, PRIORITY.new)),
            edit("models.py", (PRIORITY.old, PRIORITY.new)),
        ],
        INDEX,
        expect={"app.py": INDEX.result, "models.py": PRIORITY.result},
    ),
]


# Empty SEARCH ---------------------------------------------------------------------------------

ROUTE = '\n\n@app.get("/health")\ndef health():\n    return jsonify({"ok": True})\n'
EMPTY_SEARCH = [
    case(
        "empty_search",
        "an empty SEARCH adds lines at the end of a file",
        [edit("README.md", ("", "\nLicense\n-------\n\nMIT\n"))],
        Change("append", FLASK, "README.md", "", "", "add a license section to the readme"),
        expect={"README.md": README + "\nLicense\n-------\n\nMIT\n"},
        wf=True,
    ),
    case(
        "empty_search",
        "an empty SEARCH creates a file that does not exist",
        [edit("config.py", ("", "DEBUG = False\n"))],
        Change("create", FLASK, "config.py", "", "", "add a config module"),
        expect={"config.py": "DEBUG = False\n"},
        wf=True,
    ),
    case(
        "empty_search",
        "an empty SEARCH whose REPLACE is the file with a route added in the middle",
        [
            edit(
                "app.py",
                ("", APP.replace('\n\n@app.get("/todos")', ROUTE + '\n\n@app.get("/todos")')),
            )
        ],
        Change("restate", FLASK, "app.py", "", "", "add a health route"),
        expect={"app.py": APP.replace('\n\n@app.get("/todos")', ROUTE + '\n\n@app.get("/todos")')},
        wf=True,
    ),
    case(
        "empty_search",
        "an empty SEARCH whose REPLACE is the file with its first lines changed",
        [
            edit(
                "models.py",
                (
                    "",
                    MODELS.replace(
                        "from itertools import count\n",
                        "from itertools import count\nimport time\n",
                    ),
                ),
            )
        ],
        Change("head", FLASK, "models.py", "", "", "import time in the models"),
        expect={
            "models.py": MODELS.replace(
                "from itertools import count\n", "from itertools import count\nimport time\n"
            )
        },
        wf=True,
    ),
    case(
        "empty_search",
        "an empty SEARCH whose REPLACE is the requirements with one more",
        [edit("requirements.txt", ("", "flask==3.1.0\npytest==8.3.4\nrequests==2.32.3\n"))],
        Change("reqs", FLASK, "requirements.txt", "", "", "add requests to the requirements"),
        expect={"requirements.txt": "flask==3.1.0\npytest==8.3.4\nrequests==2.32.3\n"},
        wf=True,
    ),
    case(
        "empty_search",
        "blank lines as SEARCH for an existing file append",
        [edit("requirements.txt", ("\n\n", "requests==2.32.3\n"))],
        Change("blank", FLASK, "requirements.txt", "", "", "add requests to the requirements"),
        expect={"requirements.txt": "flask==3.1.0\npytest==8.3.4\nrequests==2.32.3\n"},
        wf=True,
    ),
    case(
        "empty_search",
        "an empty SEARCH whose REPLACE is half the file with a placeholder",
        [
            edit(
                "app.py",
                ("", APP[: APP.index('@app.post("/todos")')] + "# ... rest of the routes ...\n"),
            ),
            edit("app.py", (INDEX.old, INDEX.new)),
        ],
        INDEX,
    ),
    case(
        "empty_search",
        "two empty SEARCH blocks for one new file",
        [edit("config.py", ("", "DEBUG = False\n"), ("", "TESTING = False\n"))],
        Change("two", FLASK, "config.py", "", "", "add a config module"),
        expect={"config.py": "DEBUG = False\nTESTING = False\n"},
        wf=True,
    ),
]


# Unicode line separators and spaces -------------------------------------------------------------

STRINGS_JS = (
    'const SEP = "a\u2028b";\nconst NAME = "Ada\u00a0Lovelace";\nmodule.exports = { SEP, NAME };\n'
)
STRINGS = {"src/strings.js": STRINGS_JS}
UNICODE_LINES = [
    case(
        "unicode_lines",
        "an edit of the line after a U+2028 inside a string",
        [
            edit(
                "src/strings.js",
                ('const NAME = "Ada\u00a0Lovelace";\n', 'const NAME = "Grace\u00a0Hopper";\n'),
            )
        ],
        Change(
            "sep",
            STRINGS,
            "src/strings.js",
            'const NAME = "Ada\u00a0Lovelace";\n',
            'const NAME = "Grace\u00a0Hopper";\n',
            "use Grace Hopper",
        ),
        wf=True,
    ),
    case(
        "unicode_lines",
        "an edit of the line that holds a U+2028",
        [edit("src/strings.js", ('const SEP = "a\u2028b";\n', 'const SEP = "a\u2028b\u2028c";\n'))],
        Change(
            "sep2",
            STRINGS,
            "src/strings.js",
            'const SEP = "a\u2028b";\n',
            'const SEP = "a\u2028b\u2028c";\n',
            "add c",
        ),
        wf=True,
    ),
    case(
        "unicode_lines",
        "a SEARCH with a plain space where the file has a no-break space, then exact",
        [
            edit(
                "src/strings.js",
                ('const NAME = "Ada Lovelace";\n', 'const NAME = "Ada\u00a0King";\n'),
            ),
            edit(
                "src/strings.js",
                ('const NAME = "Ada\u00a0Lovelace";\n', 'const NAME = "Ada\u00a0King";\n'),
            ),
        ],
        Change(
            "nbsp",
            STRINGS,
            "src/strings.js",
            'const NAME = "Ada\u00a0Lovelace";\n',
            'const NAME = "Ada\u00a0King";\n',
            "she was a King",
        ),
    ),
    case(
        "unicode_lines",
        "a whole rewrite keeps a U+2028 inside a string",
        [
            whole(
                "src/strings.js", STRINGS_JS.replace("module.exports", "// strings\nmodule.exports")
            )
        ],
        Change(
            "whole",
            STRINGS,
            "src/strings.js",
            "module.exports",
            "// strings\nmodule.exports",
            "comment the exports",
        ),
        wf=True,
    ),
    case(
        "unicode_lines",
        "a file with a form feed between sections edited after it",
        [edit("lib.el", ("(provide 'lib)\n", "(provide 'lib)\n;;; lib.el ends here\n"))],
        Change(
            "ff",
            {"lib.el": "(defun a () 1)\n\f\n(provide 'lib)\n"},
            "lib.el",
            "(provide 'lib)\n",
            "(provide 'lib)\n;;; lib.el ends here\n",
            "add the footer",
        ),
        wf=True,
    ),
]


# Placeholders in markup and SQL comments -------------------------------------------------------

PAGE = """<table>
  <tr><td>Ann</td><td>93</td></tr>
  <tr><td>Bob</td><td>88</td></tr>
  <tr><td>Cid</td><td>71</td></tr>
</table>
"""
PAGE_CHANGE = Change(
    "html",
    {"scores.html": PAGE},
    "scores.html",
    "<table>\n",
    "<table>\n  <caption>Scores</caption>\n",
    "add a caption to the table",
)
COMPONENT = """export function List({ items }) {
  return (
    <ul>
      <li>First</li>
      <li>Second</li>
      <li>Third</li>
    </ul>
  );
}
"""
JSX_CHANGE = Change(
    "jsx",
    {"src/List.jsx": COMPONENT},
    "src/List.jsx",
    "    <ul>\n",
    '    <ul className="list">\n',
    "give the list a class",
)
SQL_CHANGE = Change(
    "sql",
    {"db/schema.sql": SCHEMA_SQL},
    "db/schema.sql",
    "    customer_id INTEGER NOT NULL REFERENCES customers(id),\n",
    "    customer_id INTEGER NOT NULL REFERENCES customers(id),\n    coupon TEXT,\n",
    "add a coupon to orders",
)


def dropped(change: Change, placeholder: str, count: int) -> Case:
    """A block that makes the change and swaps the lines after it for a placeholder."""
    text = change.text
    at = text.index(change.old) + len(change.old)
    after = "".join(text[at:].splitlines(keepends=True)[:count])
    return case(
        "lazy_markup",
        f"{change.key}: {placeholder.strip()!r} where {count} lines were",
        [
            edit(change.path, (change.old + after, change.new + placeholder)),
            edit(change.path, (change.old, change.new)),
        ],
        change,
    )


LAZY_MARKUP = [
    dropped(PAGE_CHANGE, "  <!-- ... other rows ... -->\n", 3),
    dropped(PAGE_CHANGE, "  <!-- rows unchanged -->\n", 3),
    dropped(JSX_CHANGE, "      {/* ... existing items ... */}\n", 3),
    dropped(JSX_CHANGE, "      {/* items stay the same */}\n", 3),
    dropped(SQL_CHANGE, "    -- ... existing columns ...\n", 2),
    dropped(SQL_CHANGE, "    /* ... */\n", 2),
    case(
        "lazy_markup",
        "a whole page with its rows as an HTML comment",
        [
            whole(
                "scores.html",
                "<table>\n  <caption>Scores</caption>\n  <!-- same rows as before -->\n</table>\n",
            ),
            whole("scores.html", PAGE_CHANGE.result),
        ],
        PAGE_CHANGE,
    ),
    case(
        "lazy_markup",
        "an HTML comment the request asks for is content",
        [edit("scores.html", ("</table>\n", "</table>\n<!-- generated nightly -->\n"))],
        Change(
            "note",
            {"scores.html": PAGE},
            "scores.html",
            "</table>\n",
            "</table>\n<!-- generated nightly -->\n",
            "note in a comment that the table is generated nightly",
        ),
        wf=True,
    ),
]

CASES = PATH_LINE_SUFFIX + CROSS_FILE_REPAIR + EMPTY_SEARCH + UNICODE_LINES + LAZY_MARKUP
