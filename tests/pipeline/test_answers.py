"""The readers of orchestrator/answers/: reasoning set aside, restarts, one dialect per
answer, restatements, other agents' formats, operations indented under list items. Each test
states the exact operations read, at several chunk sizes."""

import pytest

from orchestrator import LocalHost, ProjectBrief, iterate
from orchestrator.answers.agents import agent_operations, project_path, read_blocks
from orchestrator.answers.dispatch import Found, paths_of
from orchestrator.answers.reasoning import lone_closing, strip_reasoning
from orchestrator.answers.restarts import is_restart, withdrawal_refusals
from orchestrator.answers.restatements import disagreements
from orchestrator.answers.stream import UNNAMED, EditStreamParser
from orchestrator.errors import ModelAnswerInvalid
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Refusal,
    RenameFile,
    SearchReplace,
    WriteFile,
)
from orchestrator.options import RunOptions
from orchestrator.providers.base import StreamChunk, Usage
from tests.support.scripted import ScriptedProvider

KNOWN = {"app.py", "src/util.py", "README.md"}
FINAL = "@@@ EDIT app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n@@@ END\n"
DRAFT = "@@@ EDIT app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 9\n>>>>>>> REPLACE\n@@@ END\n"
DRAFT_FILE = "@@@ FILE draft.py\nprint('draft')\n@@@ END\n"
EDIT = EditFile("app.py", (SearchReplace("x = 1\n", "x = 2\n"),))
SIZES = (1, 3, 8, 10_000)


def read(answer: str, size: int = 10_000, complete: bool = True, cut_off: bool = False):
    parser = EditStreamParser(KNOWN)
    streamed = []
    for start in range(0, len(answer), size):
        streamed += parser.feed(answer[start : start + size])
    streamed += parser.finish(allow_open=True, complete=complete, cut_off=cut_off)
    return parser, streamed


# Reasoning ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tag", ["think", "thinking", "reasoning", "THINK", "thought"])
def test_drafts_inside_a_reasoning_block_are_never_read(tag, size):
    answer = f"<{tag}>\nFirst try:\n{DRAFT}{DRAFT_FILE}</{tag}>\n\nThe change:\n{FINAL}"
    parser, streamed = read(answer, size)
    assert parser.operations == [EDIT]
    assert streamed == [EDIT]
    assert parser.refusals == []
    assert "x = 9" in "".join(parser.reasoning)
    assert parser.prose == ["The change:"]


@pytest.mark.parametrize("size", SIZES)
def test_a_reasoning_block_on_one_line_with_the_answer_after_its_closing_tag(size):
    parser, _ = read("<think>short thought</think>\n" + FINAL, size)
    assert parser.operations == [EDIT]
    assert parser.reasoning == ["short thought"]


@pytest.mark.parametrize("size", SIZES)
def test_a_lone_closing_tag_makes_everything_before_it_reasoning(size):
    answer = f"Okay, a draft:\n{DRAFT}{DRAFT_FILE}</think>\n\n{FINAL}"
    parser, _ = read(answer, size)
    assert parser.operations == [EDIT]
    assert parser.refusals == []
    assert parser.open_path is None
    assert "draft.py" in "".join(parser.reasoning)


@pytest.mark.parametrize("size", SIZES)
def test_a_lone_closing_tag_inside_an_open_draft_drops_the_draft(size):
    answer = f"@@@ FILE draft.py\nprint(1)\n</thinking>\n{FINAL}"
    parser, _ = read(answer, size)
    assert parser.operations == [EDIT]
    assert parser.open_path is None


def test_text_after_a_lone_closing_tag_on_its_line_is_read():
    parser, _ = read("I will fix it.</think>@@@ DELETE README.md\n")
    assert parser.operations == [DeleteFile("README.md")]


@pytest.mark.parametrize("size", SIZES)
def test_an_answer_cut_off_inside_its_reasoning_is_cut_off_not_read(size):
    answer = f"<think>\nLet me try:\n{DRAFT}"
    parser, _ = read(answer, size)
    assert parser.operations == []
    assert parser.reasoning_cut is True
    assert parser.open_path == UNNAMED
    with pytest.raises(ModelAnswerInvalid):
        EditStreamParser(KNOWN).feed(answer) or _finish_strictly(answer)


def _finish_strictly(answer: str) -> None:
    parser = EditStreamParser(KNOWN)
    parser.feed(answer)
    parser.finish()


def test_operations_before_an_unclosed_reasoning_block_stay_but_the_answer_is_cut_off():
    parser, _ = read(FINAL + "<think>\nmore drafts\n" + DRAFT)
    assert parser.operations == [EDIT]
    assert parser.open_path == UNNAMED


