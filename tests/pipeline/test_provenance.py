"""Provenance and idempotence after the dry run (orchestrator.provenance), and the encoding
facts every change keeps (orchestrator.file_text)."""

import pytest

from orchestrator.file_text import (
    keep_facts,
    line_ending,
    lines_of,
    new_file_text,
    project_ending,
    split_bom,
    split_lines,
)
from orchestrator.merge import block_key, dry_run
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    RenameFile,
    SearchReplace,
    WriteFile,
)
from orchestrator.provenance import check, made_already

APP = "import os\n\n\ndef main():\n    print(os.getcwd())\n\n\nmain()\n"


def edit(path: str, search: str, replace: str, **details) -> EditFile:
    return EditFile(path, (SearchReplace(search, replace, **details),))


def reasons(files: dict, operations: list) -> list[str]:
    return [f.reason for f in dry_run(files, operations).failures]


# What the model wrote as content, and what it did not ---------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "".join(f"{n:6}\t{line}\n" for n, line in enumerate(APP.splitlines(), 1)),  # cat -n
        "".join(f"{n:6}→{line}\n" for n, line in enumerate(APP.splitlines(), 1)),
        "".join(f"{n}: {line}\n" for n, line in enumerate(APP.splitlines(), 1)),
        "".join(f"{n} | {line}\n" for n, line in enumerate(APP.splitlines(), 1)),
    ],
)
def test_a_line_number_gutter_copied_into_a_file_is_refused_and_the_file_kept(body):
    result = dry_run({"app.py": APP}, [WriteFile("app.py", body)])
    assert result.files == {"app.py": APP}
    assert [f.kind for f in result.failures] == ["provenance"]
    assert "line numbers copied from a numbered listing" in result.failures[0].reason
    assert result.failed == [WriteFile("app.py", body)]
    assert result.applied == []


def test_a_sure_gutter_is_refused_in_a_new_file_too():
    body = "".join(f"{n:6}→line {n}\n" for n in range(1, 5))
    assert "numbered listing" in reasons({}, [WriteFile("new.py", body)])[0]


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("levels.yaml", "levels:\n", "levels:\n  1: debug\n  2: info\n  3: warning\n"),
        ("scores.tsv", "rank\tname\n", "rank\tname\n1\tada\n2\tbob\n3\tcyd\n"),
        ("steps.md", "# Steps\n", "# Steps\n1: clone\n2: build\n3: run\n"),
        ("notes.txt", "", "1\tone\n2\ttwo\n3\tthree\n"),  # not the file's own lines
        ("list.py", "", "x = [\n    1, 2,\n    3, 4,\n]\n"),
    ],
)
def test_numbered_data_is_data(path, old, new):
    files = {path: old} if old else {}
    assert reasons(files, [WriteFile(path, new)]) == []


def test_a_numbered_run_must_count_one_by_one():
    text = "".join(
        f"{n}: {line}\n" for n, line in zip((1, 3, 5, 7), APP.splitlines(), strict=False)
    )
    assert reasons({"app.py": APP}, [WriteFile("app.py", text)]) == []


@pytest.mark.parametrize(
    "marker",
    ["@@@ END", "<<<<<<< SEARCH", ">>>>>>> REPLACE", "*** End Patch", "*** Update File: x.py"],
)
def test_the_formats_own_lines_in_a_code_file_are_refused(marker):
    assert reasons({}, [WriteFile("new.py", f"x = 1\n{marker}\n")]) == [
        f"its new text holds the edit format's own marker line {marker!r}"
    ]


def test_marker_lines_in_a_document_are_content():
    assert reasons({}, [WriteFile("format.md", "Close with:\n@@@ END\n")]) == []


def test_a_replacement_that_is_the_search_plus_diff_lines_is_refused():
    search = "def main():\n"
    assert reasons({"app.py": APP}, [edit("app.py", search, search + "+    setup()\n")]) == [
        "its replacement keeps a diff's '+' prefix on '+    setup()'"
    ]
    minus = "-    print(os.getcwd())\n    print('hi')\n"
    assert reasons({"app.py": APP}, [edit("app.py", "    print(os.getcwd())\n", minus)]) == [
        "its replacement keeps a diff's '-' prefix on '-    print(os.getcwd())'"
    ]


