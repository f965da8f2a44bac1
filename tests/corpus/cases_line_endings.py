"""Line endings and final newlines: each file keeps its own."""

from tests.corpus import Case, edit, whole
from tests.corpus.projects import MIXED, README, WIN_APP


def case(name: str, answers: list, expect, **fields) -> Case:
    return Case(name, "line_endings", answers, expect, files=fields.pop("files", MIXED), **fields)


CASES = [
    case(
        "an LF edit on a CRLF file",
        [
            edit(
                "win/app.py",
                (
                    "def main():\n    print(sys.argv)\n",
                    "def main():\n    print(sys.argv[1:])\n    return 0\n",
                ),
            )
        ],
        {
            "win/app.py": WIN_APP.replace(
                "    print(sys.argv)\r\n", "    print(sys.argv[1:])\r\n    return 0\r\n"
            )
        },
    ),
    case(
        "a CRLF answer on an LF file",
        [
            edit("docs/guide.md", ("Run make.\n", "Run make, then make test.\n")).replace(
                "\n", "\r\n"
            )
        ],
        {"docs/guide.md": MIXED["docs/guide.md"].replace("Run make.", "Run make, then make test.")},
    ),
    case(
        "a whole CRLF file rewritten in LF",
        [whole("win/NOTES.txt", "First line\nSecond line\nThird line\n")],
        {"win/NOTES.txt": "First line\r\nSecond line\r\nThird line\r\n"},
    ),
    case(
        "an edit of the last line of a file without a final newline",
        [edit("VERSION", ("1.2.3\n", "1.3.0\n"))],
        {"VERSION": "1.3.0"},
    ),
    case(
        "an edit in the middle of a file without a final newline",
        [edit("notes/todo.md", ("- write docs\n", "- write docs\n- add tests\n"))],
        {"notes/todo.md": "# To do\n\n- write docs\n- add tests\n- ship it"},
    ),
    case(
        "a whole rewrite of a file without a final newline",
        [whole("VERSION", "2.0.0\n")],
        {"VERSION": "2.0.0"},
    ),
    case(
        "an append to a file without a final newline",
        [edit("notes/todo.md", ("", "- celebrate\n"))],
        {"notes/todo.md": "# To do\n\n- write docs\n- ship it\n- celebrate"},
    ),
    case(
        "a new file from a CRLF answer",
        [whole("docs/faq.md", "# FAQ\n\nNone yet.\n").replace("\n", "\r\n")],
        {"docs/faq.md": "# FAQ\n\nNone yet.\n"},
    ),
    case(
        "the last lines of a file without a final newline removed",
        [edit("notes/todo.md", ("- write docs\n- ship it\n", "- write docs\n"))],
        {"notes/todo.md": "# To do\n\n- write docs"},
    ),
    case(
        "a CRLF edit on a CRLF file",
        [edit("win/NOTES.txt", ("Second line\n", "Second line, edited\n")).replace("\n", "\r\n")],
        {"win/NOTES.txt": "First line\r\nSecond line, edited\r\n"},
    ),
    case(
        "an LF edit on an LF file with CRLF in another file",
        [
            edit(
                "README.md",
                ("A small Flask API for todos.\n", "A small Flask API for todos and lists.\n"),
            )
        ],
        {"README.md": README.replace("for todos.", "for todos and lists.")},
        files={**MIXED, "README.md": README},
    ),
]
