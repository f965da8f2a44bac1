"""Diffs checked against oracles no one here wrote: real `git apply` and GNU `patch`.

Hypothesis makes random files (duplicate lines, blank lines, the same line at two
indentation levels, CRLF or mixed endings, no final newline, a BOM) and random edits of
them. Real `git diff` writes each edit as a unified diff (3, 1 or 0 lines of context, one
of git's diff algorithms); the diff is then given as it is, with its line numbers shifted
(by a little or by hundreds), with wrong counts, with its hunks out of order, without line
numbers, or as an apply_patch answer. `git apply --check` then `git apply` (in a temporary
repository; `--unidiff-zero` for zero-context diffs) and `patch` read the same diff.

    where git applies cleanly, Iterum gives git's files, or refuses for a stated reason
    (the diff's numbers were corrupted and its lines match several places; a hunk with no
    context whose number nothing proves);
    where git and patch agree, that is the file; where they differ, Iterum gives one of
    theirs or the intended file, or refuses;
    where git and patch both refuse, Iterum gives the intended file or refuses.

Never other files. The comparisons are counted and printed at the end of the module
(`N git-oracle comparisons, M agreed`). PROPERTY_EXAMPLES sets the examples.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from orchestrator import LocalHost, ProjectBrief, iterate
from orchestrator.errors import PipelineError
from orchestrator.options import RunOptions
from tests.support.scripted import ScriptedProvider

pytestmark = pytest.mark.skipif(
    not (shutil.which("git") and shutil.which("patch")), reason="needs git and GNU patch"
)
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300"))
BRIEF = ProjectBrief(title="Oracle", prompt="p", stack="python")
PATH = "f.py"
BOM = "\ufeff"
# Lines that repeat, at two indentation levels, blank, with trailing spaces: the places
# where a hunk can match more than once.
VOCABULARY = [
    "alpha()",
    "beta = 2",
    "    gamma(x)",
    "        gamma(x)",
    "    return x",
    "        return x",
    "}",
    "",
    "",
    "end",
    "delta = [1, 2]",
    "if ready:",
    "    ready = False",
    "total += 1  ",
    "x",
    "y",
]
TALLY: Counter = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_the_tally(request):
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    line = (
        f"diff oracles: {TALLY['comparisons']} git-oracle comparisons, {TALLY['agreed']} "
        f"agreed ({TALLY['applied alike']} applied alike, {TALLY['refused alike']} refused "
        f"alike); Iterum refused where git applied: {TALLY['iterum refused']}; Iterum applied "
        f"the intended file where git refused: {TALLY['iterum more tolerant']}; patch "
        f"comparisons {TALLY['patch comparisons']}, agreed {TALLY['patch agreed']} (git and "
        f"patch themselves differed {TALLY['git and patch differ']} times)"
    )
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
            if os.environ.get("ORACLE_REFUSALS"):
                for (kind, why), count in REFUSALS.most_common():
                    reporter.write_line(f"  {count:4} {kind}: {why}")
    with open(os.path.join(tempfile.gettempdir(), "iterum-diff-oracles.txt"), "w") as out:
        out.write(line + "\n")


@pytest.fixture(scope="module")
def workspace():
    folder = tempfile.mkdtemp(prefix="iterum-oracle-")
    _git(folder, "init", "-q", ".")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _git(folder: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-c", "core.autocrlf=false", "-c", "core.safecrlf=false", *args],
        cwd=folder,
        input=stdin,
        capture_output=True,
        check=False,
    )


# Files and edits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    old: str
    new: str  # the intended file: kept lines keep their endings, new ones take the file's


@st.composite
def examples(draw) -> Example:
    bodies = draw(st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=24))
    style = draw(st.sampled_from(["lf", "lf", "crlf", "mixed"]))
    endings = [
        {"lf": "\n", "crlf": "\r\n"}.get(style) or draw(st.sampled_from(["\n", "\r\n"]))
        for _ in bodies
    ]
    final = draw(st.booleans()) or not bodies
    if bodies and not final:
        endings[-1] = ""
        assume(bodies[-1])  # a blank last line without its newline is no line at all
    bom = BOM if bodies and draw(st.integers(0, 5)) == 0 else ""
    lines = list(zip(bodies, endings, strict=True))
    old = bom + "".join(b + e for b, e in lines)
    dominant = _dominant(old)
    edits = draw(_edits(len(lines)))
    new_lines: list[tuple[str, str]] = []
    cursor = 0
    for start, size, replacement in edits:
        new_lines += lines[cursor:start]
        replaced = {lines[i][0].strip() for i in range(start, start + size)}
        # A replacement line never repeats a line it replaces: such a line is kept, with its
        # own ending, and the edit would read two ways.
        new_lines += [(body, dominant) for body in replacement if body.strip() not in replaced]
        cursor = start + size
    new_lines += lines[cursor:]
    if new_lines:
        last_body, last_ending = new_lines[-1]
        new_lines = [(b, e or dominant) for b, e in new_lines[:-1]] + [
            (last_body, last_ending if final else "")
        ]
        if final and not last_ending:
            new_lines[-1] = (last_body, dominant)
    assume(bom == "" or new_lines)  # a file emptied of every line keeps no BOM to compare
    assume(final or not new_lines or new_lines[-1][0])  # a blank last line needs its newline
    new = bom + "".join(b + e for b, e in new_lines)
    assume(new != old)
    return Example(old, new)


@st.composite
def _edits(draw, length: int) -> list[tuple[int, int, list[str]]]:
    """Non-overlapping (start, lines replaced, new lines), in order."""
    edits = []
    cursor = 0
    for _ in range(draw(st.integers(1, 4))):
        if cursor > length:
            break
        start = draw(st.integers(cursor, length))
        size = draw(st.integers(0, min(3, length - start)))
        fresh = st.sampled_from(VOCABULARY) | st.builds("added_{}()".format, st.integers(0, 99))
        replacement = draw(st.lists(fresh, min_size=0 if size else 1, max_size=3))
        edits.append((start, size, replacement))
        cursor = start + size + 1  # at least one line between edits, as diffs have
    return edits


def _dominant(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


# Writing the diff --------------------------------------------------------------------------


def git_diff(folder: str, example: Example, context: int, algorithm: str) -> str:
    for name, text in (("old", example.old), ("new", example.new)):
        with open(os.path.join(folder, name), "wb") as out:
            out.write(text.encode())
    diff = _git(
        folder,
        "diff",
        "--no-index",
        "--no-color",
        "--no-ext-diff",
        f"-U{context}",
        f"--diff-algorithm={algorithm}",
        "old",
        "new",
    ).stdout.decode()
    return diff.replace("a/old", f"a/{PATH}").replace("b/new", f"b/{PATH}")


_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$", re.MULTILINE)


def split_hunks(diff: str) -> tuple[str, list[str]]:
    head, *hunks = re.split(r"(?m)^(?=@@ )", diff)
    return head, hunks


def shifted(diff: str, by: int) -> str:
    def move(match: re.Match) -> str:
        old, new = max(int(match.group(1)) + by, 1), max(int(match.group(3)) + by, 1)
        if match.group(1) == "0":
            old = 0  # a hunk from line 0 stays there
        counts = [f",{c}" if c is not None else "" for c in (match.group(2), match.group(4))]
        return f"@@ -{old}{counts[0]} +{new}{counts[1]} @@{match.group(5)}"

    return _HEADER.sub(move, diff) if by else diff


def miscounted(diff: str) -> str:
    def wrong(match: re.Match) -> str:
        old = int(match.group(2) if match.group(2) is not None else 1)
        return f"@@ -{match.group(1)},{old + 2} +{match.group(3)},{old + 1} @@"

    return re.sub(r"(?m)^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@.*$", wrong, diff)


def reordered(diff: str) -> str:
    head, hunks = split_hunks(diff)
    return head + "".join(h if h.endswith("\n") else h + "\n" for h in reversed(hunks))


def unnumbered(diff: str) -> str:
    return re.sub(r"(?m)^@@ .*$", "@@ ... @@", diff)


def as_apply_patch(diff: str) -> str:
    _, hunks = split_hunks(diff)
    body = "".join(
        "@@\n" + "".join(line for line in hunk.splitlines(keepends=True)[1:] if line[:1] != "\\")
        for hunk in hunks
    )
    return f"*** Begin Patch\n*** Update File: {PATH}\n{body}*** End Patch\n"


# The oracles and Iterum ----------------------------------------------------------------------


def git_apply(folder: str, old: str, diff: str, zero: bool) -> str | None:
    with open(os.path.join(folder, PATH), "wb") as out:
        out.write(old.encode())
    options = ["--unidiff-zero"] if zero else []
    patch = diff.encode()
    if _git(folder, "apply", "--check", *options, stdin=patch).returncode != 0:
        return None
    if _git(folder, "apply", *options, stdin=patch).returncode != 0:
        return None
    with open(os.path.join(folder, PATH), "rb") as result:
        return result.read().decode()


def gnu_patch(folder: str, old: str, diff: str) -> str | None:
    """patch's result when it applies every hunk without fuzz (an offset is clean)."""
    target, out = os.path.join(folder, "p_" + PATH), os.path.join(folder, "p_out")
    with open(target, "wb") as file:
        file.write(old.encode())
    if os.path.exists(out):
        os.remove(out)
    done = subprocess.run(
        ["patch", "--binary", "-s", "-f", "-o", out, target],
        input=diff.encode(),
        capture_output=True,
        check=False,
        cwd=folder,
    )
    said = (done.stdout + done.stderr).decode(errors="replace")
    if done.returncode != 0 or "fuzz" in said or not os.path.exists(out):
        return None
    with open(out, "rb") as result:
        return result.read().decode()


