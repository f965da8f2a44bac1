"""Property tests of reading (orchestrator/answers/), with Hypothesis: a valid answer wrapped
in what models add around it is never read WRONG.

The wrappings: reasoning blocks (every tag, one line or many, the opening tag eaten by the
server, the answer cut off inside them) holding draft operations; a restart ("let me redo
the whole answer") after a withdrawn draft; a "Final code:" section repeating a file, with
or without a line-number gutter; a closing summary with a diff of an edit; the whole answer
indented under a list item. Each case ends with exactly the files the valid answer asks
for, or with a loud failure: never with other files, never "no changes" for a change. When
the wrapped answer needs a repair, the model answers the repair with the valid answer.

Examples per property: PROPERTY_EXAMPLES (see tests/pipeline/test_edit_properties.py).
"""

import difflib
import os

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from orchestrator import LocalHost, ProjectBrief, iterate
from orchestrator.errors import PipelineError
from orchestrator.options import RunOptions
from tests.support.scripted import ScriptedProvider

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="PROPERTY_RANDOM" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BRIEF = ProjectBrief(title="Reading", prompt="p", stack="flask")
PATHS = ["app.py", "src/util.py", "lib/store.py", "README.md"]
NEW_PATHS = ["src/new_module.py", "docs/notes.md", "web/helpers.py"]
TAGS = ["think", "thinking", "reasoning", "thought", "Think"]
RESTARTS = [
    "Wait, I made a mistake, let me redo the whole answer.",
    "Actually, scratch that. Let me start over.",
    "Hmm, that is wrong. Let me rewrite it:",
    "Please ignore the above; here is the corrected answer.",
]
NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta", "total", "count", "name", "é_x"])


@st.composite
def projects(draw) -> dict[str, str]:
    """Files whose lines are unique across the project, so a block of one line is found
    once, wherever it is asked for."""
    paths = draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=4, unique=True))
    files, number = {}, 0
    for path in paths:
        lines = []
        for _ in range(draw(st.integers(1, 6))):
            number += 1
            name = draw(NAMES)
            lines.append(f"{name}_{number} = {draw(st.integers(0, 99))}")
        files[path] = "\n".join(lines) + "\n"
    return files


@st.composite
def changes(draw, files: dict[str, str]):
    """The valid answer's operations, as (kind, path, search, replace) or (kind, path,
    content), and the files they give."""
    expected = dict(files)
    pieces = []
    for path in draw(st.lists(st.sampled_from(sorted(files)), min_size=1, unique=True)):
        lines = files[path].splitlines(keepends=True)
        line = draw(st.sampled_from(lines))
        new = line.replace(" = ", " = 1000 + ", 1)
        pieces.append(("edit", path, line, new))
        expected[path] = expected[path].replace(line, new, 1)
    if draw(st.booleans()):
        path = draw(st.sampled_from(NEW_PATHS))
        content = f"created_{draw(st.integers(0, 9))} = True\n"
        pieces.append(("file", path, content))
        expected[path] = content
    return pieces, expected


def render(pieces: list) -> str:
    out = []
    for piece in pieces:
        if piece[0] == "edit":
            _, path, search, replace = piece
            out.append(
                f"@@@ EDIT {path}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n"
                "@@@ END\n"
            )
        else:
            out.append(f"@@@ FILE {piece[1]}\n{piece[2]}@@@ END\n")
    return "\n".join(out)


@st.composite
def drafts(draw, files: dict[str, str]) -> str:
    """Draft operations that differ from the final ones: other replacements, a file the
    final answer drops, a delete."""
    pieces = []
    for path in draw(st.lists(st.sampled_from(sorted(files)), max_size=2, unique=True)):
        line = draw(st.sampled_from(files[path].splitlines(keepends=True)))
        pieces.append(("edit", path, line, line.replace(" = ", " = -5 * ", 1)))
    if draw(st.booleans()):
        pieces.append(("file", "draft/scratch.py", "DRAFT = 1\n"))
    text = render(pieces)
    if draw(st.booleans()):
        text += f"@@@ DELETE {draw(st.sampled_from(sorted(files)))}\n"
    return text


def summary_diff(piece: tuple) -> str:
    _, path, search, replace = piece
    return (
        f"```diff\n--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-{search}+{replace}```\n"
        if search.endswith("\n")
        else ""
    )


def final_code(path: str, content: str, gutter: bool) -> str:
    lines = content.splitlines(keepends=True)
    if gutter:
        lines = [f"{number:>4}→{line}" for number, line in enumerate(lines, 1)]
    language = "markdown" if path.endswith(".md") else "python"
    return f"Final code:\n\n```{language} {path}\n{''.join(lines)}```\n"


