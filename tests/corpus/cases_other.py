"""Renames and letter case, answers cut off, honest "no changes", and garbage."""

from tests.corpus import NO_CHANGES, Case, Fails, cut, edit, whole
from tests.corpus.projects import APP, MODELS, README, TESTS

APP_UP = APP.replace('"status": "ok"})', '"status": "up"})')
INDEX = (
    'def index():\n    return jsonify({"service": "todos", "status": "ok"})\n',
    'def index():\n    return jsonify({"service": "todos", "status": "up"})\n',
)


def renames(name: str, answers: list, expect, **fields) -> Case:
    fields.setdefault("well_formed", True)
    return Case(name, "renames", answers, expect, **fields)


def truncated(name: str, answers: list, expect, **fields) -> Case:
    return Case(name, "truncated", answers, expect, **fields)


def nothing(name: str, answers: list, expect=NO_CHANGES, **fields) -> Case:
    fields.setdefault("well_formed", True)
    return Case(name, "no_changes", answers, expect, **fields)


def garbage(name: str, answers: list, expect, **fields) -> Case:
    return Case(name, "garbage", answers, expect, **fields)


CASES = [
    renames(
        "a RENAME written 'old to new', then an edit by the old name",
        [
            "@@@ RENAME models.py to store.py\n"
            + edit("models.py", ("    done: bool = False\n", "    done: bool = True\n"))
        ],
        {"models.py": None, "store.py": MODELS.replace("done: bool = False", "done: bool = True")},
    ),
    renames(
        "a RENAME without an arrow, its two paths apart by a space",
        ["@@@ RENAME README.md docs/README.md\n"],
        {"README.md": None, "docs/README.md": README},
    ),
    renames(
        "a rename into an existing folder keeps the name",
        ["@@@ RENAME models.py -> tests\n"],
        {"models.py": None, "tests/models.py": MODELS},
    ),
    renames(
        "a rename into a folder named with a slash",
        ["@@@ RENAME models.py -> lib/\n"],
        {"models.py": None, "lib/models.py": MODELS},
    ),
    renames(
        "a file that differs only in case is the existing file",
        [whole("readme.md", README.replace("A small", "A tiny"))],
        {"README.md": README.replace("A small", "A tiny")},
    ),
    renames("an edit with the wrong case", [edit("App.py", INDEX)], {"app.py": APP_UP}),
    renames(
        "a case change done as delete and write",
        ["@@@ DELETE README.md\n" + whole("Readme.md", README)],
        {"README.md": None, "Readme.md": README},
    ),
    renames(
        "a rename to another case",
        ["@@@ RENAME README.md -> readme.md\n"],
        {"README.md": None, "readme.md": README},
    ),
    renames(
        "a folder renamed",
        ["@@@ RENAME tests -> spec\n"],
        {"tests/test_app.py": None, "spec/test_app.py": TESTS},
    ),
    renames(
        "a new file in a folder spelt in another case",
        [whole("Tests/test_models.py", "def test_nothing():\n    pass\n")],
        {"tests/test_models.py": "def test_nothing():\n    pass\n"},
    ),
    renames(
        "two new files that differ only in case",
        [whole("notes.md", "a\n") + whole("NOTES.md", "b\n")],
        Fails("differ only in letter case"),
        well_formed=False,
    ),
    renames(
        "a file written where a folder is",
        [whole("tests", "x\n"), whole("tests.txt", "x\n")],
        {"tests.txt": "x\n"},
        well_formed=False,
    ),
    renames(
        "a folder deleted",
        ["@@@ DELETE tests/\n"],
        {"tests/test_app.py": None},
        prompt="remove the tests folder",
    ),
    truncated(
        "cut off inside a file, regenerated",
        [cut("@@@ FILE NOTES.md\nfirst half\n"), whole("NOTES.md", "all of it\n")],
        {"NOTES.md": "all of it\n"},
    ),
    truncated(
        "an unclosed block at STOP, regenerated",
        ["@@@ FILE NOTES.md\npartial\n", whole("NOTES.md", "whole\n")],
        {"NOTES.md": "whole\n"},
    ),
    truncated(
        "cut off every time fails, naming the file",
        [cut("@@@ FILE NOTES.md\nhalf\n")],
        Fails(r"NOTES\.md.*cut off"),
    ),
    truncated(
        "the length limit after complete operations keeps them",
        [cut(whole("a.txt", "a\n"))],
        {"a.txt": "a\n"},
        well_formed=True,
    ),
    truncated(
        "cut off inside an edit block, the file regenerated",
        [
            cut("@@@ EDIT app.py\n<<<<<<< SEARCH\n" + INDEX[0] + "=======\n"),
            whole("app.py", APP_UP),
        ],
        {"app.py": APP_UP},
    ),
    truncated(
        "cut off after one file of two",
        [
            cut("@@@ PLAN a.txt, b.txt\n" + whole("a.txt", "a\n") + "@@@ FILE b.txt\nb"),
            whole("b.txt", "b\n"),
        ],
        {"a.txt": "a\n", "b.txt": "b\n"},
    ),
    nothing("an empty answer", [""]),
    nothing("prose only", ["The project already does this."]),
    nothing(
        "a command for the person to run",
        ["Run this:\n\n```bash\npip install -r requirements.txt\n```\n"],
    ),
    nothing("a whole file identical to the current one", [whole("models.py", MODELS)]),
    nothing("a stray END alone", ["@@@ END\n"]),
    nothing("JSON that is not a change", ['{"answer": 42}']),
    nothing(
        "unnamed code, then a plain no",
        ["```python\nprint('hi')\n```\n", "No change is needed: the project already prints hi."],
        NO_CHANGES,
        well_formed=False,
    ),
    garbage("an unknown marker", ["@@@ PATCH app.py\n"], Fails("marker the format lacks")),
    garbage(
        "an edit without blocks", ["@@@ EDIT app.py\n@@@ END\n"], Fails("no search/replace blocks")
    ),
    garbage(
        "a search block without a divider",
        ["@@@ EDIT app.py\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n@@@ END\n"],
        Fails("no ======= line"),
    ),
    garbage("a file of NUL characters", [whole("bin.dat", "\x00\x01\x02\n")], Fails("NUL")),
    garbage(
        "a FILE line with no path", ["@@@ FILE   \nx\n@@@ END\n"], Fails("names no single file")
    ),
    garbage(
        "an unfinished search block before END",
        ["@@@ EDIT app.py\n<<<<<<< SEARCH\n" + INDEX[0] + "@@@ END\n"],
        Fails("unfinished"),
    ),
    garbage(
        "random words and markers",
        ["<<<<<<< SEARCH\nfoo\n=======\nbar\n"],
        Fails(r"cut off|does not say which file"),
    ),
    garbage("a rename without an arrow", ["@@@ RENAME a.py b.py\n"], Fails("arrow")),
]
