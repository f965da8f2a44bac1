"""Markdown code fences in a model's answer: recognising them, and taking them off a file.

Models fence their answers out of habit, sometimes inside a block where only the file's
text belongs. A fence line can never be the first or last line of real code, so around a
code file it is dropped. In Markdown and plain text it can be real content, so there a
wrapping fence is dropped only when it certainly wraps: its language is Markdown or plain
text (or the file's own extension), or it holds other fences (one code block cannot contain
another). A bare fence around a whole Markdown file is kept: it may be the file's content.
"""

import re

FENCE = re.compile(r"^(`{3,}|~{3,})[ \t]*(.*)$")
_PROSE_EXTENSIONS = frozenset({"md", "markdown", "mdx", "txt", "rst", "adoc", "asciidoc", "org"})
_CODE_WITHOUT_EXTENSION = frozenset(
    {"Makefile", "Dockerfile", "Procfile", "Gemfile", "Rakefile", "Vagrantfile", "Jenkinsfile"}
)
# Languages that say the fence wraps the file itself, not a code block inside it.
_WRAPPING_LANGUAGES = frozenset({"markdown", "md", "mdx", "text", "txt", "plaintext", "plain"})


def is_closing_fence(line: str, opener: str = "```") -> bool:
    """A bare fence line of the opener's character, at least as long."""
    stripped = line.strip()
    char = opener[0]
    return len(stripped) >= len(opener) and stripped == char * len(stripped)


def is_prose_file(path: str | None) -> bool:
    """Files where a fence line may be content: Markdown, plain text, LICENSE and the like."""
    name = (path or "").rsplit("/", 1)[-1]
    if name in _CODE_WITHOUT_EXTENSION:
        return False
    stem, dot, extension = name.rpartition(".")
    return not (dot and stem) or extension.lower() in _PROSE_EXTENSIONS


def unwrap_fences(path: str | None, text: str) -> str:
    """`text` without a fence the model put around the file's content."""
    lines = text.splitlines(keepends=True)
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return text
    first, last = filled[0], filled[-1]
    opener = FENCE.match(lines[first].rstrip())
    closes = first != last and is_closing_fence(lines[last], opener.group(1) if opener else "```")
    if is_prose_file(path):
        if not (opener and closes):
            return text
        language = opener.group(2).strip().lower().split(" ")[0]
        extension = (path or "").rpartition(".")[2].lower()
        inner = lines[first + 1 : last]
        wrapping = language in _WRAPPING_LANGUAGES or (language and language == extension)
        if wrapping or any(FENCE.match(line) for line in inner):
            return "".join(inner)
        return text
    start = first + 1 if opener else 0
    end = last if closes or (not opener and is_closing_fence(lines[last])) else len(lines)
    return "".join(lines[start:end])