def test_a_reasoning_tag_inside_a_file_is_the_file_s_text():
    content = "<think>\nnot reasoning\n</think>\n"
    parser, _ = read(f"@@@ FILE notes.xml\n{content}@@@ END\n")
    assert parser.operations == [WriteFile("notes.xml", content)]
    assert parser.reasoning == []


def test_a_closing_tag_after_a_whole_reasoning_block_is_not_a_second_lone_one():
    content = "a\n</think>\nb\n"
    parser, _ = read(f"<think>plan</think>\n@@@ FILE t.txt\n{content}@@@ END\n")
    assert parser.operations == [WriteFile("t.txt", content)]


def test_a_closing_tag_quoted_inside_a_sentence_is_prose():
    assert lone_closing("the </think> tag ends a block") is None
    assert lone_closing("  </think>  \n").group(0) == "</think>"
    assert lone_closing("done.</reasoning>\n").group(0) == "</reasoning>"
    assert lone_closing("</Thinking> then").group(0) == "</Thinking>"
    assert lone_closing("done.</think>Here it is").group(0) == "</think>"
    assert lone_closing("use `</think>` to end") is None
    assert lone_closing('the "</think>" tag') is None


def test_strip_reasoning_for_answers_read_whole():
    assert strip_reasoning('<think>\n{"x": 1}\n</think>\n{"y": 2}\n') == '\n{"y": 2}\n'
    assert strip_reasoning('<think>a</think>{"y": 2}') == '{"y": 2}'
    assert strip_reasoning('draft {"x": 1}\n</think>\n{"y": 2}') == '\n{"y": 2}'
    assert strip_reasoning("<think>\nnever closed {}\n") == ""
    assert strip_reasoning('{"a": "</think>"}') == '{"a": "</think>"}'
    assert strip_reasoning("plain\ntext\n") == "plain\ntext\n"


# Restarts -----------------------------------------------------------------------------------

