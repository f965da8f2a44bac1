"""The claims an answer makes about whole files, checked in the dry run before anything is
applied (orchestrator.claims, through orchestrator.merge.dry_run)."""

import pytest

from orchestrator.claims import (
    new_file_conflict,
    paths_of,
    resent,
    restates_file,
    same_text,
    settle_repeated_writes,
)
from orchestrator.laziness import LazinessPolicy
from orchestrator.merge import dry_run
from orchestrator.operations import DeleteFile, EditFile, RenameFile, SearchReplace, WriteFile

APP = "import os\n\n\ndef main():\n    print(os.getcwd())\n\n\nmain()\n"


# A file claimed new ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "content"),
    [
        (None, "x\n"),  # it does not exist: the claim holds
        ("", "x\n"),  # it exists but is empty
        (" \n\n", "x\n"),  # blank is empty too
        ("a\r\nb  \r\n", "a\nb\n\n"),  # the same lines, whatever their endings
        ("\ufeffa\n", "a\n"),  # or byte-order mark
    ],
)
def test_a_new_file_claim_holds_for_a_missing_empty_or_identical_file(existing, content):
    assert new_file_conflict(existing, content) is None


def test_a_new_file_claim_for_a_file_with_other_content_is_false_and_says_why():
    assert new_file_conflict("a\nb\n", "c\n") == (
        "the answer says it is a new file, but it exists (2 lines); to change it, give an "
        "edit, or the whole new version with @@@ FILE"
    )
    assert new_file_conflict("a\n", "c\n", "its hunk says").startswith("its hunk says it is")


def test_same_text_compares_lines_not_bytes():
    assert same_text("a\r\n\r\nb\n", "a\n\nb   \n\n")
    assert not same_text("a\nb\n", "b\na\n")
    assert not same_text("    a\n", "a\n")  # indentation is content


def test_an_add_file_for_a_file_that_exists_fails_and_leaves_it():
    result = dry_run({"app.py": APP}, [WriteFile("app.py", "print(1)\n", new=True)])
    assert result.files == {"app.py": APP}
    assert [(f.path, f.kind) for f in result.failures] == [("app.py", "claim")]
    assert result.failed == [WriteFile("app.py", "print(1)\n", new=True)]


def test_an_add_file_for_a_file_this_run_created_rewrites_it():
    """A repair round's corrected version of a file the run itself added."""
    result = dry_run(
        {"app.py": APP, "new.py": "x = 1\n"},
        [WriteFile("new.py", "x = 2\n", new=True)],
        base={"app.py": APP},
    )
    assert result.failures == []
    assert result.files["new.py"] == "x = 2\n"


def test_an_add_file_for_an_empty_file_writes_it():
    result = dry_run({"pkg/__init__.py": ""}, [WriteFile("pkg/__init__.py", "x = 1\n", new=True)])
    assert result.files == {"pkg/__init__.py": "x = 1\n"}
    assert result.failures == []


def test_an_add_file_after_a_delete_of_the_same_file_is_new():
    operations = [DeleteFile("app.py"), WriteFile("app.py", "print(1)\n", new=True)]
    result = dry_run({"app.py": APP}, operations)
    assert result.files == {"app.py": "print(1)\n"}
    assert result.failures == []


def test_an_add_file_claim_goes_by_the_case_twin_it_resolves_to():
    result = dry_run({"App.py": APP}, [WriteFile("app.py", "print(1)\n", new=True)])
    assert result.files == {"App.py": APP}
    assert [f.kind for f in result.failures] == ["claim"]


# An empty SEARCH that restates the file -------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "restates"),
    [
        (SearchReplace("", "a\nb\nc\nd\n"), True),  # the file, then more
        (SearchReplace("\n", "a\nb\nc\nd\n"), True),  # a blank SEARCH is empty too
        (SearchReplace("", "a\nB\nc\nd\n"), True),  # most of the file, in order
        (SearchReplace("", "d\ne\n"), False),  # new lines only
        (SearchReplace("", "a\nx\ny\nz\n"), False),  # one line of three is not most
        (SearchReplace("b\n", "a\nb\nc\n"), False),  # it has something to find
        (SearchReplace("", "a\nb\nc\nd\n", line_hint=0, from_diff=True), True),
        (SearchReplace("", "a\nb\nc\nd\n", line_hint=3, from_diff=True), False),
    ],
)
def test_an_empty_search_restates_the_file_when_its_replace_holds_most_of_it(block, restates):
    assert restates_file("a\nb\nc\n", block) is restates