@pytest.mark.parametrize(
    ("search", "replace"),
    [
        ("    print(os.getcwd())\n", "    total = (1\n        + 2)\n"),  # indented '+': code
        ("    print(os.getcwd())\n", "+x\n"),  # a replacement, not the search plus lines
        ("def main():\n", "def main():\n+ x\ny\n"),  # not every new line has a prefix
    ],
)
def test_plus_lines_that_are_not_a_diffs_are_content(search, replace):
    assert reasons({"app.py": APP}, [edit("app.py", search, replace)]) == []


def test_a_diffs_plus_prefixed_content_is_content():
    block = SearchReplace("main()\n", "main()\n+1\n", line_hint=8, from_diff=True)
    assert reasons({"app.py": APP}, [EditFile("app.py", (block,))]) == []


def test_a_fenced_snippet_put_into_a_code_file_is_refused():
    replace = "main()\n```python\nprint('done')\n```\n"
    assert reasons({"app.py": APP}, [edit("app.py", "main()\n", replace)]) == [
        "its new text is wrapped in a code fence, which is not part of the file"
    ]
    indented = "main()\n    ```python\n    print('done')\n    ```\n"
    assert reasons({"app.py": APP}, [edit("app.py", "main()\n", indented)]) == []


def test_a_line_the_merge_made_up_or_lost_is_caught():
    """The merge only writes what blocks hold; this proves the check would see otherwise."""
    applied = [edit("a.py", "x = 1\n", "x = 2\n")]
    [made_up] = check({"a.py": "x = 1\n"}, {"a.py": "x = 3\n"}, applied)
    assert made_up.failure.reason == "the change would add 'x = 3', which the answer never wrote"
    assert made_up.source == "a.py"
    [lost] = check({"a.py": "x = 1\ny = 1\n"}, {"a.py": "x = 2\n"}, applied)
    assert lost.failure.reason == "the change would remove 'y = 1', which the answer never named"


def test_a_whole_file_may_remove_anything_and_a_deleted_file_is_not_checked():
    before = {"a.py": "x = 1\ny = 1\n", "b.py": "z\n"}
    applied = [WriteFile("a.py", "x = 1\n"), DeleteFile("b.py")]
    assert check(before, {"a.py": "x = 1\n"}, applied) == []


def test_a_renamed_file_is_checked_against_its_old_content():
    applied = [RenameFile("a.py", "b.py"), edit("b.py", "x = 1\n", "x = 2\n")]
    assert check({"a.py": "x = 1\n"}, {"b.py": "x = 2\n"}, applied) == []
    [wrong] = check({"a.py": "x = 1\n"}, {"b.py": "x = 9\n"}, applied)
    assert wrong.source == "a.py"


def test_a_renamed_file_whose_edit_fails_provenance_keeps_its_new_name_and_old_content():
    operations = [RenameFile("a.py", "b.py"), edit("b.py", "x = 1\n", "x = 1\n@@@ END\n")]
    result = dry_run({"a.py": "x = 1\n"}, operations)
    assert result.files == {"b.py": "x = 1\n"}
    assert result.failed == [operations[1]]
    assert result.applied == [RenameFile("a.py", "b.py")]


def test_alternative_readings_count_as_what_the_model_wrote():
    block = SearchReplace("a\n=======\nb\n", "c\n", alternatives=(("a\n", "b\n=======\nc\n"),))
    result = dry_run({"t.md": "a\nx\n"}, [EditFile("t.md", (block,))])
    assert result.failures == []
    assert result.files == {"t.md": "b\n=======\nc\nx\n"}


# No change made twice -----------------------------------------------------------------------


def test_the_same_insertion_twice_in_one_answer_is_made_once():
    block = SearchReplace("def main():\n", "def main():\n    setup()\n")
    result = dry_run({"app.py": APP}, [EditFile("app.py", (block, block))])
    assert result.files["app.py"].count("setup()") == 1
    assert result.failures == []
    assert result.notes == ["The answer made one change to app.py twice; it was made once."]


