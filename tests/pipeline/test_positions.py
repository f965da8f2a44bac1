"""Where a block goes: matching at one indentation level (orchestrator.matching), diff hunks
placed by their tracked line numbers (orchestrator.hunks), and one block applied with the
file's own lines, endings and recipe tabs (orchestrator.blocks)."""

import pytest

from orchestrator.blocks import apply_block, place_block
from orchestrator.errors import EditFailed
from orchestrator.hunks import Positions, has_old_lines
from orchestrator.matching import (
    EXACT,
    INDENTATION,
    NOWHERE,
    TRAILING,
    find,
    locate,
    trim_blank,
)
from orchestrator.merge import dry_run
from orchestrator.operations import EditFile, SearchReplace


def hunk(search: str, replace: str, line: int | None, count: int | None = None) -> SearchReplace:
    return SearchReplace(search, replace, line_hint=line, from_diff=True, old_count=count)


# Matching ------------------------------------------------------------------------------------


def test_find_compares_at_each_level():
    lines = ["  a  ", "a", "\ta"]
    assert find(lines, ["a"], EXACT) == [1]
    assert find(lines, ["  a"], TRAILING) == [0]
    assert find(lines, ["a"], INDENTATION) == [0, 1, 2]
    assert find(lines, [], EXACT) == []
    assert find(["a", "b"], ["a", "b", "c"], EXACT) == []


def test_trim_blank_counts_what_it_drops_from_each_edge():
    assert trim_blank(["", " ", "a", "", "b", "\t", ""]) == (["a", "", "b"], 2, 2)
    assert trim_blank(["a"]) == (["a"], 0, 0)
    assert trim_blank(["", ""]) == ([], 2, 0)


def test_an_exact_match_wins_over_looser_ones():
    place = locate(["    x = 1", "x = 1"], ["x = 1"])
    assert (place.start, place.level) == (1, EXACT)


def test_trailing_whitespace_is_the_first_relaxation():
    place = locate(["x = 1   ", "y"], ["x = 1"])
    assert (place.start, place.level) == (0, TRAILING)


def test_several_exact_places_without_a_line_number_are_refused():
    with pytest.raises(EditFailed, match="matches 2 places; it needs more lines"):
        locate(["x", "y", "x"], ["x"])


def test_blank_edge_lines_are_dropped_only_after_exact_readings_fail():
    place = locate(["a", "b", "c"], ["", "b", ""])
    assert (place.start, place.dropped_top, place.dropped_bottom, place.wanted) == (
        1,
        1,
        1,
        ("b",),
    )


def test_a_block_with_its_blank_line_matches_where_the_blank_line_is():
    place = locate(["a", "b", "", "b"], ["", "b"])
    assert (place.start, place.dropped_top) == (2, 0)


def test_a_block_that_matches_one_place_without_its_blank_line_and_another_with_it_is_refused():
    lines = [
        "class A:",
        "    x = 1",
        "    def f(self):",
        "        pass",
        "",
        "def f(self):",
        "    pass",
    ]
    with pytest.raises(EditFailed) as failure:
        locate(lines, ["", "    def f(self):", "        pass"])
    assert failure.value.message == (
        "its SEARCH text matches line 3 without its blank edge lines, and line 6 with them "
        "once indentation is ignored; it needs the exact lines to match one place"
    )


def test_the_same_lines_found_at_two_levels_only_once_indentation_is_ignored_are_refused():
    lines = ["def f():", "    return x", "def g():", "        return x"]
    with pytest.raises(EditFailed, match="matches 2 places once indentation is ignored"):
        locate(lines, ["  return x"])
    with pytest.raises(EditFailed, match="once indentation is ignored"):
        locate(lines, ["  return x"], expected=1)  # a line number does not choose a level


def test_a_block_found_once_with_other_indentation_is_placed_there():
    place = locate(["def f():", "    return x"], ["return x"])
    assert (place.start, place.level) == (1, INDENTATION)


