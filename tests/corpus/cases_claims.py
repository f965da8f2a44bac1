"""Claims the dry run verifies, positions in diffs, indentation levels, provenance and
idempotence, encodings, and laziness across languages (issue 23, classes 3 to 7).

Each answer states a claim: this file is new, this text is here once at this level, this
hunk starts here after the earlier ones moved it, these lines are content. The answers are
written the way models wrote them in the reports the issue gathers (a diff from /dev/null
for a file that exists, a second FILE with only the changed part, line numbers off by a
few or by hundreds, a cat -n gutter copied into a file, placeholders in every comment
syntax); the classes name what is checked. Where a claim fails, the repair answer is the
one a model gives when told why.
"""

from tests.corpus import NO_CHANGES, Case, edit, whole
from tests.corpus.projects import (
    APP,
    APP_UP,
    FLASK,
    INDEX_OK,
    INDEX_UP,
    MODELS,
    README,
)


def case(kind: str, name: str, answers: list, expect, **fields) -> Case:
    return Case(name, kind, answers, expect, **fields)


def patch(*sections: str) -> str:
    """An apply_patch answer."""
    return "*** Begin Patch\n" + "".join(sections) + "*** End Patch\n"


def plus(text: str) -> str:
    return "".join(f"+{line}\n" for line in text.splitlines())


def diff(path: str, *hunks: str, old: str | None = None) -> str:
    """A fenced unified diff of one file; `old` "/dev/null" for a diff that adds it."""
    before = old or f"a/{path}"
    return f"```diff\n--- {before}\n+++ b/{path}\n" + "".join(hunks) + "```\n"


# Claims -----------------------------------------------------------------------------------

PRIORITY = "    done: bool = False\n"
MODELS_PRIORITY = MODELS.replace(PRIORITY, PRIORITY + "    priority: int = 0\n")
APP_HEALTH = APP.replace(
    '\n\nif __name__ == "__main__":',
    '\n\n@app.get("/health")\ndef health():\n    return jsonify({"ok": True})\n'
    '\n\nif __name__ == "__main__":',
)
TODO_CLASS = MODELS[MODELS.index("@dataclass\nclass Todo") : MODELS.index("class TodoStore")]
README_BADGE = README.replace(
    "A small Flask API for todos.\n", "A small Flask API for todos.\n\n![ci](ci.svg)\n"
)

CLAIMS = [
    case(
        "claims",
        "apply_patch Add File for a file that exists, then an update",
        [
            patch("*** Add File: app.py\n" + plus(APP_UP)),
            patch(f"*** Update File: app.py\n@@ def index():\n-{INDEX_OK}+{INDEX_UP}"),
        ],
        {"app.py": APP_UP},
        prompt="make the index say the service is up",
    ),
    case(
        "claims",
        "a git diff from /dev/null for a README that exists, then the whole file",
        [
            diff(
                "README.md",
                "@@ -0,0 +1,3 @@\n+# Todos\n+\n+Run `python app.py`.\n",
                old="/dev/null",
            ),
            whole("README.md", README_BADGE),
        ],
        {"README.md": README_BADGE},
        prompt="add a CI badge to the readme",
    ),
    case(
        "claims",
        "a new-file claim for a file that exists but is empty",
        [patch("*** Add File: app/__init__.py\n+from .factory import create_app\n")],
        {"app/__init__.py": "from .factory import create_app\n"},
        files={**FLASK, "app/__init__.py": ""},
        prompt="export create_app from the package",
        well_formed=True,
    ),
    case(
        "claims",
        "a new-file claim whose content is the file as it is",
        [patch("*** Add File: requirements.txt\n+flask==3.1.0\n+pytest==8.3.4\n")],
        NO_CHANGES,
        prompt="make sure the requirements list flask and pytest",
        well_formed=True,
    ),
    case(
        "claims",
        "an empty FILE for a file the request never mentions, then an edit",
        [
            whole("models.py", "") + whole("app.py", APP),
            edit("models.py", (PRIORITY, PRIORITY + "    priority: int = 0\n")),
        ],
        {"models.py": MODELS_PRIORITY},
        prompt="add a priority field to todos",
    ),
    case(
        "claims",
        "an empty FILE for the file the request asks to clear",
        [whole("requirements.txt", "")],
        {"requirements.txt": ""},
        prompt="clear requirements.txt, the dependencies move to pyproject",
        well_formed=True,
    ),
    case(
        "claims",
        "the whole file, then a second FILE with only the changed class",
        [
            whole("models.py", MODELS_PRIORITY)
            + "\nFinal code for the class:\n\n"
            + whole(
                "models.py", TODO_CLASS.replace(PRIORITY, PRIORITY + "    priority: int = 0\n")
            ),
            whole("models.py", MODELS_PRIORITY),
        ],
        {"models.py": MODELS_PRIORITY},
        prompt="add a priority field to todos",
    ),
    case(
        "claims",
        "the same whole file written twice",
        [
            whole("app.py", APP_UP)
            + "\nTo be sure, the whole file again:\n\n"
            + whole("app.py", APP_UP)
        ],
        {"app.py": APP_UP},
        prompt="make the index say the service is up",
        well_formed=True,
    ),
    case(
        "claims",
        "two different whole versions of one file, then one",
        [whole("app.py", APP_UP) + whole("app.py", APP_HEALTH), whole("app.py", APP_HEALTH)],
        {"app.py": APP_HEALTH},
        prompt="add a health endpoint",
    ),
    case(
        "claims",
        "an empty SEARCH whose REPLACE is the whole file and a new route",
        [edit("app.py", ("", APP_HEALTH))],
        {"app.py": APP_HEALTH},
        prompt="add a health endpoint",
        well_formed=True,
    ),
    case(
        "claims",
        "a hunk from line 0 that restates a file that exists, then an edit",
        [
            diff(
                "requirements.txt",
                "@@ -0,0 +1,3 @@\n+flask==3.1.0\n+pytest==8.3.4\n+gunicorn==23.0.0\n",
            ),
            edit("requirements.txt", ("pytest==8.3.4\n", "pytest==8.3.4\ngunicorn==23.0.0\n")),
        ],
        {"requirements.txt": "flask==3.1.0\npytest==8.3.4\ngunicorn==23.0.0\n"},
        prompt="add gunicorn to the requirements",
    ),
]

