"""Classes seen in round 3 that no named report covers: paths with a line reference, a
repair that moves a block to the file it belongs to, empty SEARCH blocks, Unicode line
separators and no-break spaces, and placeholders in markup and SQL comments.

path_line_suffix: `app.py:42`, `app.py#L12`, `app.py (lines 10-12)` name app.py
cross_file_repair: the repair gives the failed block for the file where its text is
empty_search: an empty SEARCH appends, creates, or restates the whole file
unicode_lines: U+2028 inside a string is not a line break; a no-break space stays
lazy_markup: `<!-- ... -->`, `-- ...`, `{/* ... */}` standing for code a change dropped
cjk_paths: a Japanese, Chinese or Korean sentence around a path is not part of it
whole_after_edit: an edit, then the same file written whole in the same answer
plan_folders: a PLAN that names a folder, answered by the files written under it
"""

from tests.corpus import Case, edit, whole
from tests.corpus.changes import CHANGES, INDEX, PRIORITY, Change
from tests.corpus.changes import change_case as case
from tests.corpus.projects import APP, FLASK, MODELS, README
from tests.corpus.projects_languages import SCHEMA_SQL

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


# Sentences in other scripts around a path --------------------------------------------------


def aider_after(line: str, change: Change) -> str:
    return f"{line}\n```python\n<<<<<<< SEARCH\n{change.old}=======\n{change.new}>>>>>>> REPLACE\n```\n"


CJK_LINES = (
    "app.pyを次のように変更します：",
    "「app.py」を修正します。",
    "修改app.py文件：",
    "我们修改 app.py 文件：",
    "**app.py**（更新）",
    "app.py 파일을 수정합니다:",
    "在`app.py`中修改：",
)
NOTES = "# 说明\n\n运行 `python app.py`。\n"
CJK_PATHS = [
    case("cjk_paths", f"an Aider block after {line!r}", [aider_after(line, INDEX)], INDEX, wf=True)
    for line in CJK_LINES
] + [
    case(
        "cjk_paths",
        "an EDIT marker with a full-width annotation",
        [
            f"@@@ EDIT app.py（修正）\n<<<<<<< SEARCH\n{INDEX.old}=======\n{INDEX.new}>>>>>>> REPLACE\n@@@ END\n"
        ],
        INDEX,
        wf=True,
    ),
    case(
        "cjk_paths",
        "a file whose own name is Chinese",
        [whole("docs/说明.md", NOTES)],
        Change("name", FLASK, "docs/说明.md", "", NOTES, "add Chinese notes"),
        expect={"docs/说明.md": NOTES},
        wf=True,
    ),
    case(
        "cjk_paths",
        "an EDIT marker followed by a Japanese sentence without a space",
        [
            f"@@@ EDIT models.pyにpriorityを追加\n<<<<<<< SEARCH\n{PRIORITY.old}=======\n{PRIORITY.new}>>>>>>> REPLACE\n@@@ END\n"
        ],
        PRIORITY,
        wf=True,
    ),
]


# An edit, then the whole file ------------------------------------------------------------------

APP_UP = INDEX.result
APP_BOTH = APP_UP.replace("app.run(debug=True)", "app.run()")


def after(edit_text: str, prose: str, content: str) -> str:
    return edit_text + f"\n{prose}\n\n" + whole("app.py", content)


WHOLE_AFTER_EDIT = [
    case(
        "whole_after_edit",
        "an edit, then the whole new file for reference",
        [after(edit("app.py", (INDEX.old, INDEX.new)), "The full file now reads:", APP_UP)],
        INDEX,
        wf=True,
    ),
    case(
        "whole_after_edit",
        "an edit, then the whole file with one more change",
        [after(edit("app.py", (INDEX.old, INDEX.new)), "And without debug:", APP_BOTH)],
        INDEX,
        expect={"app.py": APP_BOTH},
        wf=True,
    ),
    case(
        "whole_after_edit",
        "an edit, then the original file for reference, then the edit alone",
        [
            after(edit("app.py", (INDEX.old, INDEX.new)), "For reference, the original:", APP),
            edit("app.py", (INDEX.old, INDEX.new)),
        ],
        INDEX,
    ),
    case(
        "whole_after_edit",
        "two edits, then a whole file that keeps only one, then the whole file",
        [
            after(
                edit("app.py", (INDEX.old, INDEX.new), ("app.run(debug=True)\n", "app.run()\n")),
                "Here is the file:",
                APP_UP,
            ),
            whole("app.py", APP_BOTH),
        ],
        INDEX,
        expect={"app.py": APP_BOTH},
    ),
    case(
        "whole_after_edit",
        "the whole file, then an edit on top of it",
        [whole("app.py", APP_UP) + edit("app.py", ("app.run(debug=True)\n", "app.run()\n"))],
        INDEX,
        expect={"app.py": APP_BOTH},
        wf=True,
    ),
]

# A PLAN that names a folder ----------------------------------------------------------------------

A_PY, B_PY = "A = 1\n", "B = 2\n"
NEW_SRC = Change("src", FLASK, "src/a.py", "", A_PY, "add the src package")
PLAN_FOLDERS = [
    case(
        "plan_folders",
        f"a PLAN of {folder!r}, answered by files under it",
        [f"@@@ PLAN {folder}\n" + whole("src/a.py", A_PY) + whole("src/b.py", B_PY)],
        NEW_SRC,
        expect={"src/a.py": A_PY, "src/b.py": B_PY},
        wf=True,
    )
    for folder in ("src/", "src", "`src/`", "src/ (new package)")
] + [
    case(
        "plan_folders",
        "a PLAN of a file and a folder, the file forgotten, then written",
        [
            "@@@ PLAN app.py, src/\n" + whole("src/a.py", A_PY),
            edit("app.py", (INDEX.old, INDEX.new)),
        ],
        NEW_SRC,
        expect={"src/a.py": A_PY, "app.py": INDEX.result},
    ),
    case(
        "plan_folders",
        "a PLAN of an existing folder, answered by an edit in it",
        [
            "@@@ PLAN tests/\n"
            + edit("tests/test_app.py", ("def test_index():\n", "def test_index_answers():\n"))
        ],
        NEW_SRC,
        expect={
            "tests/test_app.py": FLASK["tests/test_app.py"].replace(
                "def test_index():", "def test_index_answers():"
            )
        },
        wf=True,
    ),
]

CASES = (
    PLAN_FOLDERS
    + PATH_LINE_SUFFIX
    + CROSS_FILE_REPAIR
    + EMPTY_SEARCH
    + UNICODE_LINES
    + LAZY_MARKUP
    + CJK_PATHS
    + WHOLE_AFTER_EDIT
)
