"""Where a block lands, from public reports of real models' answers.

report_repeated_code: a SEARCH too short to be unique, in a file with repeated sections
    https://github.com/Aider-AI/aider/issues/2050 (the white and the black player's stats)
    https://github.com/OpenHands/OpenHands/issues/10367 (a retry with only the first line)
report_out_of_order: several blocks for one file, not in the file's order
    https://github.com/cline/cline/issues/4067
report_blank_lines: a SEARCH with one blank line where the file has two, or none
    https://github.com/cline/cline/issues/5069
report_partial_line: a SEARCH whose last line is only the start of the file's line
    https://github.com/cline/cline/issues/11439
report_appends: the whole new file given as lines to add, so it was appended
    https://github.com/Aider-AI/aider/issues/3181
    https://github.com/Aider-AI/aider/issues/2258

Each block is written as the reports show it; where a fair reader cannot know which place
is meant, the claim fails and the repair answer is the one a model gives when told why.
"""

from tests.corpus import Case, Fails, edit
from tests.corpus.changes import CHANGES, Change
from tests.corpus.projects import FLASK
from tests.corpus.projects_languages import COMPOSE_YML, HANDLERS_GO, POLYGLOT

SOURCES = {
    "report_repeated_code": (
        "https://github.com/Aider-AI/aider/issues/2050",
        "https://github.com/OpenHands/OpenHands/issues/10367",
    ),
    "report_out_of_order": ("https://github.com/cline/cline/issues/4067",),
    "report_blank_lines": ("https://github.com/cline/cline/issues/5069",),
    "report_partial_line": ("https://github.com/cline/cline/issues/11439",),
    "report_appends": (
        "https://github.com/Aider-AI/aider/issues/3181",
        "https://github.com/Aider-AI/aider/issues/2258",
    ),
}


def case(kind: str, name: str, answers: list, expect, files=FLASK, prompt="", wf=False) -> Case:
    return Case(name, kind, answers, expect, files=files, prompt=prompt or name, well_formed=wf)


def aider(path: str, search: str, replace: str, prose: str = "") -> str:
    """An Aider-style block: the file's name on its own line, then a fenced block."""
    return (
        f"{prose}\n\n{path}\n```\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"
    )


# Repeated code ------------------------------------------------------------------------------

STATS = """def game_stats(white, black, moves):
    return {
        "moves": moves,
        "player_white": {
            "name": white.name,
            "wrong_moves": white.wrong_moves,
            "reflections_used": white.reflections_used,
        },
        "player_black": {
            "name": black.name,
            "wrong_moves": black.wrong_moves,
            "reflections_used": black.reflections_used,
        },
    }
"""
STATS_FILES = {"stats.py": STATS}
BLACK_OLD = '            "reflections_used": black.reflections_used,\n'
BLACK_NEW = BLACK_OLD + '            "time_used": black.time_used,\n'
STATS_BLACK = STATS.replace(BLACK_OLD, BLACK_NEW)
# What the reports show: the SEARCH names lines both players have.
SHORT = '            "wrong_moves": white.wrong_moves,\n'
CLOSING = "        },\n"

GO_RETURN = "\t\t\treturn\n\t\t}\n"
GO_LOGGED = HANDLERS_GO.replace(
    "\t\t\thttp.Error(w, err.Error(), http.StatusNotFound)\n\t\t\treturn\n",
    '\t\t\thttp.Error(w, err.Error(), http.StatusNotFound)\n\t\t\tlog.Printf("delete %s: %v", id, err)\n'
    "\t\t\treturn\n",
)
DEPENDS = "    depends_on:\n      - db\n"
COMPOSE_WORKER = COMPOSE_YML.replace(
    "    command: python manage.py worker\n" + DEPENDS,
    "    command: python manage.py worker\n" + DEPENDS + "    restart: unless-stopped\n",
)
LOGIN = '    client = make_client()\n    client.login("admin")\n'
TESTS_API = (
    "from api import make_client\n\n\ndef test_users():\n"
    + LOGIN
    + '    assert client.get("/users").ok\n'
    "\n\ndef test_teams():\n" + LOGIN + '    assert client.get("/teams").ok\n'
)
TESTS_TEAMS = TESTS_API.replace(
    "def test_teams():\n" + LOGIN, "def test_teams():\n" + LOGIN + "    client.reset()\n"
)