RESTARTS = [
    "Wait, I made a mistake, let me redo the whole answer.",
    "Actually, let me start over.",
    "Scratch that.",
    "Please ignore the above; here is the corrected answer.",
    "Hmm, I'll rewrite this.",
    "Let's try that again:",
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("sentence", RESTARTS)
def test_a_restarted_answer_keeps_only_its_final_attempt(sentence, size):
    parser, _ = read(f"{DRAFT}\n{sentence}\n\n{FINAL}", size)
    assert parser.operations == [EDIT]
    assert parser.refusals == []


def test_a_file_only_the_withdrawn_attempt_touched_is_asked_about():
    parser, _ = read(f"{DRAFT}{DRAFT_FILE}\nLet me start over.\n\n{FINAL}")
    assert parser.operations == [EDIT]
    assert [(r.path, "withdrew" in r.reason, r.kind) for r in parser.refusals] == [
        ("draft.py", True, "withdrawn")
    ]


def test_two_restarts_check_the_final_attempt_against_both_withdrawn_ones():
    other = "@@@ EDIT README.md\n<<<<<<< SEARCH\nTitle\n=======\nName\n>>>>>>> REPLACE\n@@@ END\n"
    answer = f"{other}\nLet me start over.\n{DRAFT}\nScratch that.\n{FINAL}"
    parser, _ = read(answer)
    assert parser.operations == [EDIT]
    assert [(r.path, r.kind) for r in parser.refusals] == [("README.md", "withdrawn")]


def test_a_restarted_answer_of_another_agent_keeps_its_final_attempt():
    withdrawn = CLINE.replace("x = 2", "x = 9")
    parser, _ = read(f"{withdrawn}\nWait, I made a mistake, let me redo it.\n\n{CLINE}")
    assert parser.operations == [EDIT]
    assert parser.refusals == []


def test_a_restart_with_nothing_after_it_in_a_tagged_answer_restores_the_tags():
    tagged = '<file path="README.md">\nNew\n</file>\n'
    parser, _ = read(f"{tagged}Let me start over.\n")
    assert parser.operations == [WriteFile("README.md", "New\n", loose=True)]


def test_a_restart_sentence_with_nothing_after_it_is_prose():
    parser, _ = read(f"{FINAL}\nI made a mistake in the old loop, which this fixes.\n")
    assert parser.operations == [EDIT]
    assert parser.refusals == []


def test_a_correction_on_top_of_an_edit_is_asked_about_never_dropped_silently():
    fix = (
        "@@@ EDIT app.py\n<<<<<<< SEARCH\nimport os\n=======\nimport os, json\n"
        ">>>>>>> REPLACE\n@@@ END\n"
    )
    parser, _ = read(f"{FINAL}\nOops, I made a mistake: the import is missing.\n\n{fix}")
    assert parser.operations == [
        EditFile("app.py", (SearchReplace("import os\n", "import os, json\n"),))
    ]
    assert [(r.path, r.kind) for r in parser.refusals] == [("app.py", "withdrawn")]


def test_a_restart_sentence_before_any_operation_changes_nothing():
    parser, _ = read(f"Let me start over from the request.\n{FINAL}")
    assert parser.operations == [EDIT]


@pytest.mark.parametrize(
    ("line", "restart"),
    [
        ("Wait, I made a mistake.", True),
        ("let me redo it", True),
        ("Disregard everything above.", True),
        ("Here is the corrected full answer:", True),
        ("This fixes a mistake in the loop.", False),
        ("Next, I'll rewrite the helper:", False),
        ("Let me redo it.", True),
        ("I'll rewrite the whole answer.", True),
        ("The rewrite of the parser is done.", False),
        ("Start the server again.", False),
    ],
)
def test_what_reads_as_starting_over(line, restart):
    assert is_restart(line) is restart


def test_withdrawal_refusals():
    edit, delete = EDIT, DeleteFile("README.md")
    assert withdrawal_refusals([], [edit]) == []
    assert withdrawal_refusals([edit], [edit]) == []
    assert [r.path for r in withdrawal_refusals([edit, delete], [edit])] == ["README.md"]
    assert [r.path for r in withdrawal_refusals([edit], [])] == [None]
    renamed = RenameFile("app.py", "main.py")
    assert withdrawal_refusals([renamed], [edit]) == []  # the final attempt keeps app.py
    assert [r.path for r in withdrawal_refusals([renamed], [delete])] == ["app.py"]
    assert withdrawal_refusals([renamed], [RenameFile("app.py", "main.py")]) == []
    # Block by block: a withdrawn block is redone by a final block naming some of its lines.
    two = EditFile("app.py", (SearchReplace("x = 1\n", "x = 9\n"), SearchReplace("y\n", "z\n")))
    assert [r.kind for r in withdrawal_refusals([two], [edit])] == ["withdrawn"]
    both = EditFile("app.py", (SearchReplace("y\n", "w\n"), SearchReplace("x = 1\n", "x = 2\n")))
    assert withdrawal_refusals([two], [both]) == []
    assert withdrawal_refusals([two], [WriteFile("app.py", "x = 3\n")]) == []
    blank = EditFile("app.py", (SearchReplace("\n", "a\n"),))
    assert withdrawal_refusals([blank], [edit]) == []


# One dialect per answer ---------------------------------------------------------------------

SUMMARY_DIFF = "```diff\n--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n```\n"
RESTATED = EditFile(
    "app.py", (SearchReplace("x = 1\n", "x = 2\n", line_hint=1, from_diff=True, old_count=1),)
)


@pytest.mark.parametrize("size", SIZES)
def test_a_diff_in_the_closing_summary_restates_and_never_acts(size):
    parser, streamed = read(f"{FINAL}\nIn short:\n\n{SUMMARY_DIFF}", size)
    assert parser.dialect == "ours"
    assert parser.operations == [EDIT]
    assert parser.restatements == [RESTATED]
    assert EDIT in streamed


@pytest.mark.parametrize("size", SIZES)
def test_a_final_code_section_restates(size):
    parser, _ = read(f"{FINAL}\nFinal code:\n\n```python app.py\nx = 2\n```\n", size)
    assert parser.operations == [EDIT]
    assert parser.restatements == [WriteFile("app.py", "x = 2\n", loose=True)]


def test_the_first_operation_sets_the_dialect_and_a_later_one_on_its_file_restates():
    parser, _ = read(SUMMARY_DIFF.removeprefix("```diff\n").removesuffix("```\n") + FINAL)
    assert parser.dialect == "diff"
    assert parser.operations == [RESTATED]
    assert parser.restatements == [EDIT]


def test_another_dialect_on_another_file_is_an_operation():
    answer = FINAL + "```diff\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-a\n+b\n```\n"
    parser, _ = read(answer)
    assert [type(op).__name__ + ":" + op.path for op in parser.operations] == [
        "EditFile:app.py",
        "EditFile:README.md",
    ]
    assert parser.restatements == []


def test_prose_with_fenced_files_is_read_only_when_nothing_else_is():
    parser, _ = read("The new helper:\n\n```python src/util.py\ndef f():\n    return 1\n```\n")
    assert parser.dialect == "prose"
    assert parser.operations == [WriteFile("src/util.py", "def f():\n    return 1\n", loose=True)]


def test_an_answer_with_no_operation_has_no_dialect():
    parser, _ = read("Nothing to change: it already returns 200.\n")
    assert (parser.dialect, parser.operations, parser.refusals) == (None, [], [])


def test_found_nesting_only_across_the_tag_readers():
    edit = Found(EDIT, "search_replace", 3, 7)
    tool = Found(EDIT, "agents", 1, 9)
    same = Found(EDIT, "ours", 1, 9)
    assert edit.inside(tool) is True
    assert tool.inside(edit) is False
    assert edit.inside(same) is False  # the line reader's findings never nest
    assert Found(EDIT, "tagged", 1, 9).inside(tool) is False
    assert Found(EDIT, "ours", 1, 9).inside(Found(EDIT, "agents", 1, 9)) is False
    assert Found(EDIT, "ours", 0, 9).inside(tool) is False
    assert Found(EDIT, "ours", 1, 10).inside(tool) is False


def test_paths_of_an_operation():
    assert paths_of(RenameFile("a.py", "./b.py")) == {"a.py", "b.py"}
    assert paths_of(DeleteFile(" c.py ")) == {"c.py"}


# Restatements, checked against the result ---------------------------------------------------


def test_a_restatement_holds_when_every_line_it_adds_is_in_the_result():
    before = {"app.py": "x = 1\ny = 1\n"}
    after = {"app.py": "x = 2\ny = 1\n"}
    holds = [
        WriteFile("app.py", "x = 2\n"),
        WriteFile("app.py", "x = 1\ny = 1\n"),  # the old text: adds nothing
        EditFile("app.py", (SearchReplace("x = 1\n", "x = 2\n"),)),
        DeleteFile("gone.py"),
    ]
    assert disagreements(holds, before, after) == []
    fails = [
        WriteFile("app.py", "x = 3\n"),
        EditFile("app.py", (SearchReplace("y = 1\n", "y = 5\n"),)),
        DeleteFile("app.py"),
        RenameFile("app.py", "main.py"),
        WriteFile("../escape.py", "x\n"),
        WriteFile("other.py", "z = 1\n"),
    ]
    failures = disagreements(fails, before, after)
    assert [(f.path, f.kind) for f in failures] == [
        ("app.py", "restated"),
        ("app.py", "restated"),
        ("app.py", "restated"),
        ("app.py", "restated"),
        (None, "restated"),
        ("other.py", "restated"),
    ]
    assert "twice" in failures[0].reason


def test_a_rename_restated_holds_when_done():
    after = {"main.py": "x\n"}
    assert disagreements([RenameFile("app.py", "main.py")], {"app.py": "x\n"}, after) == []


# Other agents' formats ----------------------------------------------------------------------

CLINE = (
    "<replace_in_file>\n<path>app.py</path>\n<diff>\n"
    "------- SEARCH\nx = 1\n=======\nx = 2\n+++++++ REPLACE\n</diff>\n</replace_in_file>\n"
)
CLINE_OLD_MARKERS = CLINE.replace("------- SEARCH", "<<<<<<< SEARCH").replace(
    "+++++++ REPLACE", ">>>>>>> REPLACE"
)
ROO = (
    "<apply_diff>\n<path>app.py</path>\n<diff>\n<<<<<<< SEARCH\n:start_line:1\n:end_line:1\n"
    "-------\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n</diff>\n</apply_diff>\n"
)
WRITE = (
    "<write_to_file>\n<path>src/new.py</path>\n<content>\ndef f():\n    return 1\n</content>\n"
    "<line_count>2</line_count>\n</write_to_file>\n"
)
CLAUDE = (
    '<invoke name="str_replace_editor">\n<parameter name="command">str_replace</parameter>\n'
    '<parameter name="path">app.py</parameter>\n<parameter name="old_str">x = 1</parameter>\n'
    '<parameter name="new_str">x = 2</parameter>\n</invoke>\n'
)
OPENHANDS = (
    "<function=str_replace_editor>\n<parameter=command>str_replace</parameter>\n"
    "<parameter=path>/workspace/app.py</parameter>\n<parameter=old_str>\nx = 1\n</parameter>\n"
    "<parameter=new_str>\nx = 2\n</parameter>\n</function>\n"
)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "answer",
    [CLINE, CLINE_OLD_MARKERS, ROO, CLAUDE, OPENHANDS],
    ids=["cline", "cline-old", "roo", "claude", "openhands"],
)
def test_other_agents_edits_are_read(answer, size):
    parser, streamed = read("I'll update the value.\n\n" + answer, size)
    assert parser.dialect == "agents"
    assert parser.operations == [EDIT]
    assert parser.refusals == []
    assert streamed == [EDIT]


