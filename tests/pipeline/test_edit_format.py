import pytest

from orchestrator.answers.ours import render_operations
from orchestrator.answers.stream import EditStreamParser, parse_edit_stream
from orchestrator.errors import ModelAnswerInvalid
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    RenameFile,
    SearchReplace,
    WriteFile,
)

ANSWER = """I will add a route and tidy up.

@@@ FILE app/health.py
def health():
    return "ok"
@@@ END

@@@ EDIT app/main.py
<<<<<<< SEARCH
app = Flask(__name__)
=======
app = Flask(__name__)
app.register_blueprint(health)
>>>>>>> REPLACE
<<<<<<< SEARCH
DEBUG = True
=======
DEBUG = False
>>>>>>> REPLACE
@@@ END

@@@ DELETE docs/old.md
@@@ RENAME app/util.py -> app/text.py
"""

EXPECTED = [
    WriteFile("app/health.py", 'def health():\n    return "ok"\n'),
    EditFile(
        "app/main.py",
        (
            SearchReplace(
                "app = Flask(__name__)\n",
                "app = Flask(__name__)\napp.register_blueprint(health)\n",
            ),
            SearchReplace("DEBUG = True\n", "DEBUG = False\n"),
        ),
    ),
    DeleteFile("docs/old.md"),
    RenameFile("app/util.py", "app/text.py"),
]


def test_whole_answer_parses_into_operations_in_order():
    assert list(parse_edit_stream([ANSWER])) == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, 64])
def test_any_chunking_gives_the_same_operations(size):
    chunks = [ANSWER[i : i + size] for i in range(0, len(ANSWER), size)]
    assert list(parse_edit_stream(chunks)) == EXPECTED


def test_each_operation_is_reported_as_soon_as_its_closing_line_arrives():
    parser = EditStreamParser()
    first_end = ANSWER.index("@@@ END") + len("@@@ END\n")
    assert parser.feed(ANSWER[: first_end - 1]) == []
    assert parser.feed(ANSWER[first_end - 1 : first_end]) == [EXPECTED[0]]


def test_prose_outside_operations_is_kept_for_the_summary():
    parser = EditStreamParser()
    parser.feed(ANSWER)
    parser.finish()
    assert parser.prose == ["I will add a route and tidy up."]


def test_an_answer_cut_off_inside_a_file_is_an_error_naming_the_file():
    with pytest.raises(ModelAnswerInvalid, match=r"app/health\.py"):
        list(parse_edit_stream(["@@@ FILE app/health.py\ndef health():\n"]))


def refusals_of(text: str) -> list:
    parser = EditStreamParser()
    parser.feed(text)
    parser.finish()
    return parser.refusals


def test_an_unfinished_search_block_is_refused_not_applied():
    parser = EditStreamParser()
    parser.feed("@@@ EDIT a.py\n<<<<<<< SEARCH\nx\n@@@ END\n")
    parser.finish()
    assert parser.operations == []
    assert [(r.path, r.reason) for r in parser.refusals] == [
        ("a.py", "a search/replace block is unfinished (no REPLACE line)")
    ]


def test_an_unknown_marker_is_refused():
    assert [r.reason for r in refusals_of("@@@ PATCH a.py\n")] == [
        "the answer used a marker the format lacks: @@@ PATCH"
    ]


def test_code_fences_around_the_answer_are_ignored():
    fenced = "```\n@@@ DELETE a.py\n```\n"
    assert list(parse_edit_stream([fenced])) == [DeleteFile("a.py")]


def test_file_content_that_looks_like_markdown_fences_is_kept():
    content = "# Title\n\n```bash\nmake run\n```\n"
    answer = f"@@@ FILE README.md\n{content}@@@ END\n"
    assert list(parse_edit_stream([answer])) == [WriteFile("README.md", content)]


def test_rendering_then_parsing_gives_back_the_operations():
    assert list(parse_edit_stream([render_operations(EXPECTED)])) == EXPECTED


