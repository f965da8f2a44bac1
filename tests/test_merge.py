import pytest

from orchestrator.edit_format import DeleteFile, EditFile, RenameFile, SearchReplace, WriteFile
from orchestrator.errors import EditFailed, UnsafePath
from orchestrator.merge import apply_operations, line_delta
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
