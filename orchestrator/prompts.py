"""The texts sent to the model: the system line, the plan, writing, iterating, repairing."""

from orchestrator.answers.ours import FORMAT_INSTRUCTIONS
from orchestrator.context import quote_file
from orchestrator.merge import Failure
from orchestrator.providers.base import ModelRequest
from orchestrator.results import PlannedFile, ProjectBrief

SYSTEM = (
    "You are a senior software engineer who writes complete, runnable projects. "
    "Follow the requested tech stack and constraints exactly."
)

PLAN_SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string"},
        "entities": {"type": "array", "items": {"type": "string"}},
        "phases": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"number": {"type": "integer"}, "name": {"type": "string"}},
                "required": ["number", "name"],
            },
        },
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "purpose": {"type": "string"},
                    "phase": {"type": "integer"},
                },
                "required": ["path", "purpose", "phase"],
            },
        },
    },
    "required": ["phases", "files"],
}


def brief_fields(brief: ProjectBrief) -> dict:
    return {"title": brief.title, "stack": brief.stack, "domain": brief.domain}


def describe(brief: ProjectBrief) -> str:
    return (
        f"Project: {brief.title}\nTech stack: {brief.stack}\nDomain: {brief.domain or '-'}\n"
        f"Constraints: {brief.constraints or '-'}\nRequest: {brief.prompt}"
    )


def plan_request(brief: ProjectBrief) -> ModelRequest:
    prompt = (
        describe(brief) + "\n\nPlan the project as JSON only: a short summary, the main "
        "entities, a few phases (foundation first, docs and tests last) and every file with "
        "its purpose and phase number. Keep it small enough to write in full."
    )
    return ModelRequest("plan", SYSTEM, prompt, brief_fields(brief), json_schema=PLAN_SCHEMA)


def write_request(
    brief: ProjectBrief, planned: list[PlannedFile], paths: list[str], done: dict[str, str]
) -> ModelRequest:
    plan = "\n".join(f"- {f.path}: {f.purpose}" for f in planned)
    prompt = (
        f"{describe(brief)}\n\nThe plan:\n{plan}\n\nAlready written: "
        f"{', '.join(sorted(done)) or 'nothing yet'}.\nNow write these files in full:\n"
        + "\n".join(f"- {p}" for p in paths)
        + "\n\n"
        + FORMAT_INSTRUCTIONS
    )
    return ModelRequest("generate", SYSTEM, prompt, {**brief_fields(brief), "paths": paths})


def iterate_request(
    brief: ProjectBrief, prompt: str, intent: str, context: str, files_whole: dict[str, str]
) -> ModelRequest:
    if brief.binary_files:
        context += (
            "\nBinary files (bytes, not shown; they stay as they are unless the follow-up "
            "replaces one with text):\n" + "\n".join(brief.binary_files)
        )
    text = (
        f"{describe(brief)}\n\nThe current files:\n{context}\n\nThe user's follow-up "
        f"({intent}): {prompt}\n\nMake only the changes the follow-up asks for.\n\n"
        + FORMAT_INSTRUCTIONS
    )
    fields = {**brief_fields(brief), "prompt": prompt, "intent": intent, "files": files_whole}
    return ModelRequest("iterate", SYSTEM, text, fields)


def fix_request(
    brief: ProjectBrief,
    prompt: str,
    files: dict[str, str],
    findings: list,
    involved: list[str],
) -> ModelRequest:
    """Quote exactly what the checks found, with the content of the files involved."""
    parts = [
        f"{describe(brief)}\n\nThe user asked: {prompt}\n",
        "Your change was applied, but checking the project found these problems, which "
        "your change brought:\n" + "\n".join(f"- {finding.describe()}" for finding in findings),
        "Fix exactly these with the smallest edits. Change nothing else, and do not send "
        "again what was applied.",
    ]
    parts += [
        f"The current content of {path}:\n{quote_file(path, files[path])}" for path in involved
    ]
    parts.append(FORMAT_INSTRUCTIONS)
    fields = {
        **brief_fields(brief),
        "prompt": prompt,
        "findings": [finding.as_dict() for finding in findings],
        "files": {path: files[path] for path in involved},
    }
    return ModelRequest("fix", SYSTEM, "\n\n".join(parts), fields)


