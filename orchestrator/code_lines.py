"""Which lines of a file are code, for any language: what a rewrite can lose.

A line is a comment when tree-sitter's parse of the file (orchestrator.checks.languages)
covers it with a comment node, whatever the language's comment syntax; for files no grammar
reads, when it starts with a common comment leader. A placeholder such as `...` or `[...]`
stands for code and is none. Brackets and `end` alone carry no code of their own. The names
a file defines come from the tag queries (orchestrator.checks.code_index) where they exist,
else from the definition keywords most languages share.
"""

import re

from tree_sitter import Node

from orchestrator.checks.code_index import index_file, tag_queries
from orchestrator.checks.languages import language_of, parse
from orchestrator.file_text import lines_of

# For files no grammar reads: the comment leaders of most languages and config formats.
_COMMENT_LEADER = re.compile(r"^\s*(?:#|//|--|;|/\*|\*|<!--|\{/\*|%|REM\b|'''|\"\"\")")
_ELLIPSIS = re.compile(r"^\s*[\[(<{]?\s*(?:\.{3,}|…)\s*[\])>}]?[;,]?\s*$")
_TRIVIAL = re.compile(r"^[\s{}()\[\];,]*$|^\s*(?:end|fi|done|esac|endif|end\w*)\s*[;,]?\s*$")
# Definitions where no tag query reads the language: functions, classes, SQL objects,
# shell and Lua functions, Makefile-like targets are left out (they are lines like others).
_DEFINITION = re.compile(
    r"^\s*(?:export\s+)?(?:default\s+)?(?:pub(?:\([\w:]+\))?\s+)?(?:async\s+)?(?:local\s+)?"
    r"(?:def|class|function\*?|func|fn|sub|proc|module|interface|struct|enum|trait|type)"
    r"\s+([A-Za-z_][\w.:]*)"
    r"|^\s*create\s+(?:or\s+replace\s+)?(?:table|view|function|procedure|index|trigger|type)"
    r"\s+(?:if\s+not\s+exists\s+)?([\w.\"`]+)"
    r"|^([A-Za-z_][\w-]*)\s*\(\)\s*\{",
    re.IGNORECASE | re.MULTILINE,
)


def comment_lines(path: str, text: str) -> set[int]:
    """The indices of the lines that hold nothing but comment."""
    lines = lines_of(text)
    language = language_of(path)
    if language is None:
        return {i for i, line in enumerate(lines) if _COMMENT_LEADER.match(line)}
    try:
        tree = parse(language, text)
    except (ValueError, LookupError):  # a grammar the installed pack lacks
        return {i for i, line in enumerate(lines) if _COMMENT_LEADER.match(line)}
    found: set[int] = set()
    stack: list[Node] = [tree.root_node]
    while stack:
        node = stack.pop()
        if "comment" in node.type:
            found.update(_whole_lines(node, lines))
        else:
            stack.extend(node.children)
    return found


def _whole_lines(node: Node, lines: list[str]) -> range | set[int]:
    """The lines a comment node covers from their first character to their last."""
    (first, start), (last, end) = node.start_point, node.end_point
    if first >= len(lines):
        return set()
    covered = set(range(first + 1, last))
    if not _outside(lines[first].encode()[:start]):
        covered.add(first)
    if last != first and last < len(lines) and not _outside(lines[last].encode()[end:]):
        covered.add(last)
    elif last == first and _outside(lines[first].encode()[end:]):
        covered.discard(first)
    return covered


def _outside(text: bytes) -> bytes:
    """What a line holds beside its comment: braces alone wrap a JSX comment, `{/* */}`."""
    return text.strip().strip(b"{}").strip()


def is_placeholder_line(line: str) -> bool:
    """`...`, `…`, `[...]`: a line that stands for code without being any."""
    return bool(_ELLIPSIS.match(line))


def is_trivial(line: str) -> bool:
    """A line with no code of its own: blank, brackets, `end`."""
    return bool(_TRIVIAL.match(line))


def definitions(path: str, text: str) -> set[str]:
    """The names the file defines."""
    language = language_of(path)
    if language is not None and tag_queries(language):
        return {definition.name for definition in index_file(path, text).definitions}
    return {next(name for name in found if name) for found in _DEFINITION.findall(text)}