def test_nothing_found_says_so():
    with pytest.raises(EditFailed) as failure:
        locate(["a"], ["b"])
    assert failure.value.message == NOWHERE


@pytest.mark.parametrize(
    ("expected", "chosen"),
    [
        (6, 6),  # right on one of them
        (7, 6),  # one line off, the next is five further
        (11, 12),  # one line off the other way
        (4, 6),  # two lines off, the other eight
    ],
)
def test_a_line_number_chooses_among_exact_places_when_it_points_at_one_clearly(expected, chosen):
    lines = ["x" if i in (6, 12) else f"line {i}" for i in range(20)]
    assert locate(lines, ["x"], expected=expected).start == chosen


@pytest.mark.parametrize("expected", [9, 0, 19, 100])
def test_a_line_number_between_places_or_far_from_them_does_not_choose(expected):
    lines = ["x" if i in (6, 12) else f"line {i}" for i in range(20)]
    with pytest.raises(EditFailed, match=r"its line number \(\d+\) does not point"):
        locate(lines, ["x"], expected=expected)


def test_a_block_quoting_the_byte_order_mark_claims_the_first_line():
    assert locate(["x", "x"], ["x"], expected=1, first="only").start == 0
    with pytest.raises(EditFailed, match="nowhere"):
        locate(["a", "x"], ["x"], first="only")


def test_a_hunk_without_the_files_byte_order_mark_is_another_place_when_there_is_one():
    assert locate(["x", "y", "x"], ["x"], expected=0, first="last resort").start == 2
    assert locate(["x", "y"], ["x"], first="last resort").start == 0


def test_a_last_line_without_newline_claims_the_end():
    assert locate(["x", "y", "x"], ["x"], expected=0, last=True).start == 2
    assert locate(["x", "y", "x", ""], ["x", ""], last=True).start == 2
    with pytest.raises(EditFailed, match="nowhere"):
        locate(["x", "y"], ["x"], last=True)


# Diff positions ------------------------------------------------------------------------------


def test_hunks_are_applied_in_the_order_of_their_line_numbers_when_all_have_one():
    blocks = [hunk("c\n", "C\n", 3), hunk("a\n", "A\n", 1), hunk("b\n", "B\n", 2)]
    assert Positions.order(blocks) == [1, 2, 0]
    assert Positions.order([*blocks, SearchReplace("x\n", "y\n")]) == [0, 1, 2, 3]


def test_the_expected_line_moves_by_what_earlier_hunks_added_and_where_they_were_found():
    positions = Positions([], ["a"] * 50)
    first = hunk("a\n", "a\nb\nc\n", 10)
    assert positions.expected(first) == 9
    positions.placed(first, 12, 1, 3)  # found 3 lines lower, and it added 2 lines
    assert (positions.shift, positions.offset) == (2, 3)
    assert positions.expected(hunk("a\n", "b\n", 20)) == 24
    positions.skipped(hunk("a\nb\n", "a\n", 30))  # an earlier round's hunk: one line less
    assert positions.shift == 1
    assert positions.expected(SearchReplace("a\n", "b\n")) is None


def test_an_insertions_line_is_the_line_before_it():
    positions = Positions([], ["a"] * 5)
    insertion = hunk("", "x\n", 2, 0)
    positions.placed(insertion, 2, 0, 1)
    assert positions.offset == 0


@pytest.mark.parametrize(
    ("block", "length", "index"),
    [
        (hunk("", "x\n", 0, 0), 5, 0),  # at the top
        (hunk("", "x\n", 5, 0), 5, 5),  # at the end
        (hunk("", "x\n", 0, None), 5, 0),  # a count the reader did not give
        (hunk("", "x\n", 2, 0), 5, None),  # in the middle: nothing proves it
        (hunk("", "x\n", 2, 3), 5, None),  # a count its body contradicts
        (hunk("", "x\n", 9, 0), 5, None),  # past the end
        (hunk("", "x\n", None), 5, None),  # no number
        (SearchReplace("", "x\n"), 5, None),  # not a diff
    ],
)
def test_where_a_hunk_that_only_adds_lines_goes(block, length, index):
    assert Positions([], ["a"] * length).insertion(block, length) == index


