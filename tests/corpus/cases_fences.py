"""Code fences where the format has none: around the answer, around operations, around a
file's body, around search and replace text."""

from tests.corpus import Case, block, edit, whole
from tests.corpus.projects import APP, EXPRESS, SERVER_JS

INDEX = (
    'def index():\n    return jsonify({"service": "todos", "status": "ok"})\n',
    'def index():\n    return jsonify({"service": "todos", "status": "up"})\n',
)
APP_UP = APP.replace('"status": "ok"})', '"status": "up"})')
HEALTH_PY = 'def health():\n    return {"ok": True}\n'


def case(name: str, answers: list, expect, **fields) -> Case:
    return Case(name, "fences", answers, expect, well_formed=True, **fields)


CASES = [
    case(
        "the whole answer in a fence",
        ["```\n" + edit("app.py", INDEX) + "```\n"],
        {"app.py": APP_UP},
    ),
    case(
        "each operation in its own fence",
        [
            "```text\n"
            + whole("health.py", HEALTH_PY)
            + "```\n\n```diff\n"
            + edit("app.py", INDEX)
            + "```\n"
        ],
        {"health.py": HEALTH_PY, "app.py": APP_UP},
    ),
    case(
        "a file's body in a python fence",
        ["@@@ FILE health.py\n```python\n" + HEALTH_PY + "```\n@@@ END\n"],
        {"health.py": HEALTH_PY},
    ),
    case(
        "a file's body fenced with blank lines around the fence",
        ["@@@ FILE health.py\n\n```py\n" + HEALTH_PY + "```\n\n@@@ END\n"],
        {"health.py": HEALTH_PY},
    ),
    case(
        "a Markdown file fenced as markdown, with fences inside",
        ["@@@ FILE docs/run.md\n````markdown\n# Run\n\n```sh\nmake run\n```\n````\n@@@ END\n"],
        {"docs/run.md": "# Run\n\n```sh\nmake run\n```\n"},
    ),
    case(
        "a Markdown file wrapped in a bare fence that holds other fences",
        ["@@@ FILE docs/run.md\n```\n# Run\n\n```sh\nmake run\n```\n```\n@@@ END\n"],
        {"docs/run.md": "# Run\n\n```sh\nmake run\n```\n"},
    ),
    case(
        "a Markdown file that is one code block stays as written",
        [whole("docs/cmd.md", "```sh\nmake run\n```\n")],
        {"docs/cmd.md": "```sh\nmake run\n```\n"},
    ),
    case(
        "an opening fence inside the file and the closing one after END",
        [
            "@@@ FILE src/health.js\n```javascript\nmodule.exports = () => ({ ok: true });\n@@@ END\n```\n"
        ],
        {"src/health.js": "module.exports = () => ({ ok: true });\n"},
        files=EXPRESS,
    ),
    case(
        "fence lines between edit blocks",
        [
            "@@@ EDIT app.py\n```python\n"
            + block(*INDEX)
            + "```\n```python\n"
            + block("    app.run(debug=True)\n", "    app.run()\n")
            + "```\n@@@ END\n"
        ],
        {"app.py": APP_UP.replace("app.run(debug=True)", "app.run()")},
    ),
    case(
        "search and replace text each wrapped in a fence",
        [
            "@@@ EDIT src/server.js\n<<<<<<< SEARCH\n```js\n  res.json({ ok: true });\n```\n=======\n```js\n"
            "  res.json({ ok: true, version: 1 });\n```\n>>>>>>> REPLACE\n@@@ END\n"
        ],
        {"src/server.js": SERVER_JS.replace("{ ok: true }", "{ ok: true, version: 1 }")},
        files=EXPRESS,
    ),
    case(
        "a body in a tilde fence",
        ["@@@ FILE health.py\n~~~python\n" + HEALTH_PY + "~~~\n@@@ END\n"],
        {"health.py": HEALTH_PY},
    ),
    case(
        "a text file fenced as text",
        ["@@@ FILE NOTES.txt\n```text\nCall Bob.\n```\n@@@ END\n"],
        {"NOTES.txt": "Call Bob.\n"},
    ),
    case(
        "a Dockerfile fenced as dockerfile",
        ["@@@ FILE Dockerfile\n```dockerfile\nFROM python:3.12-slim\nCOPY . .\n```\n@@@ END\n"],
        {"Dockerfile": "FROM python:3.12-slim\nCOPY . .\n"},
    ),
]
