"""What an answer says, and in which words, from public reports of real models' answers.

report_think_tags: reasoning inline in the answer, with draft operations the final answer
    changes or drops; the opening tag missing, or the block cut off
    https://github.com/continuedev/continue/issues/3832
    https://github.com/ggml-org/llama.cpp/issues/11861
    https://github.com/datawhalechina/self-llm/issues/356
report_shell_edits: the change written as shell commands (a heredoc, sed -i, rm, git mv)
    https://github.com/anthropics/claude-code/issues/7565
    https://github.com/openclaw/openclaw/issues/93139
report_cline_markers: Cline's replace_in_file blocks, with its own marker lines and the
    trailing ">" models add to them
    https://github.com/cline/cline/pull/4427
    https://github.com/cline/cline/issues/4011
report_wrong_file: a file named by its base name only, or a new file named like an
    existing one in another folder
    https://github.com/Aider-AI/aider/issues/2258
    https://github.com/Aider-AI/aider/issues/2395

These are read on the reading floor (orchestrator.answers) or settled on the merge floor
(orchestrator.targets); each answer is written as the reports show it.
"""

from tests.corpus import NO_CHANGES, Fails, cut, edit, whole
from tests.corpus.changes import CHANGES, INDEX, PRIORITY, Change, final
from tests.corpus.changes import change_case as case
from tests.corpus.projects import APP, FLASK, INDEX_OK, INDEX_UP, MODELS

SOURCES = {
    "report_think_tags": (
        "https://github.com/continuedev/continue/issues/3832",
        "https://github.com/ggml-org/llama.cpp/issues/11861",
        "https://github.com/datawhalechina/self-llm/issues/356",
    ),
    "report_shell_edits": (
        "https://github.com/anthropics/claude-code/issues/7565",
        "https://github.com/openclaw/openclaw/issues/93139",
    ),
    "report_cline_markers": (
        "https://github.com/cline/cline/pull/4427",
        "https://github.com/cline/cline/issues/4011",
    ),
    "report_wrong_file": (
        "https://github.com/Aider-AI/aider/issues/2258",
        "https://github.com/Aider-AI/aider/issues/2395",
    ),
}


def draft(change: Change) -> str:
    """A draft of the change that the final answer corrects."""
    return edit(change.path, (change.old, change.old.rstrip("\n") + "  # draft\n"))


# Think tags ---------------------------------------------------------------------------------

DRAFT_FILE = whole("notes/plan.md", "# Plan\n\n- try the first idea\n")

THINK_TAGS = (
    [
        case(
            "report_think_tags",
            f"{change.key}: a <{tag}> block with a draft edit, then the final edit",
            [
                f"<{tag}>\nThe user wants: {change.prompt}. A first try:\n\n{draft(change)}\n"
                f"No, that is wrong. Let me give the right edit.\n</{tag}>\n\n{final(change)}"
            ],
            change,
            wf=True,
        )
        for change, tag in zip(CHANGES[:6], ("think", "thinking", "reasoning") * 2, strict=True)
    ]
    + [
        case(
            "report_think_tags",
            f"{change.key}: only the closing tag arrived, the draft before it",
            [
                f"Okay, the request: {change.prompt}.\n\n{draft(change)}\nHmm, better:\n</think>\n\n"
                f"{final(change)}"
            ],
            change,
            wf=True,
        )
        for change in CHANGES[6:9]
    ]
    + [
        case(
            "report_think_tags",
            "a draft file written in the reasoning that the final answer drops",
            [
                f"<think>\nMaybe a plan file first:\n\n{DRAFT_FILE}\nNo, just the edit.\n</think>\n\n"
                f"{final(INDEX)}"
            ],
            INDEX,
            wf=True,
        ),
        case(
            "report_think_tags",
            "an answer cut off inside its reasoning, then asked again",
            [cut(f"<think>\nFirst I will look at {INDEX.path}.\n\n{draft(INDEX)}"), final(INDEX)],
            INDEX,
        ),
        case(
            "report_think_tags",
            "reasoning with a draft, and no change in the final answer",
            [
                f"<think>\n{draft(PRIORITY)}\nActually the field exists already.\n</think>\n\n"
                "The model already has what you asked for; no change is needed."
            ],
            PRIORITY,
            expect=NO_CHANGES,
        ),
    ]
)


# Shell edits --------------------------------------------------------------------------------

HEALTH = 'from flask import Blueprint\n\nbp = Blueprint("health", __name__)\n'