def indented(text: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in text.splitlines(True))


@st.composite
def wrapped(draw, files: dict[str, str], pieces: list, expected: dict[str, str]) -> str:
    """The valid answer with some of what models put around it."""
    answer = render(pieces)
    if draw(st.booleans()):
        answer = "1. The changes:\n\n" + indented(
            answer, draw(st.sampled_from(["   ", "    ", "\t"]))
        )
    if draw(st.booleans()):
        edits = [piece for piece in pieces if piece[0] == "edit"]
        answer += "\nIn short, the edit was:\n\n" + summary_diff(draw(st.sampled_from(edits)))
    if draw(st.booleans()):
        path = draw(st.sampled_from(sorted({piece[1] for piece in pieces})))
        answer += "\n" + final_code(path, expected[path], gutter=draw(st.booleans()))
    if draw(st.booleans()):
        answer = f"{draw(drafts(files))}\n{draw(st.sampled_from(RESTARTS))}\n\n{answer}"
    reasoning = draw(st.sampled_from(["none", "block", "one line", "lone close", "cut off"]))
    tag = draw(st.sampled_from(TAGS))
    thoughts = f"Let me think about the request.\n{draw(drafts(files))}So the plan is clear.\n"
    if reasoning == "block":
        answer = f"<{tag}>\n{thoughts}</{tag}>\n\n{answer}"
    elif reasoning == "one line":
        answer = f"<{tag}>The user wants a change.</{tag}>\n{answer}"
    elif reasoning == "lone close":
        answer = f"{thoughts}</{tag}>\n\n{answer}"
    elif reasoning == "cut off":
        answer = f"<{tag}>\n{thoughts}"
    return answer


def run(files: dict[str, str], answers: list[str], chunk_size: int):
    provider = ScriptedProvider(answers, chunk_size=chunk_size)
    options = RunOptions(sleep=lambda seconds: None)
    prompt = f"change {', '.join(sorted(files))} as given"
    return iterate(dict(files), prompt, BRIEF, provider, LocalHost(), options), provider


@SETTINGS
@given(data=st.data())
def test_a_valid_answer_wrapped_in_reasoning_restarts_and_restatements_is_never_read_wrong(data):
    files = data.draw(projects(), label="files")
    pieces, expected = data.draw(changes(files), label="change")
    answer = data.draw(wrapped(files, pieces, expected), label="answer")
    note(answer)
    clean = render(pieces)
    try:
        result, _ = run(files, [answer, clean, clean], data.draw(st.integers(1, 80)))
    except PipelineError as error:
        note(f"loud failure: {error.message}")
        return
    assert result.outcome == "completed"
    assert result.files == expected, difflib.unified_diff(
        str(expected).splitlines(), str(result.files).splitlines()
    )


@SETTINGS
@given(data=st.data())
def test_reasoning_block_and_restart_around_a_valid_answer_need_no_repair(data):
    """What a fair reader must take at once: drafts in a closed reasoning block (or before
    a lone closing tag), a restart whose final attempt touches every file the draft did,
    a summary diff repeating an edit, list indentation."""
    files = data.draw(projects(), label="files")
    pieces, expected = data.draw(changes(files), label="change")
    answer = render(pieces)
    edits = [piece for piece in pieces if piece[0] == "edit"]
    if data.draw(st.booleans()):
        answer = "- Changes:\n" + indented(answer, "  ")
    if data.draw(st.booleans()):
        answer += "\nSummary:\n" + summary_diff(data.draw(st.sampled_from(edits)))
    if data.draw(st.booleans()):
        first = edits[0]
        withdrawn = render([("edit", first[1], first[2], first[2].replace(" = ", " = -1 * ", 1))])
        answer = f"{withdrawn}\n{data.draw(st.sampled_from(RESTARTS))}\n\n{answer}"
    tag = data.draw(st.sampled_from(TAGS))
    thoughts = f"Draft:\n{data.draw(drafts(files))}"
    form = data.draw(st.sampled_from(["block", "lone close", "none"]))
    if form == "block":
        answer = f"<{tag}>\n{thoughts}</{tag}>\n{answer}"
    elif form == "lone close":
        answer = f"{thoughts}</{tag}>\n{answer}"
    note(answer)
    result, provider = run(files, [answer], data.draw(st.integers(1, 80)))
    assert result.files == expected
    assert len(provider.requests) == 1