def test_an_insertion_sent_again_after_an_earlier_round_applied_it_is_not_made_again():
    block = SearchReplace("def main():\n", "def main():\n    setup()\n")
    once = dry_run({"app.py": APP}, [EditFile("app.py", (block,))]).files
    done = [block_key("app.py", block)]
    result = dry_run(once, [EditFile("app.py", (block, block))], base={"app.py": APP}, done=done)
    assert result.files["app.py"].count("setup()") == 1
    assert result.failures == []


def test_an_insertion_an_earlier_block_already_made_right_there_is_made_once():
    call = "    print(os.getcwd())\n"
    first = SearchReplace("def main():\n" + call, "def main():\n    setup()\n" + call)
    second = SearchReplace("def main():\n", "def main():\n    setup()\n")
    result = dry_run({"app.py": APP}, [EditFile("app.py", (first,)), EditFile("app.py", (second,))])
    assert result.files["app.py"].count("setup()") == 1
    assert result.failures == []
    assert result.applied == [EditFile("app.py", (first,))]


def test_the_same_append_twice_is_made_once():
    block = SearchReplace("", "exit()\nquit()\n")
    result = dry_run({"app.py": APP}, [EditFile("app.py", (block, block))])
    assert result.files["app.py"] == APP + "exit()\nquit()\n"
    assert result.failures == []


@pytest.mark.parametrize(
    ("text", "block", "start", "before"),
    [
        ("a\nx\nb\n", SearchReplace("a\n", "a\nx\n"), 0, {"x"}),
        ("a\nx\nb\n", SearchReplace("a\n", "a\nx\n"), 0, set()),  # the file had it
        ("a\nx\nb\n", SearchReplace("a\n", "A\nx\n"), 0, {"x"}),  # it replaces a line
        ("a\n\nb\n", SearchReplace("a\n", "a\n\n"), 0, {""}),  # blank lines only
        ("a\nb\nx\n", SearchReplace("a\n", "a\nx\n"), 0, {"x"}),  # not right there
    ],
)
def test_made_already_needs_the_whole_replacement_right_there_made_by_this_answer(
    text, block, start, before
):
    expected = text == "a\nx\nb\n" and before == {"x"} and block.replace == "a\nx\n"
    assert (made_already(text, block, start, before) is not None) is expected


# Encoding facts ------------------------------------------------------------------------------


def test_lines_end_at_lf_or_crlf_only():
    assert split_lines("a\r\nb\x0cc\u2028d\nlast") == [
        ("a", "\r\n"),
        ("b\x0cc\u2028d", "\n"),
        ("last", ""),
    ]
    assert lines_of("a\n\nb\n") == ["a", "", "b"]
    assert lines_of("") == []


@pytest.mark.parametrize(
    ("text", "ending"),
    [("a\r\nb\r\n", "\r\n"), ("a\r\nb\n", "\r\n"), ("a\r\nb\nc\n", "\n"), ("", "\n")],
)
def test_a_files_ending_is_its_most_common(text, ending):
    assert line_ending(text) == ending


def test_a_new_file_takes_crlf_only_in_a_project_whose_every_file_has_it():
    assert project_ending({"a": "x\r\n", "b": "y\r\nz\r\n", "c": "no newline"}) == "\r\n"
    assert project_ending({"a": "x\r\n", "b": "y\n"}) == "\n"
    assert project_ending({}) == "\n"
    assert new_file_text("a\nb\n", "\r\n") == "a\r\nb\r\n"
    assert new_file_text("a\nb", "\r\n") == "a\r\nb"
    assert new_file_text("a\n", "\n") == "a\n"
    assert new_file_text("", "\r\n") == ""


def test_a_byte_order_mark_is_split_off():
    assert split_bom("\ufeffa\n") == ("\ufeff", "a\n")
    assert split_bom("a\ufeff") == ("", "a\ufeff")


@pytest.mark.parametrize(
    ("old", "new", "kept"),
    [
        ("\ufeffa\r\nb\r\n", "a\nb\nc\n", "\ufeffa\r\nb\r\nc\r\n"),  # mark and endings
        ("a\r\nb\nc\r\n", "a\nb\nc\nd\n", "a\r\nb\nc\r\nd\r\n"),  # each kept line's own
        ("a\nb", "a\nb\nc\n", "a\nb\nc"),  # no final newline, still none
        ("a\n", "\ufeffa\nb", "a\nb\n"),  # a mark the file never had is not added
        ("a\r\nb", "b\na\n", "b\r\na"),  # a kept last line without newline gets one inside
        ("", "a\n", "a\n"),
    ],
)
def test_a_rewrite_keeps_the_files_encoding_facts(old, new, kept):
    assert keep_facts(old, new) == kept


