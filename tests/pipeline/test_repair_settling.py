"""How the repair loop settles what an earlier round left open (orchestrator.repair): a
block that changes nothing is asked about once, a block moved to the file where its text
is settles its failure, and a change a retry sends again is never made twice."""

import pytest

from orchestrator import LocalHost, ProjectBrief, iterate
from orchestrator.errors import EditFailed
from orchestrator.options import RunOptions
from orchestrator.providers.base import StreamChunk
from tests.support.scripted import ScriptedProvider

BRIEF = ProjectBrief(title="t", prompt="t", stack="python")
FILES = {
    "app.py": 'def index():\n    return "ok"\n',
    "models.py": "class Todo:\n    done = False\n",
}
OK, UP = '    return "ok"\n', '    return "up"\n'


def edit(path: str, *blocks: tuple[str, str]) -> str:
    body = "".join(f"<<<<<<< SEARCH\n{s}=======\n{r}>>>>>>> REPLACE\n" for s, r in blocks)
    return f"@@@ EDIT {path}\n{body}@@@ END\n"


def run(*answers: str):
    provider = ScriptedProvider(list(answers))
    options = RunOptions(sleep=lambda seconds: None)
    result = iterate(dict(FILES), "say up", BRIEF, provider, LocalHost(), options)
    return result, provider.requests


def test_a_block_that_changes_nothing_is_asked_about_then_the_fix_applies():
    result, requests = run(edit("app.py", (OK, OK)), edit("app.py", (OK, UP)))
    assert result.outcome == "completed"
    assert result.files["app.py"] == 'def index():\n    return "up"\n'
    assert len(requests) == 2
    assert "app.py, block 1 of the 1 you wrote for this file: its REPLACE is the same" in str(
        requests[1]
    )


def test_a_block_that_changes_nothing_twice_is_no_changes_after_one_question():
    result, requests = run(edit("app.py", (OK, OK)))
    assert (result.outcome, result.files, len(requests)) == ("no_changes", FILES, 2)


def test_no_changes_said_after_the_question_ends_the_run_with_no_changes():
    result, requests = run(edit("app.py", (OK, OK)), "No change is needed after all.")
    assert (result.outcome, len(requests)) == ("no_changes", 2)
    assert "no change to app.py was needed" in result.summary


def test_a_block_that_changes_nothing_beside_a_real_one_is_left_out_without_a_question():
    answer = edit("app.py", (OK, UP)) + edit("models.py", ("    done = False\n",) * 2)
    result, requests = run(answer)
    assert (result.outcome, len(requests)) == ("completed", 1)
    assert "changed nothing" in result.summary


def test_a_block_moved_to_the_file_where_its_text_is_settles_its_failure():
    result, requests = run(edit("models.py", (OK, UP)), edit("app.py", (OK, UP)))
    assert result.outcome == "completed"
    assert result.files == {**FILES, "app.py": 'def index():\n    return "up"\n'}
    assert len(requests) == 2


def test_a_failure_stays_open_when_the_repair_changes_another_block_elsewhere():
    other = ("    done = False\n", "    done = True\n")
    with pytest.raises(EditFailed, match=r"app\.py"):
        run(edit("app.py", ("nowhere\n", "x\n")), edit("models.py", other))


def test_a_retry_that_sends_again_an_insertion_that_applied_makes_it_once():
    insert = ("def index():\n", "@cache\ndef index():\n")
    first = edit("app.py", insert, ("nowhere\n", "x\n"))
    result, _ = run(first, edit("app.py", insert, (OK, UP)))
    assert result.files["app.py"] == '@cache\ndef index():\n    return "up"\n'


# Prose that names files but holds no operation -----------------------------------------------

CLAIMED = "I updated app.py so that index() says up."
NO_NEED = "No change is needed after all."


def test_prose_that_names_a_file_without_an_operation_is_asked_about_once():
    result, requests = run(CLAIMED, edit("app.py", (OK, UP)))
    assert result.outcome == "completed"
    assert result.files["app.py"] == 'def index():\n    return "up"\n'
    assert len(requests) == 2
    assert "the answer names app.py but holds no operation" in str(requests[1])


def test_a_second_answer_without_an_operation_is_the_models_word():
    result, requests = run(CLAIMED, CLAIMED)
    assert (result.outcome, result.files, len(requests)) == ("no_changes", FILES, 2)
    assert "the model proposed none" in result.summary


@pytest.mark.parametrize(
    "answer",
    [
        NO_NEED,  # names no file
        "Run this:\n\n```bash\npython app.py\n```\n",  # a file named only in a command
    ],
)
def test_an_answer_that_names_no_file_in_its_prose_is_no_changes_at_once(answer):
    result, requests = run(answer)
    assert (result.outcome, len(requests)) == ("no_changes", 1)


def test_prose_cut_off_at_the_length_limit_is_not_a_claim_to_ask_about():
    cut = [
        StreamChunk("I would update app.py so that"),
        StreamChunk("", finish_reason="MAX_TOKENS"),
    ]
    provider = ScriptedProvider([cut])
    options = RunOptions(sleep=lambda seconds: None)
    with pytest.raises(EditFailed):
        iterate(dict(FILES), "say up", BRIEF, provider, LocalHost(), options)
    assert not any("holds no operation" in str(request) for request in provider.requests)


CONTEXT_ONLY = (
    "Fixed index():\n\n```diff\n--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,2 @@\n"
    ' def index():\n     return "ok"\n```\n'
)


def test_a_diff_of_context_lines_only_is_a_claim_asked_about_once():
    result, requests = run(CONTEXT_ONLY, edit("app.py", (OK, UP)))
    assert (result.outcome, len(requests)) == ("completed", 2)
    result, requests = run(CONTEXT_ONLY, NO_NEED)
    assert (result.outcome, result.files, len(requests)) == ("no_changes", FILES, 2)
