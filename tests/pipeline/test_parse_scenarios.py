"""Exact results of the stream parser: operations, refusals with their reasons, prose, the
plan and the file an answer was cut off in, for one answer each, at any chunking."""

import pytest

from orchestrator.edit_format import EditStreamParser
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Refusal,
    RenameFile,
    SearchReplace,
    WriteFile,
)

S, D, R = "<<<<<<< SEARCH\n", "=======\n", ">>>>>>> REPLACE\n"

SCENARIOS = {
    "an EDIT holding a whole file": (
        "@@@ EDIT a.py\nx = 1\ny = 2\n@@@ END\n",
        [WriteFile(path="a.py", content="x = 1\ny = 2\n", loose=True)],
        [],
        [],
        None,
        None,
    ),
    "an EDIT holding a fenced whole file": (
        "@@@ EDIT a.py\n```python\nx = 1\n```\n@@@ END\n",
        [WriteFile(path="a.py", content="x = 1\n", loose=True)],
        [],
        [],
        None,
        None,
    ),
    "an EDIT holding only fences": (
        "@@@ EDIT a.py\n\n```\n```\n@@@ END\n",
        [],
        [Refusal(path="a.py", reason="its EDIT has no search/replace blocks", text="")],
        [],
        None,
        None,
    ),
    "END twice after an EDIT": (
        "@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n@@@ END\n@@@ END\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="its block holds an @@@ END line, so where it ends is unclear",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "END twice after a FILE, with text between": (
        "@@@ FILE a.md\nA\n@@@ END\nB\n@@@ END\n",
        [],
        [
            Refusal(
                path="a.md",
                reason="its block holds an @@@ END line, so where it ends is unclear",
                text="",
            )
        ],
        ["B"],
        None,
        None,
    ),
    "END after a DELETE is harmless": (
        "@@@ DELETE a.py\n@@@ END\n",
        [DeleteFile(path="a.py")],
        [],
        [],
        None,
        None,
    ),
    "a stray END with nothing before": (
        "@@@ END\n",
        [],
        [],
        [],
        None,
        None,
    ),
    "an Aider block then a stray REPLACE": (
        "a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\nz\n>>>>>>> REPLACE\n",
        [],
        [Refusal(path="a.py", reason="its block's text holds a >>>>>>> REPLACE line", text="")],
        ["a.py", "z"],
        None,
        None,
    ),
    "an Aider block named in the fence": (
        "```python a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n",
        [EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        [],
        [],
        None,
        None,
    ),
    "an Aider block named in a fence like lang:path": (
        "```python:src/a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n",
        [EditFile(path="src/a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        [],
        [],
        None,
        None,
    ),
    "an Aider block named three lines up through fences": (
        "b.py\n```\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        [EditFile(path="b.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        [],
        ["b.py"],
        None,
        None,
    ),
    "an Aider block whose name is four lines up": (
        "c.py\n```\n```\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        [],
        [
            Refusal(
                path=None, reason="a search/replace block does not say which file it edits", text=""
            )
        ],
        ["c.py"],
        None,
        None,
    ),
    "an Aider block with no name": (
        "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        [],
        [
            Refusal(
                path=None, reason="a search/replace block does not say which file it edits", text=""
            )
        ],
        [],
        None,
        None,
    ),
    "an Aider block interrupted by another": (
        "a.py\n<<<<<<< SEARCH\nx\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="a search/replace block is unfinished (no REPLACE line)",
                text="",
            ),
            Refusal(
                path=None, reason="a search/replace block does not say which file it edits", text=""
            ),
        ],
        ["a.py"],
        None,
        None,
    ),
    "an EDIT block interrupted by a SEARCH": (
        "@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE\n@@@ END\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="a search/replace block is unfinished (no REPLACE line)",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "an EDIT block interrupted by a FILE": (
        "@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n@@@ FILE b.py\nb\n@@@ END\n",
        [WriteFile(path="b.py", content="b\n")],
        [
            Refusal(
                path="a.py",
                reason="its block was not closed with @@@ END before the next operation",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "a stray REPLACE between EDIT blocks": (
        "@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n>>>>>>> REPLACE\n@@@ END\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="a block's text holds a >>>>>>> REPLACE line, so it ends unclearly",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "a forgotten END before a DELETE": (
        "@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n@@@ DELETE b.py\n",
        [
            EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),)),
            DeleteFile(path="b.py"),
        ],
        [],
        [],
        None,
        None,
    ),
    "a forgotten END in an EDIT without blocks": (
        "@@@ EDIT a.py\nstuff\n@@@ FILE b.py\nb\n@@@ END\n",
        [WriteFile(path="b.py", content="b\n")],
        [
            Refusal(
                path="a.py",
                reason="its block was not closed with @@@ END before the next operation",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "a FILE of blocks only is an edit": (
        "@@@ FILE a.py\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n@@@ END\n",
        [EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        [],
        [],
        None,
        None,
    ),
    "a FILE of blocks and text is text": (
        "@@@ FILE a.md\nDocs:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n@@@ END\n",
        [WriteFile(path="a.md", content="Docs:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n")],
        [],
        [],
        None,
        None,
    ),
    "a FILE of a block without a divider is text": (
        "@@@ FILE a.md\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n@@@ END\n",
        [WriteFile(path="a.md", content="<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n")],
        [],
        [],
        None,
        None,
    ),
    "a FILE with an unfinished block is text": (
        "@@@ FILE a.md\n<<<<<<< SEARCH\nx\n=======\n@@@ END\n",
        [WriteFile(path="a.md", content="<<<<<<< SEARCH\nx\n=======\n")],
        [],
        [],
        None,
        None,
    ),
    "a code FILE of blocks and text is refused, not written with its markers": (
        "@@@ FILE a.py\n# the fix:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n@@@ END\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="its FILE holds search/replace markers that do not make whole blocks",
                text="# the fix:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
            )
        ],
        [],
        None,
        None,
    ),
    "a code FILE whose last block is unfinished is refused": (
        f"@@@ FILE a.py\n{S}x\n{D}y\n{R}{S}z\n@@@ END\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="its FILE holds search/replace markers that do not make whole blocks",
                text=f"{S}x\n{D}y\n{R}{S}z\n",
            )
        ],
        [],
        None,
        None,
    ),
    "a code FILE with a SEARCH line alone is text": (
        "@@@ FILE a.py\n# <<<<<<< SEARCH\n<<<<<<< SEARCH is how blocks open\n@@@ END\n",
        [WriteFile(path="a.py", content="# <<<<<<< SEARCH\n<<<<<<< SEARCH is how blocks open\n")],
        [],
        [],
        None,
        None,
    ),
    "a FILE of blocks closed by END, then a stray END, is taken back": (
        f"@@@ FILE a.py\n{S}x\n{D}y\n{R}@@@ END\n@@@ END\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="its block holds an @@@ END line, so where it ends is unclear",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "an EDIT holding a whole file closed by END, then a stray END, is taken back": (
        "@@@ EDIT a.py\nx = 1\n@@@ END\n@@@ END\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="its block holds an @@@ END line, so where it ends is unclear",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "an Aider block, then a stray END: the block had its own end": (
        f"a.py\n{S}x\n{D}y\n{R}@@@ END\n",
        [EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        [],
        ["a.py"],
        None,
        None,
    ),
    "a line of > that is not a REPLACE line is the block's text": (
        f"a.py\n{S}x\n{D}>>>>>>> theirs\n{R}",
        [EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace=">>>>>>> theirs\n"),))],
        [],
        ["a.py"],
        None,
        None,
    ),
    "a FILE holding a diff keeps it as text": (
        "@@@ FILE fix.diff\n--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n@@@ END\n",
        [WriteFile(path="fix.diff", content="--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n")],
        [],
        [],
        None,
        None,
    ),
    "a block without a divider, named by a path line": (
        f"a.py\n{S}x\n{R}",
        [],
        [
            Refusal(
                path="a.py",
                reason="a search/replace block has no ======= line between SEARCH and REPLACE",
                text="",
            )
        ],
        ["a.py"],
        None,
        None,
    ),
    "cut off in a FILE line naming two files": (
        "@@@ FILE a.py b.py\nx = 1\n",
        [],
        [],
        [],
        None,
        "a.py b.py",
    ),
    "cut off in a block that names no file": (
        f"{S}x\n",
        [],
        [],
        [],
        None,
        "(a file the answer did not name)",
    ),
    "a FILE line naming nothing": (
        "@@@ FILE\nx\n@@@ END\n",
        [],
        [Refusal(path=None, reason="the FILE line names no single file: ''", text="x\n")],
        [],
        None,
        None,
    ),
    "a DELETE naming nothing": (
        "@@@ DELETE\n",
        [],
        [Refusal(path=None, reason="a DELETE line names no file: ''", text="")],
        [],
        None,
        None,
    ),
    "a DELETE of two files": (
        "@@@ DELETE a.py, `b.py`\n",
        [DeleteFile(path="a.py"), DeleteFile(path="b.py")],
        [],
        [],
        None,
        None,
    ),
    "a RENAME with two arrows": (
        "@@@ RENAME a -> b -> c\n",
        [],
        [
            Refusal(
                path=None,
                reason="a RENAME line needs one old path, an arrow and a new path: 'a -> b -> c'",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "a RENAME with an unclear side": (
        "@@@ RENAME a.py -> b.py - moved\n",
        [],
        [
            Refusal(
                path="a.py",
                reason="a RENAME line names its files unclearly: 'a.py -> b.py - moved'",
                text="",
            )
        ],
        [],
        None,
        None,
    ),
    "an unknown marker naming a file": (
        "@@@ PATCH `a.py`\n",
        [],
        [
            Refusal(
                path="a.py", reason="the answer used a marker the format lacks: @@@ PATCH", text=""
            )
        ],
        [],
        None,
        None,
    ),
    "a PLAN and prose": (
        "I will add it.\n@@@ PLAN a.py, b.py\n\nDone soon.\n",
        [],
        [],
        ["I will add it.", "Done soon."],
        ["a.py", "b.py"],
        None,
    ),
    "no PLAN": (
        "Just prose.\n",
        [],
        [],
        ["Just prose."],
        None,
        None,
    ),
    "a held diff header released at the end": (
        "text\n--- not a header",
        [],
        [],
        ["text", "--- not a header"],
        None,
        None,
    ),
    "a --- line that is not a header": (
        "--- intro\nplain prose\n",
        [],
        [],
        ["--- intro", "plain prose"],
        None,
        None,
    ),
    "a git new file": (
        "diff --git a/n.py b/n.py\nnew file mode 100644\n--- /dev/null\n+++ b/n.py\n@@ -0,0 +1 @@\n+n\n",
        [WriteFile(path="n.py", content="n\n", new=True)],
        [],
        [],
        None,
        None,
    ),
    "a git deletion without hunks": (
        "diff --git a/d.py b/d.py\ndeleted file mode 100644\n",
        [DeleteFile(path="d.py")],
        [],
        [],
        None,
        None,
    ),
    "two git diffs": (
        "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-c\n+d\n",
        [
            EditFile(
                path="x",
                blocks=(
                    SearchReplace(
                        search="a\n",
                        replace="b\n",
                        alternatives=(),
                        line_hint=1,
                        from_diff=True,
                        old_count=1,
                    ),
                ),
            ),
            EditFile(
                path="y",
                blocks=(
                    SearchReplace(
                        search="c\n",
                        replace="d\n",
                        alternatives=(),
                        line_hint=1,
                        from_diff=True,
                        old_count=1,
                    ),
                ),
            ),
        ],
        [],
        [],
        None,
        None,
    ),
    "a bare hunk with no name": (
        "@@ -1 +1 @@\n-a\n+b\n",
        [],
        [Refusal(path=None, reason="a diff hunk does not say which file it changes", text="")],
        [],
        None,
        None,
    ),
    "a bare hunk after a name": (
        "In `q.py`:\n@@ -1 +1 @@\n-a\n+b\n",
        [
            EditFile(
                path="q.py",
                blocks=(
                    SearchReplace(
                        search="a\n",
                        replace="b\n",
                        alternatives=(),
                        line_hint=1,
                        from_diff=True,
                        old_count=1,
                    ),
                ),
            )
        ],
        [],
        ["In `q.py`:"],
        None,
        None,
    ),
    "a diff ended by prose after a blank line": (
        "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n\nThat is all.\n",
        [
            EditFile(
                path="x",
                blocks=(
                    SearchReplace(
                        search="a\n",
                        replace="b\n",
                        alternatives=(),
                        line_hint=1,
                        from_diff=True,
                        old_count=1,
                    ),
                ),
            )
        ],
        [],
        ["That is all."],
        None,
        None,
    ),
    "a diff with a removed line starting with two dashes": (
        "--- a/x.sql\n+++ b/x.sql\n@@ -1,2 +1,1 @@\n--- comment\n select 1;\n",
        [
            EditFile(
                path="x.sql",
                blocks=(
                    SearchReplace(
                        search="-- comment\nselect 1;\n",
                        replace="select 1;\n",
                        alternatives=(),
                        line_hint=1,
                        from_diff=True,
                        old_count=2,
                    ),
                ),
            )
        ],
        [],
        [],
        None,
        None,
    ),
    "a diff with no newline marker": (
        "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n",
        [
            EditFile(
                path="x",
                blocks=(
                    SearchReplace(
                        search="a",  # "\\ No newline at end of file": the last line, without one
                        replace="b\n",
                        alternatives=(),
                        line_hint=1,
                        from_diff=True,
                        old_count=1,
                    ),
                ),
            )
        ],
        [],
        [],
        None,
        None,
    ),
    "a rename diff with changes": (
        "diff --git a/o.py b/n.py\nrename from o.py\nrename to n.py\n--- a/o.py\n+++ b/n.py\n@@ -1 +1 @@\n-a\n+b\n",
        [
            RenameFile(path="o.py", new_path="n.py"),
            EditFile(
                path="n.py",
                blocks=(
                    SearchReplace(
                        search="a\n",
                        replace="b\n",
                        alternatives=(),
                        line_hint=1,
                        from_diff=True,
                        old_count=1,
                    ),
                ),
            ),
        ],
        [],
        [],
        None,
        None,
    ),
    "a diff of /dev/null both sides": (
        "--- /dev/null\n+++ /dev/null\n@@ -0,0 +0,0 @@\n",
        [],
        [Refusal(path=None, reason="a diff names /dev/null on both sides", text="")],
        [],
        None,
        None,
    ),
    "a diff hunk without changes": (
        "--- a/x\n+++ b/x\n@@ -1 +1 @@\n a\n",
        [],
        [],
        [],
        None,
        None,
    ),
    "a nested fence inside a fenced file": (
        "Here is `doc.md`:\n````markdown\n# Doc\n```sh\nrun\n```\n````\n",
        [WriteFile(path="doc.md", content="# Doc\n```sh\nrun\n```\n", loose=True)],
        [],
        ["Here is `doc.md`:"],
        None,
        None,
    ),
    "a fence with a language inside a bare fence": (
        "Here is `doc.md`:\n```\n# Doc\n```sh\nrun\n```\nend\n```\n",
        [WriteFile(path="doc.md", content="# Doc\n```sh\nrun\n```\nend\n", loose=True)],
        [],
        ["Here is `doc.md`:"],
        None,
        None,
    ),
    "an unclosed fence at the end": (
        "Here is `a.py`:\n```python\nx = 1\n",
        [],
        [Refusal(path="a.py", reason="its fenced block was cut off", text="")],
        ["Here is `a.py`:"],
        None,
        None,
    ),
    "a fence holding operations": (
        "```\n@@@ DELETE a.py\n```\n",
        [DeleteFile(path="a.py")],
        [],
        [],
        None,
        None,
    ),
    "only a fence as long closes a four-backtick fence": (
        "`x.py`:\n````\ny\n```\nz\n````\n",
        [WriteFile(path="x.py", content="y\n```\nz\n", loose=True)],
        [],
        ["`x.py`:"],
        None,
        None,
    ),
    "a tilde fence": (
        "`t.py`:\n~~~\nt\n~~~\n",
        [WriteFile(path="t.py", content="t\n", loose=True)],
        [],
        ["`t.py`:"],
        None,
        None,
    ),
    "a cut-off FILE with no name": (
        "@@@ FILE\nhalf",
        [],
        [],
        [],
        None,
        "(a file the answer did not name)",
    ),
    "a cut-off Aider block": (
        "a.py\n<<<<<<< SEARCH\nx\n",
        [],
        [],
        ["a.py"],
        None,
        "a.py",
    ),
    "a marker-only answer with trailing text": (
        "@@@ FILE a.py @@@\nx\n@@@ END\n",
        [WriteFile(path="a.py", content="x\n")],
        [],
        [],
        None,
        None,
    ),
    "prose then JSON": (
        'Here:\n{"files": [{"path": "j.py", "content": "j"}]}',
        [WriteFile(path="j.py", content="j", loose=True)],
        [],
        ["Here:", '{"files": [{"path": "j.py", "content": "j"}]}'],
        None,
        None,
    ),
    "an EDIT block with a five-character divider inside seven markers": (
        "@@@ EDIT a.md\n<<<<<<< SEARCH\nT\n=====\n=======\nU\n=====\n>>>>>>> REPLACE\n@@@ END\n",
        [EditFile(path="a.md", blocks=(SearchReplace(search="T\n=====\n", replace="U\n=====\n"),))],
        [],
        [],
        None,
        None,
    ),
}


def parse(text: str, size: int) -> EditStreamParser:
    parser = EditStreamParser({"a.py", "b.py"})
    for start in range(0, len(text), size):
        parser.feed(text[start : start + size])
    parser.finish(allow_open=True)
    return parser


@pytest.mark.parametrize("size", [1, 4, 10_000])
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_parse(name, size):
    text, operations, refusals, prose, planned, cut_off_in = SCENARIOS[name]
    parser = parse(text, size)
    assert parser.operations == operations
    assert parser.refusals == refusals
    assert parser.prose == prose
    assert parser.planned == planned
    assert parser.open_path == cut_off_in


# A REPLACE line of another length than its SEARCH line, and a forgotten END at the end ------


def finished(text: str, size: int, complete: bool) -> EditStreamParser:
    parser = EditStreamParser({"a.py"})
    for start in range(0, len(text), size):
        parser.feed(text[start : start + size])
    parser.finish(allow_open=True, complete=complete)
    return parser


LONG_R = ">>>>>>>> REPLACE\n"  # eight: the block's SEARCH line has seven
ONE = EditFile("a.py", (SearchReplace("x\n", "y\n"),))
LOOSE_ENDS = {
    "then END": (f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}@@@ END\n", [ONE], []),
    "then blank lines and a fence, then END": (
        f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}\n```\n@@@ END\n",
        [ONE],
        [],
    ),
    "then the next block": (
        f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}{S}p\n{D}q\n{R}@@@ END\n",
        [EditFile("a.py", (SearchReplace("x\n", "y\n"), SearchReplace("p\n", "q\n")))],
        [],
    ),
    "then more text: it was the block's text": (
        f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}z\n{R}@@@ END\n",
        [EditFile("a.py", (SearchReplace("x\n", f"y\n{LONG_R}z\n"),))],
        [],
    ),
    "before the divider: the search's text": (
        f"@@@ EDIT a.py\n{S}{LONG_R}{D}y\n{R}@@@ END\n",
        [EditFile("a.py", (SearchReplace(LONG_R, "y\n"),))],
        [],
    ),
    "indented: text, so the block is unfinished at END": (
        f"@@@ EDIT a.py\n{S}x\n{D}y\n    {LONG_R}@@@ END\n",
        [],
        [Refusal("a.py", "a search/replace block is unfinished (no REPLACE line)")],
    ),
    "then another operation's marker: unfinished": (
        f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}@@@ FILE b.py\nb\n@@@ END\n",
        [WriteFile("b.py", "b\n")],
        [Refusal("a.py", "its block was not closed with @@@ END before the next operation")],
    ),
    "closing an Aider block whose fence then closes": (
        f"a.py\n```\n{S}x\n{D}y\n{LONG_R}```\nThat is all.\n",
        [ONE],
        [],
    ),
}


@pytest.mark.parametrize("size", [1, 7, 10_000])
@pytest.mark.parametrize("name", list(LOOSE_ENDS))
def test_a_replace_line_of_another_length(name, size):
    text, operations, refusals = LOOSE_ENDS[name]
    parser = finished(text, size, complete=False)
    assert (parser.operations, parser.refusals) == (operations, refusals)


FORGOTTEN_END = {
    # answer, what a finished answer gives, where a cut-off one stops
    "an EDIT whose blocks are whole": (f"@@@ EDIT a.py\n{S}x\n{D}y\n{R}", [ONE], "a.py"),
    "an EDIT whose blocks are whole, then a fence": (
        f"@@@ EDIT a.py\n```\n{S}x\n{D}y\n{R}```\n",
        [ONE],
        "a.py",
    ),
    "an EDIT whose last block ends with a longer REPLACE": (
        f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}",
        [ONE],
        "a.py",
    ),
    "an EDIT whose block is open": (f"@@@ EDIT a.py\n{S}x\n{D}y\n", [], "a.py"),
    "an EDIT with text after its blocks": (f"@@@ EDIT a.py\n{S}x\n{D}y\n{R}done\n", [], "a.py"),
    "an EDIT with no blocks": ("@@@ EDIT a.py\n", [], "a.py"),
    "a FILE: its end is never certain": ("@@@ FILE a.py\nx = 1\n", [], "a.py"),
}


@pytest.mark.parametrize("name", list(FORGOTTEN_END))
def test_an_operation_open_when_the_answer_ends(name):
    text, operations, open_path = FORGOTTEN_END[name]
    complete = finished(text, 5, complete=True)
    assert complete.operations == operations
    assert complete.open_path == (None if operations else open_path)
    cut_off = finished(text, 5, complete=False)
    assert (cut_off.operations, cut_off.open_path) == ([], open_path)


def test_an_answer_is_not_taken_as_complete_unless_the_caller_says_so():
    parser = EditStreamParser()
    parser.feed(f"@@@ EDIT a.py\n{S}x\n{D}y\n{R}")
    parser.finish(allow_open=True)
    assert parser.open_path == "a.py"


@pytest.mark.parametrize(
    "after",
    [f"\na.py\n{S}x\n{D}y\n{R}", f"@@@ EDIT a.py\n{S}x\n{D}y\n{R}@@@ END\n"],
    ids=["an Aider block after a blank line", "an EDIT at once"],
)
def test_a_diff_ends_where_the_next_operation_starts(after):
    diff = "--- a/b.py\n+++ b/b.py\n@@ -1 +1 @@\n-p\n+q\n"
    parser = finished(diff + after, 3, complete=True)
    assert parser.refusals == []
    assert parser.operations == [
        EditFile("b.py", (SearchReplace("p\n", "q\n", line_hint=1, from_diff=True, old_count=1),)),
        ONE,
    ]