def test_a_rewrite_through_the_merge_keeps_the_mark_and_a_new_file_the_projects_ending():
    files = {"a.py": "\ufeffx = 1\r\n", "b.py": "y\r\n"}
    result = dry_run(files, [WriteFile("a.py", "x = 2\n"), WriteFile("c.py", "z\n")])
    assert result.files == {"a.py": "\ufeffx = 2\r\n", "b.py": "y\r\n", "c.py": "z\r\n"}


# Restated neighbours, blocks that change nothing, escaped text ------------------------------

ROUTE = 'def index():\n    return "ok"\n\n\ndef health():\n    return "up"\n'


@pytest.mark.parametrize(
    "replace",
    ['def index():\n    return "fine"\n', '    return "fine"\n\n\ndef health():\n'],
    ids=["the line above", "the line below"],
)
def test_a_replacement_that_restates_an_unchanged_neighbour_fails(replace):
    block = SearchReplace('    return "ok"\n', replace)
    result = dry_run({"app.py": ROUTE}, [EditFile("app.py", (block,))])
    assert result.files == {"app.py": ROUTE}
    assert [f.kind for f in result.failures] == ["twice"]
    assert "twice" in result.failures[0].reason


def test_a_nested_closing_line_deeper_than_the_next_one_is_not_a_restatement():
    ruby = "class A\n  def b\n    c\n  end\nend\n"
    block = SearchReplace("    c\n", "    c\n    if d\n      e\n    end\n")
    result = dry_run({"a.rb": ruby}, [EditFile("a.rb", (block,))])
    assert result.failures == []
    assert (
        result.files["a.rb"] == "class A\n  def b\n    c\n    if d\n      e\n    end\n  end\nend\n"
    )


def test_a_closing_line_at_the_next_ones_indentation_is_a_restatement():
    ruby = "class A\n  def b\n    c\n  end\nend\n"
    block = SearchReplace("    c\n", "    c\n    d\n  end\n")
    result = dry_run({"a.rb": ruby}, [EditFile("a.rb", (block,))])
    assert [f.kind for f in result.failures] == ["twice"]


def test_a_block_whose_replacement_is_its_search_is_left_out_and_reported():
    block = SearchReplace('    return "ok"\n', '    return "ok"\n')
    result = dry_run({"app.py": ROUTE}, [EditFile("app.py", (block,))])
    assert result.files == {"app.py": ROUTE}
    assert result.failures == []
    assert [(f.kind, f.path) for f in result.noops] == [("noop", "app.py")]


def test_a_whitespace_change_is_a_change():
    block = SearchReplace('    return "ok"  \n', '    return "ok"\n')
    result = dry_run({"app.py": ROUTE.replace('"ok"', '"ok"  ')}, [EditFile("app.py", (block,))])
    assert result.noops == []
    assert result.files == {"app.py": ROUTE}


@pytest.mark.parametrize(
    ("path", "replace", "refused"),
    [
        ("app.py", "    if a &lt; b &amp;&amp; c:\n", True),
        ("app.py", '    return text.replace("<", "&lt;")\n', False),
        ("page.html", "    Fish &amp; chips\n", False),
        ("app.py", '    return "ok"\\n    # done\\n\n', True),
        ("app.py", '    print("a\\n\\nb")\n', False),
    ],
    ids=["entities", "an escaper", "markup", "its own line escaped", "a string"],
)
def test_text_the_transport_escaped_is_refused(path, replace, refused):
    block = SearchReplace('    return "ok"\n', replace)
    result = dry_run({path: ROUTE}, [EditFile(path, (block,))])
    assert bool(result.failures) is refused
    assert result.files[path] == (ROUTE if refused else ROUTE.replace('    return "ok"\n', replace))


def test_several_lines_sent_as_one_line_of_escapes_are_refused():
    block = SearchReplace(
        'def index():\n    return "ok"\n', 'def index():\\n    return "fine"\\n\n'
    )
    result = dry_run({"app.py": ROUTE}, [EditFile("app.py", (block,))])
    assert [f.kind for f in result.failures] == ["provenance"]
    assert "escapes" in result.failures[0].reason


