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


def test_a_restart_sentence_with_nothing_after_it_is_prose():
    parser, _ = read(f"{FINAL}\nI made a mistake in the old loop, which this fixes.\n")
    assert parser.operations == [EDIT]
    assert parser.refusals == []


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
    assert [r.path for r in withdrawal_refusals([renamed], [edit])] == ["main.py"]
    assert withdrawal_refusals([renamed], [RenameFile("app.py", "main.py")]) == []


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
