"""Property tests of the whole edit path (parse, merge, repair), with Hypothesis.

1. Any project and any valid change, written as a model might write it (fenced, quoted
   paths, FILE:, other marker lengths, END with a path, CRLF, arrows...), ends with exactly
   the files an independent oracle computes.
2. The same with project contents full of lines that look like the format's own markers
   (=======, <<<<<<< SEARCH, fences, @@@ END, diff headers, placeholders): the outcome is
   exactly those files or a loud failure, never other files.
3. Arbitrary garbage answers: never a crash, never an unsafe path, never a change to a file
   the answer does not name.

Examples per property: PROPERTY_EXAMPLES (CI runs them derandomised, so a red run repeats).
"""

import os
import re

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from orchestrator import LocalHost, ProjectBrief, iterate
from orchestrator.errors import PipelineError
from orchestrator.options import RunOptions
from orchestrator.paths import case_key, clean_path
from tests.support.scripted import ScriptedProvider

PROPERTY_EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300"))
settings.register_profile(
    "iterum",
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    derandomize="PROPERTY_RANDOM" not in os.environ,  # set it to search new examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("iterum")

BRIEF = ProjectBrief(title="Property", prompt="p", stack="flask")
PATHS = [
    "app.py",
    "src/util.py",
    "README.md",
    "docs/guide.md",
    "Makefile",
    "notes.txt",
    "lib/a/b.js",
]
NEW_PATHS = ["new.py", "pkg/new_module.py", "docs/new.md", "web/app.js", "data/new.txt"]
TRICKY = [
    "=======",
    "=====",
    "=========",
    "<<<<<<< SEARCH",
    ">>>>>>> REPLACE",
    "```",
    "```python",
    "~~~",
    "@@@ END",
    "@@@ FILE x.py",
    "--- a/x",
    "+++ b/x",
    "@@ -1 +1 @@",
    "...",
    "pass",
    "# ... existing code ...",
]
WORD = st.text(alphabet="abcxyz_()=:.'\"{}[] #é漢🙂-+", min_size=1, max_size=14).filter(
    lambda text: (
        text == text.strip()
        and text.strip(".")  # a line of dots is a placeholder: the tricky lines have those
        and not text.startswith(("-", "+", "#", "@", "=", "`"))
    )
)


def lines_strategy(indent: str, tricky: bool, max_size: int = 10) -> st.SearchStrategy:
    plain = st.one_of(
        st.builds(lambda depth, word: indent * depth + word, st.integers(0, 2), WORD),
        st.just(""),
    )
    line = st.one_of(plain, st.sampled_from(TRICKY)) if tricky else plain
    return st.lists(line, min_size=0, max_size=max_size)


@st.composite
def projects(draw, tricky: bool) -> dict:
    chosen = draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=4, unique=True))
    files = {}
    for path in chosen:
        indent = "\t" if path == "Makefile" else draw(st.sampled_from(["    ", "  ", "\t"]))
        lines = draw(lines_strategy(indent, tricky))
        ending = draw(st.sampled_from(["\n", "\r\n"]))
        final = draw(st.booleans()) or not lines
        text = ending.join(lines) + (ending if final and lines else "")
        files[path] = text
    return files