def repeated(name: str, files: dict, path: str, short: tuple, full: tuple, result: str) -> list:
    """A SEARCH found in two places, then the block with context: once well formed."""
    prompt = f"the change {name} asks for"
    return [
        case(
            "report_repeated_code",
            f"{name}: a SEARCH found twice, then one with context",
            [edit(path, short), edit(path, full)],
            {path: result},
            files=files,
            prompt=prompt,
        ),
        case(
            "report_repeated_code",
            f"{name}: twice too short, the second time only its first line, then context",
            [
                aider(path, *short, "Here is the change."),
                aider(path, short[0].splitlines(keepends=True)[0], short[1].splitlines(True)[0]),
                aider(path, *full, "With more context so it matches once:"),
            ],
            {path: result},
            files=files,
            prompt=prompt,
        ),
        case(
            "report_repeated_code",
            f"{name}: the block with context at once",
            [aider(path, *full, "The change:")],
            {path: result},
            files=files,
            prompt=prompt,
            wf=True,
        ),
        case(
            "report_repeated_code",
            f"{name}: never more context, a loud failure",
            [edit(path, short)],
            Fails(f"{path}.*(more than once|\\d+ places|twice|ambiguous)"),
            files=files,
            prompt=prompt,
        ),
    ]


GO_NOT_FOUND = "\t\t\thttp.Error(w, err.Error(), http.StatusNotFound)\n"
GO_LOG = '\t\t\tlog.Printf("delete %s: %v", id, err)\n'
TEAMS = "def test_teams():\n"
WORKER = "    command: python manage.py worker\n"
RESTART = "    restart: unless-stopped\n"

REPEATED = [
    *repeated(
        "stats",
        STATS_FILES,
        "stats.py",
        (CLOSING, '            "time_used": black.time_used,\n' + CLOSING),
        (BLACK_OLD, BLACK_NEW),
        STATS_BLACK,
    ),
    *repeated(
        "go handlers",
        POLYGLOT,
        "api/handlers.go",
        (GO_RETURN, GO_LOG + GO_RETURN),
        (GO_NOT_FOUND + GO_RETURN, GO_NOT_FOUND + GO_LOG + GO_RETURN),
        GO_LOGGED,
    ),
    *repeated(
        "compose",
        {"docker-compose.yml": COMPOSE_YML},
        "docker-compose.yml",
        (DEPENDS, DEPENDS + RESTART),
        (WORKER + DEPENDS, WORKER + DEPENDS + RESTART),
        COMPOSE_WORKER,
    ),
    *repeated(
        "tests",
        {"tests/test_api.py": TESTS_API},
        "tests/test_api.py",
        (LOGIN, LOGIN + "    client.reset()\n"),
        (TEAMS + LOGIN, TEAMS + LOGIN + "    client.reset()\n"),
        TESTS_TEAMS,
    ),
]


# Blocks out of order ------------------------------------------------------------------------


def out_of_order(first: Change, second_old: str, second_new: str, tag: str) -> list:
    """Two blocks for one file, the later place first."""
    result = first.result.replace(second_old, second_new)
    later, earlier = (
        ((first.old, first.new), (second_old, second_new))
        if first.text.index(first.old) > first.text.index(second_old)
        else ((second_old, second_new), (first.old, first.new))
    )
    return [
        case(
            "report_out_of_order",
            f"{tag}: two blocks, the later place first",
            [edit(first.path, later, earlier)],
            {first.path: result},
            files=first.files,
            prompt=first.prompt,
            wf=True,
        ),
        case(
            "report_out_of_order",
            f"{tag}: two Aider blocks, the later place first",
            [aider(first.path, *later, "Two changes:") + aider(first.path, *earlier)],
            {first.path: result},
            files=first.files,
            prompt=first.prompt,
            wf=True,
        ),
    ]


SECOND = {
    "python": (
        "from models import Todo, TodoStore\n",
        "from models import Todo, TodoStore  # noqa: F401\n",
    ),
    "dataclass": ("from itertools import count\n", "from itertools import count  # ids\n"),
    "go": ('\t"net/http"\n', '\t"log"\n\t"net/http"\n'),
    "rust": ("use std::collections::HashMap;\n", "use std::collections::HashMap;\nuse std::fmt;\n"),
    "ruby": ("  has_many :orders\n", "  has_many :orders, dependent: :destroy\n"),
    "java": ("import java.util.List;\n", "import java.time.Instant;\nimport java.util.List;\n"),
    "csharp": ("using System.Linq;\n", "using System.Linq;\nusing Billing.Models;\n"),
    "php": (
        "use App\\Repository\\ProductRepository;\n",
        "use App\\Repository\\ProductRepository;\nuse Psr\\Log\\LoggerInterface;\n",
    ),
    "sql": (
        "CREATE INDEX orders_customer ON orders(customer_id);\n",
        "CREATE INDEX orders_customer ON orders(customer_id);\nCREATE INDEX orders_status ON orders(status);\n",
    ),
    "yaml": ('      - "8000:8000"\n', '      - "8080:8000"\n'),
    "shell": ("APP_DIR=/srv/app\n", "APP_DIR=${APP_DIR:-/srv/app}\n"),
    "lua": ('  border = "rounded",\n', '  border = "single",\n'),
    "javascript": ("app.use(express.json());\n", 'app.use(express.json({ limit: "1mb" }));\n'),
}