REFUSALS: Counter = Counter()  # why Iterum refused where git applied, by variant


def iterum(old: str, answer: str) -> tuple[str | None, str]:
    """Iterum's file, or None and the reason it gave."""
    provider = ScriptedProvider([answer], chunk_size=97)
    options = RunOptions(sleep=lambda seconds: None)
    try:
        result = iterate(
            {PATH: old}, f"apply this diff to {PATH}", BRIEF, provider, LocalHost(), options
        )
    except PipelineError as error:
        return None, error.message
    return result.files.get(PATH), ""


def only_insertions(diff: str) -> bool:
    """Every hunk only adds lines, away from the file's start: nothing to check it by."""
    _, hunks = split_hunks(diff)
    return all(
        not any(line[:1] in " -" for line in hunk.splitlines()[1:] if line) for hunk in hunks
    )


def judge(kind: str, example: Example, diff: str, answer: str, zero: bool, folder: str) -> None:
    """One comparison: Iterum against git (and patch) on the same diff."""
    git = git_apply(folder, example.old, diff, zero)
    gnu = gnu_patch(folder, example.old, diff) if kind != "apply_patch" else git
    ours, why = iterum(example.old, answer)
    note(f"{kind}: git={git!r} patch={gnu!r} iterum={ours!r} {why}")
    TALLY["comparisons"] += 1
    if git is not None and gnu is not None and kind != "apply_patch":
        TALLY["patch comparisons"] += 1
        TALLY["patch agreed"] += ours == gnu
        TALLY["git and patch differ"] += git != gnu
    if git is not None and ours == git:
        TALLY["agreed"] += 1
        TALLY["applied alike"] += 1
    elif git is None and ours is None:
        TALLY["agreed"] += 1
        TALLY["refused alike"] += 1
    elif ours is None:
        TALLY["iterum refused"] += 1
        REFUSALS[kind, re.sub(r"[\d]+", "N", why.split(":", 1)[-1].split(".")[0])[:90]] += 1
    else:
        TALLY["iterum more tolerant"] += 1
    if kind == "exact":
        assert git == example.new, "git itself disagrees with the edit: the oracle is misused"
        if ours is None:
            # Only a zero-context hunk that adds lines where nothing proves its number.
            assert zero, "a well-formed diff was refused"
            assert only_insertions(diff), "a well-formed diff was refused"
        else:
            assert ours == git
    elif ours is not None:
        allowed = {example.new}
        if git is not None and (gnu is None or gnu == git):
            allowed = {git}  # where git applies, its files, or a refusal
        elif git is not None:
            allowed = {git, gnu, example.new}
        elif gnu is not None:
            allowed = {gnu, example.new}
        assert ours in allowed, f"{kind}: Iterum completed with other files"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="PROPERTY_RANDOM" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(example=examples(), data=st.data())
