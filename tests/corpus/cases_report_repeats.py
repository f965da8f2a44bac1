"""Changes made twice, claimed but not made, or made by losing code, from public reports of
real models' answers.

report_duplicates: a retry re-sends blocks that already applied; an answer gives one
    insertion twice; declarations doubled; a replacement or a file written twice over
    https://github.com/Aider-AI/aider/issues/2317
    https://github.com/Aider-AI/aider/issues/2163
report_restated_neighbours: a REPLACE that restates the unchanged line above or below
    the lines its SEARCH names, so the neighbour would be doubled
    https://github.com/can1357/oh-my-pi/issues/1664
    https://github.com/microsoft/vscode/pull/315251
report_noop_blocks: a block whose REPLACE is its SEARCH, while the prose claims a fix
    https://github.com/RooCodeInc/Roo-Code/issues/9563
    https://github.com/dyad-sh/dyad/pull/1899
report_rest_of_file: a whole file whose unchanged parts became "// ... rest of the file"
    https://github.com/Aider-AI/aider/issues/1915
    https://github.com/MatthewZMD/aidermacs/issues/160
    https://github.com/Aider-AI/aider/issues/350
"""

from tests.corpus import NO_CHANGES, Case, edit, whole
from tests.corpus.changes import CHANGES, Change
from tests.corpus.changes import change_case as case
from tests.corpus.projects import APP, FLASK, INDEX_OK, INDEX_UP, MODELS
from tests.corpus.projects_languages import POLYGLOT

SOURCES = {
    "report_duplicates": (
        "https://github.com/Aider-AI/aider/issues/2317",
        "https://github.com/Aider-AI/aider/issues/2163",
    ),
    "report_restated_neighbours": (
        "https://github.com/can1357/oh-my-pi/issues/1664",
        "https://github.com/microsoft/vscode/pull/315251",
    ),
    "report_noop_blocks": (
        "https://github.com/RooCodeInc/Roo-Code/issues/9563",
        "https://github.com/dyad-sh/dyad/pull/1899",
    ),
    "report_rest_of_file": (
        "https://github.com/Aider-AI/aider/issues/1915",
        "https://github.com/MatthewZMD/aidermacs/issues/160",
        "https://github.com/Aider-AI/aider/issues/350",
    ),
}


def block_of(change: Change) -> tuple[str, str]:
    return change.old, change.new


# Duplicates ---------------------------------------------------------------------------------

IMPORT = ("from flask import Flask, jsonify, request\n",)
APP_LOGGING = APP.replace(
    "from flask import Flask, jsonify, request\n",
    "import logging\n\nfrom flask import Flask, jsonify, request\n",
).replace(INDEX_OK, INDEX_UP)
LOGGING_BLOCK = (IMPORT[0], "import logging\n\n" + IMPORT[0])
BOTH = Change("flask", FLASK, "app.py", "", "", "log, and say the service is up")


def insertion(change: Change) -> bool:
    """A change that only adds lines after the ones it names."""
    return change.new.startswith(change.old) and change.new != change.old


DUPLICATES = (
    [
        case(
            "report_duplicates",
            "a retry re-sends the import block that applied with the fixed one",
            [
                edit("app.py", LOGGING_BLOCK, (INDEX_OK.replace("ok", "okay"), INDEX_UP)),
                edit("app.py", LOGGING_BLOCK, (INDEX_OK, INDEX_UP)),
            ],
            BOTH,
            expect={"app.py": APP_LOGGING},
        ),
        case(
            "report_duplicates",
            "a retry re-sends, as a whole Aider block, the import that applied",
            [
                edit("app.py", LOGGING_BLOCK, (INDEX_OK.replace('"todos"', "'todos'"), INDEX_UP)),
                "Sorry, here are both blocks again:\n\napp.py\n```python\n<<<<<<< SEARCH\n"
                + IMPORT[0]
                + "=======\nimport logging\n\n"
                + IMPORT[0]
                + ">>>>>>> REPLACE\n```\n\napp.py\n```python\n<<<<<<< SEARCH\n"
                + INDEX_OK
                + "=======\n"
                + INDEX_UP
                + ">>>>>>> REPLACE\n```\n",
            ],
            BOTH,
            expect={"app.py": APP_LOGGING},
        ),
    ]
    + [
        case(
            "report_duplicates",
            f"{change.key}: one insertion block given twice in one answer",
            [
                edit(change.path, block_of(change))
                + "\nAnd once more:\n\n"
                + edit(change.path, block_of(change))
            ],
            change,
        )
        for change in CHANGES
        if insertion(change)
    ]
    + [
        case(
            "report_duplicates",
            f"{change.key}: a failed block retried with the block that applied before it",
            [
                edit(change.path, block_of(change), ("no such line\n", "nothing\n")),
                edit(change.path, block_of(change)),
            ],
            change,
        )
        for change in CHANGES[:8]
    ]
)