def test_cline_write_to_file():
    parser, _ = read(WRITE)
    assert parser.operations == [WriteFile("src/new.py", "def f():\n    return 1\n", loose=True)]


def test_create_with_str_replace_editor_claims_a_new_file():
    answer = (
        "<function=str_replace_editor>\n<parameter=command>create</parameter>\n"
        "<parameter=path>/repo/src/new.py</parameter>\n<parameter=file_text>\nA = 1\n"
        "</parameter>\n</function>\n"
    )
    parser, _ = read(answer)
    assert parser.operations == [WriteFile("src/new.py", "A = 1\n", loose=True, new=True)]


def test_views_and_other_tools_are_not_changes():
    view = (
        "<function=str_replace_editor>\n<parameter=command>view</parameter>\n"
        "<parameter=path>app.py</parameter>\n</function>\n"
    )
    bash = "<function=execute_bash>\n<parameter=command>ls</parameter>\n</function>\n"
    assert agent_operations(view + bash) == []


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (CLINE.replace("</replace_in_file>\n", ""), "cut off"),
        (CLINE.replace("<path>app.py</path>\n", ""), "names no <path>"),
        (CLINE.replace("+++++++ REPLACE\n", ""), "not finished"),
        (CLINE.replace("------- SEARCH\n", ""), "outside SEARCH/REPLACE"),
        ("<replace_in_file>\n<path>a.py</path>\n</replace_in_file>\n", "has no <diff>"),
        ("<write_to_file>\n<path>a.py</path>\n</write_to_file>\n", "has no <content>"),
        (OPENHANDS.replace("</function>\n", ""), "cut off"),
        (OPENHANDS.replace("str_replace</parameter>", "insert</parameter>"), "'insert'"),
        (OPENHANDS.replace("<parameter=old_str>\nx = 1\n</parameter>\n", ""), "no old_str"),
        (OPENHANDS.replace("<parameter=path>/workspace/app.py</parameter>\n", ""), "no path"),
        (OPENHANDS.replace("str_replace</parameter>", "create</parameter>"), "no file_text"),
    ],
)
def test_agent_calls_that_cannot_be_read_whole_are_refused(answer, reason):
    parser, _ = read(answer)
    assert parser.operations == []
    assert len(parser.refusals) == 1
    assert reason in parser.refusals[0].reason


