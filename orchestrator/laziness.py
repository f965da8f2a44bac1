"""Lazy answers: code replaced by a placeholder, or a file cut down more than asked.

A change is compared with what it replaces, hunk by hunk. A placeholder is a line that
stands for code instead of being code: "# ... existing code ...", "// rest of the file
unchanged", "...  # unchanged", "pass  # same as before". It makes a change lazy only when
it is new and takes the place of code the change removes, so a comment that merely reads
like one ("# keep the existing path for old clients") next to real code is left alone. A
bare `pass` or `...` counts only when it is all that replaced a body, and not when the
request asks for stubs. A whole file that shrinks by half, or loses definitions the request
never names, is lazy unless the request asks to remove, simplify or rewrite.
"""

import difflib
import re
from dataclasses import dataclass

from orchestrator.fences import is_prose_file

_SHRINK_WORDS = re.compile(
    r"\b(remove|delete|drop|strip|simplif\w*|shorten|trim|condense|reduce|cut|clean\s*up|"
    r"minimi[sz]e|minimal|smaller|shrink|refactor|rewrite|replace|redo|from scratch|get rid|"
    r"take out|eliminate|slim|compact|dedupe|deduplicate|consolidate|extract|split|move|"
    r"merge|rename|inline|purge|prune|only)\b",
    re.IGNORECASE,
)
_STUB_WORDS = re.compile(
    r"\b(stubs?|stubbed|stub out|placeholders?|no-?ops?|noop|skeleton|empty|todo|"
    r"not implemented|notimplemented\w*|blank|protocol|interface|abstract|dummy|mock)\b",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"^(?:#+|//+|/\*+|\{/\*+|<!--|--|;+|\*)\s*(?P<text>.*?)\s*(?:\*+/\}?|-->)?$")
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
    r"^(?:pass|raise\s+NotImplementedError(?:\(\s*\))?|"
    r"throw\s+new\s+Error\(\s*[\"'`]not\s+implemented[\"'`]\s*\);?)$",
    re.IGNORECASE,
)
_DEFINITION = re.compile(
    r"^(?:\s*(?:async\s+)?def|\s*class|(?:export\s+)?(?:default\s+)?(?:async\s+)?function\*?"
    r"|(?:export\s+)?class|func)\s+(\w+)",
    re.MULTILINE,
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


def _placeholder_stands_for_code(line: str, code_gone: bool, alone: bool) -> bool:
    """Where code went, a placeholder that says so or stands alone; where none went, one
    that says code elsewhere was left out ("# existing methods remain unchanged")."""
    if code_gone:
        return alone or bool(_ELIDES.search(line))
    return bool(_ELIDES.search(line) and _REFERS_ELSEWHERE.search(line))


def _whole_body(old: list[str], start: int, end: int) -> bool:
    """Whether old[start:end] is the whole body of the definition on the line before it."""
    if start == 0 or not _DEFINITION.match(old[start - 1]):
        return False
    header = len(old[start - 1]) - len(old[start - 1].lstrip())
    after = next((line for line in old[end:] if line.strip()), None)
    return after is None or len(after) - len(after.lstrip()) <= header


def _lines_gone(removed: list[str], new_lines: set[str]) -> list[str]:
    return [line for line in removed if line.strip() and line.strip() not in new_lines]


@dataclass(frozen=True)
class LazinessPolicy:
    """What the request allows: files that shrink, and bodies left as stubs."""

    prompt: str = ""
    shrink_allowed: bool = False
    stubs_allowed: bool = False

    @classmethod
    def for_request(cls, prompt: str, intent: str) -> "LazinessPolicy":
        return cls(
            prompt=prompt,
            shrink_allowed=intent == "remove" or bool(_SHRINK_WORDS.search(prompt)),
            stubs_allowed=bool(_STUB_WORDS.search(prompt)),
        )

    def __call__(
        self, path: str, old: str | None, new: str, whole: bool, loose: bool
    ) -> str | None:
        """Why replacing `old` with `new` is lazy, or None. `whole`: a whole file."""
        old_lines = (old or "").splitlines()
        new_lines = new.splitlines()
        if reason := self._placeholder(old_lines, new_lines, is_prose_file(path)):
            return reason
        if not whole or old is None or self.shrink_allowed:
            return None
        return self._shrunk(old, new, loose)

    def _placeholder(self, old: list[str], new: list[str], prose: bool) -> str | None:
        kept = {line.strip() for line in new}
        matcher = difflib.SequenceMatcher(
            None, [line.strip() for line in old], [line.strip() for line in new], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal" or tag == "delete":
                continue
            added = [line for line in new[j1:j2] if line.strip()]
            gone = _lines_gone(old[i1:i2], kept)
            kinds = [placeholder_kind(line, prose) for line in added]
            strong = [line for line, kind in zip(added, kinds, strict=True) if kind == "strong"]
            only_markers = bool(added) and all(kinds)
            if strong and _placeholder_stands_for_code(strong[0], bool(gone), only_markers):
                return f"it puts a placeholder where code was: {strong[0].strip()[:80]!r}"
            emptied = len(gone) >= 2 or (gone and _whole_body(old, i1, i2))
            if only_markers and emptied and not self.stubs_allowed:
                return (
                    f"it replaces {len(gone)} lines of code with {added[0].strip()!r}, as if "
                    "the code were unchanged"
                )
        return None

    def _shrunk(self, old: str, new: str, loose: bool) -> str | None:
        old_count, new_count = len(old.splitlines()), len(new.splitlines())
        if old_count >= 20 and new_count < old_count / 2:
            return (
                f"it shrank from {old_count} to {new_count} lines, more than the request explains"
            )
        dropped = sorted(set(_DEFINITION.findall(old)) - set(_DEFINITION.findall(new)))
        unnamed = [name for name in dropped if name not in self.prompt]
        if unnamed:
            return f"it drops {', '.join(unnamed[:3])}, which the request does not mention"
        if loose:
            filled = {line.strip() for line in old.splitlines() if line.strip()}
            kept = filled & {line.strip() for line in new.splitlines()}
            if len(filled) >= 5 and len(kept) < len(filled) / 2:
                return "it looks like a part of the file rather than all of it"
        return None
