import pytest

from orchestrator.diffing import line_delta
from orchestrator.errors import EditFailed, UnsafePath
from orchestrator.merge import apply_operations
from orchestrator.operations import DeleteFile, EditFile, RenameFile, SearchReplace, WriteFile
from orchestrator.paths import ProjectLimits, clean_path

FILES = {"app.py": "import os\n\ndef main():\n    print('hi')\n\nmain()\n", "README.md": "# Hi\n"}
LIMITS = ProjectLimits()


def edit(path, search, replace):
    return EditFile(path, (SearchReplace(search, replace),))


def test_exact_match_is_replaced_and_the_input_is_untouched():
    before = dict(FILES)
    files, changes = apply_operations(
        FILES, [edit("app.py", "    print('hi')\n", "    print('bye')\n")], LIMITS
    )
    assert files["app.py"] == "import os\n\ndef main():\n    print('bye')\n\nmain()\n"
    assert before == FILES
    assert [(c.path, c.action, c.lines_added, c.lines_removed) for c in changes] == [
        ("app.py", "modified", 1, 1)
    ]


def test_trailing_whitespace_differences_still_match_once():
    files, _ = apply_operations(FILES, [edit("app.py", "def main():   \n", "def run():\n")], LIMITS)
    assert "def run():\n    print('hi')" in files["app.py"]


def test_a_block_matching_in_several_places_fails_and_says_where():
    files = {"a.py": "x = 1\nx = 1\n"}
    with pytest.raises(EditFailed, match="matches 2 places"):
        apply_operations(files, [edit("a.py", "x = 1\n", "x = 2\n")], LIMITS)


def test_a_block_matching_nowhere_fails_naming_the_file():
    with pytest.raises(EditFailed, match=r"app\.py.*nowhere"):
        apply_operations(FILES, [edit("app.py", "not there\n", "x\n")], LIMITS)


def test_one_failing_operation_applies_nothing():
    operations = [DeleteFile("README.md"), edit("app.py", "missing\n", "x\n")]
    with pytest.raises(EditFailed):
        apply_operations(FILES, operations, LIMITS)
    assert "README.md" in FILES


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (edit("nope.py", "a", "b"), "does not exist"),
        (DeleteFile("nope.py"), "does not exist"),
        (RenameFile("nope.py", "x.py"), "does not exist"),
        (RenameFile("app.py", "README.md"), "which exists"),
    ],
)
def test_operations_on_missing_or_clashing_paths_fail(operation, message):
    with pytest.raises(EditFailed, match=message):
        apply_operations(FILES, [operation], LIMITS)


def test_write_delete_and_rename_report_their_changes():
    operations = [
        WriteFile("new.txt", "a\nb\n"),
        DeleteFile("README.md"),
        RenameFile("app.py", "src/app.py"),
    ]
    files, changes = apply_operations(FILES, operations, LIMITS)
    assert sorted(files) == ["new.txt", "src/app.py"]
    assert [(c.action, c.path, c.old_path) for c in changes] == [
        ("deleted", "README.md", None),
        ("added", "new.txt", None),
        ("renamed", "src/app.py", "app.py"),
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "../etc/passwd",
        "a/../../b",
        "/etc/passwd",
        "C:/Windows/x",
        "~/.ssh/id_rsa",
        "a\\b.py",
        "a\x00b",
        "line\nbreak",
        "",
        "   ",
        "x" * 300,
        "./",
    ],
)
def test_hostile_paths_are_refused(raw):
    with pytest.raises(UnsafePath):
        clean_path(raw)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("./app/main.py", "app/main.py"), ("app//x.py", "app/x.py"), (" a.py ", "a.py")],
)
def test_harmless_paths_are_normalised(raw, clean):
    assert clean_path(raw) == clean


def test_a_hostile_path_from_the_model_writes_nothing():
    with pytest.raises(UnsafePath):
        apply_operations(FILES, [WriteFile("../outside.py", "x")], LIMITS)


def test_project_limits_are_enforced():
    small = ProjectLimits(max_files=2, max_total_bytes=1000, max_file_bytes=10)
    with pytest.raises(UnsafePath, match="3 files"):
        small.check({"a": "", "b": "", "c": ""})
    with pytest.raises(UnsafePath, match="at most 10"):
        small.check({"a": "x" * 11})


def test_line_delta_counts_added_and_removed_lines():
    assert line_delta("a\nb\nc\n", "a\nc\nd\ne\n") == (2, 1)


def test_failure_messages_name_the_block_and_the_file():
    from orchestrator.merge import Failure, failure_message

    assert failure_message(Failure("a.py", "it fails", block=2)) == "Change 2 to a.py: it fails."
    assert failure_message(Failure("a.py", "it fails")) == "a.py: it fails."
    assert failure_message(Failure(None, "it fails")) == "The answer: it fails."


