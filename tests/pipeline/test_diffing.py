"""Diffs against git's own: the changed lines must be the ones `git diff --no-index` names."""

import random
import re
import subprocess

import pytest

from orchestrator.diffing import (
    Gap,
    Hunk,
    changed_lines,
    compare_files,
    compare_versions,
    count_lines,
    file_hunks,
    gap_rows,
    line_delta,
    line_opcodes,
    split_lines,
    unified_diff,
)
from orchestrator.merge import FileChange, changes_between

random.seed(7)
BASE = [f"line {i} {random.choice('abc')}" for i in range(200)]


def text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


PAIRS = {
    "added lines": ("a\nb\n", "a\nx\ny\nb\n"),
    "removed lines": ("a\nb\nc\nd\n", "a\nd\n"),
    "added file": ("", "one\ntwo\n"),
    "removed file": ("one\ntwo\n", ""),
    "moved block": (
        text(BASE[:50] + BASE[50:60] + BASE[60:100]),
        text(BASE[:50] + BASE[60:100] + BASE[50:60]),
    ),
    "whitespace only": ("def f():\n    return 1\n", "def f():\n      return 1 \n"),
    "unicode": ("héllo\nwörld\nnaïve\n", "héllo\nwörld 🌍\nnaïve\n"),
    "no trailing newline": ("a\nb", "a\nb\n"),
    "trailing newline removed": ("a\nb\n", "a\nb"),
    "CRLF": ("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n"),
    "LF to CRLF": ("a\nb\n", "a\r\nb\r\n"),
    "scattered changes": (
        text(BASE),
        text([line + ("!" if i % 37 == 0 else "") for i, line in enumerate(BASE)]),
    ),
    "inserted function": (
        "if a:\n    pass\n\nif b:\n    pass\n",
        "if a:\n    pass\n\nif c:\n    pass\n\nif b:\n    pass\n",
    ),
}


