"""Exact results of the merge's dry run: files, failures (kind, block number, reason,
suggestion), notes and renames, for one scenario each."""

from dataclasses import dataclass, field

import pytest

from orchestrator.laziness import LazinessPolicy
from orchestrator.merge import Failure, dry_run
from orchestrator.operations import DeleteFile, EditFile, RenameFile, SearchReplace, WriteFile

B = SearchReplace
F = {"a.py": "x = 1\ny = 2\nz = 3\n", "docs/guide.md": "# Guide\n", "README.md": "# Hi\n"}
JUDGE = LazinessPolicy.for_request("change it", "modify")


@dataclass(frozen=True)
class Scenario:
    """Operations applied to files in a dry run, and exactly what must come of it: the
    files changed (path -> content) and removed, the failures, the notes and the renames.
    `base` is the project before this run, when an earlier round already changed it."""

    name: str
    operations: list
    files: dict = field(default_factory=lambda: F)
    base: dict | None = None
    changed: dict = field(default_factory=dict)
    removed: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    renames: dict = field(default_factory=dict)


SCENARIOS = [
    Scenario(
        "two blocks, the second fails",
        operations=[
            EditFile(
                path="a.py",
                blocks=(
                    SearchReplace(search="x = 1\n", replace="x = 10\n"),
                    SearchReplace(search="nope\n", replace="n\n"),
                ),
            )
        ],
        changed={"a.py": "x = 10\ny = 2\nz = 3\n"},
        failures=[
            Failure(
                path="a.py",
                reason="its SEARCH text matches nowhere in the current file",
                kind="edit",
                block=2,
                search="nope\n",
            )
        ],
    ),
    Scenario(
        "blocks numbered across operations on one file",
        operations=[
            EditFile(path="a.py", blocks=(SearchReplace(search="x = 1\n", replace="x = 10\n"),)),
            EditFile(
                path="a.py",
                blocks=(
                    SearchReplace(search="nope\n", replace="n\n"),
                    SearchReplace(search="gone\n", replace="g\n"),
                ),
            ),
        ],
        changed={"a.py": "x = 10\ny = 2\nz = 3\n"},
        failures=[
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
    ),
    Scenario(
        "an ambiguous block",
        files={"a.py": "x\nx\n"},
        operations=[EditFile(path="a.py", blocks=(SearchReplace(search="x\n", replace="y\n"),))],
        failures=[
            Failure(
                path="a.py",
                reason="its SEARCH text matches 2 places; it needs more lines to match one",
                kind="edit",
                block=1,
                search="x\n",
            )
        ],
    ),
    Scenario(
        "a block of an edit that creates a file",
        operations=[
            EditFile(
                path="new.py",
                blocks=(
                    SearchReplace(search="", replace="a\n"),
                    SearchReplace(search="", replace="b\n"),
                ),
            )
        ],
        changed={"new.py": "a\nb\n"},
    ),
    Scenario(
        "an edit of a missing file, matching elsewhere",
        operations=[
            EditFile(path="b.py", blocks=(SearchReplace(search="y = 2\n", replace="y = 3\n"),))
        ],
        failures=[
            Failure(
                path="b.py",
                reason="b.py does not exist",
                kind="wrong_path",
                block=None,
                search="",
                suggestion="a.py",
            )
        ],
    ),
    Scenario(
        "an edit of a missing file by its bare name",
        operations=[
            EditFile(
                path="guide.md", blocks=(SearchReplace(search="# Guide\n", replace="# Guide!\n"),)
            )
        ],
        changed={"docs/guide.md": "# Guide!\n"},
        notes=["The model named guide.md; its edit applied to docs/guide.md."],
    ),
    Scenario(
        "an edit by bare name whose block fails there",
        operations=[
            EditFile(path="guide.md", blocks=(SearchReplace(search="nope\n", replace="x\n"),))
        ],
        failures=[Failure(path="guide.md", reason="guide.md does not exist", kind="wrong_path")],
    ),
    Scenario(
        "a write onto a folder",
        operations=[WriteFile(path="docs", content="x\n")],
        failures=[
            Failure(
                path="docs",
                reason="docs is a folder, so it cannot be written as a file",
                kind="wrong_path",
            )
        ],
    ),
    Scenario(
        "a delete of a folder",
        operations=[DeleteFile(path="docs")],
        removed=["docs/guide.md"],
    ),
    Scenario(
        "a delete of a missing file",
        operations=[DeleteFile(path="ghost.py")],
        failures=[
            Failure(
                path="ghost.py",
                reason="ghost.py does not exist, so it cannot be deleted",
                kind="missing",
            )
        ],
    ),
    Scenario(
        "a rename of a missing file",
        operations=[RenameFile(path="ghost.py", new_path="g.py")],
        failures=[
            Failure(
                path="ghost.py",
                reason="ghost.py does not exist, so it cannot be renamed",
                kind="wrong_path",
            )
        ],
    ),
    Scenario(
        "a rename onto an existing file",
        operations=[RenameFile(path="a.py", new_path="README.md")],
        failures=[
            Failure(
                path="a.py", reason="it cannot be renamed to README.md, which exists", kind="edit"
            )
        ],
    ),
    Scenario(
        "a rename into a folder",
        operations=[RenameFile(path="a.py", new_path="docs")],
        changed={"docs/a.py": "x = 1\ny = 2\nz = 3\n"},
        removed=["a.py"],
        renames={"docs/a.py": "a.py"},
    ),
    Scenario(
        "a rename with a trailing slash",
        operations=[RenameFile(path="a.py", new_path="lib/")],
        changed={"lib/a.py": "x = 1\ny = 2\nz = 3\n"},
        removed=["a.py"],
        renames={"lib/a.py": "a.py"},
    ),
    Scenario(
        "a rename to itself",
        operations=[RenameFile(path="a.py", new_path="a.py")],
    ),
    Scenario(
        "a rename of a folder",
        operations=[RenameFile(path="docs", new_path="manual")],
        changed={"manual/guide.md": "# Guide\n"},
        removed=["docs/guide.md"],
        renames={"manual/guide.md": "docs/guide.md"},
    ),
    Scenario(
        "a rename to another case",
        operations=[RenameFile(path="README.md", new_path="readme.md")],
        changed={"readme.md": "# Hi\n"},
        removed=["README.md"],
        renames={"readme.md": "README.md"},
    ),
    Scenario(
        "a rename onto a case twin of another file",
        files={"a.py": "a\n", "B.py": "b\n"},
        operations=[RenameFile(path="a.py", new_path="b.py")],
        failures=[
            Failure(path="a.py", reason="it cannot be renamed to b.py, which exists", kind="edit")
        ],
    ),
    Scenario(
        "a write to a case twin",
        operations=[WriteFile(path="readme.MD", content="# Yo\n")],
        changed={"README.md": "# Yo\n"},
        notes=["The model wrote readme.MD; it was taken as the existing README.md."],
    ),
    Scenario(
        "a write to a case twin the answer also deletes",
        operations=[DeleteFile(path="README.md"), WriteFile(path="readme.md", content="# Yo\n")],
        changed={"readme.md": "# Yo\n"},
        removed=["README.md"],
    ),
    Scenario(
        "a write into a folder of another case",
        operations=[WriteFile(path="DOCS/new.md", content="n\n")],
        changed={"docs/new.md": "n\n"},
        notes=["The model wrote DOCS/new.md; it was taken as docs/new.md."],
    ),
    Scenario(
        "a write keeps CRLF and no final newline",
        files={"w.txt": "a\r\nb"},
        operations=[WriteFile(path="w.txt", content="c\nd\n")],
        changed={"w.txt": "c\r\nd"},
    ),
    Scenario(
        "a lazy write",
        files={"a.py": "def f():\n    a = 1\n    b = 2\n    return a + b\n"},
        operations=[WriteFile(path="a.py", content="def f():\n    ...  # unchanged\n")],
        failures=[
            Failure(
                path="a.py",
                reason="it puts a placeholder where code was: '...  # unchanged'",
                kind="lazy",
            )
        ],
    ),
    Scenario(
        "a lazy block among good ones",
        files={"a.py": "def f():\n    a = 1\n    b = 2\n    return a + b\n"},
        operations=[
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
        changed={"a.py": "def g():\n    a = 1\n    b = 2\n    return a + b\n"},
        failures=[
            Failure(
                path="a.py",
                reason="it puts a placeholder where code was: '# ... existing code ...'",
                kind="lazy",
                block=2,
                search="    a = 1\n    b = 2\n",
            )
        ],
    ),
    Scenario(
        "a block already applied in an earlier round",
        files={"a.py": "x = 10\n"},
        operations=[
            EditFile(path="a.py", blocks=(SearchReplace(search="x = 1\n", replace="x = 10\n"),))
        ],
        base={"a.py": "x = 1\n"},
    ),
    Scenario(
        "a two-reading block where both readings match",
        files={"n.md": "T\n=======\nA\n"},
        operations=[
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
        failures=[
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
    ),
    Scenario(
        "a diff hunk chosen by its line",
        files={"d.txt": "x\ny\nx\n"},
        operations=[
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="x\n", replace="X\n", alternatives=(), line_hint=3, from_diff=True
                    ),
                ),
            )
        ],
        changed={"d.txt": "x\ny\nX\n"},
    ),
    Scenario(
        "a diff hunk whose line matches neither",
        files={"d.txt": "x\ny\nx\n"},
        operations=[
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="x\n", replace="X\n", alternatives=(), line_hint=2, from_diff=True
                    ),
                ),
            )
        ],
        failures=[
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
    ),
    Scenario(
        "a diff insertion at the top",
        files={"d.txt": "a\nb\n"},
        operations=[
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="", replace="top\n", alternatives=(), line_hint=0, from_diff=True
                    ),
                ),
            )
        ],
        changed={"d.txt": "top\na\nb\n"},
    ),
    Scenario(
        "a diff insertion at the end",
        files={"d.txt": "a\nb\n"},
        operations=[
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="", replace="end\n", alternatives=(), line_hint=2, from_diff=True
                    ),
                ),
            )
        ],
        changed={"d.txt": "a\nb\nend\n"},
    ),
    Scenario(
        "a diff insertion in the middle",
        files={"d.txt": "a\nb\n"},
        operations=[
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="", replace="mid\n", alternatives=(), line_hint=1, from_diff=True
                    ),
                ),
            )
        ],
        failures=[
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
    ),
    Scenario(
        "a diff insertion into an empty file",
        files={"d.txt": ""},
        operations=[
            EditFile(
                path="d.txt",
                blocks=(
                    SearchReplace(
                        search="", replace="first\n", alternatives=(), line_hint=5, from_diff=True
                    ),
                ),
            )
        ],
        changed={"d.txt": "first\n"},
    ),
    Scenario(
        "a diff hunk from an empty old file creates the file",
        operations=[
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
        changed={"new.py": "n = 1\nm = 2\n"},
    ),
    Scenario(
        "a diff hunk that adds lines further down a file that does not exist",
        operations=[
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
        failures=[Failure(path="new.py", reason="new.py does not exist", kind="wrong_path")],
    ),
    Scenario(
        "an edit by the old name of a file the answer renamed",
        operations=[
            RenameFile("a.py", "b.py"),
            EditFile("a.py", (SearchReplace("y = 2\n", "y = 20\n"),)),
            EditFile("a.py", (SearchReplace("nowhere\n", "z\n"),)),
        ],
        changed={"b.py": "x = 1\ny = 20\nz = 3\n"},
        removed=["a.py"],
        failures=[
            Failure(
                path="b.py",
                reason="its SEARCH text matches nowhere in the current file",
                kind="edit",
                block=2,
                search="nowhere\n",
            )
        ],
        notes=[
            "The model edited a.py by its old name; it is now b.py.",
            "The model edited a.py by its old name; it is now b.py.",
        ],
        renames={"b.py": "a.py"},
    ),
    Scenario(
        "a fenced search and replace",
        operations=[
            EditFile(
                path="a.py",
                blocks=(SearchReplace(search="```\ny = 2\n```\n", replace="```\ny = 20\n```\n"),),
            )
        ],
        changed={"a.py": "x = 1\ny = 20\nz = 3\n"},
    ),
    Scenario(
        "a fenced search with a plain replace",
        operations=[
            EditFile(
                path="a.py", blocks=(SearchReplace(search="```\ny = 2\n```\n", replace="y = 20\n"),)
            )
        ],
        failures=[
            Failure(
                path="a.py",
                reason="its SEARCH text matches nowhere in the current file",
                kind="edit",
                block=1,
                search="```\ny = 2\n```\n",
            )
        ],
    ),
    Scenario(
        "a search with blank lines around",
        operations=[
            EditFile(
                path="a.py", blocks=(SearchReplace(search="\n\ny = 2\n\n", replace="y = 22\n"),)
            )
        ],
        changed={"a.py": "x = 1\ny = 22\nz = 3\n"},
    ),
]


@pytest.mark.parametrize("case", SCENARIOS, ids=[case.name for case in SCENARIOS])
def test_dry_run(case):
    files = dict(case.files)
    result = dry_run(files, case.operations, judge=JUDGE, base=case.base)
    assert {p: c for p, c in result.files.items() if files.get(p) != c} == case.changed
    assert sorted(set(files) - set(result.files)) == case.removed
    assert result.failures == case.failures
    assert result.notes == case.notes
    assert result.renames == case.renames
    assert files == case.files  # the input is never changed