SHELL_EDITS = [
    case(
        "report_shell_edits",
        "a new file written with a heredoc",
        [
            f"Create the blueprint:\n\n```bash\ncat > health.py <<'EOF'\n{HEALTH}EOF\n```\n",
            whole("health.py", HEALTH),
        ],
        Change("heredoc", FLASK, "health.py", "", HEALTH, "add a health blueprint module"),
        expect={"health.py": HEALTH},
    ),
    case(
        "report_shell_edits",
        "an existing file rewritten with a heredoc",
        [f"```sh\ncat > app.py << EOF\n{APP.replace(INDEX_OK, INDEX_UP)}EOF\n```\n", final(INDEX)],
        INDEX,
    ),
    case(
        "report_shell_edits",
        "a sed -i substitution",
        [
            'Run this:\n\n```bash\nsed -i \'s/"status": "ok"/"status": "up"/\' app.py\n```\n',
            final(INDEX),
        ],
        INDEX,
    ),
    case(
        "report_shell_edits",
        "a line inserted with sed after a line number",
        ["```bash\nsed -i '8a\\    priority: int = 0' models.py\n```\n", final(PRIORITY)],
        PRIORITY,
    ),
    case(
        "report_shell_edits",
        "a line appended with echo >>",
        [
            "```bash\necho 'gunicorn==23.0.0' >> requirements.txt\n```\n",
            edit("requirements.txt", ("pytest==8.3.4\n", "pytest==8.3.4\ngunicorn==23.0.0\n")),
        ],
        Change(
            "echo",
            FLASK,
            "requirements.txt",
            "pytest==8.3.4\n",
            "pytest==8.3.4\ngunicorn==23.0.0\n",
            "add gunicorn to the requirements",
        ),
    ),
    case(
        "report_shell_edits",
        "a file removed with rm",
        [
            "Delete the old tests:\n\n```bash\nrm tests/test_app.py\n```\n",
            "@@@ DELETE tests/test_app.py\n",
        ],
        Change("rm", FLASK, "tests/test_app.py", "", "", "delete the tests"),
        expect={"tests/test_app.py": None},
    ),
    case(
        "report_shell_edits",
        "git mv and then an edit of the moved file",
        [
            "```bash\ngit mv models.py store.py\n```\n\nThen in store.py:\n\n"
            + edit("store.py", (PRIORITY.old, PRIORITY.new)),
            "@@@ RENAME models.py -> store.py\n" + edit("store.py", (PRIORITY.old, PRIORITY.new)),
        ],
        Change(
            "git mv", FLASK, "models.py", "", "", "rename models.py to store.py and add a priority"
        ),
        expect={"models.py": None, "store.py": MODELS.replace(PRIORITY.old, PRIORITY.new)},
    ),
    case(
        "report_shell_edits",
        "a RENAME line and the edit by the new name",
        ["@@@ RENAME models.py -> store.py\n" + edit("store.py", (PRIORITY.old, PRIORITY.new))],
        Change(
            "rename", FLASK, "models.py", "", "", "rename models.py to store.py and add a priority"
        ),
        expect={"models.py": None, "store.py": MODELS.replace(PRIORITY.old, PRIORITY.new)},
        wf=True,
    ),
    case(
        "report_shell_edits",
        "commands that only run things propose no change",
        ["Run the tests to check:\n\n```bash\npytest -q\n```\n"],
        Change("run", FLASK, "app.py", "", "", "do the tests pass?"),
        expect=NO_CHANGES,
        wf=True,
    ),
]


# Cline's markers ----------------------------------------------------------------------------


def cline(change: Change, head: str = "------- SEARCH", tail: str = "+++++++ REPLACE") -> str:
    return (
        f"<replace_in_file>\n<path>{change.path}</path>\n<diff>\n{head}\n{change.old}=======\n"
        f"{change.new}{tail}\n</diff>\n</replace_in_file>\n"
    )


CLINE_MARKERS = (
    [
        case(
            "report_cline_markers",
            f"{change.key}: Cline's replace_in_file",
            [cline(change)],
            change,
            wf=True,
        )
        for change in CHANGES[:4]
    ]
    + [
        case(
            "report_cline_markers",
            f"{change.key}: Cline's markers with a trailing >",
            [cline(change, "------- SEARCH>", "+++++++ REPLACE>"), final(change)],
            change,
        )
        for change in CHANGES[4:7]
    ]
    + [
        case(
            "report_cline_markers",
            f"{change.key}: Aider's markers inside replace_in_file",
            [cline(change, "<<<<<<< SEARCH", ">>>>>>> REPLACE")],
            change,
            wf=True,
        )
        for change in CHANGES[7:9]
    ]
)


# Wrong file ---------------------------------------------------------------------------------

NESTED = {
    "src/app/settings.py": "DEBUG = False\nALLOWED_HOSTS = []\nTIME_ZONE = 'UTC'\n",
    "src/app/urls.py": "urlpatterns = []\n",
    "README.md": "# Site\n",
}
SETTINGS = NESTED["src/app/settings.py"]
SETTINGS_DEBUG = SETTINGS.replace("DEBUG = False", "DEBUG = True")
NESTED_CHANGE = Change(
    "nested", NESTED, "src/app/settings.py", "DEBUG = False\n", "DEBUG = True\n", "turn debug on"
)

