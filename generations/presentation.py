"""How a version's files are shown: the tree and syntax highlighting."""

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound

HIGHLIGHT_MAX_BYTES = 300_000  # beyond this, plain escaped text keeps the page responsive


@dataclass(frozen=True)
class TreeRow:
    name: str
    path: str  # the file's path, or the folder's path for folders
    depth: int
    is_folder: bool
    change: str = ""  # added, modified or renamed in this version


def file_tree(paths: list[str], changes: dict[str, str] | None = None) -> list[TreeRow]:
    """Rows of a folder tree in display order: folders before the files beside them."""
    changes = changes or {}
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
            TreeRow(name, prefix + name, depth, False, changes.get(prefix + name, ""))
            for name in sorted(files)
        )

    walk("", [path.split("/") for path in paths], 0)
    return rows


def highlighted(path: str, content: str) -> SafeString:
    """The file as highlighted HTML; Pygments escapes the content."""
    try:
        lexer = get_lexer_for_filename(path, stripnl=False)
    except ClassNotFound:
        lexer = TextLexer(stripnl=False)
    if len(content) > HIGHLIGHT_MAX_BYTES:
        lexer = TextLexer(stripnl=False)
    formatter = HtmlFormatter(linenos="table", cssclass="source", wrapcode=True)
    return mark_safe(highlight(content, lexer, formatter))
