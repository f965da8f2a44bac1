"""Blocks that do not apply, and the repair rounds that fix them (or fail honestly)."""

from tests.corpus import NO_CHANGES, Case, Fails, block, edit, plan, whole
from tests.corpus.projects import APP, EXPRESS, MODELS, TESTS

INDEX = (
    'def index():\n    return jsonify({"service": "todos", "status": "ok"})\n',
    'def index():\n    return jsonify({"service": "todos", "status": "up"})\n',
)
APP_UP = APP.replace('"status": "ok"})', '"status": "up"})')
RUN = ("    app.run(debug=True)\n", "    app.run()\n")
APP_BOTH = APP_UP.replace("app.run(debug=True)", "app.run()")
DONE = ("    done: bool = False\n", "    done: bool = True\n")
MODELS_DONE = MODELS.replace("done: bool = False", "done: bool = True")


def case(name: str, answers: list, expect, **fields) -> Case:
    return Case(name, "repair", answers, expect, **fields)


CASES = [
    case(
        "an ambiguous block repaired in one round",
        [
            edit(
                "tests/test_app.py",
                (
                    "    client = app.test_client()\n",
                    "    client = app.test_client(use_cookies=False)\n",
                ),
            ),
            edit(
                "tests/test_app.py",
                (
                    "def test_index():\n    client = app.test_client()\n",
                    "def test_index():\n    client = app.test_client(use_cookies=False)\n",
                ),
            ),
        ],
        {
            "tests/test_app.py": TESTS.replace(
                "def test_index():\n    client = app.test_client()",
                "def test_index():\n    client = app.test_client(use_cookies=False)",
            )
        },
    ),
    case(
        "a block matching nowhere repaired in the second round",
        [
            edit("app.py", ("def nope():\n", "x\n")),
            edit("app.py", ("still nope\n", "x\n")),
            edit("app.py", INDEX),
        ],
        {"app.py": APP_UP},
    ),
    case(
        "repairs fail and a whole-file rewrite fixes it",
        [edit("app.py", ("nope\n", "x\n"))] * 3 + [whole("app.py", APP_UP)],
        {"app.py": APP_UP},
    ),
    case(
        "nothing fixes it: the failure names the file",
        [edit("app.py", ("nope\n", "x\n"))],
        Fails(r"app\.py.*matches nowhere"),
    ),
    case(
        "the repair resends only the failed block; the valid one is kept",
        [edit("app.py", INDEX, ("nope\n", "x\n")), edit("app.py", RUN)],
        {"app.py": APP_BOTH},
    ),
    case(
        "the repair resends the whole answer, applied block included",
        [edit("app.py", INDEX, ("nope\n", "x\n")), edit("app.py", INDEX, RUN)],
        {"app.py": APP_BOTH},
    ),
    case(
        "a hallucinated path, fixed by editing the real file",
        [edit("app/routes.py", INDEX), edit("app.py", INDEX)],
        {"app.py": APP_UP},
    ),
    case(
        "a path without its folder is taken as the one file of that name",
        [edit("db.js", ("let nextId = 1;\n", "let nextId = 100;\n"))],
        {"src/db.js": EXPRESS["src/db.js"].replace("nextId = 1;", "nextId = 100;")},
        files=EXPRESS,
        well_formed=True,
    ),
    case(
        "a planned file the answer skipped, written on request",
        [plan("app.py", "models.py") + edit("app.py", INDEX), edit("models.py", DONE)],
        {"app.py": APP_UP, "models.py": MODELS_DONE},
    ),
    case(
        "a planned file the model then says needs no change",
        [
            plan("app.py", "models.py") + edit("app.py", INDEX),
            "models.py needs no change after all.",
        ],
        {"app.py": APP_UP},
    ),
    case(
        "a delete of a file that does not exist, which the model then lets go",
        ["@@@ DELETE ghost.py\n", "No change."],
        NO_CHANGES,
    ),
    case(
        "failures in two files, both repaired",
        [
            edit("app.py", ("nope\n", "x\n")) + edit("models.py", ("nada\n", "y\n")),
            edit("app.py", INDEX) + edit("models.py", DONE),
        ],
        {"app.py": APP_UP, "models.py": MODELS_DONE},
    ),
    case(
        "a repair answered as a diff",
        [
            edit("app.py", ("nope\n", "x\n")),
            '--- a/app.py\n+++ b/app.py\n@@ -11 +11 @@\n-    return jsonify({"service": "todos", "status": "ok"})\n+    return jsonify({"service": "todos", "status": "up"})\n',
        ],
        {"app.py": APP_UP},
    ),
    case(
        "a block that is already in the file, sent again by the repair",
        [
            edit("app.py", INDEX) + edit("models.py", ("nope\n", "y\n")),
            edit("app.py", INDEX) + edit("models.py", DONE),
        ],
        {"app.py": APP_UP, "models.py": MODELS_DONE},
    ),
    case(
        "the model's answer is all fixes needed: a failed edit then no changes",
        [edit("app.py", ("nope\n", "x\n")), "On reflection, no change is needed."],
        Fails(r"app\.py.*matches nowhere"),
    ),
    case(
        "the edit of a missing file becomes a new file",
        [edit("missing.py", ("a\n", "b\n")), whole("missing.py", "b\n")],
        {"missing.py": "b\n"},
    ),
    case(
        "a rename onto an existing file, repaired",
        ["@@@ RENAME models.py -> app.py\n", "@@@ RENAME models.py -> store.py\n"],
        {"models.py": None, "store.py": MODELS},
    ),
    case(
        "a block that names no file, then a claim that nothing is needed",
        ["Nothing to do.\n" + block("x\n", "y\n"), "No change is needed."],
        Fails(r"does not say which file"),
    ),
    case(
        # A block is a claim of a change; one that changes nothing is asked about once
        # (issue 23, class 8), and the same answer again is taken as "nothing to do".
        "an edit that changes nothing, asked about once",
        [edit("app.py", (INDEX[0], INDEX[0]))],
        NO_CHANGES,
    ),
]
