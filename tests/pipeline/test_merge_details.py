"""The merge's details, one at a time: what the judge is asked, where a misnamed file goes,
how renames chain, how a block re-sent after it applied is told from one that fails, and
how line endings and fences are kept. Mutation testing showed each of these unpinned."""

import pytest

from orchestrator.blocks import apply_block
from orchestrator.errors import EditFailed, UnsafePath
from orchestrator.file_text import line_ending
from orchestrator.merge import (
    FileChange,
    applied_blocks,
    block_key,
    changes_between,
    dry_run,
)
from orchestrator.operations import DeleteFile, EditFile, RenameFile, SearchReplace, WriteFile


def edit(path, search, replace, **options):
    return EditFile(path, (SearchReplace(search, replace, **options),))


class Judge:
    """Records what it is asked; finds fault with the searches it is told to."""

    def __init__(self, lazy_searches=()):
        self.asked = []
        self.lazy_searches = set(lazy_searches)

    def __call__(self, path, old, new, whole, loose):
        self.asked.append((path, old, new, whole, loose))
        return "it leaves code out" if old in self.lazy_searches else None


# What the judge is asked ---------------------------------------------------------------------


def test_the_judge_hears_whether_a_whole_file_came_loose():
    judge = Judge()
    dry_run({"a.py": "x\n"}, [WriteFile("a.py", "y\n", loose=True)], judge=judge)
    dry_run({}, [WriteFile("b.py", "z\n")], judge=judge)
    assert judge.asked == [("a.py", "x\n", "y\n", True, True), ("b.py", None, "z\n", True, False)]


def test_an_edit_that_creates_a_file_is_judged_as_a_whole_file_not_loose():
    judge = Judge()
    result = dry_run({}, [edit("new.py", "", "x = 1\n")], judge=judge)
    assert judge.asked == [("new.py", None, "x = 1\n", True, False)]
    assert result.applied == [WriteFile("new.py", "x = 1\n")]


def test_each_block_is_judged_by_its_search_and_replace_and_a_lazy_one_stops_only_itself():
    judge = Judge(lazy_searches={"a = 1\n"})
    files = {"m.py": "a = 1\nb = 2\n"}
    blocks = (SearchReplace("a = 1\n", "..."), SearchReplace("b = 2\n", "b = 3\n"))
    result = dry_run(files, [EditFile("m.py", blocks)], judge=judge)
    assert judge.asked == [
        ("m.py", "a = 1\n", "...", False, False),
        ("m.py", "b = 2\n", "b = 3\n", False, False),
    ]
    assert result.files == {"m.py": "a = 1\nb = 3\n"}
    assert result.applied == [EditFile("m.py", (blocks[1],))]
    assert [(f.kind, f.block, f.reason) for f in result.failures] == [
        ("lazy", 1, "it leaves code out")
    ]


def test_what_applied_is_recorded_with_its_content():
    result = dry_run({"a.py": "x\n"}, [WriteFile("a.py", "y\n"), DeleteFile("a.py")])
    assert result.applied == [WriteFile("a.py", "y\n"), DeleteFile("a.py")]
    assert result.failed == []


# Where a path goes -----------------------------------------------------------------------------


def test_an_edit_of_a_missing_file_goes_to_the_one_file_of_that_name_at_any_depth():
    files = {"src/pkg/main.py": "a = 1\n", "src/other.py": "b = 1\n"}
    result = dry_run(files, [edit("lib/pkg/main.py", "a = 1\n", "a = 2\n")])
    assert result.files["src/pkg/main.py"] == "a = 2\n"
    assert result.notes == ["The model named lib/pkg/main.py; its edit applied to src/pkg/main.py."]


def test_an_existing_path_is_taken_as_it_is_without_a_note():
    result = dry_run({"a.py": "x\n"}, [edit("a.py", "x\n", "y\n")])
    assert (result.files, result.notes) == ({"a.py": "y\n"}, [])


@pytest.mark.parametrize(
    ("written", "resolved"),
    [
        ("SRC/App/y.py", "src/app/y.py"),  # a folder two deep, in other letter case
        ("SRC/a/b.py", "src/a/b.py"),  # the top folder only: the rest is new
    ],
)
def test_a_new_file_in_a_folder_named_in_other_letter_case_goes_into_that_folder(written, resolved):
    result = dry_run({"src/app/x.py": "x\n"}, [WriteFile(written, "y\n")])
    assert result.files == {"src/app/x.py": "x\n", resolved: "y\n"}
    assert result.notes == [f"The model wrote {written}; it was taken as {resolved}."]