def test_a_hunk_found_at_its_own_line_proves_the_numbers_for_insertions():
    original = ["a", "b", "c", "d"]
    proven = Positions([hunk("b\nc\n", "B\nc\n", 2), hunk("", "x\n", 3, 0)], original)
    assert proven.proven
    assert proven.insertion(hunk("", "x\n", 3, 0), 4) == 3
    assert not Positions([hunk("b\n", "B\n", 1)], original).proven  # one line off
    assert not Positions([hunk("", "x\n", 3, 0)], original).proven  # nothing to check


def test_a_hunk_with_only_blank_context_has_old_lines():
    assert has_old_lines(hunk("\n", "x\n\n", 1))
    assert not has_old_lines(hunk("", "x\n", 1))


def test_a_multi_hunk_diff_picks_the_right_one_of_equal_places_after_earlier_hunks():
    text = "".join(
        f"{name}\n    setup()\n    run()\n" for name in ("def a():", "def b():", "def c():")
    )
    header = "import os\n"
    blocks = (
        hunk("def a():\n", header + "def a():\n", 1),
        hunk("    setup()\n    run()\n", "    setup()\n    log()\n    run()\n", 5),
    )
    result = dry_run({"m.py": text}, [EditFile("m.py", blocks)])
    assert result.failures == []
    assert result.files["m.py"] == header + text.replace(
        "def b():\n    setup()\n    run()", "def b():\n    setup()\n    log()\n    run()"
    )


def test_two_equal_hunks_at_two_places_both_apply():
    text = "a\nb\nc\nd\n"
    blocks = (hunk("", "x\n", 1, 0), hunk("", "x\n", 3, 0), hunk("b\n", "B\n", 2, 1))
    result = dry_run({"t.txt": text}, [EditFile("t.txt", blocks)])
    assert result.files == {"t.txt": "a\nx\nB\nc\nx\nd\n"}


# One block --------------------------------------------------------------------------------------


def test_an_edit_of_a_file_with_a_byte_order_mark_keeps_it_whether_or_not_it_is_quoted():
    text = "\ufeffimport os\nx = 1\n"
    assert apply_block(text, SearchReplace("import os\n", "import sys\n")) == (
        "\ufeffimport sys\nx = 1\n"
    )
    assert apply_block(text, SearchReplace("\ufeffimport os\n", "\ufeffimport sys\n")) == (
        "\ufeffimport sys\nx = 1\n"
    )


def test_blank_edge_lines_of_the_replacement_are_not_added_when_the_search_had_them_wrong():
    text = "a\nb\nc\n"
    assert apply_block(text, SearchReplace("\nb\n\n", "\nB\n\n")) == "a\nB\nc\n"
    assert apply_block(text, SearchReplace("\nb\n", "B\n")) == "a\nB\nc\n"
    assert apply_block(text, SearchReplace("\nb\n", "\n\nB\n")) == "a\n\nB\nc\n"


def test_a_makefile_gets_recipe_tabs_on_new_lines_only_and_continuations_keep_spaces():
    text = "all:\n\tcc -o app \\\n\t    main.c\n"
    block = SearchReplace("all:\n", "all:\n    echo start \\\n         now\n")
    assert place_block(text, block, path="src/Makefile").text == (
        "all:\n\techo start \\\n         now\n\tcc -o app \\\n\t    main.c\n"
    )


def test_a_makefile_block_quoted_with_spaces_matches_and_keeps_the_files_lines():
    text = "all:\n\tcc -o app \\\n\t    main.c\n"
    block = SearchReplace(
        "all:\n    cc -o app \\\n        main.c\n", "all:\n    cc -O2 -o app \\\n        main.c\n"
    )
    assert place_block(text, block, path="Makefile").text == (
        "all:\n\tcc -O2 -o app \\\n\t    main.c\n"
    )


