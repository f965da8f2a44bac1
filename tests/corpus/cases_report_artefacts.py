"""Artefacts of the medium in the text of an answer, from public reports of real models'
answers: what the answer's transport or the model's reading tool put there is not content.

report_gutters: line numbers from a numbered listing copied into SEARCH and REPLACE, or
    into a new file written whole
    https://github.com/RooCodeInc/Roo-Code/issues/1628
    https://github.com/RooCodeInc/Roo-Code/issues/2657
    https://github.com/RooCodeInc/Roo-Code/pull/151
report_html_entities: < > & and quotes written as &lt; &gt; &amp; &quot; in code
    https://github.com/RooCodeInc/Roo-Code/pull/2694
    https://github.com/RooCodeInc/Roo-Code/issues/4077
    https://github.com/RooCodeInc/Roo-Code/issues/10804 (entities meant as entities)
report_escaped_newlines: a file written as one line with literal \\n escapes
    https://github.com/aaif-goose/goose/issues/7774
    https://github.com/openclaw/openclaw/issues/14452
report_encoding_facts: a BOM or CRLF lines lost on an edit
    https://github.com/cline/cline/pull/8883
    https://github.com/Aider-AI/aider/issues/1102
typography (no public report named): typographic quotes where the code has straight ones

Where the artefact is certain (every line of a block numbered as the file's lines are, a
SEARCH that matches only once unescaped), a fair reader may read through it; otherwise the
claim fails and the repair answer is the clean one. Entities in a file that uses entities,
and numbers that are data, stay as written.
"""

from tests.corpus import Case, edit, whole
from tests.corpus.changes import CHANGES, SPECIAL, Change
from tests.corpus.changes import change_case as case
from tests.corpus.projects import FLASK

SOURCES = {
    "report_gutters": (
        "https://github.com/RooCodeInc/Roo-Code/issues/1628",
        "https://github.com/RooCodeInc/Roo-Code/issues/2657",
        "https://github.com/RooCodeInc/Roo-Code/pull/151",
    ),
    "report_html_entities": (
        "https://github.com/RooCodeInc/Roo-Code/pull/2694",
        "https://github.com/RooCodeInc/Roo-Code/issues/4077",
        "https://github.com/RooCodeInc/Roo-Code/issues/10804",
    ),
    "report_escaped_newlines": (
        "https://github.com/aaif-goose/goose/issues/7774",
        "https://github.com/openclaw/openclaw/issues/14452",
    ),
    "report_encoding_facts": (
        "https://github.com/cline/cline/pull/8883",
        "https://github.com/Aider-AI/aider/issues/1102",
    ),
}


def clean(change: Change) -> str:
    return edit(change.path, (change.old, change.new))


# Gutters ------------------------------------------------------------------------------------


def numbered(text: str, first: int, style: str) -> str:
    return "".join(
        style.format(n=first + i, line=line) for i, line in enumerate(text.splitlines(True))
    )


def first_line(change: Change) -> int:
    return change.text[: change.text.index(change.old)].count("\n") + 1


STYLES = ("{n:>3} | {line}", "{n}: {line}", "{n:>6}\t{line}", "{n:>5}→{line}")


def gutters(change: Change, index: int) -> Case:
    style = STYLES[index % len(STYLES)]
    start = first_line(change)
    search = numbered(change.old, start, style)
    if index % 3 == 0:
        replace, how = numbered(change.new, start, style), "in SEARCH and REPLACE"
    elif index % 3 == 1:
        replace, how = change.new, "in the SEARCH only"
    else:
        replace, how = numbered(change.new, start, style), "with a start_line header"
        search = f":start_line:{start}\n-------\n" + search
    return case(
        "report_gutters",
        f"{change.key}: {style.split('{line}')[0].format(n='N')!r} gutters {how}",
        [edit(change.path, (search, replace)), clean(change)],
        change,
    )


HELPER = (
    'import os\n\n\ndef cwd():\n    """The folder the app runs in."""\n    return os.getcwd()\n'
)
NEW_FILE = Change("new", FLASK, "util.py", "", HELPER, "add a helper that gives the folder")


def new_with_gutters(style: str) -> Case:
    return case(
        "report_gutters",
        f"a new file written whole with {style.split('{line}')[0].format(n=1)!r} gutters",
        [whole("util.py", numbered(HELPER, 1, style)), whole("util.py", HELPER)],
        NEW_FILE,
        expect={"util.py": HELPER},
    )


