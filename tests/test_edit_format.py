import pytest

from orchestrator.edit_format import (
    DeleteFile,
    EditFile,
    EditStreamParser,
    RenameFile,
    SearchReplace,
    WriteFile,
    parse_edit_stream,
    render_operations,
)
from orchestrator.errors import ModelAnswerInvalid

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
