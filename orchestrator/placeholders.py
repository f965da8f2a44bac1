"""Lines that stand for code instead of being code, in the words models use for them.

"# ... existing code ...", "// rest of the file unchanged", "...  # unchanged", "pass  #
same as before". These phrases are a second signal only: the laziness guard
(orchestrator.laziness) judges first what a change loses, in any language. A phrase makes a
change lazy when it is new and takes the place of code the change removes, or says that
code elsewhere was left out; a comment that merely reads like one ("# keep the existing
path for old clients") next to real code is left alone.
"""

import re

_COMMENT = re.compile(
    r"^(?:#+|//+|/\*+|\{/\*+|\(\*+|\{-+|<!--|--|;+|%+|\*)\s*(?P<text>.*?)\s*"
    r"(?:\*+/\}?|\*+\)|-+\}|-->)?$"
)
# In Markdown and plain text, "#" starts a heading: only HTML comments can stand for text.
_PROSE_COMMENT = re.compile(r"^<!--\s*(?P<text>.*?)\s*-->$")
_CODE_THEN_COMMENT = re.compile(r"^(?P<code>\.\.\.|…|pass)\s*[,;]?\s*(?:#|//)\s*(?P<text>.*)$")
# What a placeholder says it stands for.
_CODE_NOUNS = (
    r"(?:code|codebase|file|files|function|functions|method|methods|class|classes|"
    r"implementation|module|body|component|components|content|contents|routes?|tests?|"
    r"logic|handlers?|endpoints?|config|configuration|settings|styles?|propert(?:y|ies)|"
    r"fields?|imports?|markup|template|page|script|app|application|definitions?|exports?|"
    r"helpers?|views?|models?|schemas?|queries|setup|hooks?|state|props|cases?|branches|"
    r"block|sections?|lines|stuff|things|declarations|dependencies|rules|keys|entries|items|"
    r"readme|document|docs|documentation|text|paragraphs?|steps|list)"
)
_TAIL = (
    r"(?:\s+(?:is\s+|are\s+)?(?:unchanged|the\s+same|as\s+before|as\s+is|here|omitted|"
    r"follows?|untouched|remains?(?:\s+(?:unchanged|the\s+same|as\s+is))?|"
    r"stays?(?:\s+(?:unchanged|the\s+same|as\s+is))?|goes\s+here|continues?|"
    r"for\s+brevity))?"
)
_PLACEHOLDER = re.compile(
    rf"""^(?:
      (?:the\s+)?(?:rest|remainder)\s+of\s+(?:the\s+|this\s+|your\s+)?
        (?:[\w-]+\s+){{0,2}}?{_CODE_NOUNS}{_TAIL}
     |(?:all\s+)?(?:the\s+)?(?:existing|other|remaining|previous|original|unchanged|old|same)
        \s+(?:[\w-]+\s+){{0,2}}?{_CODE_NOUNS}{_TAIL}
     |(?:[\w-]+\s+){{0,2}}?{_CODE_NOUNS}\s+(?:is\s+|are\s+)?(?:unchanged|omitted|untouched)
        (?:\s+for\s+brevity)?
     |(?:unchanged|omitted|untouched)(?:\s+for\s+brevity)?
     |same\s+as\s+(?:before|above|original|existing|earlier)|as\s+before|no\s+changes?
     |(?:everything(?:\s+else)?|this|the\s+rest|rest)
        \s+(?:remains?|stays?|is|are)\s+(?:the\s+same|unchanged|as\s+before|as\s+is|untouched)
     |keep\s+(?:the\s+)?(?:existing|rest|same)(?:\s+{_CODE_NOUNS})?(?:\s+as\s+is)?
     |etc|and\s+so\s+on|(?:your|more|other)\s+{_CODE_NOUNS}\s+here
     |todo(?:\s*[:\-]?\s*(?:implement\w*|fill\s+(?:this\s+|it\s+)?in|add|write)
        (?:\s+(?:the\s+|this\s+|it|me|here|later|{_CODE_NOUNS}))*)?
     |implement(?:ation)?\s+(?:this|me|here|later|goes\s+here)
     |(?:your|the|actual|real)\s+{_CODE_NOUNS}\s+(?:goes\s+)?here
     |not\s+(?:yet\s+)?implemented(?:\s+yet)?|fill\s+(?:this\s+|it\s+)?in
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Placeholders that point at code elsewhere, and words that say code was left out.
_REFERS_ELSEWHERE = re.compile(
    r"\b(existing|rest|remainder|remaining|unchanged|same as|as before|previous|original|"
    r"omitted|untouched|other)\b",
    re.IGNORECASE,
)
_ELIDES = re.compile(
    r"\.\.\.|…|\b(unchanged|the same|as before|as is|omitted|untouched|remains?|stays?|"
    r"goes here|here|for brevity)\b",
    re.IGNORECASE,
)
# Statements that stand for a body without doing its work.
_STUB_STATEMENT = re.compile(
    r"^(?:pass|raise\s+NotImplementedError(?:\(.*\))?|"
    r"throw\s+new\s+(?:Error\(\s*[\"'`]not\s+implemented[\"'`]\s*\)"
    r"|NotImplementedException\(\s*\)|UnsupportedOperationException\(.*\));?|"
    r"(?:todo|unimplemented)!\(.*\);?|panic\(\s*\"(?:todo|not\s+implemented)\"\s*\);?)$",
    re.IGNORECASE,
)


def _normalise(text: str) -> str:
    text = re.sub(r"[.…]{2,}|…", " ", text)
    text = text.strip(" \t.:;,-\u2013\u2014()[]{}\"'`*!")
    return re.sub(r"\s+", " ", text).lower()


def placeholder_kind(line: str, prose: bool = False) -> str | None:
    """ "strong" for a line that stands for omitted code, "weak" for a bare `pass` or `...`
    (a placeholder only when it is all that replaced a body), or None for real code.
    `prose`: the line is from Markdown or plain text, where "#" starts a heading."""
    stripped = line.strip()
    if stripped in ("...", "…", "...;", "…;"):
        return "strong" if prose else "weak"
    if not prose and _STUB_STATEMENT.match(stripped):
        return "weak"
    found = None if prose else _CODE_THEN_COMMENT.match(stripped)
    if found is None:
        found = (_PROSE_COMMENT if prose else _COMMENT).match(stripped)
        if found is None:
            return None
        if not _normalise(found.group("text")):
            return "strong" if re.search(r"\.\.\.|…", found.group("text")) else None
    return "strong" if _PLACEHOLDER.match(_normalise(found.group("text"))) else None


def stands_for_code(line: str, code_gone: bool, alone: bool) -> bool:
    """Where code went, a placeholder that says so or stands alone; where none went, one
    that says code elsewhere was left out ("# existing methods remain unchanged")."""
    if code_gone:
        return alone or bool(_ELIDES.search(line))
    return bool(_ELIDES.search(line) and _REFERS_ELSEWHERE.search(line))