# Positions in diffs ------------------------------------------------------------------------

TESTS_API = """import pytest

from api import make_client


def test_users():
    client = make_client()
    client.login("admin")
    response = client.get("/users")
    assert response.status_code == 200


def test_teams():
    client = make_client()
    client.login("admin")
    response = client.get("/teams")
    assert response.status_code == 200


def test_projects():
    client = make_client()
    client.login("admin")
    response = client.get("/projects")
    assert response.status_code == 200
"""
RESET = "    client.reset()\n"
LOGIN = '    client = make_client()\n    client.login("admin")\n'
TEAMS_AT = TESTS_API.index("def test_teams")
TESTS_RESET = TESTS_API[:TEAMS_AT] + TESTS_API[TEAMS_AT:].replace(
    LOGIN, '    client = make_client()\n    client.reset()\n    client.login("admin")\n', 1
)
TESTS_HEADER = "import pytest\n\nfrom api import make_client\n"
TESTS_HEADER_NEW = "import pytest\n\nfrom api import make_client\nfrom api.fixtures import seed\n"
TESTS_BOTH = TESTS_RESET.replace(TESTS_HEADER, TESTS_HEADER_NEW)
API = {"tests/test_api.py": TESTS_API, "api/__init__.py": "from .client import make_client\n"}
IMPORT_HUNK = "@@ -1,3 +1,4 @@\n import pytest\n \n from api import make_client\n+from api.fixtures import seed\n"


def reset_hunk(line: int, count: str = "2,3", moved: int = 0) -> str:
    """The hunk that resets the client in test_teams, at `line` of the old file; `moved`:
    what earlier hunks added, for the new side's number."""
    old, new = count.split(",")
    return (
        f"@@ -{line},{old} +{line + moved},{new} @@ def test_teams():\n"
        '     client = make_client()\n+    client.reset()\n     client.login("admin")\n'
    )