GUTTERS = (
    [gutters(change, i) for i, change in enumerate(CHANGES)]
    + [new_with_gutters(style) for style in STYLES]
    + [
        case(
            "report_gutters",
            "a numbered TSV file edited: its numbers are data",
            [edit("ranks.tsv", ("2\tbob\t88\n", "2\tbob\t91\n"))],
            Change(
                "tsv",
                {"ranks.tsv": "1\tann\t93\n2\tbob\t88\n3\tcid\t71\n"},
                "ranks.tsv",
                "2\tbob\t88\n",
                "2\tbob\t91\n",
                "bob scored 91",
            ),
            wf=True,
        ),
        case(
            "report_gutters",
            "a numbered Markdown list edited: its numbers are content",
            [
                edit(
                    "STEPS.md",
                    ("2. Run the tests\n3. Deploy\n", "2. Run the tests\n3. Tag\n4. Deploy\n"),
                )
            ],
            Change(
                "md",
                {"STEPS.md": "1. Build\n2. Run the tests\n3. Deploy\n"},
                "STEPS.md",
                "2. Run the tests\n3. Deploy\n",
                "2. Run the tests\n3. Tag\n4. Deploy\n",
                "tag before deploying",
            ),
            wf=True,
        ),
    ]
)


# HTML entities ------------------------------------------------------------------------------

ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;"))


def escaped(text: str) -> str:
    for char, entity in ENTITIES:
        text = text.replace(char, entity)
    return text


def entities(change: Change) -> list[Case]:
    return [
        case(
            "report_html_entities",
            f"{change.key}: SEARCH and REPLACE escaped as HTML",
            [edit(change.path, (escaped(change.old), escaped(change.new))), clean(change)],
            change,
        ),
        case(
            "report_html_entities",
            f"{change.key}: only the REPLACE escaped as HTML",
            [edit(change.path, (change.old, escaped(change.new))), clean(change)],
            change,
        ),
        case(
            "report_html_entities",
            f"{change.key}: the whole file escaped as HTML",
            [whole(change.path, escaped(change.result)), whole(change.path, change.result)],
            change,
        ),
    ]


JSX = """export function Faq() {
  return (
    <section>
      <h2>Questions &amp; answers</h2>
      <p>It doesn&apos;t cost anything.</p>
    </section>
  );
}
"""
JSX_CHANGE = Change(
    "jsx",
    {"src/Faq.jsx": JSX},
    "src/Faq.jsx",
    "      <p>It doesn&apos;t cost anything.</p>\n",
    "      <p>It doesn&apos;t cost anything.</p>\n      <p>We&apos;re open &lt;9 to 5&gt;.</p>\n",
    "say when we are open",
)
ESCAPER = Change(
    "escaper",
    {"web/text.py": "def plain(text):\n    return text.strip()\n"},
    "web/text.py",
    "    return text.strip()\n",
    '    return text.strip()\n\n\ndef escape(text):\n    return text.replace("&", "&amp;").replace("<", "&lt;")\n',
    "add an HTML escape helper",
)
PAGE = "<ul>\n  <li>Tea</li>\n</ul>\n"
PAGE_CHANGE = Change(
    "html",
    {"menu.html": PAGE},
    "menu.html",
    "  <li>Tea</li>\n",
    "  <li>Tea</li>\n  <li>Fish &amp; chips</li>\n",
    "add fish and chips to the menu",
)

HTML_ENTITIES = [entity for change in SPECIAL for entity in entities(change)] + [
    case("report_html_entities", f"{c.key}: entities meant as entities", [clean(c)], c, wf=True)
    for c in (JSX_CHANGE, ESCAPER, PAGE_CHANGE)
]


# Escaped newlines ---------------------------------------------------------------------------


def one_line(text: str) -> str:
    return text.replace("\n", "\\n")


README = Change(
    "readme",
    {"app.py": "print('hi')\n"},
    "README.md",
    "",
    "# Greeter\n\nRun `python app.py`.\n",
    "add a readme",
)
PRINTF = Change(
    "c",
    {"main.c": '#include <stdio.h>\n\nint main(void) {\n    puts("hi");\n    return 0;\n}\n'},
    "main.c",
    '    puts("hi");\n',
    '    printf("hi\\n\\n%s\\n", "bye");\n',
    "print bye after a blank line",
)

ESCAPED_NEWLINES = (
    [
        case(
            "report_escaped_newlines",
            "a new readme written as one line of \\n escapes",
            [whole("README.md", one_line(README.new)), whole("README.md", README.new)],
            README,
            expect={"README.md": README.new},
        ),
        case(
            "report_escaped_newlines",
            "a new .env file whose value holds \\n escapes: content",
            [whole(".env", 'GREETING="Hello\\nWorld\\n!"\n')],
            Change("env", FLASK, ".env", "", "", "add a greeting setting"),
            expect={".env": 'GREETING="Hello\\nWorld\\n!"\n'},
            wf=True,
        ),
        case(
            "report_escaped_newlines",
            "a one-line script with escapes of its own, rewritten",
            [whole("hello.py", 'print("Hello\\nWorld\\n!")\n')],
            Change(
                "one", {"hello.py": 'print("Hello\\nWorld")\n'}, "hello.py", "", "", "add a line"
            ),
            expect={"hello.py": 'print("Hello\\nWorld\\n!")\n'},
            wf=True,
        ),
        case(
            "report_escaped_newlines",
            "a string with two \\n escapes replacing one line: code, not an artefact",
            [clean(PRINTF)],
            PRINTF,
            wf=True,
        ),
    ]
    + [
        case(
            "report_escaped_newlines",
            f"{change.key} ({change.prompt}): a block sent as one line of \\n escapes",
            [
                edit(change.path, (change.old, one_line(change.new).removesuffix("\\n") + "\n")),
                clean(change),
            ],
            change,
        )
        for change in CHANGES + SPECIAL
        if change.new.count("\n") > 1
    ]
    + [
        case(
            "report_escaped_newlines",
            f"{change.key}: the whole file as one line of \\n escapes",
            [whole(change.path, one_line(change.result)), whole(change.path, change.result)],
            change,
        )
        for change in CHANGES[:4]
    ]
)


