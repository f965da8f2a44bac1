"""Answers written with XML-like tags, as the prompts of bolt.diy, Dyad and others teach
models to write: `<file path="app.py">...</file>`, `<boltAction type="file" filePath=...>`,
`<dyad-write path=...>`, `<dyad-delete path=... />`, `<dyad-rename from=... to=...>`.

They are read only when the answer holds no operation in the edit format. A tag counts only
when it names a file in one of the attributes below; `<div class="x">` in prose is not an
operation. A tag left open is refused as cut off, never written in part.
"""

import re

from orchestrator.answers.search_replace import blocks_only
from orchestrator.fences import unwrap_fences
from orchestrator.operations import (
    DeleteFile,
    EditFile,
    Operation,
    Refusal,
    RenameFile,
    WriteFile,
)

_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_OPENING = re.compile(
    r"""<(?P<tag>[A-Za-z][\w:.-]*)(?P<attributes>(?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'))+)"""
    r"""\s*(?P<empty>/)?>"""
)
_PATH_ATTRIBUTES = ("path", "filepath", "file_path", "file", "filename", "src_path")
_FROM_ATTRIBUTES = ("from", "old", "old_path", "source", "path")
_TO_ATTRIBUTES = ("to", "new", "new_path", "destination", "target")
_CDATA = re.compile(r"^\s*<!\[CDATA\[(.*)\]\]>\s*$", re.DOTALL)


def _attributes(text: str) -> dict[str, str]:
    return {
        name.lower(): double if double is not None else single
        for name, double, single in _ATTRIBUTE.findall(text)
    }


def _first(attributes: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((attributes[name] for name in names if attributes.get(name)), None)


def tagged_operations(text: str) -> list[tuple[Operation | Refusal, int, int]] | None:
    """What an answer written with file tags asks for, each with the offsets of its tag;
    None when it has no such tag."""
    found: list[tuple[Operation | Refusal, int, int]] = []
    position = 0
    any_tag = False
    while match := _OPENING.search(text, position):
        position = match.end()
        tag, attributes = match.group("tag"), _attributes(match.group("attributes"))
        kind = f"{tag} {attributes.get('type', '')}".lower()
        renaming = "rename" in kind or "move" in kind
        path = _first(attributes, _FROM_ATTRIBUTES if renaming else _PATH_ATTRIBUTES)
        if path is None:
            continue  # a tag of prose or markup, not about a file
        any_tag = True
        if "shell" in kind or "command" in kind:
            continue  # commands for the person
        content = None
        if not match.group("empty"):
            closing = text.find(f"</{tag}>", position)
            if closing < 0:
                found.append(
                    (Refusal(path, f"its <{tag}> tag is never closed"), match.start(), len(text))
                )
                break
            content, position = text[position:closing], closing + len(tag) + 3
        found.append((_operation(kind, path, attributes, content), match.start(), position))
    return found if any_tag else None


def _operation(
    kind: str,
    path: str,
    attributes: dict[str, str],
    content: str | None,
) -> Operation | Refusal:
    if "delete" in kind or "remove" in kind:
        return DeleteFile(path)
    if "rename" in kind or "move" in kind:
        new_path = _first(attributes, _TO_ATTRIBUTES)
        return (
            RenameFile(path, new_path)
            if new_path
            else Refusal(path, "its rename tag names no new path")
        )
    if content is None:
        return Refusal(path, "its tag holds no content")
    if cdata := _CDATA.match(content):
        content = cdata.group(1)
    content = content.removeprefix("\r\n").removeprefix("\n")
    lines = content.splitlines(keepends=True)
    if any(line.lstrip().startswith("<<<<<<<") for line in lines):
        blocks = blocks_only(lines)
        if not blocks:
            return Refusal(path, "its search/replace blocks are not whole", content)
        return EditFile(path, blocks)
    if content.strip() and not content.endswith("\n"):
        content += "\n"
    return WriteFile(path, unwrap_fences(path, content), loose=True)