OUT_OF_ORDER = [
    case_
    for change in CHANGES
    for case_ in out_of_order(change, *SECOND[change.key], f"{change.key} {change.path}")
]


# Blank lines --------------------------------------------------------------------------------

APP = FLASK["app.py"]
TWO_FUNCTIONS = '@app.get("/todos")\ndef list_todos():\n'
ONE_BLANK = '    return jsonify({"service": "todos", "status": "ok"})\n\n' + TWO_FUNCTIONS
REAL = '    return jsonify({"service": "todos", "status": "ok"})\n\n\n' + TWO_FUNCTIONS
LIMITED = REAL.replace(
    "def list_todos():\n", 'def list_todos():\n    limit = int(request.args.get("limit", 100))\n'
)
APP_LIMITED = APP.replace(REAL, LIMITED)

BLANK_LINES = [
    case(
        "report_blank_lines",
        "one blank line in the SEARCH where the file has two, then the exact lines",
        [
            edit(
                "app.py",
                (
                    ONE_BLANK,
                    ONE_BLANK.replace(
                        "def list_todos():\n",
                        'def list_todos():\n    limit = int(request.args.get("limit", 100))\n',
                    ),
                ),
            ),
            edit("app.py", (REAL, LIMITED)),
        ],
        {"app.py": APP_LIMITED},
        prompt="let the todo list take a limit",
    ),
    case(
        "report_blank_lines",
        "no blank line in the SEARCH where the file has two, then the exact lines",
        [
            edit("app.py", (ONE_BLANK.replace("\n\n", "\n"), LIMITED.replace("\n\n\n", "\n"))),
            edit("app.py", (REAL, LIMITED)),
        ],
        {"app.py": APP_LIMITED},
        prompt="let the todo list take a limit",
    ),
    case(
        "report_blank_lines",
        "a SEARCH that starts and ends with blank lines the file has",
        [edit("app.py", ("\n\n" + TWO_FUNCTIONS, "\n\n" + LIMITED.split("\n\n\n")[1]))],
        {"app.py": APP_LIMITED},
        prompt="let the todo list take a limit",
        wf=True,
    ),
]
for change in CHANGES[2:8]:
    doubled = (
        change.old.replace("\n", "\n\n", 1) if change.old.count("\n") > 1 else "\n" + change.old
    )
    BLANK_LINES.append(
        case(
            "report_blank_lines",
            f"{change.key}: an extra blank line in the SEARCH, then the exact lines",
            [edit(change.path, (doubled, change.new)), edit(change.path, (change.old, change.new))],
            change.expect,
            files=change.files,
            prompt=change.prompt,
        )
    )


# Partial lines ------------------------------------------------------------------------------


def partial(change: Change) -> Case:
    """The SEARCH's last line cut after a few words: the rest of the line is not named."""
    last = change.old.splitlines(keepends=True)[-1]
    cut = last[: max(len(last) // 2, len(last) - len(last.lstrip()) + 4)] + "\n"
    search = change.old[: -len(last)] + cut
    return case(
        "report_partial_line",
        f"{change.key}: the SEARCH ends in half a line, then whole lines",
        [edit(change.path, (search, change.new)), edit(change.path, (change.old, change.new))],
        change.expect,
        files=change.files,
        prompt=change.prompt,
    )


PARTIAL_LINES = [
    partial(change) for change in CHANGES if len(change.old.splitlines()[-1].strip()) > 12
]


# Appended whole files -----------------------------------------------------------------------

DB = """from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

DATABASE_URL = "sqlite:///data/papers.db"

engine = create_engine(DATABASE_URL, echo=True)
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
"""
DB_CONFIG = """import os

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///data/papers.db")

engine = create_engine(DATABASE_URL, echo=True)
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
"""


def appended(change: Change, tag: str, wf: bool = True) -> Case:
    """An empty SEARCH whose REPLACE is the whole new file."""
    return case(
        "report_appends",
        f"{tag}: the whole new file as lines to add",
        [aider(change.path, "", change.result, "Here is the updated file:")],
        change.expect,
        files=change.files,
        prompt=change.prompt,
        wf=wf,
    )


APPENDS = [
    case(
        "report_appends",
        "the database module rewritten with a config import, as lines to add",
        [aider("db/session.py", "", DB_CONFIG, "Read the URL from the environment:")],
        {"db/session.py": DB_CONFIG},
        files={"db/session.py": DB},
        prompt="read the database URL from the environment",
        wf=True,
    ),
    case(
        "report_appends",
        "a new file named on its own line while another file is open, as lines to add",
        [aider("text.txt", "", "Hello World\n", "I'll create a new text.txt file:")],
        {"text.txt": "Hello World\n"},
        prompt="create a new file text.txt with Hello World",
        wf=True,
    ),
    *[appended(change, change.key) for change in CHANGES[:10]],
]

CASES = REPEATED + OUT_OF_ORDER + BLANK_LINES + PARTIAL_LINES + APPENDS
