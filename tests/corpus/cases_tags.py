"""Answers written with file tags (bolt.diy's, Dyad's, plain <file path=...>), other
stacks, and diffs as git prints them."""

from tests.corpus import NO_CHANGES, Fails, classed, edit, whole
from tests.corpus.projects import APP_UP, INDEX_OK, INDEX_UP, MODELS

NEW_TEST = "def test_x():\n    assert 1 + 1 == 2\n"


CASES = [
    classed(
        "formats",
        "xml file tag with path attribute",
        ['I will update the status.\n\n<file path="app.py">\n' + APP_UP + "</file>\n"],
        {"app.py": APP_UP},
    ),
    classed(
        "formats",
        "bolt action",
        [
            '<boltArtifact id="x" title="y">\n<boltAction type="file" filePath="tests/test_x.py">\n'
            + NEW_TEST
            + "</boltAction>\n</boltArtifact>\n"
        ],
        {"tests/test_x.py": NEW_TEST},
    ),
    classed(
        "formats",
        "dyad write and delete",
        [
            '<dyad-write path="tests/test_x.py" description="a test">\n'
            + NEW_TEST
            + '</dyad-write>\n<dyad-delete path="requirements.txt"></dyad-delete>\n'
        ],
        {"tests/test_x.py": NEW_TEST, "requirements.txt": None},
    ),
    classed(
        "formats",
        "dyad rename",
        ['<dyad-rename from="models.py" to="store.py"></dyad-rename>\n'],
        {"models.py": None, "store.py": MODELS},
    ),
    classed(
        "formats",
        "dyad search-replace",
        [
            '<dyad-search-replace path="app.py">\n<<<<<<< SEARCH\n'
            + INDEX_OK
            + "=======\n"
            + INDEX_UP
            + ">>>>>>> REPLACE\n</dyad-search-replace>\n"
        ],
        {"app.py": APP_UP},
    ),
    classed(
        "formats",
        "xml file tag with a fenced body",
        ['<file path="app.py">\n```python\n' + APP_UP + "```\n</file>\n"],
        {"app.py": APP_UP},
    ),
    classed(
        "paths",
        "xml file tag hostile path",
        ['<file path="../../etc/x">\nx\n</file>\n'],
        Fails("leaves"),
    ),
    classed(
        "no_changes",
        "xml tag mentioned in prose only",
        ["You could wrap it in a <div> element, but no change is needed."],
        NO_CHANGES,
    ),
    classed(
        "well_formed",
        "JSX edit",
        [
            edit(
                "src/App.jsx",
                ("  return <h1>Hello</h1>;\n", '  return <h1 className="title">Hello</h1>;\n'),
            )
        ],
        {
            "src/App.jsx": 'export default function App() {\n  return <h1 className="title">Hello</h1>;\n}\n'
        },
        files={"src/App.jsx": "export default function App() {\n  return <h1>Hello</h1>;\n}\n"},
        wf=True,
    ),
    classed(
        "well_formed",
        "Dockerfile whole rewrite",
        [
            whole(
                "Dockerfile",
                'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n',
            )
        ],
        {
            "Dockerfile": 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'
        },
        wf=True,
    ),
    classed(
        "formats",
        "an edit to a file in the context-quoted style (path then fence)",
        ["app.py\n````python\n" + APP_UP + "````\n"],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "diff in fence with a/ b/ and index line",
        [
            "```diff\ndiff --git a/app.py b/app.py\nindex 83db48f..bf269f4 100644\n--- a/app.py\n+++ b/app.py\n@@ -11,2 +11,2 @@ store = TodoStore()\n def index():\n-"
            + INDEX_OK
            + "+"
            + INDEX_UP
            + "```\n"
        ],
        {"app.py": APP_UP},
        wf=True,
    ),
    classed(
        "formats",
        "two diffs of same file in the same answer",
        [
            "--- a/app.py\n+++ b/app.py\n@@ -11,2 +11,2 @@\n def index():\n-"
            + INDEX_OK
            + "+"
            + INDEX_UP
            + '\n--- a/app.py\n+++ b/app.py\n@@ -39,2 +39,2 @@\n if __name__ == "__main__":\n-    app.run(debug=True)\n+    app.run()\n'
        ],
        {"app.py": APP_UP.replace("    app.run(debug=True)\n", "    app.run()\n")},
        wf=True,
    ),
]