def test_a_short_file_is_restated_only_by_a_replace_that_begins_with_it():
    assert restates_file("a\nb\n", SearchReplace("", "a\nb\nc\n"))
    assert not restates_file("a\nb\n", SearchReplace("", "x\na\nb\n"))  # two lines: too few
    assert not restates_file("", SearchReplace("", "a\n"))
    assert not restates_file("\n\n", SearchReplace("", "a\n"))


def test_an_empty_search_holding_the_file_rewrites_it_instead_of_appending():
    new = APP.replace("main()\n", "main()\nprint('done')\n")
    result = dry_run({"app.py": APP}, [EditFile("app.py", (SearchReplace("", new),))])
    assert result.files == {"app.py": new}
    assert result.notes == ["The model's edit of app.py with nothing to find held the whole file."]
    assert result.applied == [WriteFile("app.py", new)]


def test_the_restated_file_is_judged_as_a_whole_file():
    asked = []

    def judge(path, old, new, whole, loose):
        asked.append((old, whole))
        return "it left code out"

    new = APP + "print('done')\n"
    result = dry_run({"app.py": APP}, [EditFile("app.py", (SearchReplace("", new),))], judge=judge)
    assert asked == [(APP, True)]
    assert [f.kind for f in result.failures] == ["lazy"]
    assert result.files == {"app.py": APP}


def test_a_hunk_from_line_zero_that_restates_the_file_claims_it_is_new():
    hunk = SearchReplace("", APP + "x = 1\n", line_hint=0, from_diff=True, old_count=0)
    result = dry_run({"app.py": APP}, [EditFile("app.py", (hunk,))])
    assert result.files == {"app.py": APP}
    assert [(f.path, f.kind, f.reason[:45]) for f in result.failures] == [
        ("app.py", "claim", "its diff hunk from line 0 (@@ -0,0) says it i")
    ]


def test_a_hunk_from_line_zero_that_restates_the_file_as_it_is_changes_nothing():
    hunk = SearchReplace("", APP, line_hint=0, from_diff=True, old_count=0)
    result = dry_run({"app.py": APP}, [EditFile("app.py", (hunk,))])
    assert result.files == {"app.py": APP}
    assert result.failures == []


def test_a_restatement_among_several_blocks_is_applied_as_blocks():
    """Only a lone empty SEARCH can be the whole file."""
    blocks = (SearchReplace("main()\n", "main()\nexit()\n"), SearchReplace("", "x = 1\n"))
    result = dry_run({"app.py": APP}, [EditFile("app.py", blocks)])
    assert result.files["app.py"] == APP + "exit()\nx = 1\n"


# A file written whole twice ------------------------------------------------------------------


def test_the_same_whole_file_twice_is_written_once():
    operations = [WriteFile("a.py", "x = 1\n"), WriteFile("a.py", "x = 1\r\n\n")]
    kept, refused, failures, notes = settle_repeated_writes(operations)
    assert kept == [WriteFile("a.py", "x = 1\n")]
    assert (refused, failures) == ([], [])
    assert notes == ["The answer wrote a.py 2 times, the same each time."]


def test_a_whole_file_then_a_part_of_it_is_refused_whichever_comes_first():
    whole, part = WriteFile("a.py", "x = 1\ny = 2\nz = 3\n"), WriteFile("a.py", "y = 2\n")
    for operations in ([whole, part], [part, whole]):
        kept, refused, failures, _ = settle_repeated_writes(operations)
        assert kept == []
        assert refused == operations
        assert [(f.path, f.kind) for f in failures] == [("a.py", "claim")]
        assert "one of them is only a part of another" in failures[0].reason


def test_two_different_whole_files_are_refused_as_unclear():
    operations = [WriteFile("a.py", "x = 1\n"), WriteFile("a.py", "x = 2\n"), DeleteFile("b.py")]
    kept, refused, failures, _ = settle_repeated_writes(operations)
    assert kept == [DeleteFile("b.py")]
    assert refused == operations[:2]
    assert failures[0].reason == (
        "the answer writes the whole file 2 times, with different content each time, so "
        "which one is meant is unclear; give the whole file once"
    )


