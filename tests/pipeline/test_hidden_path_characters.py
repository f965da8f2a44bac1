"""A character that shows as nothing, or as spacing other than a plain space or tab, is part of
the path it touches, in every form an answer can name a file: never trimmed away, never taken
as a separator. Whatever the form, such a path fails the run and nothing is written."""

import json

import pytest

from orchestrator.errors import UnsafePath
from orchestrator.paths import clean_path
from tests.corpus import Case, Fails, edit, play, whole
from tests.corpus.projects import FLASK

# Characters Python's str.strip() and \s would drop, and invisible ones they would keep.
HIDDEN = {
    "next line": "\x85",
    "unit separator": "\x1f",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "line separator": "\u2028",
    "ideographic space": "\u3000",
    "no-break space": "\u00a0",
    "zero-width space": "\u200b",
    "byte order mark": "\ufeff",
    "right-to-left override": "\u202e",
}


def _forms(path: str) -> dict[str, str]:
    """One answer per way of naming a file, each naming `path`."""
    return {
        "FILE block": whole(path, "x = 1\n"),
        "EDIT block": edit(path, ("app = Flask(__name__)\n", 'app = Flask("todos")\n')),
        "DELETE": f"@@@ DELETE {path}\n",
        "RENAME": f"@@@ RENAME README.md -> {path}\n",
        "PLAN and FILE": f"@@@ PLAN {path}\n" + whole(path, "x = 1\n"),
        "unified diff": f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1 @@\n+x = 1\n",
        "git diff": (
            f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1 @@\n+x = 1\n"
        ),
        "apply_patch": f"*** Begin Patch\n*** Add File: {path}\n+x = 1\n*** End Patch\n",
        "JSON": json.dumps({"files": [{"path": path, "content": "x = 1\n"}]}),
        "tagged file": f'<file path="{path}">\nx = 1\n</file>\n',
        "Aider block": f"{path}\n```python\n<<<<<<< SEARCH\n=======\nx = 1\n>>>>>>> REPLACE\n```\n",
        "fence info": f"```python {path}\nx = 1\n```\n",
        "fence comment": f"```python\n# {path}\nx = 1\n```\n",
        "backticked mention": f"Here is `{path}`:\n\n```python\nx = 1\n```\n",
        "bold mention": f"**{path}**\n```python\nx = 1\n```\n",
        "heading": f"### {path}\n\n```python\nx = 1\n```\n",
        "labelled line": f"File: {path}\n```python\nx = 1\n```\n",
    }


PATHS = {
    "start": "{}new.py",
    "end": "new.py{}",
    "middle": "new{}.py",
    "folder edge": "pkg{}/new.py",
}


@pytest.mark.parametrize("where", PATHS)
@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_the_path_policy_refuses_the_character_wherever_it_is(char, where):
    with pytest.raises(UnsafePath):
        clean_path(PATHS[where].format(char))


def _cases():
    for where, shape in PATHS.items():
        for char_name, char in HIDDEN.items():
            for form, answer in _forms(shape.format(char)).items():
                yield pytest.param(answer, id=f"{form}-{char_name}-{where}")


@pytest.mark.parametrize("answer", list(_cases()))
def test_every_form_fails_and_writes_nothing(answer):
    outcome = play(Case("hidden", "paths", [answer], Fails(".")), chunk_size=11)
    # "failed" means iterate raised: no version is made, so nothing is written.
    assert outcome.category == "failed", outcome.detail


@pytest.mark.parametrize("form", _forms("new.py"))
def test_the_same_forms_with_a_plain_path_are_read(form):
    """The forms above are real ones: with a clean path each one changes the project."""
    path = "app.py" if form in {"EDIT block", "DELETE"} else "new.py"
    case = Case("plain", "paths", [_forms(path)[form]], Fails("never"), files=FLASK)
    outcome = play(case, chunk_size=11)
    assert outcome.category == "wrong", outcome.detail  # it completed: the case expected a failure
