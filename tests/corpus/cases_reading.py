"""Reading an answer (orchestrator/answers/): what a model writes around its operations, and
other agents' formats. Each class is written for every small change of tests/corpus/changes.py
(thirteen languages), so a class is held to account on many files, not one example.

reading_reasoning: a reasoning block (think, thinking, reasoning, thought) whose draft
    operations differ from the final ones, before the answer or between its operations
reading_lone_close: only the closing tag arrived; everything before it was reasoning
reading_cut_think: the answer stopped inside its reasoning (at STOP or at the length
    limit): asked again, never read from the drafts
reading_restart: "Wait, I made a mistake, let me redo the whole answer": only the final
    attempt counts
reading_final_code: a "Final code:" section repeats the file after the edit (it restates:
    checked, never applied; one that disagrees goes to repair)
reading_summary_diff: the closing summary repeats an edit as a fenced diff
reading_cline: Cline's replace_in_file / write_to_file with <path>, <diff>, <content>
reading_roo: Roo Code's apply_diff with :start_line: and its ------- line
reading_claude_tool: Claude's str_replace_editor written as XML-ish text
reading_openhands: OpenHands' function call written as text, absolute /workspace paths
reading_json_tool: the same tool call written as JSON in a fence
reading_list_indent: operations indented under a list item
reading_noop_claim: a block that changes nothing while the prose claims a fix: asked
    again, never reported as "no changes"
"""

import difflib
import json

from tests.corpus import Case, cut, edit, whole
from tests.corpus.changes import CHANGES, INDEX, PRIORITY, Change, change_case, final

LANGUAGES = {
    "py": "python",
    "go": "go",
    "rs": "rust",
    "rb": "ruby",
    "java": "java",
    "cs": "csharp",
    "php": "php",
    "sql": "sql",
    "yml": "yaml",
    "sh": "bash",
    "lua": "lua",
    "js": "javascript",
}


def case(kind: str, name: str, answers: list, change: Change, wf: bool = False) -> Case:
    """A case of `change` (its files, request and result), named by class and language."""
    return change_case(kind, f"{kind}: {change.key}: {name}", answers, change, wf=wf)


def draft(change: Change) -> str:
    return edit(change.path, (change.old, change.old.rstrip("\n") + "  // draft\n"))


def language(change: Change) -> str:
    return LANGUAGES.get(change.path.rsplit(".", 1)[-1], "")


def git_diff(change: Change) -> str:
    lines = difflib.unified_diff(
        change.text.splitlines(keepends=True),
        change.result.splitlines(keepends=True),
        f"a/{change.path}",
        f"b/{change.path}",
        n=2,
    )
    return f"diff --git a/{change.path} b/{change.path}\n" + "".join(lines)


def first_line(change: Change) -> int:
    return change.text[: change.text.index(change.old)].count("\n") + 1


def cline(change: Change, search: str = "------- SEARCH", tail: str = "+++++++ REPLACE") -> str:
    return (
        f"<replace_in_file>\n<path>{change.path}</path>\n<diff>\n{search}\n{change.old}"
        f"=======\n{change.new}{tail}\n</diff>\n</replace_in_file>\n"
    )


def roo(change: Change) -> str:
    return (
        f"<apply_diff>\n<path>{change.path}</path>\n<diff>\n<<<<<<< SEARCH\n"
        f":start_line:{first_line(change)}\n-------\n{change.old}=======\n{change.new}"
        ">>>>>>> REPLACE\n</diff>\n</apply_diff>\n"
    )


def claude_tool(change: Change) -> str:
    return (
        '<invoke name="str_replace_editor">\n'
        '<parameter name="command">str_replace</parameter>\n'
        f'<parameter name="path">{change.path}</parameter>\n'
        f'<parameter name="old_str">{change.old.rstrip(chr(10))}</parameter>\n'
        f'<parameter name="new_str">{change.new.rstrip(chr(10))}</parameter>\n'
        "</invoke>\n"
    )


