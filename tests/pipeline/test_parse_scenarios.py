"""Exact results of the stream parser: operations, refusals with their reasons, prose, the
plan and the file an answer was cut off in, for one answer each, at any chunking."""

from dataclasses import dataclass, field

import pytest

from orchestrator.answers.stream import EditStreamParser
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Refusal,
    RenameFile,
    SearchReplace,
    WriteFile,
)

S, D, R = "<<<<<<< SEARCH\n", "=======\n", ">>>>>>> REPLACE\n"


@dataclass(frozen=True)
class Scenario:
    """One answer and what the parser must make of it: every operation, every refusal with
    its reason, the prose, the PLAN, and the file the answer was cut off in."""

    name: str
    answer: str
    operations: list = field(default_factory=list)
    refusals: list = field(default_factory=list)
    prose: list = field(default_factory=list)
    planned: list | None = None
    cut_off_in: str | None = None


SCENARIOS = [
    Scenario(
        "an EDIT holding a whole file",
        answer="@@@ EDIT a.py\nx = 1\ny = 2\n@@@ END\n",
        operations=[WriteFile(path="a.py", content="x = 1\ny = 2\n", loose=True)],
    ),
    Scenario(
        "an EDIT holding a fenced whole file",
        answer="@@@ EDIT a.py\n```python\nx = 1\n```\n@@@ END\n",
        operations=[WriteFile(path="a.py", content="x = 1\n", loose=True)],
    ),
    Scenario(
        "an EDIT holding only fences",
        answer="@@@ EDIT a.py\n\n```\n```\n@@@ END\n",
        refusals=[Refusal(path="a.py", reason="its EDIT has no search/replace blocks", text="")],
    ),
    Scenario(
        "END twice after an EDIT",
        answer="@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n@@@ END\n@@@ END\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="its block holds an @@@ END line, so where it ends is unclear",
                text="",
            )
        ],
    ),
    Scenario(
        "END twice after a FILE, with text between",
        answer="@@@ FILE a.md\nA\n@@@ END\nB\n@@@ END\n",
        refusals=[
            Refusal(
                path="a.md",
                reason="its block holds an @@@ END line, so where it ends is unclear",
                text="",
            )
        ],
        prose=["B"],
    ),
    Scenario(
        "END after a DELETE is harmless",
        answer="@@@ DELETE a.py\n@@@ END\n",
        operations=[DeleteFile(path="a.py")],
    ),
    Scenario(
        "a stray END with nothing before",
        answer="@@@ END\n",
    ),
    Scenario(
        "an Aider block then a stray REPLACE",
        answer="a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\nz\n>>>>>>> REPLACE\n",
        refusals=[
            Refusal(path="a.py", reason="its block's text holds a >>>>>>> REPLACE line", text="")
        ],
        prose=["a.py", "z"],
    ),
    Scenario(
        "an Aider block named in the fence",
        answer="```python a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n",
        operations=[EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
    ),
    Scenario(
        "an Aider block named in a fence like lang:path",
        answer="```python:src/a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n",
        operations=[
            EditFile(path="src/a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))
        ],
    ),
    Scenario(
        "an Aider block named three lines up through fences",
        answer="b.py\n```\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        operations=[EditFile(path="b.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        prose=["b.py"],
    ),
    Scenario(
        "an Aider block whose name is four lines up",
        answer="c.py\n```\n```\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        refusals=[
            Refusal(
                path=None, reason="a search/replace block does not say which file it edits", text=""
            )
        ],
        prose=["c.py"],
    ),
    Scenario(
        "an Aider block with no name",
        answer="<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
        refusals=[
            Refusal(
                path=None, reason="a search/replace block does not say which file it edits", text=""
            )
        ],
    ),
    Scenario(
        "an Aider block interrupted by another",
        answer="a.py\n<<<<<<< SEARCH\nx\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="a search/replace block is unfinished (no REPLACE line)",
                text="",
            ),
            Refusal(
                path=None, reason="a search/replace block does not say which file it edits", text=""
            ),
        ],
        prose=["a.py"],
    ),
    Scenario(
        "an EDIT block interrupted by a SEARCH",
        answer="@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n<<<<<<< SEARCH\ny\n=======\nz\n>>>>>>> REPLACE\n@@@ END\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="a search/replace block is unfinished (no REPLACE line)",
                text="",
            )
        ],
    ),
    Scenario(
        "an EDIT block interrupted by a FILE",
        answer="@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n@@@ FILE b.py\nb\n@@@ END\n",
        operations=[WriteFile(path="b.py", content="b\n")],
        refusals=[
            Refusal(
                path="a.py",
                reason="its block was not closed with @@@ END before the next operation",
                text="",
            )
        ],
    ),
    Scenario(
        "a stray REPLACE between EDIT blocks",
        answer="@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n>>>>>>> REPLACE\n@@@ END\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="a block's text holds a >>>>>>> REPLACE line, so it ends unclearly",
                text="",
            )
        ],
    ),
    Scenario(
        "a forgotten END before a DELETE",
        answer="@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n@@@ DELETE b.py\n",
        operations=[
            EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),)),
            DeleteFile(path="b.py"),
        ],
    ),
    Scenario(
        "a forgotten END in an EDIT without blocks",
        answer="@@@ EDIT a.py\nstuff\n@@@ FILE b.py\nb\n@@@ END\n",
        operations=[WriteFile(path="b.py", content="b\n")],
        refusals=[
            Refusal(
                path="a.py",
                reason="its block was not closed with @@@ END before the next operation",
                text="",
            )
        ],
    ),
    Scenario(
        "a FILE of blocks only is an edit",
        answer="@@@ FILE a.py\n```\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n@@@ END\n",
        operations=[EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
    ),
    Scenario(
        "a FILE of blocks and text is text",
        answer="@@@ FILE a.md\nDocs:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n@@@ END\n",
        operations=[
            WriteFile(
                path="a.md", content="Docs:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n"
            )
        ],
    ),
    Scenario(
        "a FILE of a block without a divider is text",
        answer="@@@ FILE a.md\n<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n@@@ END\n",
        operations=[WriteFile(path="a.md", content="<<<<<<< SEARCH\nx\n>>>>>>> REPLACE\n")],
    ),
    Scenario(
        "a FILE with an unfinished block is text",
        answer="@@@ FILE a.md\n<<<<<<< SEARCH\nx\n=======\n@@@ END\n",
        operations=[WriteFile(path="a.md", content="<<<<<<< SEARCH\nx\n=======\n")],
    ),
    Scenario(
        "a code FILE of blocks and text is refused, not written with its markers",
        answer="@@@ FILE a.py\n# the fix:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n@@@ END\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="its FILE holds search/replace markers that do not make whole blocks",
                text="# the fix:\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n",
            )
        ],
    ),
    Scenario(
        "a code FILE whose last block is unfinished is refused",
        answer=f"@@@ FILE a.py\n{S}x\n{D}y\n{R}{S}z\n@@@ END\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="its FILE holds search/replace markers that do not make whole blocks",
                text=f"{S}x\n{D}y\n{R}{S}z\n",
            )
        ],
    ),
    Scenario(
        "a code FILE with a SEARCH line alone is text",
        answer="@@@ FILE a.py\n# <<<<<<< SEARCH\n<<<<<<< SEARCH is how blocks open\n@@@ END\n",
        operations=[
            WriteFile(path="a.py", content="# <<<<<<< SEARCH\n<<<<<<< SEARCH is how blocks open\n")
        ],
    ),
    Scenario(
        "a FILE of blocks closed by END, then a stray END, is taken back",
        answer=f"@@@ FILE a.py\n{S}x\n{D}y\n{R}@@@ END\n@@@ END\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="its block holds an @@@ END line, so where it ends is unclear",
                text="",
            )
        ],
    ),
    Scenario(
        "an EDIT holding a whole file closed by END, then a stray END, is taken back",
        answer="@@@ EDIT a.py\nx = 1\n@@@ END\n@@@ END\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="its block holds an @@@ END line, so where it ends is unclear",
                text="",
            )
        ],
    ),
    Scenario(
        "an Aider block, then a stray END: the block had its own end",
        answer=f"a.py\n{S}x\n{D}y\n{R}@@@ END\n",
        operations=[EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        prose=["a.py"],
    ),
    Scenario(
        "a line of > that is not a REPLACE line is the block's text",
        answer=f"a.py\n{S}x\n{D}>>>>>>> theirs\n{R}",
        operations=[
            EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace=">>>>>>> theirs\n"),))
        ],
        prose=["a.py"],
    ),
    Scenario(
        "a FILE holding a diff keeps it as text",
        answer="@@@ FILE fix.diff\n--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n@@@ END\n",
        operations=[WriteFile(path="fix.diff", content="--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n")],
    ),
    Scenario(
        "a block without a divider, named by a path line",
        answer=f"a.py\n{S}x\n{R}",
        refusals=[
            Refusal(
                path="a.py",
                reason="a search/replace block has no ======= line between SEARCH and REPLACE",
                text="",
            )
        ],
        prose=["a.py"],
    ),
    Scenario(
        "cut off in a FILE line naming two files",
        answer="@@@ FILE a.py b.py\nx = 1\n",
        cut_off_in="a.py b.py",
    ),
    Scenario(
        "cut off in a block that names no file",
        answer=f"{S}x\n",
        cut_off_in="(a file the answer did not name)",
    ),
    Scenario(
        "a FILE line naming nothing",
        answer="@@@ FILE\nx\n@@@ END\n",
        refusals=[Refusal(path=None, reason="the FILE line names no single file: ''", text="x\n")],
    ),
    Scenario(
        "a DELETE naming nothing",
        answer="@@@ DELETE\n",
        refusals=[Refusal(path=None, reason="a DELETE line names no file: ''", text="")],
    ),
    Scenario(
        "a DELETE of two files",
        answer="@@@ DELETE a.py, `b.py`\n",
        operations=[DeleteFile(path="a.py"), DeleteFile(path="b.py")],
    ),
    Scenario(
        "a RENAME with two arrows",
        answer="@@@ RENAME a -> b -> c\n",
        refusals=[
            Refusal(
                path=None,
                reason="a RENAME line needs one old path, an arrow and a new path: 'a -> b -> c'",
                text="",
            )
        ],
    ),
    Scenario(
        "a RENAME with an unclear side",
        answer="@@@ RENAME a.py -> b.py - moved\n",
        refusals=[
            Refusal(
                path="a.py",
                reason="a RENAME line names its files unclearly: 'a.py -> b.py - moved'",
                text="",
            )
        ],
    ),
    Scenario(
        "an unknown marker naming a file",
        answer="@@@ PATCH `a.py`\n",
        refusals=[
            Refusal(
                path="a.py", reason="the answer used a marker the format lacks: @@@ PATCH", text=""
            )
        ],
    ),
    Scenario(
        "a PLAN and prose",
        answer="I will add it.\n@@@ PLAN a.py, b.py\n\nDone soon.\n",
        prose=["I will add it.", "Done soon."],
        planned=["a.py", "b.py"],
    ),
    Scenario(
        "no PLAN",
        answer="Just prose.\n",
        prose=["Just prose."],
    ),
    Scenario(
        "a held diff header released at the end",
        answer="text\n--- not a header",
        prose=["text", "--- not a header"],
    ),
    Scenario(
        "a --- line that is not a header",
        answer="--- intro\nplain prose\n",
        prose=["--- intro", "plain prose"],
    ),
    Scenario(
        "a git new file",
        answer="diff --git a/n.py b/n.py\nnew file mode 100644\n--- /dev/null\n+++ b/n.py\n@@ -0,0 +1 @@\n+n\n",
        operations=[WriteFile(path="n.py", content="n\n", new=True)],
    ),
    Scenario(
        "a git deletion without hunks",
        answer="diff --git a/d.py b/d.py\ndeleted file mode 100644\n",
        operations=[DeleteFile(path="d.py")],
    ),
    Scenario(
        "two git diffs",
        answer="diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/y b/y\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-c\n+d\n",
        operations=[
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
    ),
    Scenario(
        "a bare hunk with no name",
        answer="@@ -1 +1 @@\n-a\n+b\n",
        refusals=[
            Refusal(path=None, reason="a diff hunk does not say which file it changes", text="")
        ],
    ),
    Scenario(
        "a bare hunk after a name",
        answer="In `q.py`:\n@@ -1 +1 @@\n-a\n+b\n",
        operations=[
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
        prose=["In `q.py`:"],
    ),
    Scenario(
        "a diff ended by prose after a blank line",
        answer="--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n\nThat is all.\n",
        operations=[
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
        prose=["That is all."],
    ),
    Scenario(
        "a diff with a removed line starting with two dashes",
        answer="--- a/x.sql\n+++ b/x.sql\n@@ -1,2 +1,1 @@\n--- comment\n select 1;\n",
        operations=[
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
    ),
    Scenario(
        "a diff with no newline marker",
        answer="--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n",
        operations=[
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
    ),
    Scenario(
        "a rename diff with changes",
        answer="diff --git a/o.py b/n.py\nrename from o.py\nrename to n.py\n--- a/o.py\n+++ b/n.py\n@@ -1 +1 @@\n-a\n+b\n",
        operations=[
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
    ),
    Scenario(
        "a diff of /dev/null both sides",
        answer="--- /dev/null\n+++ /dev/null\n@@ -0,0 +0,0 @@\n",
        refusals=[Refusal(path=None, reason="a diff names /dev/null on both sides", text="")],
    ),
    Scenario(
        # Passed on, so the merge asks about a fix claimed and not made (never "no changes").
        "a diff hunk without changes",
        answer="--- a/x\n+++ b/x\n@@ -1 +1 @@\n a\n",
        operations=[
            EditFile(
                "x",
                (SearchReplace("a\n", "a\n", line_hint=1, from_diff=True, old_count=1),),
            )
        ],
    ),
    Scenario(
        "a diff whose context-only hunk sits beside a change",
        answer="--- a/x\n+++ b/x\n@@ -1 +1 @@\n a\n@@ -3 +3 @@\n-c\n+d\n",
        operations=[
            EditFile(
                "x",
                (SearchReplace("c\n", "d\n", line_hint=3, from_diff=True, old_count=1),),
            )
        ],
    ),
    Scenario(
        "a nested fence inside a fenced file",
        answer="Here is `doc.md`:\n````markdown\n# Doc\n```sh\nrun\n```\n````\n",
        operations=[WriteFile(path="doc.md", content="# Doc\n```sh\nrun\n```\n", loose=True)],
        prose=["Here is `doc.md`:"],
    ),
    Scenario(
        "a fence with a language inside a bare fence",
        answer="Here is `doc.md`:\n```\n# Doc\n```sh\nrun\n```\nend\n```\n",
        operations=[WriteFile(path="doc.md", content="# Doc\n```sh\nrun\n```\nend\n", loose=True)],
        prose=["Here is `doc.md`:"],
    ),
    Scenario(
        "an unclosed fence at the end",
        answer="Here is `a.py`:\n```python\nx = 1\n",
        refusals=[Refusal(path="a.py", reason="its fenced block was cut off", text="")],
        prose=["Here is `a.py`:"],
    ),
    Scenario(
        "a fence holding operations",
        answer="```\n@@@ DELETE a.py\n```\n",
        operations=[DeleteFile(path="a.py")],
    ),
    Scenario(
        "only a fence as long closes a four-backtick fence",
        answer="`x.py`:\n````\ny\n```\nz\n````\n",
        operations=[WriteFile(path="x.py", content="y\n```\nz\n", loose=True)],
        prose=["`x.py`:"],
    ),
    Scenario(
        "a tilde fence",
        answer="`t.py`:\n~~~\nt\n~~~\n",
        operations=[WriteFile(path="t.py", content="t\n", loose=True)],
        prose=["`t.py`:"],
    ),
    Scenario(
        "a cut-off FILE with no name",
        answer="@@@ FILE\nhalf",
        cut_off_in="(a file the answer did not name)",
    ),
    Scenario(
        "a cut-off Aider block",
        answer="a.py\n<<<<<<< SEARCH\nx\n",
        prose=["a.py"],
        cut_off_in="a.py",
    ),
    Scenario(
        "a marker-only answer with trailing text",
        answer="@@@ FILE a.py @@@\nx\n@@@ END\n",
        operations=[WriteFile(path="a.py", content="x\n")],
    ),
    Scenario(
        "prose then JSON",
        answer='Here:\n{"files": [{"path": "j.py", "content": "j"}]}',
        operations=[WriteFile(path="j.py", content="j", loose=True)],
        prose=["Here:", '{"files": [{"path": "j.py", "content": "j"}]}'],
    ),
    Scenario(
        "an EDIT block with a five-character divider inside seven markers",
        answer="@@@ EDIT a.md\n<<<<<<< SEARCH\nT\n=====\n=======\nU\n=====\n>>>>>>> REPLACE\n@@@ END\n",
        operations=[
            EditFile(
                path="a.md", blocks=(SearchReplace(search="T\n=====\n", replace="U\n=====\n"),)
            )
        ],
    ),
]


def parse(text: str, size: int) -> EditStreamParser:
    parser = EditStreamParser({"a.py", "b.py"})
    for start in range(0, len(text), size):
        parser.feed(text[start : start + size])
    parser.finish(allow_open=True)
    return parser


@pytest.mark.parametrize("size", [1, 4, 10_000])
@pytest.mark.parametrize("case", SCENARIOS, ids=[case.name for case in SCENARIOS])
def test_parse(case, size):
    parser = parse(case.answer, size)
    assert parser.operations == case.operations
    assert parser.refusals == case.refusals
    assert parser.prose == case.prose
    assert parser.planned == case.planned
    assert parser.open_path == case.cut_off_in


# A REPLACE line of another length than its SEARCH line, and a forgotten END at the end ------


def finished(text: str, size: int, complete: bool) -> EditStreamParser:
    parser = EditStreamParser({"a.py"})
    for start in range(0, len(text), size):
        parser.feed(text[start : start + size])
    parser.finish(allow_open=True, complete=complete)
    return parser


LONG_R = ">>>>>>>> REPLACE\n"  # eight: the block's SEARCH line has seven
ONE = EditFile("a.py", (SearchReplace("x\n", "y\n"),))
LOOSE_ENDS = [
    Scenario(
        "then END",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}@@@ END\n",
        operations=[ONE],
    ),
    Scenario(
        "then blank lines and a fence, then END",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}\n```\n@@@ END\n",
        operations=[ONE],
    ),
    Scenario(
        "then the next block",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}{S}p\n{D}q\n{R}@@@ END\n",
        operations=[EditFile("a.py", (SearchReplace("x\n", "y\n"), SearchReplace("p\n", "q\n")))],
    ),
    Scenario(
        "then more text: it was the block's text",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}z\n{R}@@@ END\n",
        operations=[EditFile("a.py", (SearchReplace("x\n", f"y\n{LONG_R}z\n"),))],
    ),
    Scenario(
        "before the divider: the search's text",
        answer=f"@@@ EDIT a.py\n{S}{LONG_R}{D}y\n{R}@@@ END\n",
        operations=[EditFile("a.py", (SearchReplace(LONG_R, "y\n"),))],
    ),
    Scenario(
        "indented: text, so the block is unfinished at END",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n    {LONG_R}@@@ END\n",
        refusals=[Refusal("a.py", "a search/replace block is unfinished (no REPLACE line)")],
    ),
    Scenario(
        "then another operation's marker: unfinished",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}@@@ FILE b.py\nb\n@@@ END\n",
        operations=[WriteFile("b.py", "b\n")],
        refusals=[
            Refusal("a.py", "its block was not closed with @@@ END before the next operation")
        ],
    ),
    Scenario(
        "closing an Aider block whose fence then closes",
        answer=f"a.py\n```\n{S}x\n{D}y\n{LONG_R}```\nThat is all.\n",
        operations=[ONE],
    ),
]


@pytest.mark.parametrize("size", [1, 7, 10_000])
@pytest.mark.parametrize("case", LOOSE_ENDS, ids=[case.name for case in LOOSE_ENDS])
def test_a_replace_line_of_another_length(case, size):
    parser = finished(case.answer, size, complete=False)
    assert (parser.operations, parser.refusals) == (case.operations, case.refusals)


FORGOTTEN_END = [
    Scenario(
        "an EDIT whose blocks are whole",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n{R}",
        operations=[ONE],
        cut_off_in="a.py",
    ),
    Scenario(
        "an EDIT whose blocks are whole, then a fence",
        answer=f"@@@ EDIT a.py\n```\n{S}x\n{D}y\n{R}```\n",
        operations=[ONE],
        cut_off_in="a.py",
    ),
    Scenario(
        "an EDIT whose last block ends with a longer REPLACE",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n{LONG_R}",
        operations=[ONE],
        cut_off_in="a.py",
    ),
    Scenario(
        "an EDIT whose block is open",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n",
        cut_off_in="a.py",
    ),
    Scenario(
        "an EDIT with text after its blocks",
        answer=f"@@@ EDIT a.py\n{S}x\n{D}y\n{R}done\n",
        cut_off_in="a.py",
    ),
    Scenario(
        "an EDIT with no blocks",
        answer="@@@ EDIT a.py\n",
        cut_off_in="a.py",
    ),
    Scenario(
        "a FILE: its end is never certain",
        answer="@@@ FILE a.py\nx = 1\n",
        cut_off_in="a.py",
    ),
]


@pytest.mark.parametrize("case", FORGOTTEN_END, ids=[case.name for case in FORGOTTEN_END])
def test_an_operation_open_when_the_answer_ends(case):
    """`operations`: what a finished answer gives; `cut_off_in`: where a cut-off one stops."""
    complete = finished(case.answer, 5, complete=True)
    assert complete.operations == case.operations
    assert complete.open_path == (None if case.operations else case.cut_off_in)
    cut_off = finished(case.answer, 5, complete=False)
    assert (cut_off.operations, cut_off.open_path) == ([], case.cut_off_in)


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