def test_blocks_of_a_cline_or_roo_diff():
    assert read_blocks("------- SEARCH\na\n=======\nb\n+++++++ REPLACE\n") == (
        SearchReplace("a\n", "b\n"),
    )
    assert read_blocks(
        "```\n<<<<<<< SEARCH\n:start_line:4\n-------\na\n=======\n>>>>>>> REPLACE\n```\n"
    ) == (SearchReplace("a\n", ""),)
    # A ------- line inside the search text, after its first line, is the text.
    assert read_blocks("<<<<<<< SEARCH\na\n-------\n=======\nb\n>>>>>>> REPLACE\n") == (
        SearchReplace("a\n-------\n", "b\n"),
    )
    assert read_blocks("") == "its diff has no SEARCH/REPLACE block"


def test_absolute_paths_of_agents_map_to_the_project():
    known = frozenset({"app.py", "src/util.py"})
    assert project_path("app.py", known) == "app.py"
    assert project_path("/workspace/app.py", known) == "app.py"
    assert project_path("/home/me/proj/src/util.py", known) == "src/util.py"
    assert project_path("/home/me/proj/src/new.py", known) == "src/new.py"
    assert project_path("/workspace/new.py", known) == "new.py"
    assert project_path("/etc/passwd", known) == "/etc/passwd"
    assert project_path("/new.py", known) == "/new.py"


def test_a_tag_inside_a_file_s_text_is_the_text():
    content = "<write_to_file>\n<path>x.py</path>\n<content>\nA\n</content>\n</write_to_file>\n"
    parser, _ = read(f"@@@ FILE docs/cline.md\n{content}@@@ END\n")
    assert parser.operations == [WriteFile("docs/cline.md", content)]


def test_json_tool_calls_in_several_fences_are_all_read():
    one = (
        '```json\n{"command": "str_replace", "path": "app.py", "old_str": "x = 1", '
        '"new_str": "x = 2"}\n```\n'
    )
    two = (
        '```json\n{"name": "str_replace_editor", "input": {"command": "create", '
        '"path": "b.py", "file_text": "B = 1\\n"}}\n```\n'
    )
    parser, _ = read(one + "\nand\n\n" + two)
    assert parser.operations == [EDIT, WriteFile("b.py", "B = 1\n", loose=True)]


# Operations under list items ----------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("indent", ["   ", "    ", "\t", "  "])
def test_operations_indented_under_a_list_item_are_read(indent, size):
    body = "".join(indent + line if line.strip() else line for line in FINAL.splitlines(True))
    parser, _ = read(f"1. Update the value:\n\n{body}\n2. Done.\n", size)
    assert parser.operations == [EDIT]