@pytest.mark.parametrize("between", [DeleteFile("a.py"), RenameFile("a.py", "b.py")])
def test_writes_on_either_side_of_a_delete_or_rename_are_separate(between):
    operations = [WriteFile("a.py", "x = 1\n"), between, WriteFile("a.py", "x = 2\n")]
    assert settle_repeated_writes(operations) == (operations, [], [], [])


def test_writes_of_paths_written_alike_are_grouped_by_their_clean_path():
    operations = [WriteFile("./a.py", "x = 1\n"), WriteFile("a.py", "x = 2\n")]
    assert len(settle_repeated_writes(operations)[2]) == 1


def test_a_refused_repeated_write_is_a_failure_of_the_dry_run_and_changes_nothing():
    operations = [WriteFile("app.py", "x = 1\n"), WriteFile("app.py", "x = 2\n")]
    result = dry_run({"app.py": APP}, operations)
    assert result.files == {"app.py": APP}
    assert result.failed == operations
    assert [f.kind for f in result.failures] == ["claim"]


def test_paths_of_a_rename_are_both_sides():
    assert paths_of(RenameFile("a", "b")) == ["a", "b"]
    assert paths_of(DeleteFile("a")) == ["a"]


# An empty file, written over one the request never names --------------------------------------


def test_emptying_a_file_the_request_never_names_is_refused():
    policy = LazinessPolicy.for_request("add a priority field", "add")
    result = dry_run({"models.py": "x = 1\n"}, [WriteFile("models.py", "")], judge=policy)
    assert result.files == {"models.py": "x = 1\n"}
    assert result.failures[0].reason.startswith("it would empty the file")


@pytest.mark.parametrize(
    "prompt",
    [
        "empty models.py",
        "clear the models file",
        "blank out src/app/models.py please",
        "empty the Models",
    ],
)
def test_emptying_a_file_the_request_names_is_done(prompt):
    policy = LazinessPolicy.for_request(prompt, "modify")
    assert policy("src/app/models.py", "x = 1\n", "", True, False) is None


@pytest.mark.parametrize(
    ("path", "prompt"),
    [
        ("src/app/views.py", "clear the app folder"),  # a folder is not the file's name
        ("conf/settings.local.py", "clear settings.local"),  # the name's first part is
        ("a/b.py", "clear a"),
    ],
)
def test_a_file_is_named_by_its_path_name_or_first_part_only(path, prompt):
    policy = LazinessPolicy.for_request(prompt, "modify")
    verdict = policy(path, "x = 1\n", "", True, False)
    assert (verdict is None) is (path == "conf/settings.local.py")


def test_a_short_stem_does_not_name_a_file():
    policy = LazinessPolicy.for_request("add an io helper", "add")
    assert policy("io.py", "x = 1\n", "", True, False) is not None
    assert policy("io.py", "\n", "", True, False) is None  # nothing to lose


# A block sent again in a later round ------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "now", "block", "again"),
    [
        ("a\nb\n", "a\nB\n", SearchReplace("b\n", "B\n"), True),
        (None, "a\nB\n", SearchReplace("b\n", "B\n"), False),  # the file is new in this run
        ("a\nb\n", "a\nB\n", SearchReplace("", "B\n"), False),  # nothing to find
        ("a\nb\n", "a\n", SearchReplace("b\n", ""), False),  # nothing to find after
        ("a\nb\n", "a\nb\nB\n", SearchReplace("b\n", "B\n"), False),  # its search is still here
        ("a\nb\nb\n", "a\nB\nb\n", SearchReplace("b\n", "B\n"), False),  # twice before
        ("a\nb\n", "a\nB\nB\n", SearchReplace("b\n", "B\n"), False),  # twice now
        ("a\nb\n", "a\nB\n", SearchReplace("b\n", "B\n", alternatives=(("a\n", "b\n"),)), False),
    ],
)
def test_a_block_is_taken_as_sent_again_only_when_it_reads_one_way_and_applied_once(
    original, now, block, again
):
    assert resent(original, now, block) is again


