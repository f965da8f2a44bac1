"""The offline demo model: deterministic, no network, answering in the real edit format.

It writes a small runnable starter project per tech stack and honours simple follow-ups:
add, remove or rename a file; add or remove an endpoint; rename or change a word across the
project. Anything else gets an honest "no changes" answer. It streams at a steady pace so
the parser, the per-file events and the progress bar run for real.
"""

import difflib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from orchestrator.answers.ours import render_operations
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Operation,
    RenameFile,
    SearchReplace,
    WriteFile,
)
from orchestrator.providers.base import TICK, ModelRequest, StreamChunk, Usage
from orchestrator.providers.demo_projects import STACKS, Stack

CHUNK_CHARS = 48
LABEL = "offline demo model: set GEMINI_API_KEY for real generations"


@dataclass(frozen=True)
class Names:
    """How the project calls its main resource, derived from the domain."""

    singular: str
    plural: str
    title: str

    @property
    def cls(self) -> str:
        return self.singular.capitalize()

    def fill(self, text: str) -> str:
        return (
            text.replace("__Resource__", self.cls)
            .replace("__resources__", self.plural)
            .replace("__resource__", self.singular)
            .replace("__title__", self.title)
        )


_GENERIC = {
    "management",
    "system",
    "app",
    "application",
    "service",
    "platform",
    "tracker",
    "tracking",
    "api",
    "manager",
    "tool",
    "online",
    "simple",
    "my",
    "the",
    "a",
    "an",
}


def names_for(domain: str, title: str) -> Names:
    words = [w for w in re.findall(r"[a-z]+", domain.lower()) if len(w) > 1]
    specific = [w for w in words if w not in _GENERIC]
    word = (specific or words or ["item"])[0]
    if word.endswith("ies") and len(word) > 4:
        singular = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        singular = word[:-1]
    else:
        singular = word
    if singular.endswith("y") and singular[-2:-1] not in "aeiou":
        plural = singular[:-1] + "ies"
    elif singular.endswith(("s", "x", "ch", "sh")):
        plural = singular + "es"
    else:
        plural = singular + "s"
    return Names(singular=singular, plural=plural, title=title or domain or "Starter project")


class DemoProvider:
    name = "demo"
    model = "iterum-demo-1"
    label = LABEL

    def __init__(
        self,
        chunk_delay: float = 0.03,
        sleep: Callable[[float], None] = time.sleep,
        first_token_delay: float = 0.0,
    ):
        self.chunk_delay = chunk_delay
        self.first_token_delay = first_token_delay  # a real model's wait before it answers
        self._sleep = sleep

    def stream(self, request: ModelRequest) -> Iterator[StreamChunk]:
        text = answer(request)
        pieces = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)] or [""]
        usage = Usage(
            tokens_in=(len(request.system) + len(request.prompt)) // 4 + 1,
            tokens_out=len(text) // 4 + 1,
            estimated=True,
        )
        waited = 0.0
        while waited < self.first_token_delay:  # ticks, as a real provider sends while waiting
            step = min(0.1, self.first_token_delay - waited)
            self._sleep(step)
            waited += step
            yield TICK
        for index, piece in enumerate(pieces):
            if self.chunk_delay:
                self._sleep(self.chunk_delay)
            last = index == len(pieces) - 1
            yield StreamChunk(
                text=piece,
                usage=usage if last else None,
                finish_reason="STOP" if last else None,
            )


def answer(request: ModelRequest) -> str:
    """The whole answer the demo model gives to a request."""
    brief = request.brief
    # An imported project's stack may be none of the starters: follow-ups on files still work.
    stack = STACKS.get(brief["stack"])
    names = names_for(brief.get("domain", ""), brief.get("title", ""))
    if stack is None and request.purpose in ("plan", "generate"):
        return f"The offline demo model writes {', '.join(STACKS)} projects only."
    if request.purpose == "plan":
        return plan_answer(stack, names)
    if request.purpose == "generate":
        wanted = set(brief["paths"])
        files = [
            WriteFile(names.fill(f.path), names.fill(stack.template(f)))
            for f in stack.files
            if names.fill(f.path) in wanted
        ]
        return f"Writing {len(files)} files.\n\n" + render_operations(files)
    if request.purpose == "fix":
        # Its projects pass their own checks; what the user broke by hand it cannot mend.
        return "The offline demo model cannot fix what the checks found."
    if request.purpose != "iterate":
        # Its own edits always apply, so it is never asked to repair; say so plainly if it is.
        return "The offline demo model cannot repair edits."
    summary, operations = follow_up(brief["prompt"], brief["intent"], brief["files"], stack)
    if not operations:
        return summary
    plan = "@@@ PLAN " + ", ".join(operation.path for operation in operations)
    return f"{summary}\n\n{plan}\n\n{render_operations(operations)}"


