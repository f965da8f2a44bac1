"""A file's encoding facts, kept through every change the model makes.

A model writes text with LF endings, no byte-order mark and whatever final newline it
likes; the project's file may differ in each. What the file had, it keeps: its UTF-8 BOM,
the ending of every line a change keeps, its final newline or lack of one. Lines the model
adds take the file's own ending (CRLF when most of its lines end so), and a new file takes
the project's, so a Windows project stays CRLF throughout.
"""

import difflib
import re

BOM = "\ufeff"
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


def split_lines(text: str) -> list[tuple[str, str]]:
    """(content, line ending) per line; the last line's ending may be empty. Lines end at
    LF or CRLF only, as git counts them: a form feed or U+2028 inside a line is its text."""
    out = []
    for line in _LINE.findall(text):
        if line.endswith("\r\n"):
            out.append((line[:-2], "\r\n"))
        elif line.endswith("\n"):
            out.append((line[:-1], "\n"))
        else:
            out.append((line, ""))
    return out


def lines_of(text: str) -> list[str]:
    """The lines of a text without their endings (LF or CRLF)."""
    return [body for body, _ in split_lines(text)]


def line_ending(text: str) -> str:
    """The file's line ending: CRLF when most of its lines end so, else LF."""
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def project_ending(files: dict[str, str]) -> str:
    """The ending a new file takes: CRLF when every file with line breaks ends its lines so."""
    endings = {line_ending(text) for text in files.values() if "\n" in text}
    return "\r\n" if endings == {"\r\n"} else "\n"


def split_bom(text: str) -> tuple[str, str]:
    """(the byte-order mark or "", the text after it)."""
    return (BOM, text[1:]) if text.startswith(BOM) else ("", text)


def without_bom(text: str) -> str:
    """The model's text without a byte-order mark: the file's own mark is kept apart."""
    return text.removeprefix(BOM)


def new_file_text(content: str, ending: str) -> str:
    """A new file as the model wrote it, its lines ending with the project's ending."""
    if ending == "\n" or not content:
        return content
    text = ending.join(lines_of(content))
    return text + ending if content.endswith("\n") else text


def keep_facts(old: str, new: str) -> str:
    """`new`, a whole new version of `old`, with `old`'s encoding facts: its BOM, each kept
    line's ending, the file's ending for the other lines, and its final newline or lack."""
    bom, old_body = split_bom(old)
    old_lines = split_lines(old_body)
    new_bodies = lines_of(without_bom(new))
    ending = line_ending(old_body)
    endings = [ending] * len(new_bodies)
    matcher = difflib.SequenceMatcher(
        None, [body for body, _ in old_lines], new_bodies, autojunk=False
    )
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                endings[j1 + offset] = old_lines[i1 + offset][1] or ending
    if new_bodies and old_body and not old_body.endswith("\n"):
        endings[-1] = ""  # the file had no final newline: it still has none
    return bom + "".join(body + eol for body, eol in zip(new_bodies, endings, strict=True))
