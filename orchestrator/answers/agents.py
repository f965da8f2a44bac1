"""Other coding agents' tool calls, written as text: what models trained on those agents
answer with, whatever the prompt asked.

- Cline: `<write_to_file><path>p</path><content>...</content></write_to_file>` and
  `<replace_in_file><path>p</path><diff>` blocks `</diff></replace_in_file>`, the blocks
  marked `------- SEARCH` / `=======` / `+++++++ REPLACE` (older: `<<<<<<< SEARCH` ...).
- Roo Code: `<apply_diff><path>p</path><diff>` blocks whose SEARCH line may be followed by
  `:start_line:N`, `:end_line:N` and a `-------` line `</diff></apply_diff>`.
- Claude's `str_replace_editor` / `str_replace_based_edit_tool` as XML-ish text:
  `<invoke name="str_replace_editor"><parameter name="command">str_replace</parameter>`
  with `path`, `old_str`, `new_str`, `file_text`.
- OpenHands' function calls as text: `<function=str_replace_editor>` with
  `<parameter=command>str_replace</parameter>` and the same parameters, `</function>`.
(The same tools written as JSON are read by orchestrator.answers.json_answers.)

Each call becomes one operation; a call that is cut off, or whose blocks are not whole, is
refused, never applied in part. `view` and commands for a terminal are not changes.
"""

import re
from dataclasses import replace

from orchestrator.fences import unwrap_fences
from orchestrator.operations import EditFile, Operation, Refusal, SearchReplace, WriteFile
from orchestrator.paths import BLANKS

_CLINE = re.compile(r"<(write_to_file|replace_in_file|apply_diff)>")
_CLAUDE = re.compile(r"<(?:[\w-]+:)?invoke[ \t]+name=[\"']([\w.-]+)[\"'][ \t]*>")
_CLAUDE_PARAMETER = re.compile(
    r"<(?:[\w-]+:)?parameter[ \t]+name=[\"'](\w+)[\"'][ \t]*>(.*?)</(?:[\w-]+:)?parameter>",
    re.DOTALL,
)
_OPENHANDS = re.compile(r"<function=([\w.-]+)>")
_OPENHANDS_PARAMETER = re.compile(r"<parameter=(\w+)>(.*?)</parameter>", re.DOTALL)
_SANDBOX_ROOTS = {"workspace", "repo", "testbed", "project", "app", "code"}
_EDITOR_TOOLS = {"str_replace_editor", "str_replace_based_edit_tool", "edit_file", "file_editor"}

_SEARCH = re.compile(r"^(?:<{5,9}|-{5,9})[ \t]*SEARCH\b", re.IGNORECASE)
_POSITION = re.compile(r"^:(?:start|end)_line:[ \t]*\d*[ \t]*$")
_SEPARATOR = re.compile(r"^-{5,9}[ \t]*$")
_DIVIDER = re.compile(r"^={5,9}[ \t]*$")
_REPLACE = re.compile(r"^(?:>{5,9}|\+{5,9})[ \t]*REPLACE\b", re.IGNORECASE)

Found = tuple[Operation | Refusal, int, int]


def project_path(raw: str, known: frozenset[str]) -> str:
    """An agent's absolute path (`/workspace/app.py`, `/repo/src/x.py`) as the project's
    own: the longest tail that is a project file, or that lies in a project folder. Any
    other path is returned as it is, for the path policy to refuse."""
    if not raw.startswith("/"):
        return raw
    parts = [part for part in raw.split("/") if part]
    folders = {path.rsplit("/", 1)[0] for path in known if "/" in path}
    for start in range(len(parts)):
        tail = "/".join(parts[start:])
        if tail in known or "/".join(parts[start:-1]) in folders:
            return tail
    if len(parts) >= 2 and parts[0] in _SANDBOX_ROOTS:
        return "/".join(parts[1:])
    return raw


def agent_operations(text: str, known: frozenset[str] = frozenset()) -> list[Found]:
    """Every tool call of another agent in the answer, with its offsets."""
    found = [
        (_with_path(item, project_path(item.path, known)) if item.path else item, start, end)
        for item, start, end in _calls(text)
    ]
    return found


def _with_path(item: Operation | Refusal, path: str) -> Operation | Refusal:
    return item if item.path == path else replace(item, path=path)


def _calls(text: str) -> list[Found]:
    found: list[Found] = []
    for match in _CLINE.finditer(text):
        found.append(_cline(text, match))
    for pattern, parameters, closing in (
        (_CLAUDE, _CLAUDE_PARAMETER, re.compile(r"</(?:[\w-]+:)?invoke>")),
        (_OPENHANDS, _OPENHANDS_PARAMETER, re.compile(r"</function>")),
    ):
        for match in pattern.finditer(text):
            if match.group(1) in _EDITOR_TOOLS:
                found += _editor_call(text, match, parameters, closing)
    return found