def test_a_positional_insertion_goes_before_the_line_after_its_number():
    text = "a\nb\nc\n"
    positions = Positions([hunk("b\n", "b\n", 2), hunk("", "x\n", 1, 0)], ["a", "b", "c"])
    applied = place_block(text, hunk("", "x\n", 1, 0), positions)
    assert (applied.text, applied.start, applied.removed, applied.added) == (
        "a\nx\nb\nc\n",
        1,
        0,
        1,
    )


def test_an_insertion_nothing_places_is_refused():
    with pytest.raises(EditFailed, match="only adds lines and quotes no context"):
        apply_block("a\nb\nc\n", hunk("", "x\n", 2, 0))


def test_an_insertion_into_an_empty_file_needs_no_number():
    assert apply_block("", hunk("", "x\n", None)) == "x\n"


def test_appending_to_a_file_without_a_final_newline_keeps_it_without():
    assert apply_block("a\r\nb", SearchReplace("", "c\n")) == "a\r\nb\r\nc"


def test_a_diffs_blank_context_line_is_found_like_any_other():
    assert apply_block("a\n\nb\n", hunk("\n", "x\n\n", 2)) == "a\nx\n\nb\n"


def test_a_diffs_last_line_without_newline_is_the_files_last():
    assert apply_block("1.0\n1.0", hunk("1.0", "2.0", 1)) == "1.0\n2.0"


def test_what_a_block_placed_is_reported_for_the_hunks_after_it():
    applied = place_block("a\nb\nc\n", SearchReplace("b\nc\n", "B\n"))
    assert (applied.start, applied.removed, applied.added) == (1, 2, 1)


# Found by the git oracle with a random seed (tests/pipeline/test_diff_oracles.py): each
# expected file is what `git apply` makes of the same diff.


def test_a_hunk_whose_new_side_already_appears_nearby_is_applied_as_git_applies_it():
    old = "alpha()\nalpha()\nalpha()\nalpha()\nbeta = 2\nbeta = 2"
    hunks = (
        hunk("alpha()\nalpha()\n", "beta = 2\nalpha()\n", 1, 2),
        hunk("alpha()\nbeta = 2\n", "alpha()\nalpha()\nbeta = 2\nbeta = 2\n", 4, 2),
    )
    result = dry_run({"f.py": old}, [EditFile("f.py", hunks)])
    assert result.failures == []
    assert result.files["f.py"] == (
        "beta = 2\nalpha()\nalpha()\nalpha()\nalpha()\nbeta = 2\nbeta = 2\nbeta = 2"
    )


def test_the_same_lines_inserted_at_two_numbers_are_two_insertions():
    old = "a = 1\nx = 0\nb = 2\nx = 0\n"
    hunks = (
        hunk("a = 1\n", "a = 1\nx = 0\n", 1, 1),  # found at its own number: numbers proven
        hunk("", "x = 0\n", 3, 0),  # after line 3, beside an x = 0 of the file's own
    )
    result = dry_run({"f.py": old}, [EditFile("f.py", hunks)])
    assert result.failures == []
    assert result.files["f.py"] == "a = 1\nx = 0\nx = 0\nb = 2\nx = 0\nx = 0\n"


def test_a_first_hunk_that_quotes_the_byte_order_mark_proves_the_numbers():
    old = "\ufeffalpha()\nalpha()\nalpha()\n"
    hunks = (hunk("\ufeffalpha()\n", "\ufeffbeta = 2\n", 1, 1), hunk("", "beta = 2\n", 2, 0))
    result = dry_run({"f.py": old}, [EditFile("f.py", hunks)])
    assert result.failures == []
    assert result.files["f.py"] == "\ufeffbeta = 2\nalpha()\nbeta = 2\nalpha()\n"