WRONG_FILE = (
    [
        case(
            "report_wrong_file",
            "an edit of settings.py by its base name",
            [edit("settings.py", ("DEBUG = False\n", "DEBUG = True\n"))],
            NESTED_CHANGE,
            wf=True,
        ),
        case(
            "report_wrong_file",
            "the whole of settings.py by its base name, then by its path",
            [whole("settings.py", SETTINGS_DEBUG), whole("src/app/settings.py", SETTINGS_DEBUG)],
            NESTED_CHANGE,
        ),
        case(
            "report_wrong_file",
            "an Aider block for settings.py by its base name",
            [
                "settings.py\n```python\n<<<<<<< SEARCH\nDEBUG = False\n=======\nDEBUG = True\n"
                ">>>>>>> REPLACE\n```\n"
            ],
            NESTED_CHANGE,
            wf=True,
        ),
        case(
            "report_wrong_file",
            "a new README in a sub-folder, though one exists at the root",
            [whole("src/app/README.md", "# App\n\nThe Django app.\n")],
            Change(
                "readme",
                NESTED,
                "src/app/README.md",
                "",
                "# App\n\nThe Django app.\n",
                "add a readme for the app folder",
            ),
            expect={"src/app/README.md": "# App\n\nThe Django app.\n"},
            wf=True,
        ),
        case(
            "report_wrong_file",
            "a new file named like one elsewhere, with other content",
            [whole("urls.py", "from django.urls import path\n\nurlpatterns = [path('', index)]\n")],
            Change("urls", NESTED, "urls.py", "", "", "add a root urls module"),
            expect={"urls.py": "from django.urls import path\n\nurlpatterns = [path('', index)]\n"},
            wf=True,
        ),
        case(
            "report_wrong_file",
            "an edit of a base name two files share, never made clear",
            [edit("__init__.py", ("", "VERSION = '1'\n"))],
            Change(
                "init",
                {"a/__init__.py": "", "b/__init__.py": "x = 1\n"},
                "a/__init__.py",
                "",
                "",
                "set a version",
            ),
            expect=Fails("__init__.py"),
        ),
        case(
            "report_wrong_file",
            "the whole file under the project's name as a folder, then by its path",
            [whole("todo-api/app.py", INDEX.result), whole("app.py", INDEX.result)],
            INDEX,
        ),
        case(
            "report_wrong_file",
            "the whole file under a src folder the project lacks, then by its path",
            [whole("src/models.py", PRIORITY.result), whole("models.py", PRIORITY.result)],
            PRIORITY,
        ),
        case(
            "report_wrong_file",
            "a copy into a new folder the request names",
            [whole("backup/app.py", APP)],
            Change("copy", FLASK, "backup/app.py", "", APP, "copy app.py into a backup folder"),
            expect={"backup/app.py": APP},
            wf=True,
        ),
        case(
            "report_wrong_file",
            "lines to add under a bare name one folder holds, then the new file written whole",
            [
                edit("settings.py", ("", "SECRET_KEY = 'dev'\n")),
                whole("settings.py", "SECRET_KEY = 'dev'\n"),
            ],
            Change("new root", NESTED, "settings.py", "", "", "add a root settings module"),
            expect={"settings.py": "SECRET_KEY = 'dev'\n"},
        ),
        case(
            "report_wrong_file",
            "lines to add under a bare name one folder holds, then by the folder's path",
            [
                edit("settings.py", ("", "LANGUAGE_CODE = 'en'\n")),
                edit("src/app/settings.py", ("", "LANGUAGE_CODE = 'en'\n")),
            ],
            Change("append", NESTED, "src/app/settings.py", "", "", "set the language code"),
            expect={"src/app/settings.py": SETTINGS + "LANGUAGE_CODE = 'en'\n"},
        ),
    ]
    + [
        case(
            "report_wrong_file",
            f"{change.key}: an edit by the base name of {change.path}",
            [edit(change.path.rsplit("/", 1)[-1], (change.old, change.new))],
            change,
            wf=True,
        )
        for change in CHANGES
        if "/" in change.path
    ]
    + [
        case(
            "report_wrong_file",
            f"{change.key}: the whole file by the base name of {change.path}, then by its path",
            [
                whole(change.path.rsplit("/", 1)[-1], change.result),
                whole(change.path, change.result),
            ],
            change,
        )
        for change in CHANGES[2:6]
    ]
)

CASES = THINK_TAGS + SHELL_EDITS + CLINE_MARKERS + WRONG_FILE
