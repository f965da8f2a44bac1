"""How a version's files are shown: the tree and syntax highlighting."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.token import STANDARD_TYPES, _TokenType
from pygments.util import ClassNotFound

HIGHLIGHT_MAX_BYTES = 300_000  # beyond this, plain escaped text keeps the page responsive


@dataclass(frozen=True)
class TreeRow:
    name: str
    path: str  # the file's path, or the folder's path for folders
    depth: int
    is_folder: bool
    change: str = ""  # added, modified or renamed in this version
    has_errors: bool = False  # the checks found errors in this file

    @property
    def indent(self) -> int:
        """The indentation step the stylesheet draws (it has classes up to depth-12)."""
        return min(self.depth, 12)


def file_tree(
    paths: list[str], changes: dict[str, str] | None = None, with_errors: set[str] | None = None
) -> list[TreeRow]:
    """Rows of a folder tree in display order: folders before the files beside them."""
    changes = changes or {}
    with_errors = with_errors or set()
    rows: list[TreeRow] = []

    def walk(prefix: str, entries: list[list[str]], depth: int) -> None:
        folders: dict[str, list[list[str]]] = {}
        files: list[str] = []
        for parts in entries:
            if len(parts) > 1:
                folders.setdefault(parts[0], []).append(parts[1:])
            else:
                files.append(parts[0])
        for name in sorted(folders):
            rows.append(TreeRow(name, prefix + name, depth, True))
            walk(prefix + name + "/", folders[name], depth + 1)
        rows.extend(
            TreeRow(
                name,
                prefix + name,
                depth,
                False,
                changes.get(prefix + name, ""),
                prefix + name in with_errors,
            )
            for name in sorted(files)
        )

    walk("", [path.split("/") for path in paths], 0)
    return rows


def lexer_for(path: str, content: str) -> Lexer:
    if len(content) > HIGHLIGHT_MAX_BYTES:
        return TextLexer(stripnl=False)
    try:
        return get_lexer_for_filename(path, stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


def _css_class(token: _TokenType) -> str:
    while token not in STANDARD_TYPES:
        token = token.parent
    return STANDARD_TYPES[token]


def highlighted_lines(path: str, lines: list[str]) -> list[str]:
    """Each line as escaped, highlighted HTML (for diffs, where lines are shown one by one)."""
    text = "".join(lines)
    out: list[str] = []
    current: list[str] = []
    for token, value in lexer_for(path, text).get_tokens(text):
        css = _css_class(token)
        for k, part in enumerate(value.split("\n")):
            if k:
                out.append("".join(current))
                current = []
            if part:
                current.append(
                    f'<span class="{css}">{escape(part)}</span>' if css else escape(part)
                )
    if current:
        out.append("".join(current))
    if len(out) < len(lines) or any("\r" in line[:-2] for line in lines):
        # The lexer normalised line breaks differently: show plain, escaped lines instead.
        return [escape(line.rstrip("\r\n")) for line in lines]
    return out[: len(lines)]


def highlighted(path: str, content: str, findings: list[dict] | None = None) -> SafeString:
    """The file as highlighted HTML; Pygments escapes the content. Lines with findings are
    marked, and every line has an anchor (#L-12) the findings' links go to."""
    lexer = lexer_for(path, content)
    lines = sorted({f["line"] for f in findings or () if f.get("line")})
    formatter = HtmlFormatter(
        linenos="table",
        cssclass="source",
        wrapcode=True,
        hl_lines=lines,
        lineanchors="L",
        anchorlinenos=True,
    )
    return mark_safe(highlight(content, lexer, formatter))