def test_an_indented_file_body_keeps_its_own_indentation():
    body = "@@@ FILE f.py\ndef f():\n    return 1\n@@@ END\n"
    indented = "".join("   " + line for line in body.splitlines(True))
    parser, _ = read("- New file:\n" + indented)
    assert parser.operations == [WriteFile("f.py", "def f():\n    return 1\n")]


def test_an_aider_block_under_a_list_item_names_its_file():
    block = "```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n"
    indented = "".join("   " + line for line in block.splitlines(True))
    parser, _ = read("1. In `app.py`:\n" + indented)
    assert parser.operations == [EDIT]


# Code that reads as no operation ------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "cat > app.py << EOF\nx = 2\nEOF\n",
        "sed -i 's/1/2/' app.py\n",
        "echo 'x' >> README.md\n",
        "rm src/util.py\n",
        "printf 'a' | tee app.py\n",
    ],
)
def test_shell_that_writes_files_is_refused_never_no_changes(script):
    parser, _ = read(f"Run:\n\n```bash\n{script}```\n")
    assert parser.operations == []
    assert [("shell" in r.reason, r.kind) for r in parser.refusals] == [(True, "refused")]


@pytest.mark.parametrize(
    "script", ["pip install -r requirements.txt\n", "pytest -q 2>&1\n", "ls > /dev/null\n"]
)
def test_shell_that_writes_no_file_is_for_the_person(script):
    parser, _ = read(f"Then:\n\n```sh\n{script}```\n")
    assert (parser.operations, parser.refusals) == ([], [])


def test_a_refusal_s_reason_reaches_the_reading():
    parser, _ = read("@@@ EDIT app.py\nno blocks here\n@@@ END\n@@@ DELETE\n")
    assert parser.operations == [WriteFile("app.py", "no blocks here\n", loose=True)]
    assert [r.reason for r in parser.refusals] == ["a DELETE line names no file: ''"]
    assert isinstance(parser.refusals[0], Refusal)


# Reasoning in a run: shown folded while it streams, counted, never read -------------------


def test_a_run_shows_the_model_s_thinking_counts_its_tokens_and_never_reads_it():
    chunks = [
        StreamChunk("", thought="Sent apart: " + DRAFT_FILE),
        StreamChunk("<think>\ninline " + DRAFT),
        StreamChunk("</think>\n" + FINAL[:20]),
        StreamChunk(FINAL[20:]),
        StreamChunk("", usage=Usage(10, 30, tokens_thinking=12), finish_reason="STOP"),
    ]
    events = []
    ticks = iter(range(0, 10_000))
    options = RunOptions(sleep=lambda seconds: None, clock=lambda: float(next(ticks)))
    host = LocalHost(on_event=events.append)
    result = iterate(
        {"app.py": "x = 1\n"},
        "set x to 2",
        ProjectBrief(title="T", prompt="p", stack="flask"),
        ScriptedProvider([chunks]),
        host,
        options,
    )
    assert result.files == {"app.py": "x = 2\n"}
    shown = [e.extra["thinking"] for e in events if "thinking" in e.extra]
    assert shown
    assert shown[-1].startswith("Sent apart: @@@ FILE draft.py")
    assert "inline @@@ EDIT app.py" in shown[-1]
    assert [call.tokens_thinking for call in host.calls] == [12]


# Exact readings that mutation testing asked for ---------------------------------------------


def test_a_later_closing_tag_after_reasoning_is_text_when_read_whole():
    assert strip_reasoning("<think>a</think>\nb\n</think>\nc") == "\nb\n</think>\nc"
    assert strip_reasoning("<think>\na\n</think>\nb\n</think>\nc") == "\nb\n</think>\nc"
    assert strip_reasoning("a\n</think>\nb\n</think>\nc") == "\nb\n</think>\nc"


def test_elements_of_a_tool_call():
    from orchestrator.answers.agents import _element

    assert _element("<path>a.py</path>", "path") == "a.py\n"
    assert _element("</path><path>a.py</path>", "path") == "a.py\n"
    body = "<content>\nx = '</content>'\n</content>"
    assert _element(body, "content", last=True) == "x = '</content>'\n"
    assert _element(body, "content") == "x = '\n"
    assert _element("<path>a.py", "path") is None
    assert _element("no element", "path") is None


