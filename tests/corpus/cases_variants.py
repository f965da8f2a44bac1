"""Marker variants real models write: colons, quotes, backticks, arrows, other marker
lengths, END with a path, forgotten ENDs, and ======= inside the text."""

from tests.corpus import Case, block, edit, whole
from tests.corpus.projects import APP, MIXED, MODELS

INDEX = (
    'def index():\n    return jsonify({"service": "todos", "status": "ok"})\n',
    'def index():\n    return jsonify({"service": "todos", "status": "up"})\n',
)
APP_UP = APP.replace('"status": "ok"})', '"status": "up"})')
NOTE = "# Notes\n"


def case(name: str, answers: list, expect, **fields) -> Case:
    fields.setdefault("well_formed", True)
    return Case(name, "variants", answers, expect, **fields)


GUIDE = MIXED["docs/guide.md"]

CASES = [
    case("FILE: with a colon", ["@@@ FILE: NOTES.md\n# Notes\n@@@ END\n"], {"NOTES.md": NOTE}),
    case("a backticked path", ["@@@ FILE `NOTES.md`\n# Notes\n@@@ END\n"], {"NOTES.md": NOTE}),
    case(
        "a quoted path on an edit",
        ['@@@ EDIT "app.py"\n' + block(*INDEX) + "@@@ END\n"],
        {"app.py": APP_UP},
    ),
    case("a bold path", ["@@@ FILE **NOTES.md**\n# Notes\n@@@ END\n"], {"NOTES.md": NOTE}),
    case(
        "a (new file) note after the path",
        ["@@@ FILE NOTES.md (new file)\n# Notes\n@@@ END\n"],
        {"NOTES.md": NOTE},
    ),
    case(
        "a rename with an arrow character",
        ["@@@ RENAME models.py → todo_models.py\n"],
        {"models.py": None, "todo_models.py": MODELS},
    ),
    case(
        "a rename with =>",
        ["@@@ RENAME: `models.py` => `lib/models.py`\n"],
        {"models.py": None, "lib/models.py": MODELS},
    ),
    case(
        "markers of nine characters",
        ["@@@ EDIT app.py\n" + block(*INDEX, size=9) + "@@@ END\n"],
        {"app.py": APP_UP},
    ),
    case(
        "markers of five characters",
        ["@@@ EDIT app.py\n" + block(*INDEX, size=5) + "@@@ END\n"],
        {"app.py": APP_UP},
    ),
    case(
        "END with the path", ["@@@ FILE NOTES.md\n# Notes\n@@@ END NOTES.md\n"], {"NOTES.md": NOTE}
    ),
    case(
        "END with the path, then more operations",
        [
            "@@@ FILE NOTES.md\n# Notes\n@@@ END NOTES.md\n"
            "@@@ EDIT app.py\n" + block(*INDEX) + "@@@ END app.py\n@@@ DELETE requirements.txt\n"
        ],
        {"NOTES.md": NOTE, "app.py": APP_UP, "requirements.txt": None},
    ),
    case(
        "a heading underline inside the search",
        [
            edit(
                "docs/guide.md",
                ("Setup\n=====\n\nRun make.\n", "Setup\n=====\n\nRun make install.\n"),
            )
        ],
        {"docs/guide.md": GUIDE.replace("Run make.", "Run make install.")},
        files=MIXED,
    ),
    case(
        "an underline of the marker's length that reads two ways is refused, then repaired",
        [
            "@@@ EDIT notes.md\n<<<<<<< SEARCH\nTitle\n=======\n\nBody.\n=======\nTitle\n=======\n\n"
            "Body text.\n>>>>>>> REPLACE\n@@@ END\n",
            whole("notes.md", "Title\n=======\n\nBody text.\n"),
        ],
        {"notes.md": "Title\n=======\n\nBody text.\n"},
        files={"notes.md": "Title\n=======\n\nBody.\n"},
        well_formed=False,
    ),
    case(
        "an underline of the marker's length where one reading matches",
        [
            "@@@ EDIT README.md\n<<<<<<< SEARCH\nUsage\n=======\n\nRun it.\n=======\nUsage\n=======\n\n"
            "Run it with make.\n>>>>>>> REPLACE\n@@@ END\n"
        ],
        {"README.md": "Intro\n\nUsage\n=======\n\nRun it with make.\n\nSee the FAQ.\n\nUsage\n"},
        files={"README.md": "Intro\n\nUsage\n=======\n\nRun it.\n\nSee the FAQ.\n\nUsage\n"},
    ),
    case(
        "a heading underline inside the replacement",
        [
            "@@@ EDIT docs/guide.md\n<<<<<<< SEARCH\nRun make.\n=======\nRun make.\n\nTesting\n=======\n\n"
            "Run make test.\n>>>>>>> REPLACE\n@@@ END\n"
        ],
        {"docs/guide.md": GUIDE + "\nTesting\n=======\n\nRun make test.\n"},
        files=MIXED,
    ),
    case(
        "a block that reads two ways is refused, then repaired",
        [
            "@@@ EDIT notes.md\n<<<<<<< SEARCH\nA\n=======\nB\n=======\nC\n>>>>>>> REPLACE\n@@@ END\n",
            edit("notes.md", ("A\n", "C\n")),
        ],
        {"notes.md": "C\n=======\nB\n"},
        files={"notes.md": "A\n=======\nB\n"},
        well_formed=False,
    ),
    case(
        "ORIGINAL and UPDATED markers",
        ["@@@ EDIT app.py\n" + block(*INDEX, head="ORIGINAL", tail="UPDATED") + "@@@ END\n"],
        {"app.py": APP_UP},
    ),
    case(
        "a forgotten END between two edits",
        [
            "@@@ EDIT app.py\n"
            + block(*INDEX)
            + "@@@ EDIT models.py\n"
            + block("    done: bool = False\n", "    done: bool = True\n")
            + "@@@ END\n"
        ],
        {"app.py": APP_UP, "models.py": MODELS.replace("done: bool = False", "done: bool = True")},
    ),
    case(
        "a forgotten END inside a file is refused, then repaired",
        ["@@@ FILE a.md\nA\n@@@ FILE b.md\nB\n@@@ END\n", whole("a.md", "A\n")],
        {"a.md": "A\n", "b.md": "B\n"},
        well_formed=False,
    ),
    case("lower-case markers", ["@@@ file NOTES.md\n# Notes\n@@@ end\n"], {"NOTES.md": NOTE}),
    case(
        "a PLAN with backticks",
        ["@@@ PLAN `NOTES.md`\n" + whole("NOTES.md", NOTE)],
        {"NOTES.md": NOTE},
    ),
    case("a DELETE with quotes", ["@@@ DELETE 'requirements.txt'\n"], {"requirements.txt": None}),
    case(
        "spaces after the markers",
        [
            "@@@ EDIT app.py   \n<<<<<<< SEARCH  \n"
            + INDEX[0]
            + "=======  \n"
            + INDEX[1]
            + ">>>>>>> REPLACE  \n@@@ END   \n"
        ],
        {"app.py": APP_UP},
    ),
    case(
        "an END that closes a block early is refused, then repaired",
        [
            "@@@ FILE docs/format.md\nWrite\n@@@ END\nafter it.\n@@@ END\n",
            whole("docs/format.md", "Write it.\n"),
        ],
        {"docs/format.md": "Write it.\n"},
        well_formed=False,
    ),
    case(
        "a path with a space",
        ["@@@ FILE docs/My Notes.md\n# Notes\n@@@ END\n"],
        {"docs/My Notes.md": NOTE},
    ),
    case(
        "a path followed by a comment is refused, then repaired",
        ["@@@ FILE NOTES.md - the notes\n# Notes\n@@@ END\n", whole("NOTES.md", NOTE)],
        {"NOTES.md": NOTE},
        well_formed=False,
    ),
]