def test_render_gives_every_file_a_final_newline_except_an_empty_one():
    rendered = render_operations([WriteFile("a.py", "x = 1"), WriteFile("empty.py", "")])
    assert rendered == "@@@ FILE a.py\nx = 1\n@@@ END\n\n@@@ FILE empty.py\n@@@ END\n"


def test_a_file_the_project_knows_names_the_block_after_it():
    block = "Makefile\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n"
    known = EditStreamParser({"Makefile"})
    known.feed(block)
    known.finish()
    assert known.operations == [EditFile("Makefile", (SearchReplace("a\n", "b\n"),))]
    unknown = EditStreamParser()
    unknown.feed(block)
    unknown.finish()
    assert unknown.operations == []
    assert [r.reason for r in unknown.refusals] == [
        "a search/replace block does not say which file it edits"
    ]


def test_a_fence_holding_operations_is_not_read_again_as_a_loose_file():
    parser = EditStreamParser()
    parser.feed("```python\na.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n")
    parser.finish()
    assert parser.fenced_blocks == []
    unclosed = EditStreamParser()
    unclosed.feed("```\n@@@ DELETE b.py\n")
    unclosed.finish()
    assert unclosed.fenced_blocks == []
    assert unclosed.operations == [DeleteFile("b.py")]


def test_inside_a_longer_fence_a_three_backtick_fence_is_plain_text():
    parser = EditStreamParser()
    parser.feed("````markdown\n```python\ncode\n````\n")
    parser.finish()
    [block] = parser.fenced_blocks
    assert (block.closed, block.lines) == (True, ["```python\n", "code\n"])


def test_loose_files_are_read_only_when_nothing_else_was():
    parser = EditStreamParser()
    parser.feed("app.py\n```python\nx = 1\n```\n")
    done = parser.finish()
    assert done == parser.operations == [WriteFile("app.py", "x = 1\n", loose=True)]
    assert parser.refusals == []


def _read(answer: str) -> EditStreamParser:
    parser = EditStreamParser()
    parser.feed(answer)
    parser.finish()
    return parser


PATCH = """*** Begin Patch
*** Add File: docs/notes.md
+# Notes
+
+first
*** Update File: app/main.py
*** Move to: app/server.py
@@ def create():
 app = Flask(__name__)
-DEBUG = True
+DEBUG = False
@@
 x = 1
+y = 2
*** End of File
*** Delete File: docs/old.md
*** Update File: "app/util.py"
-a
+b
*** End Patch
"""


def test_an_apply_patch_answer_is_read_as_diffs_of_each_file():
    parser = _read(PATCH)
    assert parser.refusals == []
    hunk = {"line_hint": None, "from_diff": True}
    assert parser.operations == [
        WriteFile("docs/notes.md", "# Notes\n\nfirst\n", new=True),
        RenameFile("app/main.py", "app/server.py"),
        EditFile(
            "app/server.py",
            (
                SearchReplace(
                    "app = Flask(__name__)\nDEBUG = True\n",
                    "app = Flask(__name__)\nDEBUG = False\n",
                    **hunk,
                ),
                SearchReplace("x = 1\n", "x = 1\ny = 2\n", **hunk),
            ),
        ),
        DeleteFile("docs/old.md"),
        EditFile("app/util.py", (SearchReplace("a\n", "b\n", **hunk),)),
    ]


@pytest.mark.parametrize("size", [1, 5, 64])
def test_an_apply_patch_answer_reads_the_same_in_any_chunks(size):
    parser = EditStreamParser()
    for start in range(0, len(PATCH), size):
        parser.feed(PATCH[start : start + size])
    parser.finish()
    assert parser.operations == _read(PATCH).operations


def test_apply_patch_headers_are_read_in_any_letter_case_and_without_a_colon():
    parser = _read("*** begin patch\n***add file notes.md\n+n\n*** end patch\n")
    assert parser.operations == [WriteFile("notes.md", "n\n", new=True)]