def openhands(change: Change) -> str:
    return (
        "<function=str_replace_editor>\n<parameter=command>str_replace</parameter>\n"
        f"<parameter=path>/workspace/{change.path}</parameter>\n"
        f"<parameter=old_str>\n{change.old}</parameter>\n"
        f"<parameter=new_str>\n{change.new}</parameter>\n</function>\n"
    )


def json_tool(change: Change) -> str:
    call = {
        "name": "str_replace_based_edit_tool",
        "input": {
            "command": "str_replace",
            "path": change.path,
            "old_str": change.old,
            "new_str": change.new,
        },
    }
    return f"```json\n{json.dumps(call, indent=2)}\n```\n"


def indented(text: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in text.splitlines(True))


TAGS = ("think", "thinking", "reasoning", "thought")
RESTARTS = (
    "Wait, I made a mistake, let me redo the whole answer.",
    "Actually, scratch that. Let me start over.",
    "Hmm, that is not right. Let me rewrite the answer:",
    "Sorry, please ignore the above; here is the corrected answer.",
)
INDENTS = ("   ", "    ", "\t", "  ")

REASONING = [
    case(
        "reading_reasoning",
        f"a <{TAGS[i % 4]}> block with a draft, then the edit",
        [
            f"<{TAGS[i % 4]}>\nThe user asks: {change.prompt}.\nA first try:\n\n{draft(change)}\n"
            f"That comment is noise; the plain edit is better.\n</{TAGS[i % 4]}>\n\n"
            f"Here is the change.\n\n{final(change)}"
        ],
        change,
        wf=True,
    )
    for i, change in enumerate(CHANGES)
] + [
    case(
        "reading_reasoning",
        "a reasoning block between the edit and the summary repeats the edit as a draft",
        [f"{final(change)}\n<think>\nDid I also need\n{draft(change)}No.\n</think>\nDone."],
        change,
        wf=True,
    )
    for change in CHANGES[:4]
]

LONE_CLOSE = [
    case(
        "reading_lone_close",
        "only </think> arrived, after a draft and a draft file",
        [
            f"Okay, so {change.prompt}. Let me draft:\n\n{draft(change)}\n"
            + whole("notes/draft.md", "- idea\n")
            + f"\nGood, now the real answer.\n</{TAGS[i % 4]}>\n\n{final(change)}"
        ],
        change,
        wf=True,
    )
    for i, change in enumerate(CHANGES[:8])
]

CUT_THINK = [
    case(
        "reading_cut_think",
        "stopped inside the reasoning, then answered",
        [f"<think>\nFirst {change.path}.\n\n{draft(change)}\nNext I", final(change)],
        change,
    )
    for change in CHANGES[:4]
] + [
    case(
        "reading_cut_think",
        "hit the length limit inside the reasoning, then answered",
        [cut(f"<thinking>\nLet me look at {change.path}.\n\n{draft(change)}"), final(change)],
        change,
    )
    for change in CHANGES[4:7]
]

RESTART = [
    case(
        "reading_restart",
        f"restart {i % 4 + 1}",
        [f"{draft(change)}\n{RESTARTS[i % 4]}\n\n{final(change)}"],
        change,
        wf=True,
    )
    for i, change in enumerate(CHANGES[:8])
] + [
    case(
        "reading_restart",
        "a withdrawn attempt with a file the final one drops is asked about",
        [
            f"{draft(change)}" + whole("notes/draft.md", "- idea\n") + f"\n{RESTARTS[0]}\n\n"
            f"{final(change)}",
            f"I do not want notes/draft.md; only this:\n\n{final(change)}",
        ],
        change,
    )
    for change in CHANGES[8:10]
]

FINAL_CODE = [
    case(
        "reading_final_code",
        "the whole file repeated after the edit",
        [
            f"{final(change)}\nFinal code:\n\n```{language(change)} {change.path}\n"
            f"{change.result}```\n"
        ],
        change,
        wf=True,
    )
    for change in CHANGES[:7]
] + [
    case(
        "reading_final_code",
        "a final code that says more than the edit goes to repair",
        [
            f"{final(change)}\nFinal code:\n\n```{language(change)} {change.path}\n"
            f"{change.result}# and one more line the edit never made\n```\n",
            f"The edit is the whole change:\n\n{final(change)}",
        ],
        change,
    )
    for change in CHANGES[7:10]
]