def test_a_file_named_like_a_folder_in_other_case_is_refused():
    with pytest.raises(UnsafePath, match="SRC is both a file and a folder"):
        dry_run({"src/x.py": "x\n"}, [WriteFile("SRC", "y\n")])


# Renames -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["lib/", "lib/ ", "lib"])
def test_a_rename_into_a_folder_keeps_the_file_name(target):
    files = {"pkg/sub/a.py": "a\n", "lib/k.py": "k\n"}
    result = dry_run(files, [RenameFile("pkg/sub/a.py", target)])
    assert result.files == {"lib/k.py": "k\n", "lib/a.py": "a\n"}
    assert result.renames == {"lib/a.py": "pkg/sub/a.py"}


def test_a_rename_onto_an_existing_file_fails_as_an_edit():
    result = dry_run({"a.py": "a\n", "b.py": "b\n"}, [RenameFile("a.py", "b.py")])
    assert [(f.path, f.reason, f.kind) for f in result.failures] == [
        ("a.py", "it cannot be renamed to b.py, which exists", "edit")
    ]
    assert result.failed == [RenameFile("a.py", "b.py")]


def test_chained_renames_remember_the_first_name():
    result = dry_run({"a.py": "a\n"}, [RenameFile("a.py", "b.py"), RenameFile("b.py", "c.py")])
    assert (result.files, result.renames) == ({"c.py": "a\n"}, {"c.py": "a.py"})


def test_a_renamed_file_counts_the_lines_it_lost():
    changes = changes_between({"a.py": "1\n2\n3\n"}, {"b.py": "1\n"}, {"b.py": "a.py"})
    assert changes == [FileChange("b.py", "renamed", 0, 2, old_path="a.py")]


# A block re-sent after it applied in an earlier round --------------------------------------------

BASE = {"m.py": "a = 1\n\nc = 3\n"}


def again(now, block, base=BASE, renames=None, path="m.py"):
    """The next round: `now` is the project after the first; the block is sent again."""
    return dry_run(now, [EditFile(path, (block,))], base=base, renames=renames)


def test_a_block_that_already_applied_is_skipped():
    result = again({"m.py": "a = 2\n\nc = 3\n"}, SearchReplace("a = 1\n", "a = 2\n"))
    assert (result.failures, result.files) == ([], {"m.py": "a = 2\n\nc = 3\n"})


def test_a_block_that_already_applied_to_a_file_renamed_since_is_skipped():
    result = again(
        {"n.py": "a = 2\n\nc = 3\n"},
        SearchReplace("a = 1\n", "a = 2\n"),
        renames={"n.py": "m.py"},
        path="n.py",
    )
    assert result.failures == []


@pytest.mark.parametrize(
    ("now", "block"),
    [
        # its search was never in the project: it is wrong, not done
        ({"m.py": "a = 2\n\nc = 3\n"}, SearchReplace("zzz\n", "a = 2\n")),
        # a deletion leaves nothing to recognise it by (one blank line is no proof)
        ({"m.py": "\nc = 3\n"}, SearchReplace("a = 1\n", "\n")),
        # a block that reads more than one way is not recognised
        (
            {"m.py": "a = 2\n\nc = 3\n"},
            SearchReplace("a = 1\n", "a = 2\n", alternatives=(("a = 1\n=======\n", ""),)),
        ),
        # its search is in the file twice now: ambiguous, not done
        ({"m.py": "a = 1\na = 1\na = 2\n"}, SearchReplace("a = 1\n", "a = 2\n")),
    ],
)
def test_a_block_that_only_looks_applied_fails(now, block):
    result = again(now, block)
    assert len(result.failures) == 1
    assert result.files == now


def test_a_block_for_a_file_new_in_this_run_fails_plainly():
    result = again({"new.py": "x\n", **BASE}, SearchReplace("y\n", "z\n"), path="new.py")
    assert [f.reason for f in result.failures] == [
        "its SEARCH text matches nowhere in the current file"
    ]


# Lines, endings and fences ---------------------------------------------------------------------


def test_line_endings_follow_the_majority_and_a_tie_is_crlf():
    assert line_ending("a\r\nb\n") == "\r\n"
    assert line_ending("a\r\nb\nc\n") == "\n"
    assert line_ending("") == "\n"


def test_a_file_without_a_final_newline_keeps_its_trailing_spaces_and_its_lack():
    assert apply_block("x = 1\ny = 2  ", SearchReplace("y = 2\n", "y = 3\n")) == "x = 1\ny = 3"


def test_a_last_line_without_newline_kept_in_the_middle_gets_one():
    assert apply_block("a\nb", SearchReplace("b\n", "b\nc\n")) == "a\nb\nc"