def git_changed(old: str, new: str, tmp_path, *options: str) -> tuple[set[int], set[int]]:
    (tmp_path / "old").write_bytes(old.encode())
    (tmp_path / "new").write_bytes(new.encode())
    output = subprocess.run(
        ["git", "diff", "--no-index", "-U0", "--no-color", *options, "old", "new"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout
    removed, added = set(), set()
    for m in re.finditer(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", output, re.MULTILINE):
        start, count = int(m[1]), int(m[2] if m[2] is not None else 1)
        removed.update(range(start, start + count))
        start, count = int(m[3]), int(m[4] if m[4] is not None else 1)
        added.update(range(start, start + count))
    return removed, added


@pytest.mark.parametrize("name", list(PAIRS))
def test_changed_lines_match_git(name, tmp_path):
    old, new = PAIRS[name]
    assert changed_lines(old, new) == git_changed(old, new, tmp_path)


@pytest.mark.parametrize("name", ["whitespace only", "unicode", "scattered changes"])
def test_ignoring_whitespace_matches_git_w(name, tmp_path):
    old, new = PAIRS[name]
    assert changed_lines(old, new, ignore_whitespace=True) == git_changed(old, new, tmp_path, "-w")


def test_among_equally_short_diffs_the_counts_match_git(tmp_path):
    # Runs of identical lines allow several minimal diffs; git's heuristics may pick others.
    old, new = "}\n}\n}\nx\n}\n", "}\nx\n}\n}\n"
    mine, theirs = changed_lines(old, new), git_changed(old, new, tmp_path)
    assert (len(mine[0]), len(mine[1])) == (len(theirs[0]), len(theirs[1]))


def test_versions_are_compared_by_content_hash_with_renames():
    old = {"a.py": "h1", "b.py": "h2", "old_name.md": "h3", "gone.txt": "h4"}
    new = {"a.py": "h1", "b.py": "h5", "new_name.md": "h3", "fresh.txt": "h6"}
    contents = {"h2": "x\ny\n", "h5": "x\nz\n", "h4": "bye\n", "h6": "hi\nthere\n"}
    diffs = compare_versions(old, new, contents, ignore_whitespace=False)
    assert [(d.path, d.status, d.old_path, d.added, d.removed) for d in diffs] == [
        ("b.py", "modified", None, 1, 1),
        ("fresh.txt", "added", None, 2, 0),
        ("gone.txt", "deleted", None, 0, 1),
        ("new_name.md", "renamed", "old_name.md", 0, 0),
    ]


def test_whitespace_only_files_are_marked_when_whitespace_is_hidden():
    [diff] = compare_versions({"a": "h1"}, {"a": "h2"}, {"h1": "x = 1\n", "h2": "x  =  1\n"}, True)
    assert (diff.whitespace_only, diff.added, diff.removed) == (True, 0, 0)


def test_binary_looking_files_are_not_diffed():
    [diff] = compare_versions({}, {"logo.png": "h"}, {"h": "\x89PNG\x00\x00"}, False)
    assert diff.binary


def test_hunks_keep_three_lines_of_context_and_collapse_the_rest():
    old = split_lines("".join(f"line {i}\n" for i in range(40)))
    new = list(old)
    new[20] = "changed\n"
    parts = file_hunks(old, new, line_opcodes(old, new))
    assert [type(p) for p in parts] == [Gap, Hunk, Gap]
    hunk = parts[1]
    assert [(r.kind, r.old_number, r.new_number) for r in hunk.rows] == [
        ("context", 18, 18),
        ("context", 19, 19),
        ("context", 20, 20),
        ("delete", 21, None),
        ("insert", None, 21),
        ("context", 22, 22),
        ("context", 23, 23),
        ("context", 24, 24),
    ]
    assert (parts[0].size, parts[2].size) == (17, 16)
    rows = gap_rows(old, parts[2])
    assert (rows[0].old_number, rows[-1].new_number, rows[0].html) == (25, 40, "line 24\n")


def test_side_by_side_puts_deletions_beside_their_replacements():
    old, new = split_lines("a\nb\nc\n"), split_lines("a\nB\nB2\nc\n")
    [hunk] = file_hunks(old, new, line_opcodes(old, new))
    pairs = [(p.left and p.left.kind, p.right and p.right.kind) for p in hunk.pairs()]
    assert pairs == [
        ("context", "context"),
        ("delete", "insert"),
        (None, "insert"),
        ("context", "context"),
    ]


SWAPPED = (
    "def first():\n    return 1\n\n\ndef second():\n    return 2\n",
    "def second():\n    return 2\n\n\ndef first():\n    return 1\n",
)


@pytest.mark.parametrize("name", list(PAIRS))
def test_a_runs_change_counts_are_the_diffs(name, tmp_path):
    old, new = PAIRS[name]
    removed, added = git_changed(old, new, tmp_path)
    assert line_delta(old, new) == (len(added), len(removed))
    [change] = changes_between({"f.txt": old}, {"f.txt": new}) if old and new else [None]
    if change is not None:
        [diff] = compare_files({"f.txt": old}, {"f.txt": new})
        assert (change.lines_added, change.lines_removed) == (diff.added, diff.removed)


def test_swapping_two_functions_counts_the_lines_that_moved():
    # A multiset count saw the same lines before and after: +0/-0 for a real change.
    assert line_delta(*SWAPPED) == (4, 4)
    assert changes_between({"a.py": SWAPPED[0]}, {"a.py": SWAPPED[1]}) == [
        FileChange("a.py", "modified", 4, 4)
    ]


def test_lines_are_counted_as_the_diff_counts_them():
    assert [count_lines(t) for t in ("", "a", "a\n", "a\nb", "a\rb\n", "a\u2028b\n")] == [
        0,
        1,
        1,
        2,
        1,
        1,
    ]


def test_a_recorded_rename_pairs_exactly_those_paths():
    old = {"a.py": "1\n2\n3\n", "same.txt": "x\n"}
    new = {"b.py": "1\n2\n4\n", "copy.txt": "x\n"}
    recorded = compare_files(old, new, renames={"b.py": "a.py"})
    assert [(d.path, d.status, d.old_path, d.added, d.removed) for d in recorded] == [
        ("b.py", "renamed", "a.py", 1, 1),
        ("copy.txt", "added", None, 1, 0),
        ("same.txt", "deleted", None, 0, 1),
    ]
    guessed = compare_files(old, new)  # no record: same content under a new name
    assert [(d.path, d.status, d.old_path) for d in guessed] == [
        ("a.py", "deleted", None),
        ("b.py", "added", None),
        ("copy.txt", "renamed", "same.txt"),
    ]


@pytest.mark.parametrize("name", [*PAIRS, "swapped functions"])
def test_the_unified_text_applies_with_git(name, tmp_path):
    old, new = SWAPPED if name == "swapped functions" else PAIRS[name]
    (tmp_path / "f.txt").write_bytes(old.encode())
    patch = unified_diff(old, new, "a/f.txt", "b/f.txt")
    (tmp_path / "change.patch").write_bytes(patch.encode())
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    applied = subprocess.run(
        ["git", "apply", "change.patch"], cwd=tmp_path, capture_output=True, text=True
    )
    assert applied.returncode == 0, applied.stderr
    assert (tmp_path / "f.txt").read_bytes() == new.encode()
    assert unified_diff(old, old, "a/f.txt", "b/f.txt") == ""
