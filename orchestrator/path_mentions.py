"""Reading file paths out of what models write around them.

Models decorate paths: `app.py`, "app.py", **app.py**, app.py:, 1. app.py (new file), or a
sentence that names one file. These helpers undo the decoration when the path is certain and
answer None when it is not, so the caller refuses the block instead of guessing. They do
not check that a path is safe; orchestrator.paths does that.
"""

import re

from orchestrator.paths import BLANKS, is_hidden

# Fence languages that models sometimes leave where a file name belongs (```php -> "php").
LANGUAGE_WORDS = frozenset(
    [
        "bash",
        "c",
        "cpp",
        "csharp",
        "css",
        "diff",
        "dockerfile",
        "go",
        "html",
        "ini",
        "java",
        "javascript",
        "js",
        "json",
        "jsx",
        "kotlin",
        "makefile",
        "markdown",
        "md",
        "php",
        "plaintext",
        "powershell",
        "python",
        "py",
        "ruby",
        "rust",
        "scss",
        "sh",
        "shell",
        "sql",
        "swift",
        "text",
        "toml",
        "ts",
        "tsx",
        "typescript",
        "txt",
        "xml",
        "yaml",
        "yml",
        "zsh",
        "console",
        "output",
    ]
)
# Files commonly written without an extension.
EXTENSIONLESS = frozenset(
    [
        "Dockerfile",
        "Makefile",
        "Procfile",
        "LICENSE",
        "README",
        "Gemfile",
        "Rakefile",
        "Vagrantfile",
        "Jenkinsfile",
        "Caddyfile",
        "CODEOWNERS",
        "AUTHORS",
        "CHANGELOG",
        "NOTICE",
    ]
)
_ANNOTATION = re.compile(
    r"[ \t]*[(\[](?:new|new file|created?|updated?|modified|changed|edited|deleted|removed|"
    r"renamed|full file|complete file|whole file|entire file)[)\]][ \t]*$",
    re.IGNORECASE,
)
_LABEL = re.compile(
    r"^(?:file(?:name)?|path|filepath|new file|updated file|modified file)[ \t]*[:=][ \t]*",
    re.IGNORECASE,
)
_LIST_MARK = re.compile(r"^(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+|#{1,6}[ \t]+)")
_QUOTED = re.compile(r"`([^`\s][^`]*?)`|\*\*([^*\s][^*]*?)\*\*|\"([^\"\s][^\"]*?)\"")
_PATH_TOKEN = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-][\w.-]*\.[A-Za-z0-9]{1,10})(?![\w/])")
_WRAPPERS = ("**", "__", "`", '"', "'", "*")
# A line reference after a path: app.py:42, app.py:10-20, app.py:12:5, app.py#L12-L20,
# app.py (line 12), app.py, lines 10-12. It points into the file; it is not its name (a colon
# is no file name's character anyway: paths refuse it).
_LINE_REFERENCE = re.compile(
    r"(?:(?<=\w):\d+(?:[-:]\d+)?(?:-\d+)?|#L\d+(?:-L?\d+)?"
    r"|,?[ \t]+\(?(?:lines?|l\.|ll\.)[ \t]*\d+(?:[ \t]*[-\u2013][ \t]*\d+)?\)?)[ \t]*:?$",
    re.IGNORECASE,
)


def without_line_reference(text: str) -> str:
    """A path without the line reference models write after it."""
    return _LINE_REFERENCE.sub("", text)


def looks_like_path(text: str) -> bool:
    """A single token that names a file: has an extension or a folder, or is a known name."""
    if not text or any(char.isspace() for char in text) or text in ("...", "…"):
        return False
    name = text.rsplit("/", 1)[-1]
    if text.lower() in LANGUAGE_WORDS:
        return False
    return "/" in text or "." in name.strip(".") or name in EXTENSIONLESS or name.startswith(".")


def names_a_file(token: str) -> bool:
    """Whether a token is a whole file name by itself: "app.py", "src/Makefile"."""
    name = token.rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    return bool(dot and stem.strip(".") and extension) or name in EXTENSIONLESS


def _unwrap(text: str) -> str:
    text = text.strip(BLANKS)
    changed = True
    while changed and text:
        changed = False
        for wrapper in _WRAPPERS:
            size = len(wrapper)
            if len(text) > 2 * size and text.startswith(wrapper) and text.endswith(wrapper):
                text, changed = text[size:-size].strip(BLANKS), True
    return text


def marker_path(argument: str) -> str | None:
    """The path after a marker keyword (`@@@ FILE <argument>`), or None when unsure.

    Spaces are allowed in a path ("docs/My Notes.md"), but not after a first word that is
    itself a whole path ("app.py - the routes"): that reads as a path plus a comment.
    """
    text = argument.strip(BLANKS)
    text = _ANNOTATION.sub("", text)
    text = _unwrap(without_line_reference(text).rstrip(":").strip(BLANKS))
    text = without_line_reference(_ANNOTATION.sub("", text)).rstrip(":").strip(BLANKS)
    text = _unwrap(text)
    if not text:
        return None
    first, _, rest = text.partition(" ")
    if rest.strip(BLANKS) and names_a_file(first):
        return None
    return text


def path_in_line(line: str, known: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The one file path a line of prose names, or None if it names none or several.

    A line that is only a decorated path ("**app/main.py**", "`app.py`:", "File: app.py")
    gives that path. A sentence gives a path when exactly one file is named in it, counting
    backticked names first, then bare names with an extension.
    """
    text = line.strip(BLANKS)
    text = _LIST_MARK.sub("", text).strip(BLANKS)
    text = _LABEL.sub("", text)
    bare = _unwrap(_ANNOTATION.sub("", text).rstrip(":").strip(BLANKS))
    bare = _unwrap(without_line_reference(_ANNOTATION.sub("", bare)).rstrip(":").strip(BLANKS))
    if looks_like_path(bare) or bare in known:
        return bare
    quoted = {next(g for g in match.groups() if g) for match in _QUOTED.finditer(text)}
    quoted = {q for q in (q.strip(BLANKS) for q in quoted) if looks_like_path(q) or q in known}
    if len(quoted) == 1:
        return quoted.pop()
    if quoted:
        return _one_known(quoted, known)
    matches = list(_PATH_TOKEN.finditer(text))
    if any(_touches_hidden(text, match.start(1), match.end(1)) for match in matches):
        return None  # the name runs on into characters that do not show: unsure where it ends
    tokens = {match.group(1) for match in matches}
    tokens = {t for t in tokens if looks_like_path(t) and not re.match(r"^\d+(\.\d+)+$", t)}
    if len(tokens) == 1:
        return tokens.pop()
    return _one_known(tokens, known) if tokens else None


def _touches_hidden(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return is_hidden(before) or is_hidden(after)


def _one_known(candidates: set[str], known: frozenset[str] | set[str]) -> str | None:
    existing = candidates & set(known)
    return existing.pop() if len(existing) == 1 else None


def split_path_list(argument: str) -> list[str]:
    """Paths listed after PLAN or DELETE: comma separated, or space separated tokens."""
    pieces = [piece for piece in argument.split(",") if piece.strip(BLANKS)]
    if len(pieces) == 1 and " " in pieces[0].strip(BLANKS):
        tokens = re.split(r"[ \t]+", pieces[0].strip(BLANKS))
        if all(names_a_file(_unwrap(token)) for token in tokens):
            pieces = tokens
    paths = []
    for piece in pieces:
        path = marker_path(piece)
        if path:
            paths.append(path)
    return paths
