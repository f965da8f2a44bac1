"""Answers given as JSON: a list of changes, an object with one, or {path: content}.

Read only when nothing else in the answer is an operation: as the whole answer after any
leading prose, or inside a fenced block of JSON.
"""

import json
import re

from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Operation,
    Refusal,
    RenameFile,
    SearchReplace,
    WriteFile,
)
from orchestrator.path_mentions import looks_like_path

_LIST_KEYS = ("files", "changes", "operations", "edits", "modifications", "updates", "actions")
_PATH_KEYS = ("path", "file", "filename", "file_path", "filepath", "name")
_CONTENT_KEYS = (
    "content",
    "contents",
    "code",
    "new_content",
    "file_content",
    "file_text",
    "text",
    "body",
)
_ACTION_KEYS = ("action", "operation", "op", "type", "change_type", "mode", "command")
_NEW_PATH_KEYS = ("new_path", "newPath", "to", "destination", "target", "new_name", "rename_to")
_SEARCH_KEYS = ("search", "find", "old", "original", "old_string", "old_str", "before")
_REPLACE_KEYS = ("replace", "replacement", "new", "updated", "new_string", "new_str", "after")
_WRITE_ACTIONS = {
    "create",
    "add",
    "new",
    "write",
    "update",
    "modify",
    "replace",
    "edit",
    "change",
    "str_replace",
}
# A tool call's arguments, under its name (Claude's tool_use "input", OpenAI's "arguments").
_ARGUMENT_KEYS = ("input", "arguments", "parameters", "args")
_DELETE_ACTIONS = {"delete", "remove", "del", "rm"}
_RENAME_ACTIONS = {"rename", "move", "mv"}


def json_operations(
    text: str, fenced: list[list[str]]
) -> tuple[list[Operation], list[Refusal]] | None:
    """Operations from an answer given as JSON, or None when it is not such JSON."""
    starts = [match.start() for match in re.finditer(r"^[{\[]", text, re.MULTILINE)]
    candidates = [text[start:].strip() for start in starts[:1]] + [
        "".join(lines) for lines in fenced
    ]
    operations: list[Operation] = []
    refusals: list[Refusal] = []
    for number, candidate in enumerate(candidates):
        if not candidate.startswith(("{", "[")):
            continue
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        found = _from_json(_arguments(data))
        if found is not None and number == 0 and starts:
            return found  # the whole answer is JSON
        if found is not None:  # one fenced block of JSON each: all of them count
            operations += found[0]
            refusals += found[1]
    return (operations, refusals) if operations or refusals else None


def _arguments(data: object) -> object:
    """A tool call's arguments in place of the call: {"name": ..., "input": {...}}."""
    if isinstance(data, list):
        return [_arguments(item) for item in data]
    if not isinstance(data, dict):
        return data
    inner = _first(data, _ARGUMENT_KEYS)
    if isinstance(inner, str):
        try:
            inner = json.loads(inner)
        except ValueError:
            return data
    return inner if isinstance(inner, dict) else data


def _first(item: dict, keys: tuple[str, ...]) -> object:
    return next((item[key] for key in keys if key in item), None)


def _from_json(data: object) -> tuple[list[Operation], list[Refusal]] | None:
    items: list[object] | None = None
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        listed = _first(data, _LIST_KEYS)
        if isinstance(listed, list):
            items = listed
        elif isinstance(_first(data, _PATH_KEYS), str):
            items = [data]
        elif data and all(isinstance(v, str) and looks_like_path(k) for k, v in data.items()):
            return [WriteFile(path, content, loose=True) for path, content in data.items()], []
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    if not all(isinstance(_first(item, _PATH_KEYS), str) for item in items):
        return None
    if not any(
        _first(item, _CONTENT_KEYS + _ACTION_KEYS + _SEARCH_KEYS) is not None for item in items
    ):
        return None
    operations: list[Operation] = []
    refusals: list[Refusal] = []
    for item in items:
        result = _json_item(item)
        (refusals if isinstance(result, Refusal) else operations).append(result)
    return operations, refusals


def _json_item(item: dict) -> Operation | Refusal:
    path = str(_first(item, _PATH_KEYS))
    action = str(_first(item, _ACTION_KEYS) or "").lower()
    content = _first(item, _CONTENT_KEYS)
    if action in _DELETE_ACTIONS:
        return DeleteFile(path)
    if action in _RENAME_ACTIONS:
        new_path = _first(item, _NEW_PATH_KEYS)
        if isinstance(new_path, str):
            return RenameFile(path, new_path)
        return Refusal(path, "its JSON rename gives no new path")
    if action and action not in _WRITE_ACTIONS:
        return Refusal(path, f"its JSON entry asks for {action!r}, which is not a file change")
    search, replace = _first(item, _SEARCH_KEYS), _first(item, _REPLACE_KEYS)
    if isinstance(search, str) and isinstance(replace, str):
        return EditFile(path, (SearchReplace(_line_end(search), _line_end(replace)),))
    if isinstance(content, str):
        return WriteFile(path, content, loose=True)
    return Refusal(path, "its JSON entry has no content")


def _line_end(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"