POSITIONS = [
    case(
        "positions",
        "a second hunk whose lines are in three tests, placed by its line after the first",
        [diff("tests/test_api.py", IMPORT_HUNK, reset_hunk(14, moved=1))],
        {"tests/test_api.py": TESTS_BOTH},
        files=API,
        prompt="reset the client in the teams test, and import seed",
        well_formed=True,
    ),
    case(
        "positions",
        "every line number 200 too high",
        [
            diff(
                "tests/test_api.py",
                IMPORT_HUNK.replace("-1,3 +1,4", "-201,3 +201,4"),
                reset_hunk(214, moved=1),
            )
        ],
        {"tests/test_api.py": TESTS_BOTH},
        files=API,
        prompt="reset the client in the teams test, and import seed",
        well_formed=True,
    ),
    case(
        "positions",
        "hunks written out of order",
        [diff("tests/test_api.py", reset_hunk(14, moved=1), IMPORT_HUNK)],
        {"tests/test_api.py": TESTS_BOTH},
        files=API,
        prompt="reset the client in the teams test, and import seed",
        well_formed=True,
    ),
    case(
        "positions",
        "hunk headers with wrong counts and right bodies",
        [
            diff(
                "tests/test_api.py",
                IMPORT_HUNK.replace("-1,3 +1,4", "-1,5 +1,5"),
                reset_hunk(14, "4,4"),
            )
        ],
        {"tests/test_api.py": TESTS_BOTH},
        files=API,
        prompt="reset the client in the teams test, and import seed",
        well_formed=True,
    ),
    case(
        "positions",
        "a line number one off, nearest to one of three places",
        [diff("tests/test_api.py", reset_hunk(13))],
        {"tests/test_api.py": TESTS_RESET},
        files=API,
        prompt="reset the client in the teams test",
        well_formed=True,
    ),
    case(
        "positions",
        "a line number far from all three places, then more context",
        [
            diff("tests/test_api.py", reset_hunk(90)),
            edit(
                "tests/test_api.py",
                (
                    "def test_teams():\n" + LOGIN,
                    "def test_teams():\n    client = make_client()\n"
                    + RESET
                    + '    client.login("admin")\n',
                ),
            ),
        ],
        {"tests/test_api.py": TESTS_RESET},
        files=API,
        prompt="reset the client in the teams test",
    ),
    case(
        "positions",
        "a hunk without line numbers in three places, then more context",
        [
            diff("tests/test_api.py", reset_hunk(14).replace("@@ -14,2 +14,3 @@", "@@ ... @@")),
            diff(
                "tests/test_api.py",
                "@@ -13,3 +13,4 @@\n def test_teams():\n     client = make_client()\n+    client.reset()\n"
                '     client.login("admin")\n',
            ),
        ],
        {"tests/test_api.py": TESTS_RESET},
        files=API,
        prompt="reset the client in the teams test",
    ),
    case(
        "positions",
        "no newline at the end: the last of two equal lines",
        [
            "```diff\n--- a/VERSION\n+++ b/VERSION\n@@ -2 +2 @@\n-1.2.3\n\\ No newline at end of file\n"
            "+1.3.0\n\\ No newline at end of file\n```\n"
        ],
        {"VERSION": "# previous\n1.2.3\n1.3.0"},
        files={"VERSION": "# previous\n1.2.3\n1.2.3"},
        prompt="bump the current version to 1.3.0",
        well_formed=True,
    ),
    case(
        "positions",
        "a zero-context insertion nothing proves, then one with context",
        [
            diff("tests/test_api.py", "@@ -14,0 +15 @@\n+    client.reset()\n"),
            diff("tests/test_api.py", reset_hunk(14)),
        ],
        {"tests/test_api.py": TESTS_RESET},
        files=API,
        prompt="reset the client in the teams test",
    ),
    case(
        "positions",
        "a zero-context diff whose changed line proves its numbers",
        [
            diff(
                "tests/test_api.py",
                "@@ -3 +3 @@\n-from api import make_client\n+from api import make_client, seed\n",
                "@@ -14,0 +15 @@\n+    client.reset()\n",
            )
        ],
        {
            "tests/test_api.py": TESTS_RESET.replace(
                "from api import make_client\n", "from api import make_client, seed\n"
            )
        },
        files=API,
        prompt="reset the client in the teams test and import seed",
        well_formed=True,
    ),
]


# Indentation levels -------------------------------------------------------------------------

REPORT = """class ReportBuilder:
    def __init__(self, rows):
        self.rows = rows

    def totals(self):
        def add(values):
            result = 0
            for value in values:
                result += value
            return result

        result = {}
        for row in self.rows:
            result[row.name] = add(row.values)
        return result

    def render(self):
        lines = [f"{name}: {total}" for name, total in self.totals().items()]
        return "\\n".join(lines)
"""
SORTED = "        return dict(sorted(result.items()))\n"
REPORT_SORTED = REPORT.replace("\n        return result\n", "\n" + SORTED)
REPORT_PLAIN = REPORT.replace(
    '        return "\\n".join(lines)\n', '        return "\\n".join(lines) + "\\n"\n'
)
DRAFTS = """class Outer:
    class Draft:
        def __init__(self):
            self._dirty = True
        def save(self):
            self._dirty = False

    def save(self):
        self._dirty = False
"""
DRAFT_SAVED = DRAFTS.replace(
    "        def save(self):\n            self._dirty = False\n",
    "        def save(self):\n            self._dirty = False\n            self.saved_at = now()\n",
)
NESTED = """def sync(items, last):
  for item in items:
    if item.stale:
      item.refresh()
      continue
    item.push()
  if last:
    item = last
    item.refresh()
"""