def test_two_calls_of_one_tool_are_two_operations():
    other = (
        CLINE.replace("app.py", "src/util.py").replace("x = 1", "y = 1").replace("x = 2", "y = 2")
    )
    parser, _ = read(CLINE + "\nAnd:\n" + other)
    util = EditFile("src/util.py", (SearchReplace("y = 1\n", "y = 2\n"),))
    assert parser.operations == [EDIT, util]
    hands = OPENHANDS.replace("/workspace/app.py", "src/util.py")
    hands = hands.replace("x = 1", "y = 1").replace("x = 2", "y = 2")
    parser, _ = read(OPENHANDS + hands)
    assert parser.operations == [EDIT, util]
    found = agent_operations(OPENHANDS + hands, frozenset(KNOWN))
    assert [(start, end) for _, start, end in found] == [
        (0, len(OPENHANDS) - 1),
        (len(OPENHANDS), len(OPENHANDS + hands) - 1),
    ]


def test_refusals_of_agent_calls_name_their_file_and_quote_their_text():
    unfinished = CLINE.replace("+++++++ REPLACE\n", "")
    parser, _ = read(unfinished)
    diff = "------- SEARCH\nx = 1\n=======\nx = 2\n"
    assert parser.refusals == [
        Refusal("app.py", "a SEARCH/REPLACE block in its diff is not finished", diff)
    ]
    parser, _ = read(OPENHANDS.replace("</function>\n", ""))
    assert parser.refusals == [Refusal("app.py", "its str_replace_editor call was cut off")]
    no_text = OPENHANDS.replace("str_replace</parameter>", "create</parameter>")
    parser, _ = read(no_text)
    assert parser.refusals == [Refusal("app.py", "its create command has no file_text")]
    no_old = OPENHANDS.replace("<parameter=old_str>\nx = 1\n</parameter>\n", "")
    parser, _ = read(no_old)
    assert parser.refusals == [Refusal("app.py", "its str_replace command has no old_str")]
    parser, _ = read(OPENHANDS.replace("str_replace</parameter>", "undo_edit</parameter>"))
    assert parser.refusals == [
        Refusal(
            "app.py",
            "its 'undo_edit' command cannot be applied without guessing; give the change as "
            "SEARCH/REPLACE blocks",
        )
    ]
    outside = "stray words\n" + diff + "+++++++ REPLACE\n"
    assert read_blocks(outside) == "its diff has text outside SEARCH/REPLACE blocks: 'stray words'"
    assert read_blocks("x" * 80 + "\n") == (
        f"its diff has text outside SEARCH/REPLACE blocks: {'x' * 60!r}"
    )


def test_a_call_without_a_command_or_new_str():
    no_command = OPENHANDS.replace("<parameter=command>str_replace</parameter>\n", "")
    assert read(no_command)[0].operations == []
    assert read(no_command)[0].refusals == []
    no_new = OPENHANDS.replace("<parameter=new_str>\nx = 2\n</parameter>\n", "")
    assert read(no_new)[0].operations == [EditFile("app.py", (SearchReplace("x = 1\n", ""),))]
    spaced = OPENHANDS.replace("/workspace/app.py", " app.py\t")
    assert read(spaced)[0].operations == [EDIT]
    # Only blanks are trimmed: any other character stays, for the path policy to refuse.
    odd = OPENHANDS.replace("/workspace/app.py", "app.py\u00a0")
    assert [op.path for op in read(odd)[0].operations] == ["app.py\u00a0"]


def test_blocks_of_a_diff_in_tilde_fences_with_lines_of_several_kinds():
    diff = "~~~\n------- SEARCH   \nx = 1\n=======\nx = 2\ny = 3\n+++++++ REPLACE\n~~~\n"
    assert read_blocks(diff) == (SearchReplace("x = 1\n", "x = 2\ny = 3\n"),)


def test_more_paths_of_agents():
    known = frozenset({"a/b/c.py"})
    assert project_path("/w/a/b/new.py", known) == "a/b/new.py"
    assert project_path("/workspace/sub/new.py", frozenset()) == "sub/new.py"


def test_parameter_values_lose_only_their_framing_line_breaks():
    from orchestrator.answers.agents import _value

    assert _value("\r\nx = 1\r\n") == "x = 1\r\n"
    assert _value("\nx = 1") == "x = 1\n"
    assert _value("x = 1 \t") == "x = 1\n"
    assert _value("a\r") == "a\r\n"
    assert _value("  ") == ""
    assert _value("\n\n") == "\n"


def test_cline_calls_cut_off_or_holding_their_own_closing_tags():
    cut_short = "<replace_in_file>\n<path>app.py</path>"
    found = agent_operations(cut_short)
    assert found == [
        (Refusal("app.py", "its <replace_in_file> call was cut off"), 0, len(cut_short))
    ]
    content = "Use </content> to close.\n"
    write = (
        f"<write_to_file>\n<path>docs/x.md</path>\n<content>\n{content}</content>\n"
        "</write_to_file>\n"
    )
    assert read(write)[0].operations == [WriteFile("docs/x.md", content, loose=True)]
    html = CLINE.replace("x = 1", "a = '</diff>'")
    assert read(html)[0].operations == [
        EditFile("app.py", (SearchReplace("a = '</diff>'\n", "x = 2\n"),))
    ]
    fenced = (
        "<write_to_file>\n<path>app.py</path>\n<content>\n```\nx = 2\n```\n</content>\n"
        "</write_to_file>\n"
    )
    assert read(fenced)[0].operations == [WriteFile("app.py", "x = 2\n", loose=True)]


