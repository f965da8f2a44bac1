"""Which language a file is in, its tree-sitter parse, and the syntax errors the parse shows.

Parsers come from tree-sitter-language-pack (0.13, whose wheels carry every grammar; later
releases download grammars at run time, which a machine without internet cannot). A parse
marks what it could not read as ERROR nodes and what it had to assume as MISSING ones; each
becomes a finding at its position. After the first few in a file the rest are usually the
same mistake seen again, so a file reports at most MAX_PER_FILE.
"""

import functools
import posixpath

from tree_sitter import Node, Parser, Tree
from tree_sitter_language_pack import get_parser

from orchestrator.checks.findings import ERROR, WARNING, Finding

MAX_PER_FILE = 3

_EXTENSIONS = {
    "py": "python",
    "pyi": "python",
    "js": "javascript",
    "mjs": "javascript",
    "cjs": "javascript",
    "jsx": "javascript",
    "ts": "typescript",
    "mts": "typescript",
    "cts": "typescript",
    "tsx": "tsx",
    "json": "json",
    "yaml": "yaml",
    "yml": "yaml",
    "toml": "toml",
    "html": "html",
    "htm": "html",
    "css": "css",
    "scss": "scss",
    "sql": "sql",
    "go": "go",
    "rs": "rust",
    "java": "java",
    "kt": "kotlin",
    "rb": "ruby",
    "php": "php",
    "c": "c",
    "h": "c",
    "cc": "cpp",
    "cpp": "cpp",
    "hpp": "cpp",
    "cs": "csharp",
    "sh": "bash",
    "bash": "bash",
    "lua": "lua",
    "swift": "swift",
}
_NAMES = {"dockerfile": "dockerfile", "containerfile": "dockerfile"}

# Grammars that do not know every dialect their files are written in (SQL's many databases,
# HTML holding template tags): what they cannot read is reported as a warning, not an error.
_LENIENT = {"sql", "html", "dockerfile", "bash", "php"}
# CSS keeps growing syntax the grammar lags behind (range media queries such as
# `(width >= 600px)`), and browsers skip a rule they cannot read: text it cannot read is a
# warning, but a missing brace (the rest of the sheet swallowed) stays an error.
_LENIENT_TEXT = {"css", "scss"}

# Files whose language allows comments although their extension says JSON.
_JSON_WITH_COMMENTS = {"tsconfig.json", "jsconfig.json", ".eslintrc.json", "devcontainer.json"}


def language_of(path: str) -> str | None:
    """The tree-sitter language of a file, from its name; None for what we do not parse."""
    name = posixpath.basename(path).lower()
    if name in _NAMES or name.startswith("dockerfile."):
        return "dockerfile"
    if name in _JSON_WITH_COMMENTS or name.endswith(".jsonc"):
        return None
    stem, dot, extension = name.rpartition(".")
    return _EXTENSIONS.get(extension) if dot and stem else None


@functools.cache
def parser_for(language: str) -> Parser:
    return get_parser(language)  # type: ignore[arg-type]


def parse(language: str, content: str) -> Tree:
    return parser_for(language).parse(content.encode("utf-8", "surrogatepass"))


def syntax_findings(path: str, language: str, tree: Tree) -> list[Finding]:
    """ERROR and MISSING nodes of the tree, first ones first, at most MAX_PER_FILE."""
    if not tree.root_node.has_error:
        return []
    severity = WARNING if language in _LENIENT else ERROR
    unreadable = WARNING if language in _LENIENT_TEXT else severity
    findings: list[Finding] = []
    stack = [tree.root_node]
    while stack and len(findings) < MAX_PER_FILE:
        node = stack.pop()
        if node.is_missing:
            findings.append(_finding(path, node, severity, f"missing {_shown(node.type)}"))
        elif node.type == "ERROR":
            findings.append(_finding(path, node, unreadable, _unexpected(node)))
        elif node.has_error:
            stack.extend(reversed(node.children))
    return findings


def _finding(path: str, node: Node, severity: str, message: str) -> Finding:
    row, column = node.start_point
    return Finding(path, row + 1, column + 1, severity, "syntax", message)


def _unexpected(node: Node) -> str:
    text = (node.text or b"").decode("utf-8", "replace").strip()
    first = text.splitlines()[0] if text else ""
    if len(first) > 40:
        first = first[:37] + "..."
    return f"syntax error: cannot read {_shown(first)}" if first else "syntax error"


def _shown(text: str) -> str:
    return f"`{text}`" if text else "text"