def test_a_block_with_two_ways_to_read_it_claims_no_whole_file():
    """Two ======= lines: an empty SEARCH restating the file, or the file's line replaced by
    nothing. Only one reading may apply; here both do, so the block fails loudly."""
    block = SearchReplace("", "=====\n", alternatives=(("=====\n", ""),))
    result = dry_run({"Makefile": "=====\n"}, [EditFile("Makefile", (block,))])
    assert result.files == {"Makefile": "=====\n"}
    assert [(f.path, f.reason[:40]) for f in result.failures] == [
        ("Makefile", "its block has several ======= lines, and")
    ]


# Which file a bare name or a line reference means ------------------------------------------

SETTINGS = "DEBUG = False\nTIME_ZONE = 'UTC'\nUSE_TZ = True\n"
NESTED = {"src/app/settings.py": SETTINGS, "README.md": "# x\n"}


def test_a_whole_file_under_a_bare_name_that_restates_a_nested_file_fails_naming_it():
    content = SETTINGS.replace("False", "True")
    result = dry_run(NESTED, [WriteFile("settings.py", content)])
    assert result.files == NESTED
    [failure] = result.failures
    assert (failure.path, failure.kind, failure.suggestion) == (
        "settings.py",
        "wrong_path",
        "src/app/settings.py",
    )
    assert "new version of src/app/settings.py" in failure.reason


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("settings.py", "SECRET = 'x'\n"),  # another file of the same name: new
        ("conf/settings.py", SETTINGS.replace("False", "True")),  # a folder: deliberate
        ("README.md", "# y\n"),  # it exists: a rewrite
    ],
)
def test_other_whole_files_are_written_where_they_are_named(path, content):
    result = dry_run(NESTED, [WriteFile(path, content)])
    assert result.failures == []
    assert result.files[path] == content


def test_lines_to_add_under_a_bare_name_a_folder_holds_ask_which_file():
    result = dry_run(NESTED, [EditFile("settings.py", (SearchReplace("", "X = 1\n"),))])
    assert result.files == NESTED
    assert [(f.kind, f.suggestion) for f in result.failures] == [
        ("wrong_path", "src/app/settings.py")
    ]


def test_lines_to_add_under_a_new_bare_name_create_it():
    result = dry_run(NESTED, [EditFile("urls.py", (SearchReplace("", "X = 1\n"),))])
    assert result.failures == []
    assert result.files["urls.py"] == "X = 1\n"


def test_an_edit_under_a_bare_name_goes_to_the_nested_file_where_it_applies():
    block = SearchReplace("DEBUG = False\n", "DEBUG = True\n")
    result = dry_run(NESTED, [EditFile("settings.py", (block,))])
    assert result.failures == []
    assert result.files["src/app/settings.py"] == SETTINGS.replace("False", "True")


@pytest.mark.parametrize("written", ["todo-api/src/app/settings.py", "site/src/app/settings.py"])
def test_a_whole_file_under_a_folder_the_project_lacks_restating_a_file_fails(written):
    result = dry_run(NESTED, [WriteFile(written, SETTINGS.replace("False", "True"))])
    assert result.files == NESTED
    assert [(f.kind, f.suggestion) for f in result.failures] == [
        ("wrong_path", "src/app/settings.py")
    ]


def test_a_copy_into_a_new_folder_the_request_names_is_written():
    judge = LazinessPolicy.for_request("copy the settings into a backup folder", "add")
    result = dry_run(NESTED, [WriteFile("backup/src/app/settings.py", SETTINGS)], judge=judge)
    assert result.failures == []
    assert result.files["backup/src/app/settings.py"] == SETTINGS


def test_a_hunk_from_line_zero_repeating_a_tiny_file_inserts_it_at_the_top_as_git_does():
    hunk = SearchReplace("", "alpha()\n", line_hint=0, from_diff=True, old_count=0)
    result = dry_run({"f.py": "alpha()"}, [EditFile("f.py", (hunk,))])
    assert result.failures == []
    assert result.files == {"f.py": "alpha()\nalpha()"}


def test_a_written_new_file_that_exists_fails_with_the_reason():
    result = dry_run({"app.py": APP}, [WriteFile("app.py", "x = 1\n", new=True)])
    assert result.files == {"app.py": APP}
    assert [(f.path, f.kind, f.reason) for f in result.failures] == [
        ("app.py", "claim", new_file_conflict(APP, "x = 1\n"))
    ]
    assert result.failures[0].reason.startswith("the answer says it is a new file")