def _element(body: str, name: str, last: bool = False) -> str | None:
    """The text of `<name>...</name>` in a tool call; `last`: up to its last closing tag
    (a file's content may hold the tag itself)."""
    start = body.find(f"<{name}>")
    end = body.rfind(f"</{name}>") if last else body.find(f"</{name}>", start + 1)
    if start < 0 or end < start:
        return None
    return _value(body[start + len(name) + 2 : end])


def _value(text: str) -> str:
    """A parameter's text without the line breaks that frame it."""
    text = text.removeprefix("\r\n").removeprefix("\n")
    if text.endswith("\n"):
        return text
    trimmed = text.rstrip(" \t")
    return trimmed + "\n" if trimmed.strip() else ""


def _cline(text: str, match: re.Match) -> Found:
    tool = match.group(1)
    end = text.find(f"</{tool}>", match.end())
    body = text[match.end() : end if end >= 0 else len(text)]
    path = _element(body, "path")
    path = path.strip(BLANKS) if path else None
    stop = end + len(tool) + 3 if end >= 0 else len(text)
    if end < 0:
        return Refusal(path, f"its <{tool}> call was cut off"), match.start(), stop
    if not path:
        return Refusal(None, f"its <{tool}> call names no <path>"), match.start(), stop
    if tool == "write_to_file":
        content = _element(body, "content", last=True)
        if content is None:
            return Refusal(path, "its <write_to_file> call has no <content>"), match.start(), stop
        return WriteFile(path, unwrap_fences(path, content), loose=True), match.start(), stop
    diff = _element(body, "diff", last=True)
    if diff is None:
        return Refusal(path, f"its <{tool}> call has no <diff>"), match.start(), stop
    return _edit(path, diff), match.start(), stop


def _edit(path: str, diff: str) -> EditFile | Refusal:
    blocks = read_blocks(diff)
    if isinstance(blocks, str):
        return Refusal(path, blocks, diff)
    return EditFile(path, blocks)


def read_blocks(diff: str) -> tuple[SearchReplace, ...] | str:
    """The SEARCH/REPLACE blocks of a Cline or Roo diff, or why they cannot be read."""
    blocks: list[SearchReplace] = []
    search: list[str] | None = None
    replace: list[str] | None = None
    for line in diff.splitlines(keepends=True):
        stripped = line.rstrip(BLANKS)
        if search is None:
            if _SEARCH.match(stripped):
                search = []
            elif stripped.strip() and not stripped.startswith(("```", "~~~")):
                return f"its diff has text outside SEARCH/REPLACE blocks: {stripped[:60]!r}"
        elif replace is None:
            if _DIVIDER.match(stripped):
                replace = []
            elif not search and (_POSITION.match(stripped) or _SEPARATOR.match(stripped)):
                continue  # Roo's :start_line: and its ------- line open the search text
            else:
                search.append(line)
        elif _REPLACE.match(stripped):
            blocks.append(SearchReplace("".join(search), "".join(replace)))
            search = replace = None
        else:
            replace.append(line)
    if search is not None:
        return "a SEARCH/REPLACE block in its diff is not finished"
    if not blocks:
        return "its diff has no SEARCH/REPLACE block"
    return tuple(blocks)


def _editor_call(
    text: str, match: re.Match, parameters: re.Pattern, closing: re.Pattern
) -> list[Found]:
    end = closing.search(text, match.end())
    stop = end.end() if end else len(text)
    body = text[match.end() : end.start() if end else len(text)]
    values = {name: _value(value) for name, value in parameters.findall(body)}
    command = values.get("command", "").strip()
    path = values.get("path", "").strip(BLANKS) or None
    if end is None:
        return [(Refusal(path, f"its {match.group(1)} call was cut off"), match.start(), stop)]
    item = editor_operation(command, path, values)
    return [] if item is None else [(item, match.start(), stop)]


def editor_operation(
    command: str, path: str | None, values: dict[str, str]
) -> Operation | Refusal | None:
    """What one str_replace_editor command asks for; None for a command that changes
    nothing (view)."""
    if command in ("view", ""):
        return None
    if path is None:
        return Refusal(None, f"its {command} command names no path")
    if command == "create":
        if "file_text" not in values:
            return Refusal(path, "its create command has no file_text")
        return WriteFile(path, values["file_text"], loose=True, new=True)
    if command == "str_replace":
        if "old_str" not in values or not values["old_str"].strip():
            return Refusal(path, "its str_replace command has no old_str")
        return EditFile(path, (SearchReplace(values["old_str"], values.get("new_str", "")),))
    return Refusal(
        path,
        f"its {command!r} command cannot be applied without guessing; "
        "give the change as SEARCH/REPLACE blocks",
    )