def test_diffs_agree_with_git_apply_and_gnu_patch(workspace, example, data):
    context = data.draw(st.sampled_from([3, 3, 1, 0]), label="context")
    algorithm = data.draw(st.sampled_from(["myers", "patience", "histogram"]), label="algorithm")
    diff = git_diff(workspace, example, context, algorithm)
    assume(diff)
    zero = context == 0
    note(diff)
    fence = data.draw(st.booleans(), label="fenced")
    wrap = (lambda text: f"Here is the change.\n\n```diff\n{text}```\n") if fence else str
    judge("exact", example, diff, wrap(diff), zero, workspace)
    kind = data.draw(
        st.sampled_from(["shifted", "far", "miscounted", "reordered", "unnumbered", "apply_patch"]),
        label="variant",
    )
    if kind == "shifted":
        variant = shifted(diff, data.draw(st.sampled_from([-2, -1, 1, 2, 5]), label="by"))
    elif kind == "far":
        variant = shifted(diff, data.draw(st.sampled_from([-300, 300, 700]), label="by"))
    elif kind == "miscounted":
        variant = miscounted(diff)
    elif kind == "reordered":
        variant = reordered(diff)
    elif kind == "unnumbered":
        variant = unnumbered(diff)
    else:
        variant = diff
    answer = as_apply_patch(diff) if kind == "apply_patch" else wrap(variant)
    judge(kind, example, variant, answer, zero, workspace)