SUMMARY_DIFF = [
    case(
        "reading_summary_diff",
        "the edit, then its git diff in the summary",
        [f"{final(change)}\nSummary of the change:\n\n```diff\n{git_diff(change)}```\n"],
        change,
        wf=True,
    )
    for change in CHANGES[:8]
] + [
    case(
        "reading_summary_diff",
        "a git diff first, then the same change as an edit in the summary",
        [f"{git_diff(change)}\nIn the edit format, that is:\n\n{final(change)}"],
        change,
        wf=True,
    )
    for change in CHANGES[8:11]
]

AGENTS = (
    [
        case(
            "reading_cline",
            "replace_in_file",
            [f"I'll edit it.\n\n{cline(change)}"],
            change,
            wf=True,
        )
        for change in CHANGES[:5]
    ]
    + [
        case(
            "reading_cline",
            "replace_in_file with Aider's markers",
            [cline(change, "<<<<<<< SEARCH", ">>>>>>> REPLACE")],
            change,
            wf=True,
        )
        for change in CHANGES[5:7]
    ]
    + [
        case(
            "reading_cline",
            "write_to_file with the whole file",
            [
                f"<write_to_file>\n<path>{change.path}</path>\n<content>\n{change.result}"
                f"</content>\n<line_count>{change.result.count(chr(10))}</line_count>\n"
                "</write_to_file>\n"
            ],
            change,
            wf=True,
        )
        for change in CHANGES[7:9]
    ]
    + [
        case("reading_roo", "apply_diff", [f"{roo(change)}"], change, wf=True)
        for change in CHANGES[:6]
    ]
    + [
        case("reading_claude_tool", "str_replace as text", [claude_tool(change)], change, wf=True)
        for change in CHANGES[:6]
    ]
    + [
        case(
            "reading_openhands",
            "function call as text",
            [f"Let me fix it.\n\n{openhands(change)}"],
            change,
            wf=True,
        )
        for change in CHANGES[:6]
    ]
    + [
        case("reading_json_tool", "str_replace as JSON", [json_tool(change)], change, wf=True)
        for change in CHANGES[:5]
    ]
)

LIST_INDENT = [
    case(
        "reading_list_indent",
        "an edit under a numbered item",
        [
            f"Steps:\n\n1. {change.prompt.capitalize()}:\n\n"
            f"{indented(final(change), INDENTS[i % 4])}\n2. Run the tests.\n"
        ],
        change,
        wf=True,
    )
    for i, change in enumerate(CHANGES[:8])
] + [
    case(
        "reading_list_indent",
        "an Aider block in a fence under a bullet",
        [
            f"- In `{change.path}`:\n"
            + indented(
                f"```{language(change)}\n<<<<<<< SEARCH\n{change.old}=======\n{change.new}"
                ">>>>>>> REPLACE\n```\n",
                "  ",
            )
        ],
        change,
        wf=True,
    )
    for change in CHANGES[8:11]
]

NOOP_CLAIM = [
    case(
        "reading_noop_claim",
        "a block that changes nothing, with a claimed fix",
        [
            f"I fixed it: {change.prompt}.\n\n{edit(change.path, (change.old, change.old))}",
            f"You are right, the block was unchanged. Here it is:\n\n{final(change)}",
        ],
        change,
    )
    for change in CHANGES[:6]
] + [
    case(
        "reading_noop_claim",
        "shell that writes the file, then the edit",
        [
            f"Run:\n\n```bash\nsed -i 's/x/y/' {change.path}\n```\n",
            final(change),
        ],
        change,
    )
    for change in (INDEX, PRIORITY)
]

CASES = (
    REASONING
    + LONE_CLOSE
    + CUT_THINK
    + RESTART
    + FINAL_CODE
    + SUMMARY_DIFF
    + AGENTS
    + LIST_INDENT
    + NOOP_CLAIM
)