@pytest.mark.parametrize(
    ("replace", "refused"),
    [
        ("    return \u201cup\u201d\n", True),
        ('    return "up"  # the \u201cnew\u201d word\n', False),
        ("    # the \u201cnew\u201d word\n", False),
        ('    return "say \u201cup\u201d"\n', False),
    ],
    ids=["delimiters", "a comment beside code", "a comment line", "inside a string"],
)
def test_typographic_quotes_are_refused_only_as_a_code_files_delimiters(replace, refused):
    block = SearchReplace('    return "ok"\n', replace)
    result = dry_run({"app.py": ROUTE}, [EditFile("app.py", (block,))])
    assert bool(result.failures) is refused


@pytest.mark.parametrize(
    ("path", "content", "refused"),
    [
        ("util.py", "1 | import os\n2 | \n3 | x = os.sep\n", True),
        ("util.py", "1: import os\n2: \n3: x = os.sep\n", True),
        ("util.py", "2: import os\n3: \n4: x = os.sep\n", False),  # not from 1: unsure
        ("numbers.yml", "1: one\n2: two\n3: three\n", False),  # data
        ("steps.txt", "1: build\n2: test\n3: ship\n", False),  # prose
    ],
)
def test_a_new_code_file_numbered_from_one_on_every_line_carries_a_gutter(path, content, refused):
    result = dry_run({}, [WriteFile(path, content)])
    assert bool(result.failures) is refused


@pytest.mark.parametrize(
    ("search", "replace", "refused"),
    [
        ('    return "ok"\n', "    x = 1\n    y = 2\n    x = 1\n    y = 2\n", True),
        ('    return "ok"\n', "    x = 1\n    x = 1\n", False),  # one line twice: may be meant
        ('    return "ok"\n', "    x = 1\n    y = 2\n    x = 1\n    z = 2\n", False),
    ],
)
def test_a_replacement_written_twice_over_is_refused(search, replace, refused):
    result = dry_run({"app.py": ROUTE}, [EditFile("app.py", (SearchReplace(search, replace),))])
    assert bool(result.failures) is refused


def test_a_whole_file_written_twice_over_is_refused():
    result = dry_run({"app.py": ROUTE}, [WriteFile("app.py", ROUTE + ROUTE)])
    assert result.files == {"app.py": ROUTE}
    assert "twice in a row" in result.failures[0].reason


def test_a_pattern_repeated_many_times_is_the_files_own():
    rows = "a line of notes\n" * 6
    result = dry_run({}, [WriteFile("NOTES.md", rows), WriteFile("t.csv", "1,a\n2,b\n" * 4)])
    assert result.failures == []


@pytest.mark.parametrize(
    ("path", "content", "old", "refused"),
    [
        ("README.md", "# Greeter\\n\\nRun it.\\n", None, True),  # a blank line between
        ("util.py", "def f():\\n    return 1\\n", None, True),  # an indented line
        (".env", 'MSG="a\\nb\\nc"\n', None, False),  # escapes in a value
        ("one.py", 'print("a\\nb\\nc")\n', 'print("a\\nb")\n', False),  # the file's own style
    ],
)
def test_a_whole_file_sent_as_one_line_of_escapes_is_refused(path, content, old, refused):
    result = dry_run({} if old is None else {path: old}, [WriteFile(path, content)])
    assert bool(result.failures) is refused


def test_a_diff_hunk_that_doubles_its_lines_is_meant():
    hunk = SearchReplace("x\n", "x\ny\nx\ny\n", line_hint=1, from_diff=True, old_count=1)
    result = dry_run({"f.py": "x\n"}, [EditFile("f.py", (hunk,))])
    assert result.failures == []
    assert result.files == {"f.py": "x\ny\nx\ny\n"}


def test_a_context_only_diff_hunk_changes_nothing_and_is_asked_about():
    hunk = SearchReplace("x\n", "x\n", line_hint=1, from_diff=True, old_count=1)
    result = dry_run({"f.py": "x\n"}, [EditFile("f.py", (hunk,))])
    assert [f.kind for f in result.noops] == ["noop"]
