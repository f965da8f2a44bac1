"""Exact results of the merge's dry run: files, failures (kind, block number, reason,
suggestion), notes and renames, for one scenario each."""

import pytest

from orchestrator.laziness import LazinessPolicy
from orchestrator.merge import Failure, dry_run
from orchestrator.operations import DeleteFile, EditFile, RenameFile, SearchReplace, WriteFile

B = SearchReplace
F = {"a.py": "x = 1\ny = 2\nz = 3\n", "docs/guide.md": "# Guide\n", "README.md": "# Hi\n"}
JUDGE = LazinessPolicy.for_request("change it", "modify")

SCENARIOS = {
    "two blocks, the second fails": (
        F,
        [
            EditFile(
                path="a.py",
                blocks=(
                    SearchReplace(search="x = 1\n", replace="x = 10\n"),
                    SearchReplace(search="nope\n", replace="n\n"),
                ),
            )
        ],
        None,
        {"a.py": "x = 10\ny = 2\nz = 3\n"},
        [],
        [
            Failure(
                path="a.py",
                reason="its SEARCH text matches nowhere in the current file",
                kind="edit",
                block=2,
                search="nope\n",
            )
        ],
        [],
        {},
    ),
    "blocks numbered across operations on one file": (
        F,
        [
            EditFile(path="a.py", blocks=(SearchReplace(search="x = 1\n", replace="x = 10\n"),)),
            EditFile(
                path="a.py",
                blocks=(
                    SearchReplace(search="nope\n", replace="n\n"),
                    SearchReplace(search="gone\n", replace="g\n"),
                ),
            ),
        ],
        None,
        {"a.py": "x = 10\ny = 2\nz = 3\n"},
        [],
        [
            Failure(
                path="a.py",
                reason="its SEARCH text matches nowhere in the current file",
                kind="edit",
                block=2,
                search="nope\n",
            ),
            Failure(
                path="a.py",
                reason="its SEARCH text matches nowhere in the current file",
                kind="edit",
                block=3,
                search="gone\n",
            ),
        ],
        [],
        {},
    ),
    "an ambiguous block": (
        {"a.py": "x\nx\n"},
        [EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        None,
        {},
        [],
        [
            Failure(
                path="a.py",
                reason="its SEARCH text matches 2 places; it needs more lines to match one",
                kind="edit",
                block=1,
                search="x\n",
            )
        ],
        [],
        {},
    ),
    "a block of an edit that creates a file": (
        F,
        [
            EditFile(
                path="new.py",
                blocks=(
                    SearchReplace(search="", replace="a\n"),
                    SearchReplace(search="", replace="b\n"),
                ),
            )
        ],
        None,
        {"new.py": "a\nb\n"},
        [],
        [],
        [],
        {},
    ),
    "an edit of a missing file, matching elsewhere": (
        F,
        [EditFile(path="b.py", blocks=(SearchReplace(search="y = 2\n", replace="y = 3\n"),))],
        None,
        {},
        [],
        [
            Failure(
                path="b.py",
                reason="b.py does not exist",
                kind="wrong_path",
                block=None,
                search="",
                suggestion="a.py",
            )
        ],
        [],
        {},
    ),
    "an edit of a missing file by its bare name": (
        F,
        [
            EditFile(
                path="guide.md", blocks=(SearchReplace(search="# Guide\n", replace="# Guide!\n"),)
            )
        ],
        None,
        {"docs/guide.md": "# Guide!\n"},
        [],
        [],
        ["The model named guide.md; its edit applied to docs/guide.md."],
        {},
    ),
    "an edit by bare name whose block fails there": (
        F,
        [EditFile(path="guide.md", blocks=(SearchReplace(search="nope\n", replace="x\n"),))],
        None,
        {},
        [],
        [Failure(path="guide.md", reason="guide.md does not exist", kind="wrong_path")],
        [],
        {},
    ),
    "a write onto a folder": (
        F,
        [WriteFile(path="docs", content="x\n")],
        None,
        {},
        [],
        [
            Failure(
                path="docs",
                reason="docs is a folder, so it cannot be written as a file",
                kind="wrong_path",
            )
        ],
        [],
        {},
    ),
    "a delete of a folder": (
        F,
        [DeleteFile(path="docs")],
        None,
        {},
        ["docs/guide.md"],
        [],
        [],
        {},
    ),
    "a delete of a missing file": (
        F,
        [DeleteFile(path="ghost.py")],
        None,
        {},
        [],
        [
            Failure(
                path="ghost.py",
                reason="ghost.py does not exist, so it cannot be deleted",
                kind="missing",
            )
        ],
        [],
        {},
    ),
    "a rename of a missing file": (
        F,
        [RenameFile(path="ghost.py", new_path="g.py")],
        None,
        {},
        [],
        [
            Failure(
                path="ghost.py",
                reason="ghost.py does not exist, so it cannot be renamed",
                kind="wrong_path",
            )
        ],
        [],
        {},
    ),
    "a rename onto an existing file": (
        F,
        [RenameFile(path="a.py", new_path="README.md")],
        None,
        {},
        [],
        [
            Failure(
                path="a.py", reason="it cannot be renamed to README.md, which exists", kind="edit"
            )
        ],
        [],
        {},
    ),
    "a rename into a folder": (
        F,
        [RenameFile(path="a.py", new_path="docs")],
        None,
        {"docs/a.py": "x = 1\ny = 2\nz = 3\n"},
        ["a.py"],
        [],
        [],
        {"docs/a.py": "a.py"},
    ),
    "a rename with a trailing slash": (
        F,
        [RenameFile(path="a.py", new_path="lib/")],
        None,
        {"lib/a.py": "x = 1\ny = 2\nz = 3\n"},
        ["a.py"],
        [],
        [],
        {"lib/a.py": "a.py"},
    ),
    "a rename to itself": (
        F,
        [RenameFile(path="a.py", new_path="a.py")],
        None,
        {},
        [],
        [],
        [],
        {},
    ),
    "a rename of a folder": (
        F,
        [RenameFile(path="docs", new_path="manual")],
        None,
        {"manual/guide.md": "# Guide\n"},
        ["docs/guide.md"],
        [],
        [],
        {"manual/guide.md": "docs/guide.md"},
    ),
    "a rename to another case": (
        F,
        [RenameFile(path="README.md", new_path="readme.md")],
        None,
        {"readme.md": "# Hi\n"},
        ["README.md"],
        [],
        [],
        {"readme.md": "README.md"},
    ),
    "a rename onto a case twin of another file": (
        {"a.py": "a\n", "B.py": "b\n"},
        [RenameFile(path="a.py", new_path="b.py")],
        None,
        {},
        [],
        [Failure(path="a.py", reason="it cannot be renamed to b.py, which exists", kind="edit")],
        [],
        {},
    ),
    "a write to a case twin": (
        F,
        [WriteFile(path="readme.MD", content="# Yo\n")],
        None,
        {"README.md": "# Yo\n"},
        [],
        [],
        ["The model wrote readme.MD; it was taken as the existing README.md."],
        {},
    ),
    "a write to a case twin the answer also deletes": (
        F,
        [DeleteFile(path="README.md"), WriteFile(path="readme.md", content="# Yo\n")],
        None,
        {"readme.md": "# Yo\n"},
        ["README.md"],
        [],
        [],
        {},
    ),
    "a write into a folder of another case": (
        F,
        [WriteFile(path="DOCS/new.md", content="n\n")],
        None,
        {"docs/new.md": "n\n"},
        [],
        [],
        ["The model wrote DOCS/new.md; it was taken as docs/new.md."],
        {},
    ),
    "a write keeps CRLF and no final newline": (
        {"w.txt": "a\r\nb"},
        [WriteFile(path="w.txt", content="c\nd\n")],
        None,
        {"w.txt": "c\r\nd"},
        [],
        [],
        [],
        {},
    ),
    "a lazy write": (
        {"a.py": "def f():\n    a = 1\n    b = 2\n    return a + b\n"},
        [WriteFile(path="a.py", content="def f():\n    ...  # unchanged\n")],
        None,
        {},
        [],
        [
            Failure(
                path="a.py",
                reason="it puts a placeholder where code was: '...  # unchanged'",
                kind="lazy",
            )
        ],
        [],
        {},
    ),
    "a lazy block among good ones": (
        {"a.py": "def f():\n    a = 1\n    b = 2\n    return a + b\n"},
        [
            EditFile(
                path="a.py",
                blocks=(
                    SearchReplace(search="def f():\n", replace="def g():\n"),
                    SearchReplace(
                        search="    a = 1\n    b = 2\n", replace="    # ... existing code ...\n"
                    ),
                ),
            )
        ],
        None,
        {"a.py": "def g():\n    a = 1\n    b = 2\n    return a + b\n"},
        [],
        [
            Failure(
                path="a.py",
                reason="it puts a placeholder where code was: '# ... existing code ...'",
                kind="lazy",
                block=2,
                search="    a = 1\n    b = 2\n",
            )
        ],
        [],
        {},
    ),
    "a block already applied in an earlier round": (
        {"a.py": "x = 10\n"},
        [EditFile(path="a.py", blocks=(SearchReplace(search="x = 1\n", replace="x = 10\n"),))],
        {"a.py": "x = 1\n"},
        {},
        [],
        [],
        [],
        {},
    ),
    "a two-reading block where both readings match": (
        {"n.md": "T\n=======\nA\n"},
        [
            EditFile(
                path="n.md",
                blocks=(
                    SearchReplace(
                        search="T\n",
                        replace="A\n=======\nT\n=======\nB\n",
                        alternatives=(
                            ("T\n=======\nA\n", "T\n=======\nB\n"),
                            ("T\n=======\nA\n=======\nT\n", "B\n"),
                        ),
                        line_hint=None,
                        from_diff=False,
                    ),
                ),
            )
        ],
        None,
        {},
        [],
        [
            Failure(
                path="n.md",
                reason=(
                    "its block has several ======= lines, and more than one way of reading "
                    "it matches"
                ),
                kind="edit",
                block=1,
                search="T\n",
            )
        ],
        [],
        {},
    ),
    "a diff hunk chosen by its line": (
        {"d.txt": "x\ny\nx\n"},
        [
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="x\n", replace="X\n", alternatives=(), line_hint=3, from_diff=True
                    ),
                ),
            )
        ],
        None,
        {"d.txt": "x\ny\nX\n"},
        [],
        [],
        [],
        {},
    ),
    "a diff hunk whose line matches neither": (
        {"d.txt": "x\ny\nx\n"},
        [
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="x\n", replace="X\n", alternatives=(), line_hint=2, from_diff=True
                    ),
                ),
            )
        ],
        None,
        {},
        [],
        [
            Failure(
                path="d.txt",
                reason=(
                    "its lines match 2 places, and its line number (2) does not point at one "
                    "of them clearly; it needs more lines of context to match one"
                ),
                kind="edit",
                block=1,
                search="x\n",
            )
        ],
        [],
        {},
    ),
    "a diff insertion at the top": (
        {"d.txt": "a\nb\n"},
        [
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="", replace="top\n", alternatives=(), line_hint=0, from_diff=True
                    ),
                ),
            )
        ],
        None,
        {"d.txt": "top\na\nb\n"},
        [],
        [],
        [],
        {},
    ),
    "a diff insertion at the end": (
        {"d.txt": "a\nb\n"},
        [
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="", replace="end\n", alternatives=(), line_hint=2, from_diff=True
                    ),
                ),
            )
        ],
        None,
        {"d.txt": "a\nb\nend\n"},
        [],
        [],
        [],
        {},
    ),
    "a diff insertion in the middle": (
        {"d.txt": "a\nb\n"},
        [
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="", replace="mid\n", alternatives=(), line_hint=1, from_diff=True
                    ),
                ),
            )
        ],
        None,
        {},
        [],
        [
            Failure(
                path="d.txt",
                reason=(
                    "its diff hunk only adds lines and quotes no context, so where they go "
                    "is unclear"
                ),
                kind="edit",
                block=1,
            )
        ],
        [],
        {},
    ),
    "a diff insertion into an empty file": (
        {"d.txt": ""},
        [
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="", replace="first\n", alternatives=(), line_hint=5, from_diff=True
                    ),
                ),
            )
        ],
        None,
        {"d.txt": "first\n"},
        [],
        [],
        [],
        {},
    ),
    "a diff hunk from an empty old file creates the file": (
        F,
        [
            EditFile(
                path="new.py",
                blocks=(
                    SearchReplace(
                        search="", replace="n = 1\n", alternatives=(), line_hint=0, from_diff=True
                    ),
                    SearchReplace(
                        search="", replace="m = 2\n", alternatives=(), line_hint=0, from_diff=True
                    ),
                ),
            )
        ],
        None,
        {"new.py": "n = 1\nm = 2\n"},
        [],
        [],
        [],
        {},
    ),
    "a diff hunk that adds lines further down a file that does not exist": (
        F,
        [
            EditFile(
                path="new.py",
                blocks=(
                    SearchReplace(
                        search="", replace="n = 1\n", alternatives=(), line_hint=0, from_diff=True
                    ),
                    SearchReplace(
                        search="", replace="m = 2\n", alternatives=(), line_hint=5, from_diff=True
                    ),
                ),
            )
        ],
        None,
        {},
        [],
        [Failure(path="new.py", reason="new.py does not exist", kind="wrong_path")],
        [],
        {},
    ),
    "an edit by the old name of a file the answer renamed": (
        F,
        [
            RenameFile("a.py", "b.py"),
            EditFile("a.py", (SearchReplace("y = 2\n", "y = 20\n"),)),
            EditFile("a.py", (SearchReplace("nowhere\n", "z\n"),)),
        ],
        None,
        {"b.py": "x = 1\ny = 20\nz = 3\n"},
        ["a.py"],
        [
            Failure(
                path="b.py",
                reason="its SEARCH text matches nowhere in the current file",
                kind="edit",
                block=2,
                search="nowhere\n",
            )
        ],
        [
            "The model edited a.py by its old name; it is now b.py.",
            "The model edited a.py by its old name; it is now b.py.",
        ],
        {"b.py": "a.py"},
    ),
    "a fenced search and replace": (
        F,
        [
            EditFile(
                path="a.py",
                blocks=(SearchReplace(search="```\ny = 2\n```\n", replace="```\ny = 20\n```\n"),),
            )
        ],
        None,
        {"a.py": "x = 1\ny = 20\nz = 3\n"},
        [],
        [],
        [],
        {},
    ),
    "a fenced search with a plain replace": (
        F,
        [
            EditFile(
                path="a.py", blocks=(SearchReplace(search="```\ny = 2\n```\n", replace="y = 20\n"),)
            )
        ],
        None,
        {},
        [],
        [
            Failure(
                path="a.py",
                reason="its SEARCH text matches nowhere in the current file",
                kind="edit",
                block=1,
                search="```\ny = 2\n```\n",
            )
        ],
        [],
        {},
    ),
    "a search with blank lines around": (
        F,
        [
            EditFile(
                path="a.py", blocks=(SearchReplace(search="\n\ny = 2\n\n", replace="y = 22\n"),)
            )
        ],
        None,
        {"a.py": "x = 1\ny = 22\nz = 3\n"},
        [],
        [],
        [],
        {},
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_dry_run(name):
    files, operations, base, changed, removed, failures, notes, renames = SCENARIOS[name]
    result = dry_run(files, operations, judge=JUDGE, base=base)
    assert {p: c for p, c in result.files.items() if files.get(p) != c} == changed
    assert sorted(set(files) - set(result.files)) == removed
    assert result.failures == failures
    assert result.notes == notes
    assert result.renames == renames
    assert files == SCENARIOS[name][0]  # the input is never changed