QUOTE_CHARS = 1500  # how much of a refused part of an answer is quoted back


def _quoted(text: str) -> str:
    shown = text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "\n[...]\n"
    return "\n".join("| " + line for line in shown.rstrip("\n").split("\n"))


def _describe_failure(failure: Failure, totals: dict[str, int]) -> str:
    if failure.path is None:
        text = f"Part of your answer could not be used: {failure.reason}."
    elif failure.block:
        total = totals.get(failure.path, failure.block)
        text = (
            f"{failure.path}, block {failure.block} of the {total} you wrote for this file: "
            f"{failure.reason}."
        )
    else:
        text = f"{failure.path}: {failure.reason}."
    if failure.kind == "unnamed_code":
        text += (
            f"\nYou wrote:\n{_quoted(failure.search)}\nIf it belongs in a file, give it with "
            "@@@ FILE or @@@ EDIT naming the file. If it was only an example for the reader, "
            "say so in one sentence, with no operations."
        )
    elif failure.kind == "mentioned":
        text += (
            "\nIf a file needs a change, give it with @@@ EDIT or @@@ FILE naming the file. "
            "If none is needed, say so in one sentence, with no operations."
        )
    elif failure.kind == "refused" and failure.search:
        text += f"\nThat part of your answer read:\n{_quoted(failure.search)}"
    elif failure.search:
        text += f"\nThat block searched for:\n<<<<<<< SEARCH\n{failure.search}======="
    if failure.suggestion:
        text += (
            f"\nIts SEARCH text does match {failure.suggestion}. If you meant that file, "
            f"give the edit for {failure.suggestion}."
        )
    return text


def repair_request(
    purpose: str,
    brief: ProjectBrief,
    prompt: str,
    files: dict[str, str],
    failures: list[Failure],
    totals: dict[str, int],
    unwritten: list[str],
) -> ModelRequest:
    """Quote exactly what failed and why, with each failing file's current content.

    `totals` counts the blocks the model wrote per file, so "block 2 of 3" is unambiguous.
    `unwritten` are files the model planned but has not changed.
    """
    parts = [
        f"{describe(brief)}\n\nThe user asked: {prompt}\n",
        "Some of your changes could not be used. Everything else you sent was applied: do "
        "not send it again. Fix only what is listed here.",
    ]
    parts += [_describe_failure(failure, totals) for failure in failures]
    for path in sorted({f.path for f in failures if f.path}):
        applied = sorted(
            set(range(1, totals.get(path, 0) + 1))
            - {f.block for f in failures if f.path == path and f.block}
        )
        if applied:
            numbers = ", ".join(str(n) for n in applied)
            parts.append(f"Your other blocks for {path} ({numbers}) were applied.")
    if unwritten:
        parts.append(
            f"Your plan named {', '.join(unwritten)}, but you did not change "
            f"{'it' if len(unwritten) == 1 else 'them'}. Give those changes now, or say in "
            "one sentence that none is needed."
        )
    for path in sorted({f.path for f in failures if f.path in files}):
        parts.append(
            "The current content of this file, with your applied changes:\n"
            + quote_file(path, files[path])
        )
    if purpose == "regenerate":
        parts.append(
            "Write each of these files again in full with @@@ FILE, starting from the current "
            "content above, keeping every line that should stay, with no placeholders."
        )
    else:
        parts.append(
            "Give corrected @@@ EDIT blocks whose SEARCH copies whole lines of the current "
            "content exactly, or the whole file with @@@ FILE."
        )
    parts.append(FORMAT_INSTRUCTIONS)
    reasons = {f.path or "(answer)": f.reason for f in failures}
    return ModelRequest(
        purpose,
        SYSTEM,
        "\n\n".join(parts),
        {**brief_fields(brief), "prompt": prompt, "failures": reasons, "files": files},
    )