def test_an_added_file_may_be_empty_and_a_move_alone_is_a_rename():
    parser = _read(
        "*** Begin Patch\n*** Add File: empty.txt\n*** Update File: a.py\n*** Move to: b.py\n"
        "*** End Patch\n"
    )
    assert parser.operations == [WriteFile("empty.txt", "", new=True), RenameFile("a.py", "b.py")]
    assert parser.refusals == []


def test_an_apply_patch_inside_a_fence_is_not_read_again_as_a_loose_file():
    parser = _read("```\n*** Begin Patch\n*** Delete File: old.md\n*** End Patch\n```\n")
    assert parser.operations == [DeleteFile("old.md")]
    assert parser.fenced_blocks == []


@pytest.mark.parametrize(
    ("answer", "path", "reason"),
    [
        (
            "*** Begin Patch\n*** Move to: b.py\n*** End Patch\n",
            "b.py",
            "a '*** Move to' line follows no '*** Update File' line",
        ),
        (
            "*** Update File: a.py\n@@\n-x\n+y\n*** Move to: b.py\n",
            "a.py",
            "its patch has a misplaced '*** Move to: b.py' line",
        ),
        (
            "*** Add File: a.py\n*** Move to: b.py\n",
            "a.py",
            "its patch has a misplaced '*** Move to: b.py' line",
        ),
        ("*** Update File:\n-x\n+y\n", None, "a patch line names no single file: ''"),
        ("*** Update File: a.py\n*** End Patch\n", "a.py", "its diff has a header but no hunks"),
        (
            "*** Update File: a.py\n@@\n-x\ny\n",
            "a.py",
            "its diff has a line without a ' ', '+' or '-' prefix: 'y'",
        ),
    ],
)
def test_an_apply_patch_that_cannot_be_read_whole_is_refused(answer, path, reason):
    parser = _read(answer)
    assert parser.operations == []
    assert [(r.path, r.reason.split(" (@@")[0]) for r in parser.refusals] == [(path, reason)]


def test_patch_lines_inside_a_file_block_are_its_text():
    text = "*** Begin Patch\n*** Update File: x\n"
    parser = _read(f"@@@ FILE notes.md\n{text}@@@ END\n")
    assert parser.operations == [WriteFile("notes.md", text)]


def test_an_added_file_written_without_its_prefixes_is_refused_not_emptied():
    parser = _read("*** Begin Patch\n*** Add File: a.py\nimport os\n*** End Patch\n")
    assert parser.operations == []
    assert [(r.path, r.reason) for r in parser.refusals] == [
        ("a.py", "its patch has a line without a ' ', '+' or '-' prefix: 'import os'")
    ]


def test_prose_after_a_blank_line_ends_a_patch_that_forgot_its_end():
    parser = _read("*** Update File: a.py\n*** Move to: b.py\n\nI moved it.\n")
    assert parser.operations == [RenameFile("a.py", "b.py")]
    assert parser.prose == ["I moved it."]
    deleted = _read("*** Delete File: a.py\nDone.\n")
    assert deleted.operations == [DeleteFile("a.py")]


# Cut off by the length limit ----------------------------------------------------------------

DIFF = "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n"


def _cut(answer: str, cut_off: bool = True) -> EditStreamParser:
    parser = EditStreamParser({"a.py"})
    parser.feed(answer)
    parser.finish(allow_open=True, cut_off=cut_off)
    return parser


@pytest.mark.parametrize(
    "answer",
    [
        DIFF,
        "```diff\n" + DIFF,
        "*** Begin Patch\n*** Update File: a.py\n@@\n x = 1\n-y = 2\n",
        "*** Begin Patch\n*** Add File: b.py\n*** Update File: a.py\n-y = 2\n",
    ],
    ids=["a diff", "a diff in an open fence", "a patch", "a patch's second file"],
)
def test_a_diff_still_being_read_at_the_length_limit_is_cut_off_not_applied(answer):
    parser = _cut(answer)
    assert [op for op in parser.operations if op.path == "a.py"] == []
    assert parser.open_path == "a.py"
    assert parser.refusals == []