def test_restatements_of_several_blocks_and_renames():
    before = {"app.py": "x = 1\ny = 1\n"}
    after = {"app.py": "x = 1\ny = 2\n"}
    two = EditFile(
        "app.py", (SearchReplace("x = 1\n", "x = 5\n"), SearchReplace("y = 1\n", "y = 2\n"))
    )
    assert [f.path for f in disagreements([two], before, after)] == ["app.py"]
    both = {"app.py": "x\n", "main.py": "x\n"}
    assert len(disagreements([RenameFile("app.py", "main.py")], {"app.py": "x\n"}, both)) == 1


def test_line_of_counts_the_line_breaks_before_an_offset():
    from orchestrator.answers.dispatch import line_of

    assert line_of("\nab\ncd", 2) == 1
    assert line_of("\nab\ncd", 4) == 2
    assert line_of("ab", 1) == 0


def test_the_dispatcher_s_edges():
    from orchestrator.answers.dispatch import choose

    assert Found(EDIT, "ours", 1, 5).inside(Found(EDIT, "agents", 1, 9)) is True
    assert paths_of(DeleteFile("Xa.py")) == {"Xa.py"}
    text = "Done.\n" + OPENHANDS
    reading = choose([], text, [], frozenset(KNOWN))
    assert (reading.dialect, reading.operations) == ("agents", [EDIT])
    assert choose([], text, [], frozenset(KNOWN), tags=[]).operations == []


def test_a_final_code_section_named_on_the_line_before_its_fence():
    parser, _ = read(f"{FINAL}\nThe new `app.py`:\n\n```python\nx = 2\n```\n")
    assert parser.restatements == [WriteFile("app.py", "x = 2\n", loose=True)]


def test_closing_tags_glued_on_one_side_only():
    assert lone_closing("a</think>b").group(0) == "</think>"
    assert lone_closing("the </think>b ok") is None
    assert lone_closing("the a</think> ok") is None


def test_cline_spans_and_refusals_exactly():
    from orchestrator.answers.agents import _element, _value

    assert [(start, end) for _, start, end in agent_operations(CLINE)] == [(0, len(CLINE) - 1)]
    assert agent_operations("<write_to_file>\n<path>a.py</path>\n</write_to_file>\n") == [
        (Refusal("a.py", "its <write_to_file> call has no <content>"), 0, 50)
    ]
    assert agent_operations("<apply_diff>\n<path>a.py</path>\n</apply_diff>\n") == [
        (Refusal("a.py", "its <apply_diff> call has no <diff>"), 0, 44)
    ]
    assert _value("a X") == "a X\n"
    assert _element("<content>\n<content> inside\n</content>", "content", last=True) == (
        "<content> inside\n"
    )


def test_messages_of_restarts_and_restatements_exactly():
    assert withdrawal_refusals([EDIT], []) == [
        Refusal(
            None,
            "the answer withdrew its changes ('let me redo...') and then gave none; "
            "say again which changes you mean",
        )
    ]
    assert withdrawal_refusals([DeleteFile("README.md")], [EDIT]) == [
        Refusal(
            "README.md",
            "the answer withdrew a first attempt that changed this file, and its final "
            "attempt does not change those lines again; give that change again, or leave "
            "it out if it should not be made",
            kind="withdrawn",
        )
    ]
    (failure,) = disagreements([DeleteFile("app.py")], {"app.py": "x\n"}, {"app.py": "x\n"})
    assert failure.reason == (
        "the answer gives this file's change twice, in two forms that disagree "
        "(for example a summary or a 'final code' section after the edit); "
        "give the change once"
    )


def test_the_first_operation_not_the_first_refusal_sets_the_dialect():
    diff = SUMMARY_DIFF.removeprefix("```diff\n").removesuffix("```\n")
    parser, _ = read("@@@ DELETE\n" + diff)
    assert parser.dialect == "diff"
    assert parser.operations == [RESTATED]


def test_blocks_inside_a_file_tag_are_its_text_not_a_restatement():
    tagged = (
        '<file path="app.py">\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n</file>\n'
    )
    parser, _ = read(tagged)
    assert (parser.dialect, parser.operations, parser.restatements) == ("tagged", [EDIT], [])
