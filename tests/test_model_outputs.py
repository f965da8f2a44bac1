"""A corpus of model answers, each with what the pipeline must make of it.

Each case is the sequence of answers the model gives (first the iteration, then any repair
or regeneration requests) and the expected outcome: files that changed, no changes, or an
error whose message names the problem.
"""

import pytest

from orchestrator import ProjectBrief, iterate
from orchestrator.errors import EditFailed, ModelAnswerInvalid, UnsafePath
from orchestrator.pipeline import RunOptions
from orchestrator.providers.base import StreamChunk, Usage
from tests.scripted import ScriptedProvider

APP = """from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "hello"


@app.get("/about")
def about():
    return "hello"
"""
TEXT = """def shout(text):
    return text.upper()


class Greeter:
    def greet(self, name):
        return f"hi {name}"
"""
LONG = "".join(f"line {n}\n" for n in range(40))
FILES = {"app.py": APP, "README.md": "# Demo\n", "utils/text.py": TEXT, "long.txt": LONG}
BRIEF = ProjectBrief(title="Demo", prompt="demo", stack="flask")


def edit(path, *blocks):
    body = "".join(f"<<<<<<< SEARCH\n{s}=======\n{r}>>>>>>> REPLACE\n" for s, r in blocks)
    return f"@@@ EDIT {path}\n{body}@@@ END\n"


def whole(path, content):
    return f"@@@ FILE {path}\n{content}@@@ END\n"


def cut(text):
    """An answer that hit the length limit exactly where `text` ends."""
    return [StreamChunk(text), StreamChunk("", usage=Usage(1, 1), finish_reason="MAX_TOKENS")]


INDEX = ('def index():\n    return "hello"\n', 'def index():\n    return "welcome"\n')
APP_WELCOME = APP.replace(
    'return "hello"\n\n\n@app.get("/about")', 'return "welcome"\n\n\n@app.get("/about")'
)