def plan_answer(stack: Stack, names: Names) -> str:
    plan = {
        "summary": f"A {stack.label} project for {names.plural}.",
        "entities": [names.cls],
        "phases": [{"number": n, "name": name} for n, name in enumerate(stack.phases, 1)],
        "files": [
            {"path": names.fill(f.path), "purpose": names.fill(f.purpose), "phase": f.phase}
            for f in stack.files
        ],
    }
    return "```json\n" + json.dumps(plan, indent=2) + "\n```\n"


# Follow-ups -------------------------------------------------------------------------------

_ENDPOINT = re.compile(r"\b(endpoint|route|api path|url)\b", re.I)
_ARTICLES = {"a", "an", "the", "new", "simple", "basic", "small", "another", "one"}
_PATH_TOKEN = re.compile(r"[\w./-]*\w\.\w+|\b(?:Dockerfile|Makefile|LICENSE|README|\.gitignore)\b")
_PAIR = re.compile(
    r"\b(?:rename|move|change|replace)\s+[`'\"]?([\w./-]+)[`'\"]?\s+(?:to|into|as|with)\s+"
    r"[`'\"]?([\w./-]+)[`'\"]?",
    re.I,
)


def follow_up(
    prompt: str, intent: str, files: dict[str, str], stack: Stack | None
) -> tuple[str, list[Operation]]:
    """Interpret a follow-up; return a one-line summary and the operations."""
    if stack is None and _ENDPOINT.search(prompt):
        return "The offline demo model adds and removes endpoints in its own stacks only.", []
    if intent in ("rename", "modify") and (pair := _PAIR.search(prompt)):
        return _rename(pair.group(1), pair.group(2), files)
    if intent == "remove":
        if _ENDPOINT.search(prompt):
            return _remove_endpoint(_endpoint_name(prompt), files, stack)
        return _remove_files(prompt, files)
    if intent == "add":
        if _ENDPOINT.search(prompt):
            return _add_endpoint(_endpoint_name(prompt), files, stack)
        if match := _PATH_TOKEN.search(prompt):
            return _add_file(match.group(0), prompt, files)
    return (
        "The offline demo model only understands simple follow-ups: add, remove or rename a "
        "file; add or remove an endpoint; rename or change a word. Set GEMINI_API_KEY for "
        "real changes.",
        [],
    )


def _endpoint_name(prompt: str) -> str:
    after = re.search(r"\b(?:endpoint|route|url)\s+(?:for|called|named|at)?\s*/?([\w-]+)", prompt)
    if after and after.group(1).lower() not in {"to", "that", "which", "in", "on"}:
        return after.group(1).lower()
    before = re.search(r"([\w/-]+(?:\s+[\w-]+)?)\s+(?:endpoint|route|url)", prompt, re.I)
    words = before.group(1).lower().replace("/", " ").split() if before else []
    words = [w for w in words if w not in _ARTICLES and w not in {"add", "remove", "delete"}]
    return "-".join(words) or "status"


def _add_endpoint(route: str, files: dict[str, str], stack: Stack) -> tuple[str, list]:
    names = _project_names(files, stack)
    route_file = names.fill(stack.route_file)
    handler = re.sub(r"\W", "_", route).strip("_") or "status"
    source = files.get(route_file)
    if source is None or stack.route_anchor not in source:
        return f"I cannot find where routes go ({route_file}), so I changed nothing.", []
    if f'"/{route}"' in source or f'"{route}/"' in files.get(names.fill(stack.register_file), ""):
        return f"The /{route} endpoint already exists.", []
    snippet = stack.route_template.replace("__route__", route).replace("__handler__", handler)
    operations = [
        edit_between(
            route_file, source, source.replace(stack.route_anchor, snippet + stack.route_anchor, 1)
        )
    ]
    if stack.register_file:
        register_file = names.fill(stack.register_file)
        registry = files[register_file]
        line = stack.register_template.replace("__route__", route).replace("__handler__", handler)
        operations.append(
            edit_between(
                register_file, registry, _insert_before_last(registry, stack.register_anchor, line)
            )
        )
    return f"Adding the /{route} endpoint to {route_file}.", operations