def test_apply_operations_raises_the_first_failure_as_its_message():
    with pytest.raises(EditFailed) as failure:
        apply_operations(FILES, [edit("app.py", "nope\n", "x\n")], LIMITS)
    assert failure.value.message == (
        "Change 1 to app.py: its SEARCH text matches nowhere in the current file."
    )


def test_changes_are_computed_from_the_files_themselves():
    from orchestrator.merge import FileChange, changes_between

    old = {"a": "1\n2\n", "b": "x\n", "c": "c1\nc2\nc3\n", "same": "s\n"}
    new = {"a": "1\n3\n4\n", "d": "x\ny\n", "e": "e\n", "same": "s\n"}
    changes = changes_between(old, new, {"d": "b", "e": "gone"})
    assert changes == [
        FileChange("a", "modified", 2, 1),
        FileChange("c", "deleted", lines_removed=3),
        FileChange("d", "renamed", 1, 0, old_path="b"),
        FileChange("e", "added", lines_added=1),
    ]


def test_a_rename_whose_source_is_still_there_is_not_a_rename():
    from orchestrator.merge import FileChange, changes_between

    changes = changes_between({"a": "x\n"}, {"a": "x\n", "b": "x\n"}, {"b": "a"})
    assert changes == [FileChange("b", "added", lines_added=1)]


@pytest.mark.parametrize(
    ("text", "ending"),
    [
        ("a\r\nb\r\n", "\r\n"),
        ("a\nb\n", "\n"),
        ("a\r\nb\nc\n", "\n"),
        ("a\r\nb\r\nc\n", "\r\n"),
        ("", "\n"),
        ("no newline", "\n"),
        ("a\r\n", "\r\n"),
    ],
)
def test_the_line_ending_is_the_files_own(text, ending):
    from orchestrator.file_text import line_ending

    assert line_ending(text) == ending


@pytest.mark.parametrize(
    ("old", "new", "result"),
    [
        ("a\r\nb\r\n", "x\ny\n", "x\r\ny\r\n"),
        ("a\nb", "x\ny\n", "x\ny"),
        ("", "x\n", "x\n"),
        ("a\n", "", ""),
        ("a\r\n", "x\r\ny", "x\r\ny\r\n"),
    ],
)
def test_a_rewrite_takes_the_old_files_endings(old, new, result):
    from orchestrator.file_text import keep_facts

    assert keep_facts(old, new) == result


@pytest.mark.parametrize(
    ("text", "search", "replace", "result"),
    [
        ("a\nb\n", "", "c\n", "a\nb\nc\n"),
        ("a\nb", "", "c\n", "a\nb\nc"),
        ("", "", "c\n", "c\n"),
        ("a\r\nb\r\n", "", "c\n", "a\r\nb\r\nc\r\n"),
        ("a\nb\nc\n", "b\n", "", "a\nc\n"),
        ("a\nb", "b\n", "", "a"),
        ("a\r\nb\r\n", "a\n", "A\nA2\n", "A\r\nA2\r\nb\r\n"),
        ("  a\n", "a\n", "b\n", "  b\n"),
        ("x = 1   \n", "x = 1\n", "x = 1\ny\n", "x = 1   \ny\n"),
        ("\tif x:\n\t\ty\n", "if x:\n    y\n", "if x:\n    z\n", "\tif x:\n\t\tz\n"),
    ],
)
def test_apply_block(text, search, replace, result):
    from orchestrator.blocks import apply_block

    assert apply_block(text, SearchReplace(search, replace)) == result


def test_a_block_matching_only_with_other_indentation_in_disagreeing_ways_is_refused():
    from orchestrator.blocks import apply_block

    with pytest.raises(EditFailed) as failure:
        apply_block("  a\n      b\n", SearchReplace("a\nb\n", "c\n"))
    assert failure.value.message == (
        "its SEARCH text matches only with other indentation, and its lines disagree about "
        "how the indentation differs"
    )


def test_several_readings_that_all_fail_match_nowhere():
    from orchestrator.blocks import apply_block

    block = SearchReplace("q\n", "r\n", alternatives=(("q\n=======\nr\n", "s\n"),))
    with pytest.raises(EditFailed, match=r"^its SEARCH text matches nowhere in the current file$"):
        apply_block("a\n", block)


def test_readings_that_give_the_same_result_are_one():
    from orchestrator.blocks import apply_block

    block = SearchReplace("a\n", "b\n", alternatives=(("a\n", "b\n"),))
    assert apply_block("a\n", block) == "b\n"