CASES = {
    # Clean answers
    "new file": (["@@@ PLAN NOTES.md\n" + whole("NOTES.md", "n\n")], {"NOTES.md": "n\n"}),
    "one edit block": ([edit("app.py", INDEX)], {"app.py": APP_WELCOME}),
    "two edit blocks": (
        [
            edit(
                "utils/text.py",
                ("    return text.upper()\n", "    return text.upper() + '!'\n"),
                ('        return f"hi {name}"\n', '        return f"hello {name}"\n'),
            )
        ],
        {"utils/text.py": TEXT.replace("upper()\n", "upper() + '!'\n").replace("hi {", "hello {")},
    ),
    "edit, delete and rename together": (
        [edit("app.py", INDEX) + "@@@ DELETE README.md\n@@@ RENAME long.txt -> docs/long.txt\n"],
        {"app.py": APP_WELCOME, "README.md": None, "long.txt": None, "docs/long.txt": LONG},
    ),
    "prose around the operations": (
        ["Sure! Here is the change.\n\n" + whole("a.txt", "a\n") + "\nLet me know.\n"],
        {"a.txt": "a\n"},
    ),
    "whole file rewrite of an existing file": (
        [whole("README.md", "# Demo\n\nMore.\n")],
        {"README.md": "# Demo\n\nMore.\n"},
    ),
    "empty SEARCH appends": (
        [edit("README.md", ("", "Appended.\n"))],
        {"README.md": "# Demo\nAppended.\n"},
    ),
    # Mis-fenced answers
    "whole answer in a fence": (
        ["```\n" + edit("app.py", INDEX) + "```\n"],
        {"app.py": APP_WELCOME},
    ),
    "each operation in its own fence": (
        ["```text\n" + whole("a.txt", "a\n") + "```\n```diff\n" + edit("app.py", INDEX) + "```\n"],
        {"a.txt": "a\n", "app.py": APP_WELCOME},
    ),
    "fences inside a file are content": (
        [whole("GUIDE.md", "```sh\nmake run\n```\n")],
        {"GUIDE.md": "```sh\nmake run\n```\n"},
    ),
    "stray fence lines between blocks": (
        [edit("app.py", INDEX).replace("@@@ EDIT app.py\n", "@@@ EDIT app.py\n```\n")],
        {"app.py": APP_WELCOME},
    ),
    # Drift between the model's quote and the file
    "trailing whitespace in SEARCH": (
        [edit("app.py", ('def index():   \n    return "hello"  \n', INDEX[1]))],
        {"app.py": APP_WELCOME},
    ),
    "indentation lost in SEARCH is restored": (
        [edit("utils/text.py", ('return f"hi {name}"\n', 'return f"hey {name}"\n'))],
        {"utils/text.py": TEXT.replace("hi {", "hey {")},
    ),
    "CRLF line endings from the model": (
        [edit("README.md", ("# Demo\n", "# Demo app\n")).replace("\n", "\r\n")],
        {"README.md": "# Demo app\r\n"},
    ),
    # Blocks that do not apply: repaired, then regenerated, else reported
    "ambiguous block repaired in one round": (
        [edit("app.py", ('    return "hello"\n', '    return "hey"\n')), edit("app.py", INDEX)],
        {"app.py": APP_WELCOME},
    ),
    "nowhere block repaired in the second round": (
        [
            edit("app.py", ("def nope():\n", "x\n")),
            edit("app.py", ("still nope\n", "x\n")),
            edit("app.py", INDEX),
        ],
        {"app.py": APP_WELCOME},
    ),
    "repairs fail, regeneration writes the file": (
        [edit("app.py", ("nope\n", "x\n"))] * 3 + [whole("app.py", APP_WELCOME)],
        {"app.py": APP_WELCOME},
    ),
    "nothing fixes it: the failure names the file": (
        [edit("app.py", ("nope\n", "x\n"))],
        (EditFailed, r"app\.py matches nowhere.*did not fix it"),
    ),
    "edit of a missing file, repaired as a new file": (
        [edit("missing.py", ("a\n", "b\n")), whole("missing.py", "b\n")],
        {"missing.py": "b\n"},
    ),
    "delete of a missing file is reported": (
        ["@@@ DELETE ghost.py\n", "No change."],
        (EditFailed, r"delete ghost\.py, which does not exist"),
    ),
    # Truncated answers
    "cut off inside a file, regenerated": (
        [cut("@@@ FILE NOTES.md\nfirst half\n"), whole("NOTES.md", "all of it\n")],
        {"NOTES.md": "all of it\n"},
    ),
    "unclosed block at STOP, regenerated": (
        ["@@@ FILE NOTES.md\npartial\n", whole("NOTES.md", "whole\n")],
        {"NOTES.md": "whole\n"},
    ),
    "cut off every time: reported": (
        [cut("@@@ FILE NOTES.md\nhalf\n")],
        (EditFailed, r"NOTES\.md could not be written properly.*cut off"),
    ),
    "length limit after complete operations keeps them": (
        [cut(whole("a.txt", "a\n"))],
        {"a.txt": "a\n"},
    ),
    # Lazy answers
    "placeholder instead of code, regenerated": (
        [
            whole("app.py", APP.replace('@app.get("/about")', "# ... rest of the code unchanged")),
            whole("app.py", APP_WELCOME),
        ],
        {"app.py": APP_WELCOME},
    ),
    "placeholder in a replace block, repaired": (
        [
            edit(
                "utils/text.py",
                ("class Greeter:\n", "class Greeter:\n    # existing methods remain unchanged\n"),
            ),
            edit("utils/text.py", ("class Greeter:\n", "class Greeter:\n    greeting = 'hi'\n")),
        ],
        {
            "utils/text.py": TEXT.replace(
                "class Greeter:\n", "class Greeter:\n    greeting = 'hi'\n"
            )
        },
    ),
    "file gutted for an additive request, regenerated": (
        [whole("long.txt", "line 0\n"), whole("long.txt", LONG + "line 40\n")],
        {"long.txt": LONG + "line 40\n"},
    ),
    # Hostile paths
    "parent directory": (
        ["@@@ FILE ../outside.py\nx\n@@@ END\n"],
        (UnsafePath, "leaves the project"),
    ),
    "absolute path": (["@@@ DELETE /etc/passwd\n"], (UnsafePath, "absolute")),
    "backslashes": ([whole("..\\evil.py", "x\n")], (UnsafePath, "backslash")),
    "control character": ([whole("a\x07b.py", "x\n")], (UnsafePath, "control")),
    "rename out of the project": (
        ["@@@ RENAME README.md -> ../../README.md\n"],
        (UnsafePath, "leaves the project"),
    ),
    "home directory": ([whole("~/.bashrc", "x\n")], (UnsafePath, "absolute")),
    # Nothing to do, or nonsense
    "empty answer": ([""], "no_changes"),
    "prose only": (["The project already does this."], "no_changes"),
    "edit that changes nothing": ([edit("README.md", ("# Demo\n", "# Demo\n"))], "no_changes"),
    "unknown marker": (["@@@ PATCH app.py\n"], (ModelAnswerInvalid, "marker")),
    "edit without blocks": (["@@@ EDIT app.py\n@@@ END\n"], (ModelAnswerInvalid, "no blocks")),
}


def test_the_corpus_has_at_least_thirty_answers():
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", list(CASES))
def test_model_output(name):
    answers, expected = CASES[name]
    provider = ScriptedProvider(list(answers), chunk_size=7)
    prompt = "add the requested change"

    def run():
        return iterate(
            FILES, prompt, BRIEF, provider, lambda e: None, RunOptions(sleep=lambda s: None)
        )

    if isinstance(expected, tuple):
        error, message = expected
        with pytest.raises(error, match=message):
            run()
        return
    result = run()
    if expected == "no_changes":
        assert (result.outcome, result.files) == ("no_changes", FILES)
        return
    assert result.outcome == "completed"
    for path, content in expected.items():
        assert result.files.get(path) == content, path
    untouched = set(FILES) - set(expected)
    assert {p: result.files[p] for p in untouched} == {p: FILES[p] for p in untouched}


def test_a_legitimate_shrink_for_a_removal_is_accepted():
    provider = ScriptedProvider([whole("long.txt", "line 0\n")])
    result = iterate(FILES, "remove most lines of long.txt", BRIEF, provider, lambda e: None)
    assert result.files["long.txt"] == "line 0\n"


def test_repair_requests_name_the_failed_block_and_show_the_current_file():
    provider = ScriptedProvider([edit("app.py", ("def nope():\n", "x\n")), edit("app.py", INDEX)])
    iterate(FILES, "change index", BRIEF, provider, lambda e: None)
    repair = provider.requests[1]
    assert repair.purpose == "repair"
    assert "Change 1 to app.py matches nowhere" in repair.prompt
    assert "Block 1 searched for:\ndef nope():" in repair.prompt
    assert APP in repair.prompt
