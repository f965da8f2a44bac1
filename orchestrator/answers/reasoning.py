"""Reasoning is never read as the answer.

Providers that send reasoning apart (Gemini's thought parts, the `reasoning_content` or
`reasoning` field of OpenAI-compatible servers) keep it out of the answer's text
(orchestrator.providers). When it is inline, as `<think>...</think>` (or thinking,
reasoning, thought, reflection, scratchpad), the line reader sets it aside:
- a block opened outside any operation runs to its closing tag: its drafts are not read;
- a closing tag with no opening one (the server ate it) makes everything before it
  reasoning: only what follows is the answer;
- a block opened and never closed leaves nothing after it to read: the answer was cut off,
  and the operations it meant are asked for again, never taken from the drafts.
"""

import re

_NAMES = r"think|thinking|thought|thoughts|reasoning|reflection|scratchpad"
_QUOTES = " \t`'\"\u201c\u201d\u2018\u2019"  # spaces and quotes, straight and curly
OPENING = re.compile(rf"^[ \t]*<({_NAMES})>", re.IGNORECASE)
CLOSING = re.compile(rf"</({_NAMES})>", re.IGNORECASE)


def lone_closing(line: str) -> re.Match | None:
    """A closing tag that starts or ends its line, or is glued to the words on both sides
    as a stream glues it ("done.</think>Here"); not one quoted or named in a sentence."""
    stripped = line.strip()
    match = CLOSING.search(line)
    if match is None:
        return None
    tag = match.group(0)
    if stripped.startswith(tag) or stripped.endswith(tag):
        return match
    before, after = line[match.start() - 1 : match.start()], line[match.end() : match.end() + 1]
    glued = bool(before) and bool(after) and before not in _QUOTES and after not in _QUOTES
    return match if glued else None


def strip_reasoning(text: str) -> str:
    """The text without inline reasoning: for answers read whole (a plan), not streamed."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    inside = seen = False
    for line in lines:
        if inside:
            if close := CLOSING.search(line):
                inside = False
                out.append(line[close.end() :])
            continue
        if opening := OPENING.match(line):
            seen = True
            rest = line[opening.end() :]
            if close := CLOSING.search(rest):
                out.append(rest[close.end() :])
            else:
                inside = True
            continue
        if not seen and (close := lone_closing(line)):
            seen = True
            out = [line[close.end() :]]  # all before the lone closing tag was reasoning
            continue
        out.append(line)
    return "".join(out)