def test_a_diff_at_the_end_of_a_finished_answer_is_whole():
    parser = _cut(DIFF, cut_off=False)
    assert parser.operations == [
        EditFile(
            "a.py",
            (SearchReplace("x = 1\ny = 2\n", "x = 1\n", line_hint=1, from_diff=True, old_count=2),),
        )
    ]
    assert parser.open_path is None


@pytest.mark.parametrize(
    "answer",
    [
        "```diff\n" + DIFF + "```\nThat is all",
        "*** Begin Patch\n*** Update File: a.py\n-y = 2\n+y = 3\n*** End Patch\nNext I",
        DIFF + "\nThen I will",
    ],
    ids=["closed fence", "ended patch", "prose after a blank line"],
)
def test_a_diff_that_ended_before_the_length_limit_is_whole(answer):
    parser = _cut(answer)
    assert [op.path for op in parser.operations] == ["a.py"]
    assert parser.open_path is None


def test_an_answer_cut_off_before_anything_could_be_read_names_no_file():
    parser = _cut('{"files": [{"path": "a.py", "content": "x = ')
    assert (parser.operations, parser.refusals) == ([], [])
    assert parser.open_path == "(a file the answer did not name)"
    assert _cut("   \n").open_path is None  # nothing at all was said: nothing was cut
    assert _cut("I will change", cut_off=False).open_path is None


@pytest.mark.parametrize(
    ("line", "known", "operations"),
    [
        ("models.py store.py", {"models.py"}, [RenameFile("models.py", "store.py")]),
        ("models.py to lib/store.py", {"models.py"}, [RenameFile("models.py", "lib/store.py")]),
        ("`models.py` store.py", {"models.py"}, [RenameFile("models.py", "store.py")]),
        ("models.py store.py", set(), []),  # no project file on the left: unclear
        ("my notes.md", {"my notes.md"}, []),  # one file whose name has a space
        ("models.py store new.py", {"models.py"}, []),  # which space parts the two?
    ],
)
def test_a_rename_without_an_arrow_is_read_only_when_its_two_sides_are_plain(
    line, known, operations
):
    parser = EditStreamParser(known)
    parser.feed(f"@@@ RENAME {line}\n")
    parser.finish()
    assert parser.operations == operations
    assert len(parser.refusals) == (0 if operations else 1)


def test_a_finished_answer_that_stops_inside_a_file_block_names_the_file():
    parser = EditStreamParser()
    parser.feed("@@@ FILE new.py\nx = 1\n")
    with pytest.raises(ModelAnswerInvalid) as raised:
        parser.finish(complete=True)
    assert raised.value.message == (
        "The model's answer stopped in the middle of new.py (no closing @@@ END). "
        "Try again, or ask for a smaller change."
    )


def test_blocks_indented_as_one_inside_a_file_tag_are_read_as_blocks_never_written():
    parser = EditStreamParser()
    parser.feed('<file path="app.py">\n  <<<<<<< SEARCH\n  a\n  =======\n  b\n')
    parser.feed("  >>>>>>> REPLACE\n</file>\n")
    assert parser.finish(complete=True) == [EditFile("app.py", (SearchReplace("a\n", "b\n"),))]
    assert parser.refusals == []


def test_blocks_indented_unevenly_inside_a_file_tag_are_refused_not_written():
    parser = EditStreamParser()
    parser.feed('<file path="app.py">\n  <<<<<<< SEARCH\n a\n  =======\n  b\n')
    parser.feed(" >>>>>>> REPLACE\n</file>\n")
    assert parser.finish(complete=True) == []
    assert [(r.path, r.reason) for r in parser.refusals] == [
        ("app.py", "its search/replace blocks are not whole")
    ]


def test_blank_lines_cut_off_by_the_length_limit_are_no_cut_off_file():
    parser = EditStreamParser()
    parser.feed("\n")
    parser.feed("  \n")
    assert parser.finish(cut_off=True) == []
    assert parser.open_path is None