def test_lines_ending_in_any_character_match_exactly():
    assert apply_block("value = MAX\n", SearchReplace("value = MAX\n", "value = MIN\n")) == (
        "value = MIN\n"
    )


def test_an_empty_search_appends_every_line():
    assert apply_block("x\n", SearchReplace("", "a\nb\n")) == "x\na\nb\n"


def test_mixed_endings_keep_each_kept_line_as_it_was():
    text = "a\r\nb\nc\r\n"
    assert apply_block(text, SearchReplace("a\nb\n", "a\nb\nB\n")) == "a\r\nb\nB\r\nc\r\n"


@pytest.mark.parametrize(
    ("search", "replace", "result"),
    [
        ("```\nbar\nbaz\n```\n", "```\nqux\n```\n", "qux\n"),
        ("```python\n```\n", "```python\nx = 1\n```\n", "bar\nbaz\nx = 1\n"),
    ],
)
def test_a_block_fenced_on_both_sides_applies_without_its_fences(search, replace, result):
    assert apply_block("bar\nbaz\n", SearchReplace(search, replace)) == result


@pytest.mark.parametrize(
    ("search", "replace"),
    [
        ("foo\nbar\n```\n", "baz\nqux\n```\n"),  # a closing fence alone is the text's own
        ("a\nbar\nb\n", "c\nqux\nd\n"),  # no fences: nothing is stripped
        ("nope\n", "```\nx\n```\n"),  # only the replacement is fenced
        ("```\nnope\n```\n", "\n\n"),
        ("```\nnope\n```\n", ""),
    ],
)
def test_a_block_not_fenced_on_both_sides_is_not_unwrapped(search, replace):
    with pytest.raises(EditFailed, match="matches nowhere"):
        apply_block("bar\nbaz\n", SearchReplace(search, replace))


def test_a_fenced_block_matching_twice_says_so():
    with pytest.raises(EditFailed, match="matches 2 places"):
        apply_block("x\ny\nx\n", SearchReplace("```\nx\n```\n", "```\nz\n```\n"))


def test_a_long_edit_keeps_the_lines_it_does_not_change_exactly_as_the_file_has_them():
    body = [f"line_{n} = {n}" if n % 3 else "pass" for n in range(300)]
    text = "".join(f"{line}  \n" for line in body)  # trailing spaces the model leaves off
    search = "".join(f"{line}\n" for line in body)
    replace = search.replace("line_1 = 1\n", "line_1 = 100\n")
    result = apply_block(text, SearchReplace(search, replace))
    assert result == text.replace("line_1 = 1  \n", "line_1 = 100\n")


def test_a_block_sent_again_is_the_same_whatever_its_trailing_spaces_and_outer_blank_lines():
    sent = SearchReplace("x = 1\n", "x = 1\ny = 2\n")
    again = SearchReplace("\nx = 1   \n\n", "x = 1\ny = 2  \n\n")
    assert block_key("a.py", sent) == block_key("a.py", again)


@pytest.mark.parametrize(
    "other",
    [
        SearchReplace("    x = 1\n", "x = 1\ny = 2\n"),  # indented: another block
        SearchReplace("x = 1\n", "x = 1\n\ny = 2\n"),  # a blank line inside
        SearchReplace("x = 1\n", "x = 1y = 2\n"),  # lines joined
    ],
)
def test_blocks_that_differ_inside_or_by_indentation_are_not_the_same(other):
    assert block_key("a.py", SearchReplace("x = 1\n", "x = 1\ny = 2\n")) != block_key("a.py", other)


def test_a_block_an_earlier_round_applied_is_skipped_not_doubled():
    insertion = SearchReplace("x = 1\n", "x = 1\ny = 2\n")
    first = dry_run({"a.py": "x = 1\n"}, [EditFile("a.py", (insertion,))])
    again = dry_run(
        first.files, [EditFile("a.py", (insertion,))], done=frozenset(applied_blocks(first.applied))
    )
    assert again.files == {"a.py": "x = 1\ny = 2\n"}
    assert again.failures == []


def test_a_blocks_identity_keeps_the_letters_at_its_edges():
    """Only blank lines at the edges are left out of a block's identity, never text."""
    one, other = SearchReplace("X = 1\n", "X = 2\n"), SearchReplace(" = 1\n", " = 2\n")
    assert block_key("a.py", one) == ("a.py", "X = 1", "X = 2", None)
    assert block_key("a.py", one) != block_key("a.py", other)
    assert block_key("a.py", SearchReplace("\nx\n\n", "y\n"))[1:3] == ("x", "y")