def _remove_endpoint(route: str, files: dict[str, str], stack: Stack) -> tuple[str, list]:
    operations: list[Operation] = []
    handler_start = f"def {re.sub(r'\W', '_', route).strip('_')}("
    for path, source in sorted(files.items()):
        lines = source.splitlines(keepends=True)
        kept: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            if (f'"/{route}"' in line or line.startswith(handler_start)) and line[:1].strip():
                # Drop the whole paragraph of the route and the blank lines after it.
                while index < len(lines) and lines[index].strip():
                    index += 1
                while index < len(lines) and not lines[index].strip():
                    index += 1
                continue
            if f'"{route}/"' in line and line.strip().startswith("path("):
                index += 1
                continue
            kept.append(line)
            index += 1
        new = "".join(kept)
        if new != source:
            operations.append(edit_between(path, source, new))
    if not operations:
        return f"There is no /{route} endpoint to remove.", []
    return f"Removing the /{route} endpoint.", operations


def _remove_files(prompt: str, files: dict[str, str]) -> tuple[str, list]:
    words = {w.lower() for w in re.findall(r"[\w.-]+", prompt)}
    doomed = []
    for path in sorted(files):
        name = path.rsplit("/", 1)[-1].lower()
        folders = {part.lower() for part in path.split("/")[:-1]}
        if (
            path.lower() in words
            or name in words
            or name.rsplit(".", 1)[0] in words
            or folders & words
        ):
            doomed.append(path)
    if not doomed:
        return "I found no file matching that request, so nothing was removed.", []
    return f"Removing {', '.join(doomed)}.", [DeleteFile(path) for path in doomed]


def _add_file(token: str, prompt: str, files: dict[str, str]) -> tuple[str, list]:
    path = token.strip("./") if token.startswith("./") else token
    if path.upper() == "README":
        path = "README.md"
    if path in files:
        return f"{path} already exists; ask me to change it instead.", []
    return f"Adding {path}.", [WriteFile(path, _starter_content(path, prompt))]


def _starter_content(path: str, prompt: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name == ".gitignore":
        return "__pycache__/\n*.pyc\n.venv/\nnode_modules/\n.env\n"
    if name == "Dockerfile":
        return (
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n"
            'CMD ["python", "-m", "app"]\n'
        )
    if name == "LICENSE":
        return "MIT License\n\nPermission is hereby granted, free of charge, to any person...\n"
    if name.endswith(".md"):
        return f"# {name[:-3].replace('-', ' ').replace('_', ' ').title()}\n\n{prompt}\n"
    if name.endswith(".py"):
        return f'"""{prompt.strip().rstrip(".")}."""\n'
    if name.endswith((".js", ".ts")):
        return f"// {prompt.strip()}\n"
    return f"# {prompt.strip()}\n"


def _rename(old: str, new: str, files: dict[str, str]) -> tuple[str, list]:
    by_name = [p for p in files if p == old or p.rsplit("/", 1)[-1] == old]
    if len(by_name) == 1:
        source = by_name[0]
        target = new if "/" in new or "/" not in source else source.rsplit("/", 1)[0] + "/" + new
        return f"Renaming {source} to {target}.", [RenameFile(source, target)]
    pattern = re.compile(rf"\b{re.escape(old)}\b")
    lower = re.compile(rf"\b{re.escape(old.lower())}\b") if old != old.lower() else None
    operations = []
    for path, source in sorted(files.items()):
        changed = pattern.sub(new, source)
        if lower is not None:
            changed = lower.sub(new.lower(), changed)
        if changed != source:
            operations.append(edit_between(path, source, changed))
    if not operations:
        return f"'{old}' does not appear in the project, so nothing changed.", []
    return f"Changing {old} to {new} in {len(operations)} files.", operations


def _project_names(files: dict[str, str], stack: Stack) -> Names:
    """Recover the resource names from the files, since follow-ups only see the files."""
    template = next(stack.template(f) for f in stack.files if "__resources__" in stack.template(f))
    prefix, _, _ = template.partition("__resources__")
    for source in files.values():
        if prefix and prefix in source:
            tail = source.split(prefix, 1)[1]
            plural = re.match(r"\w+", tail).group(0)
            singular = plural[:-3] + "y" if plural.endswith("ies") else plural.rstrip("s")
            return Names(singular=singular, plural=plural, title="")
    return names_for("item", "")


def _insert_before_last(text: str, anchor: str, line: str) -> str:
    head, found, tail = text.rpartition(anchor)
    return head + line + found + tail if found else text + line


def edit_between(path: str, old: str, new: str) -> EditFile:
    """Express the change old -> new as search/replace blocks that each match once."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for context in (2, 4, 8, 16):
        blocks = []
        for group in matcher.get_grouped_opcodes(context):
            i1, i2 = group[0][1], group[-1][2]
            j1, j2 = group[0][3], group[-1][4]
            blocks.append(SearchReplace("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])))
        if all(block.search and old.count(block.search) == 1 for block in blocks):
            return EditFile(path, tuple(blocks))
    return EditFile(path, (SearchReplace(old, new),))