# Encoding facts -----------------------------------------------------------------------------


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def facts(change: Change, bom: bool, line_end: bool, rewrite: bool) -> Case:
    text = ("\ufeff" if bom else "") + (crlf(change.text) if line_end else change.text)
    result = ("\ufeff" if bom else "") + (crlf(change.result) if line_end else change.result)
    files = {**change.files, change.path: text}
    answer = whole(change.path, change.result) if rewrite else clean(change)
    what = " and ".join(x for x, on in (("a BOM", bom), ("CRLF lines", line_end)) if on)
    return Case(
        f"{change.key}: {'a whole rewrite' if rewrite else 'an edit'} of a file with {what}",
        "report_encoding_facts",
        [answer],
        {change.path: result},
        files=files,
        prompt=change.prompt,
        well_formed=True,
    )


ENCODING_FACTS = [
    facts(change, bom=i % 3 != 1, line_end=i % 3 != 0, rewrite=i % 2 == 1)
    for i, change in enumerate(CHANGES[:12])
]


# Typographic quotes -------------------------------------------------------------------------


def curly(text: str) -> str:
    out, opening = [], True
    for char in text:
        if char == '"':
            out.append("\u201c" if opening else "\u201d")
            opening = not opening
        elif char == "'":
            out.append("\u2019")
        else:
            out.append(char)
    return "".join(out)


def curly_replace(change: Change) -> Case:
    return case(
        "typography",
        f"{change.key} ({change.prompt}): typographic quotes in the REPLACE, then straight",
        [edit(change.path, (change.old, curly(change.new))), clean(change)],
        change,
    )


PY_COMMENT = Change(
    "comment",
    FLASK,
    "app.py",
    '@app.get("/todos")\n',
    '# the \u201clist\u201d route\n@app.get("/todos")\n',
    "comment the list route",
)
PY_STRING = Change(
    "string",
    FLASK,
    "app.py",
    '        return jsonify({"error": "title is required"}), 400\n',
    '        return jsonify({"error": "a \u201ctitle\u201d is required"}), 400\n',
    "quote the word title in the error",
)

GREET = 'def greet(name):\n    return f"Hello, {name}!"\n'
NEW_GREET = Change("new", FLASK, "greet.py", "", GREET, "add a greeting helper")
NOTES = "# Notes\n\nShe said \u201chi\u201d.\n"
NEW_NOTES = Change("notes", FLASK, "NOTES.md", "", NOTES, "add notes")
NEW_FILES = [
    case(
        "typography",
        "a new code file typeset with typographic quotes, then straight",
        [whole("greet.py", curly(GREET)), whole("greet.py", GREET)],
        NEW_GREET,
        expect={"greet.py": GREET},
    ),
    case(
        "typography",
        "a new Markdown file with typographic quotes in its prose",
        [whole("NOTES.md", NOTES)],
        NEW_NOTES,
        expect={"NOTES.md": NOTES},
        wf=True,
    ),
]

TYPOGRAPHY = NEW_FILES + (
    [
        curly_replace(change)
        for change in CHANGES + SPECIAL
        if '"' in change.new and "'" not in change.new
    ]
    + [
        case("typography", f"{c.key}: typographic quotes the code means", [clean(c)], c, wf=True)
        for c in (PY_COMMENT, PY_STRING)
    ]
    + [
        case(
            "typography",
            f"{change.key} ({change.prompt}): typographic quotes in the SEARCH, then straight",
            [edit(change.path, (curly(change.old), change.new)), clean(change)],
            change,
        )
        for change in CHANGES + SPECIAL
        if '"' in change.old or "'" in change.old
    ]
    + [
        case(
            "typography",
            "typographic quotes in a readme's prose are the writer's",
            [
                edit(
                    "README.md",
                    (
                        "A small Flask API for todos.\n",
                        "A small Flask API for todos, \u201cdone\u201d or not.\n",
                    ),
                )
            ],
            Change(
                "md",
                FLASK,
                "README.md",
                "A small Flask API for todos.\n",
                "A small Flask API for todos, \u201cdone\u201d or not.\n",
                "mention done",
            ),
            wf=True,
        ),
    ]
)

CASES = GUTTERS + HTML_ENTITIES + ESCAPED_NEWLINES + ENCODING_FACTS + TYPOGRAPHY
