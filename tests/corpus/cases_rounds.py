"""Repair rounds as models answer them (another format, a re-sent block, a whole file), cut
off answers, and marker variants of local models."""

import json

from tests.corpus import Fails, block, classed, cut, edit, whole
from tests.corpus.projects import (
    APP,
    APP_UP,
    INDEX_OK,
    INDEX_UP,
    MODELS,
    README,
    TESTS,
)

DONE_OLD = "    done: bool = False\n"
DONE_NEW = "    done: bool = False\n    priority: int = 0\n"
MODELS_P = MODELS.replace(DONE_OLD, DONE_NEW)
INDEX_DIFF = f"""--- a/app.py
+++ b/app.py
@@ -11,2 +11,2 @@
 def index():
-{INDEX_OK}+{INDEX_UP}"""
PATCH_MODELS = (
    f"*** Begin Patch\n*** Update File: models.py\n@@\n {DONE_OLD}+    priority: int = 0\n"
)


CASES = [
    classed(
        "repair",
        "repair: first block ok, second fails, repair resends both with second fixed",
        [
            edit(
                "app.py",
                (INDEX_OK, INDEX_UP),
                ("    app.run(debug=True)\n    \n", "    app.run()\n"),
            ),
            edit("app.py", (INDEX_OK, INDEX_UP), ("    app.run(debug=True)\n", "    app.run()\n")),
        ],
        {"app.py": APP_UP.replace("    app.run(debug=True)\n", "    app.run()\n")},
    ),
    classed(
        "repair",
        "repair: whole file after failed blocks in two files, one file fixed by FILE",
        [
            edit("app.py", ("nothing like this\n", "x\n"))
            + edit("models.py", (DONE_OLD, DONE_NEW)),
            whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP, "models.py": MODELS_P},
    ),
    classed(
        "repair",
        "repair answered in aider style",
        [
            edit("app.py", ("nothing like this\n", "x\n")),
            "app.py\n```python\n<<<<<<< SEARCH\n"
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>> REPLACE\n```\n",
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "repair",
        "repair answered as prose with a fenced full file",
        [
            edit("app.py", ("nothing like this\n", "x\n")),
            "Here is the corrected file:\n\n```python\n# app.py\n" + APP_UP + "```\n",
        ],
        {"app.py": "# app.py\n" + APP_UP if False else APP_UP},
    ),
    classed(
        "repair",
        "repair: hallucinated path, repair edits real file with different name",
        [
            edit("server.py", (INDEX_OK, INDEX_UP)),
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "repair",
        "repair of lazy whole file answered with EDIT blocks",
        [
            whole(
                "app.py",
                APP_UP.split('@app.get("/todos")')[0] + "# ... rest of the file unchanged ...\n",
            ),
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "truncated",
        "truncated answer: first op complete, second cut; regenerated second",
        [
            cut(edit("models.py", (DONE_OLD, DONE_NEW)) + "@@@ FILE app.py\n" + APP_UP[:300]),
            whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP, "models.py": MODELS_P},
    ),
    classed(
        "truncated",
        "truncated answer repeating the complete op in the regenerate",
        [
            cut(edit("models.py", (DONE_OLD, DONE_NEW)) + "@@@ FILE app.py\n" + APP_UP[:300]),
            edit("models.py", (DONE_OLD, DONE_NEW)) + whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP, "models.py": MODELS_P},
    ),
    classed(
        "truncated",
        "MAX_TOKENS after complete ops (no open op)",
        [cut(edit("app.py", (INDEX_OK, INDEX_UP)) + "\nI also updated")],
        {"app.py": APP_UP},
    ),
    # A diff has no closing line: cut off by the length limit, its last hunk may have lost
    # its "+" lines, so applying it would delete code. It is asked for again.
    classed(
        "truncated",
        "a unified diff cut off after its '-' line; the regenerate sends it whole",
        [cut(INDEX_DIFF.split("+    return")[0]), INDEX_DIFF],
        {"app.py": APP_UP},
    ),
    classed(
        "truncated",
        "a diff cut off inside its fence; the regenerate sends it whole",
        [cut("```diff\n" + INDEX_DIFF.split("+    return")[0]), "```diff\n" + INDEX_DIFF + "```\n"],
        {"app.py": APP_UP},
    ),
    classed(
        "truncated",
        "an apply_patch cut off in its second file; the first file is kept",
        [
            cut(PATCH_MODELS + "*** Update File: app.py\n@@\n def index():\n-" + INDEX_OK),
            "*** Begin Patch\n*** Update File: app.py\n@@\n def index():\n-"
            + INDEX_OK
            + "+"
            + INDEX_UP
            + "*** End Patch\n",
        ],
        {"app.py": APP_UP, "models.py": MODELS_P},
    ),
    classed(
        "truncated",
        "a diff that ends on a whole hunk at the length limit is still asked for again",
        [cut(INDEX_DIFF), INDEX_DIFF],
        {"app.py": APP_UP},
    ),
    classed(
        "truncated",
        "a JSON answer cut off is no 'no changes': it is asked for again",
        [
            cut('{"files": [{"path": "app.py", "content": "from flask import Flask'),
            json.dumps({"files": [{"path": "app.py", "content": APP_UP}]}),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "truncated",
        "prose cut off before any change is no 'no changes': it is asked for again",
        [
            cut("I will change the index route so that its status"),
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "truncated",
        "a diff cut off every time fails naming the file",
        [cut(INDEX_DIFF.split("+    return")[0])],
        Fails(r"^app\.py could not be changed .*cut off"),
    ),
    classed(
        "formats",
        "diff then edit format mixed in one answer",
        [
            "--- a/app.py\n+++ b/app.py\n@@ -11,2 +11,2 @@\n def index():\n-"
            + INDEX_OK
            + "+"
            + INDEX_UP
            + "\n"
            + edit("models.py", (DONE_OLD, DONE_NEW))
        ],
        {"app.py": APP_UP, "models.py": MODELS_P},
        wf=True,
    ),
    classed(
        "repair",
        "diff hunk with wrong context (fuzzy) -> repair",
        [
            "--- a/app.py\n+++ b/app.py\n@@ -11,2 +11,2 @@\n def index_wrong():\n-"
            + INDEX_OK
            + "+"
            + INDEX_UP,
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "repair",
        "diff with multiple hunks, one failing",
        [
            "--- a/models.py\n+++ b/models.py\n@@ -9,3 +9,4 @@\n     id: int\n     title: str\n     done: bool = False\n+    priority: int = 0\n@@ -40,2 +41,2 @@\n-    nothing here\n+    x\n",
            "--- a/models.py\n+++ b/models.py\n@@ -9,3 +9,4 @@\n     id: int\n     title: str\n     done: bool = False\n+    priority: int = 0\n",
        ],
        {"models.py": MODELS_P},
    ),
    classed(
        "variants",
        "search/replace with SEARCH: and REPLACE: labels (local model)",
        [
            "@@@ EDIT app.py\nSEARCH:\n" + INDEX_OK + "REPLACE:\n" + INDEX_UP + "@@@ END\n",
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "variants",
        "blocks with 'search' lowercase markers",
        [
            "@@@ EDIT app.py\n<<<<<<< search\n"
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>> replace\n@@@ END\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "variants",
        "block markers with trailing spaces and CRLF answer",
        [
            (
                "@@@ EDIT app.py  \n<<<<<<< SEARCH  \n"
                + INDEX_OK
                + "=======  \n"
                + INDEX_UP
                + ">>>>>>> REPLACE  \n@@@ END  \n"
            ).replace("\n", "\r\n")
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "variants",
        "divider with 6 equals in 7 block",
        [
            "@@@ EDIT app.py\n<<<<<<< SEARCH\n"
            + INDEX_OK
            + "======\n"
            + INDEX_UP
            + ">>>>>>> REPLACE\n@@@ END\n"
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "variants",
        "markers of 6 chars",
        ["@@@ EDIT app.py\n" + block(INDEX_OK, INDEX_UP, size=6) + "@@@ END\n"],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "variants",
        "PLAN lists files with bullet list on following lines",
        [
            "@@@ PLAN\n- app.py\n- models.py\n\n"
            + edit("app.py", (INDEX_OK, INDEX_UP))
            + edit("models.py", (DONE_OLD, DONE_NEW))
        ],
        {"app.py": APP_UP, "models.py": MODELS_P},
    ),
    classed(
        "paths",
        "@@@ FILE with windows path separators",
        ["@@@ FILE docs\\api.md\n# API\n@@@ END\n"],
        Fails("backslash"),
    ),
    classed(
        "truncated",
        "an EDIT with no END at the end of the answer",
        ["@@@ EDIT app.py\n" + block(INDEX_OK, INDEX_UP)],
        {"app.py": APP_UP},
    ),
    classed(
        "truncated",
        "a FILE with no END at the end of the answer (STOP)",
        ["@@@ FILE NOTES.md\n# Notes\n", whole("NOTES.md", "# Notes\n")],
        {"NOTES.md": "# Notes\n"},
    ),
    classed(
        "indentation",
        "a whole python file rewritten with tabs replacing spaces",
        [
            whole(
                "models.py",
                MODELS.replace("    ", "\t").replace(
                    DONE_OLD.replace("    ", "\t"), DONE_NEW.replace("    ", "\t")
                ),
            )
        ],
        {
            "models.py": MODELS.replace("    ", "\t").replace(
                DONE_OLD.replace("    ", "\t"), DONE_NEW.replace("    ", "\t")
            )
        },
    ),
    classed(
        "renames",
        "a rename of a folder with trailing slash",
        ["@@@ RENAME tests/ -> test/\n"],
        {"tests/test_app.py": None, "test/test_app.py": TESTS},
        wf=True,
    ),
    classed(
        "renames",
        "rename to a path with different case of same file",
        ["@@@ RENAME app.py -> App.py\n"],
        {"app.py": None, "App.py": APP},
        wf=True,
    ),
    classed(
        "fences",
        "file body is fenced and contains internal fences (python docstring with ```)",
        [
            "@@@ FILE doc.py\n```python\ndef f():\n    '''\n    ```\n    example\n    ```\n    '''\n```\n@@@ END\n"
        ],
        {"doc.py": "def f():\n    '''\n    ```\n    example\n    ```\n    '''\n"},
        wf=True,
    ),
    classed(
        "fences",
        "edit of README whose search includes a fence line",
        [
            edit(
                "README.md",
                (
                    "```sh\npip install -r requirements.txt\npython app.py\n```\n",
                    "```sh\npip install -r requirements.txt\nflask --app app run\n```\n",
                ),
            )
        ],
        {"README.md": README.replace("python app.py\n", "flask --app app run\n")},
        wf=True,
    ),
    classed(
        "fences",
        "edit of python where search and replace are each fenced",
        [
            "@@@ EDIT app.py\n<<<<<<< SEARCH\n```python\n"
            + INDEX_OK
            + "```\n=======\n```python\n"
            + INDEX_UP
            + "```\n>>>>>>> REPLACE\n@@@ END\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "prose file named by heading then fenced diff",
        [
            "### `app.py`\n```diff\n@@ -11,2 +11,2 @@\n def index():\n-"
            + INDEX_OK
            + "+"
            + INDEX_UP
            + "```\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
]