def split(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((body, line[len(body) :]))
    return out


def ending_of(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def fence_like(line: str) -> bool:
    return line.strip().startswith(("```", "~~~"))


def marker_only(lines: list[str]) -> bool:
    """Lines that are nothing but search/replace markers read as an edit (a documented
    reading of a FILE that holds only blocks)."""
    filled = [line for line in lines if line.strip()]
    return bool(filled) and all(
        re.match(r"^(<{5,9} SEARCH|={5,9}|>{5,9} REPLACE|```.*|~~~.*)$", line) for line in filled
    )


# The oracle: what each change must give, computed without the merge ----------------------------


def project_ending(files: dict) -> str:
    """A new file's line ending: CRLF in a project whose every file with lines has CRLF."""
    endings = {ending_of(text) for text in files.values() if "\n" in text}
    return "\r\n" if endings == {"\r\n"} else "\n"


def expected_write(old: str | None, lines: list[str], project: dict) -> str:
    if old is None:
        return "".join(line + project_ending(project) for line in lines)
    ending = ending_of(old)
    text = ending.join(lines)
    if lines and (old.endswith("\n") or not old):
        text += ending
    return text


def expected_edit(old: str, start: int, size: int, replacement: list[str]) -> str:
    lines = split(old)
    ending = ending_of(old)
    at_end = start + size == len(lines)
    new = [(body, ending) for body in replacement]
    if at_end and new and not lines[-1][1]:
        new[-1] = (new[-1][0], "")
    before = "".join(b + e for b, e in lines[:start])
    after = "".join(b + e for b, e in lines[start + size :])
    if at_end and not new and not lines[-1][1]:
        before = before.removesuffix(ending)
    return before + "".join(b + e for b, e in new) + after


def unique_runs(text: str) -> list[tuple[int, int]]:
    bodies = [body for body, _ in split(text)]
    runs = []
    for start in range(len(bodies)):
        for size in range(1, min(4, len(bodies) - start) + 1):
            run = bodies[start : start + size]
            if not any(line.strip() for line in run):
                continue
            found = sum(bodies[i : i + size] == run for i in range(len(bodies) - size + 1))
            if found == 1:
                runs.append((start, size))
    return runs


# Writing the change as a model would ---------------------------------------------------------


def restates_a_neighbour(lines, start: int, size: int, search: list, replacement: list) -> bool:
    bodies = [body.rstrip() for body, _ in lines]
    filled_search = [line.rstrip() for line in search if line.strip()]
    filled_new = [line.rstrip() for line in replacement if line.strip()]
    if len(filled_new) <= len(filled_search):
        return False
    above = next((line for line in reversed(bodies[:start]) if line.strip()), None)
    below = next((line for line in bodies[start + size :] if line.strip()), None)
    return (above is not None and filled_new[0].strip() == above.strip()) or (
        below is not None and filled_new[-1].strip() == below.strip()
    )


def said_twice(search: list, new: list) -> bool:
    """New text that is the same two or more lines twice over, longer than its search."""
    filled = [line.rstrip() for line in new if line.strip()]
    half = len(filled) // 2
    longer = len([line for line in search if line.strip()]) < len(filled)
    doubled = half >= 2 and not len(filled) % 2 and filled[:half] == filled[half:] and longer
    shorter = any(
        filled == filled[:p] * (len(filled) // p) for p in range(1, half) if half % p == 0
    )
    return doubled and not shorter


@st.composite
def changes(draw, files: dict, tricky: bool):
    """(answer pieces, expected files): one to three operations, each on its own file."""
    expected = dict(files)
    pieces: list[tuple[str, ...]] = []
    touched: set[str] = set()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["edit", "edit", "write_new", "rewrite", "delete", "rename"]))
        free = [p for p in files if p not in touched]
        if kind in ("edit", "rewrite", "delete", "rename") and not free:
            continue
        if kind == "edit":
            path = draw(st.sampled_from(free))
            runs = unique_runs(files[path])
            if not runs:
                continue
            start, size = draw(st.sampled_from(runs))
            search = [body for body, _ in split(files[path])[start : start + size]]
            indent = "\t" if "\t" in files[path] else "    "
            new = draw(lines_strategy(indent, tricky, max_size=4))
            keep = draw(st.lists(st.booleans(), min_size=size, max_size=size))
            replacement = [line for line, kept in zip(search, keep, strict=True) if kept] + new
            assume(any(line.strip() for line in search))
            # A replacement a line longer than its search whose first (last) line is the
            # unchanged line just above (below) restates it: refused by design, as unclear.
            assume(not restates_a_neighbour(split(files[path]), start, size, search, replacement))
            assume(not said_twice(search, replacement))
            pieces.append(("edit", path, search, replacement, start))
            expected[path] = expected_edit(files[path], start, size, replacement)
        elif kind in ("write_new", "rewrite"):
            if kind == "rewrite":
                path = draw(st.sampled_from(free))
            else:
                taken = {case_key(p) for p in expected} | {case_key(p) for p in touched}
                options = [p for p in NEW_PATHS if case_key(p) not in taken]
                if not options:
                    continue
                path = draw(st.sampled_from(options))
            # A rewrite indents as the file does (as a model copying it would): in apply_patch
            # form it is an Update, whose new lines take the file's indentation character.
            old_text = files.get(path, "")
            indent = "\t" if path == "Makefile" or "\t" in old_text else "    "
            content = draw(lines_strategy(indent, tricky))
            filled = [line for line in content if line.strip()]
            if filled and (fence_like(filled[0]) or fence_like(filled[-1]) or marker_only(content)):
                continue  # a file that starts or ends with a fence reads as fenced
            if any(re.match(r"^@@@\s*[A-Za-z]", line) for line in content):
                continue  # a whole file cannot hold the format's own marker lines
            if said_twice([], content):
                continue  # the same lines twice in a row: refused by design, as a doubled text
            old = files.get(path)
            pieces.append(("write", path, content, None if old is None else split(old)))
            expected[path] = expected_write(old, content, files)
        elif kind == "delete":
            path = draw(st.sampled_from(free))
            pieces.append(("delete", path))
            del expected[path]
        else:
            path = draw(st.sampled_from(free))
            taken = {case_key(p) for p in expected}
            target = "moved/" + path.rsplit("/", 1)[-1]
            if case_key(target) in taken or any(p.startswith("moved/") for p in expected):
                continue
            pieces.append(("rename", path, target))
            expected[target] = expected.pop(path)
            touched.add(target)
        touched.add(path)
    assume(pieces)
    return pieces, expected


@st.composite
def styles(draw) -> dict:
    return {
        "fence_answer": draw(st.booleans()),
        "fence_each": draw(st.booleans()),
        "fence_body": draw(st.booleans()),
        "quote": draw(st.sampled_from(["", "`", '"', "**"])),
        "colon": draw(st.booleans()),
        "size": draw(st.integers(5, 9)),
        "end_path": draw(st.booleans()),
        "crlf": draw(st.booleans()),
        "lower": draw(st.booleans()),
        "arrow": draw(st.sampled_from(["->", "→", "=>"])),
        "trailing": draw(st.sampled_from(["", " ", "\t"])),
        "prose": draw(st.booleans()),
        # How edits are written: our blocks, a unified diff (with or without line numbers),
        # Aider's blocks after the file name, or the whole answer as an apply_patch.
        "form": draw(st.sampled_from(["ours", "ours", "diff", "loose_diff", "aider", "patch"])),
    }


def render_patch(pieces: list, style: dict) -> str:
    """The answer in OpenAI's apply_patch format, with the style's quotes and letter case."""
    q = style["quote"]
    keyword = str.lower if style["lower"] else str
    colon = ":" if style["colon"] else ""

    def header(name: str, path: str) -> str:
        return f"*** {keyword(name)}{colon} {q}{path}{q}{style['trailing']}\n"

    out = [f"*** {keyword('Begin Patch')}\n"]
    for piece in pieces:
        if piece[0] == "write" and piece[3] and any(body.strip() for body, _ in piece[3]):
            # A whole new version of an existing file: every old line out, every new one in
            # (an Add File would claim the file is new).
            lines = [f"-{body}" for body, _ in piece[3]] + [f"+{x}" for x in piece[2]]
            out.append(header("Update File", piece[1]) + "@@\n" + "".join(f"{x}\n" for x in lines))
        elif piece[0] == "write":
            out.append(header("Add File", piece[1]) + "".join(f"+{x}\n" for x in piece[2]))
        elif piece[0] == "edit":
            _, path, search, replacement, _ = piece
            lines = [f"-{x}" for x in search] + [f"+{x}" for x in replacement]
            out.append(header("Update File", path) + "@@\n" + "".join(f"{x}\n" for x in lines))
        elif piece[0] == "delete":
            out.append(header("Delete File", piece[1]))
        else:
            out.append(header("Update File", piece[1]) + header("Move to", piece[2]))
    out.append(f"*** {keyword('End Patch')}\n")
    answer = ("\n" if style["prose"] else "").join(out)
    if style["fence_answer"]:
        answer = "```\n" + answer + "```\n"
    if style["crlf"]:
        answer = answer.replace("\n", "\r\n")
    return answer


def render(pieces: list, style: dict) -> str:
    if style["form"] == "patch":
        return render_patch(pieces, style)
    q = style["quote"]
    keyword = str.lower if style["lower"] else str
    colon = ":" if style["colon"] else ""
    size, t = style["size"], style["trailing"]
    out = ["Here are the changes.\n\n"] if style["prose"] else []
    for piece in pieces:
        path = piece[1]
        named = f"{q}{path}{q}"
        end = f"@@@ {keyword('END')}" + (f" {path}" if style["end_path"] else "") + t + "\n"
        if piece[0] == "write":
            body = "".join(line + "\n" for line in piece[2])
            if style["fence_body"] and not path.endswith((".md", ".txt")):
                body = "```\n" + body + "```\n"
            text = f"@@@ {keyword('FILE')}{colon} {named}{t}\n{body}{end}"
        elif piece[0] == "edit" and style["form"] in ("diff", "loose_diff"):
            _, _, search, replacement, start = piece
            header = (
                "@@ ... @@"
                if style["form"] == "loose_diff"
                else f"@@ -{start + 1},{len(search)} +{start + 1},{len(replacement)} @@"
            )
            lines = [f"-{line}" for line in search] + [f"+{line}" for line in replacement]
            text = f"--- a/{path}\n+++ b/{path}\n{header}\n" + "".join(f"{x}\n" for x in lines)
        elif piece[0] == "edit" and style["form"] == "aider":
            search = "".join(line + "\n" for line in piece[2])
            replace = "".join(line + "\n" for line in piece[3])
            head, divider, tail = "<" * size, "=" * size, ">" * size
            block = f"{head} SEARCH{t}\n{search}{divider}{t}\n{replace}{tail} REPLACE{t}\n"
            text = f"{named}\n```\n{block}```\n"
        elif piece[0] == "edit":
            search = "".join(line + "\n" for line in piece[2])
            replace = "".join(line + "\n" for line in piece[3])
            head, divider, tail = "<" * size, "=" * size, ">" * size
            block = f"{head} SEARCH{t}\n{search}{divider}{t}\n{replace}{tail} REPLACE{t}\n"
            text = f"@@@ {keyword('EDIT')}{colon} {named}{t}\n{block}{end}"
        elif piece[0] == "delete":
            text = f"@@@ {keyword('DELETE')}{colon} {named}{t}\n"
        else:
            text = f"@@@ {keyword('RENAME')}{colon} {named} {style['arrow']} {q}{piece[2]}{q}{t}\n"
        if style["fence_each"] and not style["fence_answer"]:
            text = "```text\n" + text + "```\n"
        out.append(text)
    answer = "\n".join(out)
    if style["fence_answer"]:
        answer = "```\n" + answer + "```\n"
    if style["crlf"]:
        answer = answer.replace("\n", "\r\n")
    return answer


def run(files: dict, answer: str, chunk_size: int):
    provider = ScriptedProvider([answer], chunk_size=chunk_size)
    options = RunOptions(sleep=lambda seconds: None)
    # The request names every file and asks for rewrites: these properties are about reading
    # and merging, so a random rewrite (shorter, or empty) is what was asked, not laziness.
    prompt = f"rewrite or change {', '.join(sorted(files))} as given"
    return iterate(dict(files), prompt, BRIEF, provider, LocalHost(), options)


@given(data=st.data())
def test_valid_changes_written_with_tolerated_variations_apply_exactly(data):
    files = data.draw(projects(tricky=False), label="files")
    pieces, expected = data.draw(changes(files, tricky=False), label="change")
    answer = render(pieces, data.draw(styles(), label="style"))
    note(answer)
    result = run(files, answer, data.draw(st.integers(1, 64), label="chunk"))
    assert result.files == expected
    assert result.outcome == ("no_changes" if expected == files else "completed")


@given(data=st.data())
def test_contents_that_look_like_markers_give_the_exact_files_or_a_loud_failure(data):
    files = data.draw(projects(tricky=True), label="files")
    pieces, expected = data.draw(changes(files, tricky=True), label="change")
    answer = render(pieces, data.draw(styles(), label="style"))
    note(answer)
    try:
        result = run(files, answer, data.draw(st.integers(1, 64), label="chunk"))
    except PipelineError:
        return  # refused and reported: never wrong
    assert result.files == expected


GARBAGE = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "@@@ FILE ",
                "@@@ EDIT ",
                "@@@ END\n",
                "@@@ DELETE ",
                "@@@ RENAME ",
                " -> ",
                "@@@ PLAN ",
                "<<<<<<< SEARCH\n",
                "=======\n",
                ">>>>>>> REPLACE\n",
                "```\n",
                "```python\n",
                "--- a/",
                "+++ b/",
                "@@ -1,2 +1,3 @@\n",
                "*** Begin Patch\n",
                "*** Update File: ",
                "*** Add File: ",
                "*** Delete File: ",
                "*** Move to: ",
                "*** End of File\n",
                "*** End Patch\n",
                "@@ def f():\n",
                "+added\n",
                "-removed\n",
                " context\n",
                "\n",
                "app.py",
                "new.py",
                "../x",
                ".git/config",
                "README.md",
                '{"files": [{"path": "j.py", "content": "x"}]}',
                "...  # unchanged\n",
            ]
        ),
        st.text(max_size=12),
    ),
    max_size=30,
)