INDENTATION_LEVELS = [
    case(
        "indentation_levels",
        "a SEARCH at neither of two levels its line is at, then the exact one",
        [
            edit("report.py", ("    return result\n", "    return dict(sorted(result.items()))\n")),
            edit("report.py", ("        return result\n", SORTED)),
        ],
        {"report.py": REPORT_SORTED},
        files={"report.py": REPORT},
        prompt="sort the totals by name",
    ),
    case(
        "indentation_levels",
        "a SEARCH exact at one level while the same line is at another",
        [edit("report.py", ("        return result\n", SORTED))],
        {"report.py": REPORT_SORTED},
        files={"report.py": REPORT},
        prompt="sort the totals by name",
        well_formed=True,
    ),
    case(
        "indentation_levels",
        "a block starting with a blank line that matches another method once indentation "
        "is ignored, then the exact lines",
        [
            edit(
                "drafts.py",
                (
                    "\n        def save(self):\n            self._dirty = False\n",
                    "\n        def save(self):\n            self._dirty = False\n"
                    "            self.saved_at = now()\n",
                ),
            ),
            edit(
                "drafts.py",
                (
                    "            self._dirty = True\n        def save(self):\n"
                    "            self._dirty = False\n",
                    "            self._dirty = True\n        def save(self):\n"
                    "            self._dirty = False\n            self.saved_at = now()\n",
                ),
            ),
        ],
        {"drafts.py": DRAFT_SAVED},
        files={"drafts.py": DRAFTS},
        prompt="record when a draft is saved",
    ),
    case(
        "indentation_levels",
        "a method quoted flush left, found at one place only",
        [
            edit(
                "report.py",
                (
                    'def render(self):\n    lines = [f"{name}: {total}" for name, total in '
                    'self.totals().items()]\n    return "\\n".join(lines)\n',
                    'def render(self):\n    lines = [f"{name}: {total}" for name, total in '
                    'self.totals().items()]\n    return "\\n".join(lines) + "\\n"\n',
                ),
            )
        ],
        {"report.py": REPORT_PLAIN},
        files={"report.py": REPORT},
        prompt="end the rendered report with a newline",
        well_formed=True,
    ),
    case(
        "indentation_levels",
        "a hunk whose lines match at two levels only once indentation is ignored, its "
        "number on one of them, then the exact hunk",
        [
            diff(
                "report.py",
                "@@ -10,1 +10,1 @@\n-    return result\n+    return dict(sorted(result.items()))\n",
            ),
            diff("report.py", "@@ -15,1 +15,1 @@\n-        return result\n+" + SORTED),
        ],
        {"report.py": REPORT_SORTED},
        files={"report.py": REPORT},
        prompt="sort the totals by name",
    ),
    case(
        "indentation_levels",
        "tabs for the four spaces of a block found at one place",
        [
            edit(
                "report.py",
                (
                    "\tdef __init__(self, rows):\n\t\tself.rows = rows\n",
                    "\tdef __init__(self, rows):\n\t\tself.rows = list(rows)\n",
                ),
            )
        ],
        {"report.py": REPORT.replace("self.rows = rows", "self.rows = list(rows)")},
        files={"report.py": REPORT},
        prompt="copy the rows",
        well_formed=True,
    ),
    case(
        "indentation_levels",
        "a block whose blank first line is in the file right there",
        [
            edit(
                "drafts.py",
                (
                    "\n    def save(self):\n        self._dirty = False\n",
                    "\n    def save(self):\n        self._dirty = False\n        self.flush()\n",
                ),
            )
        ],
        {
            "drafts.py": DRAFTS.replace(
                "    def save(self):\n        self._dirty = False\n",
                "    def save(self):\n        self._dirty = False\n        self.flush()\n",
            )
        },
        files={"drafts.py": DRAFTS},
        prompt="flush when the outer object is saved",
        well_formed=True,
    ),
    case(
        "indentation_levels",
        "eight spaces in a two-space file whose line is at two levels, then exact",
        [
            edit("sync.py", ("        item.refresh()\n", "        item.refresh(force=True)\n")),
            edit(
                "sync.py",
                (
                    "    item = last\n    item.refresh()\n",
                    "    item = last\n    item.refresh(force=True)\n",
                ),
            ),
        ],
        {
            "sync.py": NESTED.replace(
                "    item = last\n    item.refresh()\n",
                "    item = last\n    item.refresh(force=True)\n",
            )
        },
        files={"sync.py": NESTED},
        prompt="force the last refresh",
    ),
]

CASES = CLAIMS + POSITIONS + INDENTATION_LEVELS