DOUBLED = [
    case(
        "report_duplicates",
        f"{change.key}: the replacement written twice over",
        [
            edit(change.path, (change.old, change.new + change.new)),
            edit(change.path, block_of(change)),
        ],
        change,
    )
    for change in CHANGES
    if len([line for line in change.new.splitlines() if line.strip()]) >= 2
] + [
    case(
        "report_duplicates",
        f"{change.key}: the whole file written twice over",
        [whole(change.path, change.result + change.result), whole(change.path, change.result)],
        change,
    )
    for change in CHANGES[:3]
]


# Restated neighbours ------------------------------------------------------------------------


def neighbours(change: Change) -> list[Case]:
    """The REPLACE starts with the line above the SEARCH, or ends with the line below."""
    text = change.text
    at = text.index(change.old)
    above = text[:at].splitlines(keepends=True)[-1]
    below = text[at + len(change.old) :].splitlines(keepends=True)[:1]
    cases = []
    if above.strip() and len(above.strip()) > 1:
        cases.append(
            case(
                "report_restated_neighbours",
                f"{change.key}: the REPLACE restates the line above the SEARCH",
                [
                    edit(change.path, (change.old, above + change.new)),
                    edit(change.path, block_of(change)),
                ],
                change,
            )
        )
    if below and below[0].strip() and len(below[0].strip()) > 1:
        cases.append(
            case(
                "report_restated_neighbours",
                f"{change.key}: the REPLACE restates the line below the SEARCH",
                [
                    edit(change.path, (change.old, change.new + below[0])),
                    edit(change.path, block_of(change)),
                ],
                change,
            )
        )
    return cases


TWICE = "    client = app.test_client()\n"
SECOND_CLIENT = Change(
    "tests",
    FLASK,
    "tests/test_app.py",
    "def test_index():\n" + TWICE,
    "def test_index():\n" + TWICE + TWICE.replace("client", "other", 1),
    "use a second client in the index test",
)
CLOSING = Change(
    "go",
    POLYGLOT,
    "api/handlers.go",
    "\t\tw.WriteHeader(http.StatusNoContent)\n",
    "\t\tw.WriteHeader(http.StatusNoContent)\n\t}\n}\n\nfunc ping() http.HandlerFunc {\n"
    "\treturn func(w http.ResponseWriter, r *http.Request) {\n\t\tw.WriteHeader(http.StatusOK)\n",
    "add a ping handler",
)

RESTATED_NEIGHBOURS = [c for change in CHANGES for c in neighbours(change)] + [
    case(
        "report_restated_neighbours",
        f"{change.key}: a repeated line the change means to repeat",
        [edit(change.path, block_of(change))],
        change,
        wf=True,
    )
    for change in (SECOND_CLIENT, CLOSING)
]


# No-op blocks -------------------------------------------------------------------------------