@given(pieces=GARBAGE, chunk=st.integers(1, 64))
@settings(max_examples=PROPERTY_EXAMPLES * 2)
def test_garbage_ends_in_a_loud_failure_or_a_change_the_answer_names(pieces, chunk):
    files = {"app.py": "x = 1\n", "README.md": "# Readme\n", "lib/util.py": "def f():\n    pass\n"}
    answer = "".join(pieces)
    try:
        result = run(files, answer, chunk)
    except PipelineError:
        return
    for path, content in result.files.items():
        assert clean_path(path) == path
        if path in files and content != files[path]:
            assert path in answer or path.rsplit("/", 1)[-1] in answer
    for path in set(files) - set(result.files):
        assert path in answer or path.split("/")[0] in answer


@pytest.mark.parametrize("chunk", [1, 5])
def test_the_oracle_agrees_with_a_hand_written_case(chunk):
    files = {"a.txt": "one\r\ntwo\r\nthree"}
    answer = "@@@ EDIT a.txt\n<<<<<<< SEARCH\nthree\n=======\n3\n>>>>>>> REPLACE\n@@@ END\n"
    assert run(files, answer, chunk).files == {"a.txt": expected_edit(files["a.txt"], 2, 1, ["3"])}
    assert expected_edit(files["a.txt"], 2, 1, ["3"]) == "one\r\ntwo\r\n3"