NOOP_BLOCKS = (
    [
        case(
            "report_noop_blocks",
            f"{change.key}: a block that changes nothing while the prose claims the fix",
            [
                "I've updated it as requested:\n\n" + edit(change.path, (change.old, change.old)),
                edit(change.path, block_of(change)),
            ],
            change,
        )
        for change in CHANGES[::2]
    ]
    + [
        case(
            "report_noop_blocks",
            f"{change.key}: a block that changes nothing, then the model says no change is needed",
            [
                edit(change.path, (change.old, change.old)),
                f"No change is needed: {change.path} already does what you asked.",
            ],
            change,
            expect=NO_CHANGES,
        )
        for change in CHANGES[1:6:2]
    ]
    + [
        case(
            "report_noop_blocks",
            "a real block and a block that changes nothing: the real one applies",
            [
                edit(
                    "app.py",
                    (INDEX_OK, INDEX_UP),
                    ("app = Flask(__name__)\n", "app = Flask(__name__)\n"),
                )
            ],
            Change("flask", FLASK, "app.py", INDEX_OK, INDEX_UP, "make the index say up"),
        ),
        case(
            "report_noop_blocks",
            "the whole file restated unchanged when nothing was needed",
            [whole("models.py", MODELS) + "\nThe model already has that field."],
            Change("models", FLASK, "models.py", "", "", "make sure todos have a done flag"),
            wf=True,
            expect=NO_CHANGES,
        ),
    ]
)


# The rest of the file -----------------------------------------------------------------------

PLACEHOLDERS = {
    "python": "    # ... rest of the file unchanged ...\n",
    "dataclass": "    # ... existing methods ...\n",
    "go": "// ... rest of the file ...\n",
    "rust": "    // ... rest of the file content ...\n",
    "ruby": "  # ... remaining methods unchanged\n",
    "java": "    // ... other methods stay the same\n",
    "csharp": "        // Rest of the class remains unchanged\n",
    "php": "    // ... keep the other actions as they are\n",
    "sql": "-- (other tables unchanged)\n",
    "yaml": "  # ... other services unchanged ...\n",
    "shell": "# ... rest of the script ...\n",
    "lua": "-- rest unchanged\n",
    "javascript": "// ... existing routes ...\n",
}


def rest_of_file(change: Change) -> Case:
    """The changed lines and what comes before them, then a placeholder for the rest."""
    result = change.result
    cut = result.index(change.new) + len(change.new)
    short = result[:cut] + PLACEHOLDERS[change.key]
    return case(
        "report_rest_of_file",
        f"{change.key}: the rest of the file as a {PLACEHOLDERS[change.key].strip()[:18]!r} line",
        [whole(change.path, short), whole(change.path, result)],
        change,
    )


TERRAFORM = """locals {
  name = "site"
}

resource "aws_s3_bucket" "site" {
  bucket = local.name
}

resource "aws_s3_bucket_website_configuration" "site" {
  bucket = aws_s3_bucket.site.id
  index_document {
    suffix = "index.html"
  }
}
"""
TERRAFORM_CHANGE = Change(
    "terraform",
    {"main.tf": TERRAFORM},
    "main.tf",
    '  name = "site"\n',
    '  name = "site"\n  runtime = "nodejs20.x"\n',
    "add the TypeScript runtime to the locals",
)

REST_OF_FILE = [
    rest_of_file(change)
    for change in CHANGES
    if change.text.index(change.old) + len(change.old) < len(change.text) - 40
] + [
    case(
        "report_rest_of_file",
        "terraform: the locals and then // ... rest of the file",
        [
            "For clarity, here's the relevant section of `main.tf`:\n\n"
            + whole(
                "main.tf",
                'locals {\n  name = "site"\n  runtime = "nodejs20.x"\n}\n\n// ... rest of the file\n',
            ),
            whole("main.tf", TERRAFORM_CHANGE.result),
        ],
        TERRAFORM_CHANGE,
    ),
    case(
        "report_rest_of_file",
        "an existing-code comment inside a REPLACE that drops the function's body",
        [
            edit(
                "models.py",
                (
                    "    def complete(self, todo_id):\n        todo = self.todos[todo_id]\n"
                    "        todo.done = True\n        return todo\n",
                    "    def complete(self, todo_id):\n        # ... existing code ...\n",
                ),
                ("    done: bool = False\n", "    done: bool = False\n    priority: int = 0\n"),
            ),
            edit(
                "models.py",
                ("    done: bool = False\n", "    done: bool = False\n    priority: int = 0\n"),
            ),
        ],
        Change(
            "models",
            FLASK,
            "models.py",
            "    done: bool = False\n",
            "    done: bool = False\n    priority: int = 0\n",
            "add a priority field",
        ),
    ),
]

CASES = DUPLICATES + DOUBLED + RESTATED_NEIGHBOURS + NOOP_BLOCKS + REST_OF_FILE
