"""Lazy answers: a change that loses code the request never asked to lose.

The guard judges what a change loses, not how the model phrased it, so it holds in any
language and any comment syntax (orchestrator.code_lines tells code from comments):

- where lines of code went and only comments, `...` or a stub took their place, the code
  was left out, not changed (unless the request asks for stubs or a shrink, and the comment
  does not elide with "...");
- a whole-file rewrite keeps every definition and every line of code the request does not
  ask to remove: lines moved or modified are kept, a definition the request names or a line
  holding one of its words is accounted for, and so is any loss when the request asks for
  one ("remove", "simplify", "stub out" and their equivalents, in a few languages);
- a whole file that would empty an existing file is refused unless the request names it;
- a file read loosely (a fenced block in prose) must hold most of the file it replaces.

Placeholder phrases ("# ... existing code ...", orchestrator.placeholders) are a second
signal: new, where code went, or saying that code elsewhere was left out.
"""

import difflib
import posixpath
import re
from collections import Counter
from dataclasses import dataclass

from orchestrator.code_lines import (
    comment_lines,
    definitions,
    is_placeholder_line,
    is_trivial,
)
from orchestrator.fences import is_prose_file
from orchestrator.file_text import lines_of
from orchestrator.placeholders import placeholder_kind, stands_for_code

_SHRINK_WORDS = re.compile(
    r"\b(remove|delete|drop|strip|simplif\w*|shorten|trim|condense|reduce|cut|clean\s*up|"
    r"minimi[sz]e|minimal|smaller|shrink|refactor|rewrite|replace|redo|from scratch|get rid|"
    r"take out|eliminate|slim|compact|dedupe|deduplicate|consolidate|extract|split|move|"
    r"merge|rename|inline|purge|prune|only|stop|no longer|disable|revert|undo|unused|dead|"
    r"obsolete|tidy|fewer|less|minify|clear|wipe|comment out|"
    r"supprim\w*|elimin\w*|borra\w*|quita\w*|entfern\w*|lösch\w*|rimuov\w*|удал\w*)\b"
    r"|削除|删除|移除",
    re.IGNORECASE,
)
_STUB_WORDS = re.compile(
    r"\b(stubs?|stubbed|stub out|placeholders?|no-?ops?|noop|skeleton|empty|todo|"
    r"not implemented|notimplemented\w*|blank|protocol|interface|abstract|dummy|mock)\b",
    re.IGNORECASE,
)
# A definition header, for a body of one line replaced by a stub (Python, JavaScript, Go).
_DEFINITION = re.compile(
    r"^(?:\s*(?:async\s+)?def|\s*class|(?:export\s+)?(?:default\s+)?(?:async\s+)?function\*?"
    r"|(?:export\s+)?class|func)\s+(\w+)",
    re.MULTILINE,
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{3,}")
LOST_LINES = 3  # lines of code a rewrite may not drop unasked


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
        if whole and old is not None and old.strip() and not new.strip():
            if self._names_file(path):
                return None
            return (
                "it would empty the file, which the request does not mention; to delete a "
                "file, say so with @@@ DELETE"
            )
        old_lines, new_lines = lines_of(old or ""), lines_of(new)
        prose = is_prose_file(path)
        if reason := self._placeholder(old_lines, new_lines, prose):
            return reason
        if not prose and (reason := self._left_out(path, old or "", new)):
            return reason
        if not whole or old is None or self.shrink_allowed:
            return None
        return self._lost(path, old, new, loose)

    def _names_file(self, path: str) -> bool:
        """The request names the file: its path, its name, or its name's first part."""
        name = posixpath.basename(path)
        stem = name.partition(".")[0]
        words = {path, name} | ({stem} if len(stem) >= 3 else set())
        return any(word.casefold() in self.prompt.casefold() for word in words)

    def _placeholder(self, old: list[str], new: list[str], prose: bool) -> str | None:
        """The phrase signal: a placeholder where code went, or one saying code elsewhere
        was left out."""
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
            if strong and stands_for_code(strong[0], bool(gone), only_markers):
                return f"it puts a placeholder where code was: {strong[0].strip()[:80]!r}"
            emptied = len(gone) >= 2 or (gone and _whole_body(old, i1, i2))
            if only_markers and emptied and not self.stubs_allowed:
                return (
                    f"it replaces {len(gone)} lines of code with {added[0].strip()!r}, as if "
                    "the code were unchanged"
                )
        return None

    def _left_out(self, path: str, old: str, new: str) -> str | None:
        """Code that went where only comments, `...` or stubs took its place, in any
        language: what the words of the placeholder are does not matter."""
        old_lines, new_lines = lines_of(old), lines_of(new)
        old_comments, new_comments = comment_lines(path, old), comment_lines(path, new)
        missing = _missing(old_lines, new_lines)
        matcher = difflib.SequenceMatcher(
            None, [x.strip() for x in old_lines], [x.strip() for x in new_lines], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "replace":
                continue
            gone = [
                line
                for i in range(i1, i2)
                if i not in old_comments
                and not is_trivial(old_lines[i])
                and _take(missing, line := old_lines[i].strip())
            ]
            added = [j for j in range(j1, j2) if new_lines[j].strip()]
            standing = [
                j
                for j in added
                if j in new_comments
                or is_placeholder_line(new_lines[j])
                or placeholder_kind(new_lines[j])
            ]
            # Lines of code in the same place are what as many gone lines became; the rest
            # went, and only stand-ins took their place.
            gone = gone[len(added) - len(standing) :]
            stand_ins = [new_lines[j] for j in standing]
            elides = any(re.search(r"\.\.\.|…", line) for line in stand_ins)
            if len(gone) < (1 if elides else 2) or not stand_ins:
                continue
            if _commented_out(stand_ins, gone):
                continue
            if (self.shrink_allowed or self.stubs_allowed) and not elides:
                continue
            return (
                f"it replaces {len(gone)} lines of code with {stand_ins[0].strip()[:60]!r}, "
                "which is not code: the code was left out"
            )
        return None

    def _lost(self, path: str, old: str, new: str, loose: bool) -> str | None:
        old_count, new_count = len(lines_of(old)), len(lines_of(new))
        if old_count >= 20 and new_count < old_count / 2:
            return (
                f"it shrank from {old_count} to {new_count} lines, more than the request explains"
            )
        dropped = sorted(definitions(path, old) - definitions(path, new))
        unnamed = [name for name in dropped if name not in self.prompt]
        if unnamed:
            return f"it drops {', '.join(unnamed[:3])}, which the request does not mention"
        lost = [] if is_prose_file(path) else self._lines_lost(path, old, new)
        if len(lost) >= LOST_LINES:
            return (
                f"it drops {len(lost)} lines of code the request does not ask to remove, "
                f"such as {lost[0][:60]!r}"
            )
        if loose:
            filled = {line.strip() for line in lines_of(old) if line.strip()}
            kept = filled & {line.strip() for line in lines_of(new)}
            if len(filled) >= 5 and len(kept) < len(filled) / 2:
                return "it looks like a part of the file rather than all of it"
        return None

    def _lines_lost(self, path: str, old: str, new: str) -> list[str]:
        """Lines of code the rewrite drops: not kept anywhere, not modified into a new line
        in their place, not a comment, and holding none of the request's words."""
        old_lines, new_lines = lines_of(old), lines_of(new)
        old_comments, new_comments = comment_lines(path, old), comment_lines(path, new)
        missing = _missing(old_lines, new_lines)
        asked = {word.casefold() for word in _WORD.findall(self.prompt)}
        matcher = difflib.SequenceMatcher(
            None, [x.strip() for x in old_lines], [x.strip() for x in new_lines], autojunk=False
        )
        lost: list[str] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            gone = [
                line
                for i in range(i1, i2)
                if i not in old_comments
                and not is_trivial(old_lines[i])
                and not asked & {w.casefold() for w in _WORD.findall(old_lines[i])}
                and _take(missing, line := old_lines[i].strip())
            ]
            instead = [
                j for j in range(j1, j2) if j not in new_comments and not is_trivial(new_lines[j])
            ]
            lost += gone[len(instead) :]  # the rest were modified into the new lines
        return lost


def _missing(old_lines: list[str], new_lines: list[str]) -> Counter[str]:
    """The lines the old text has more often than the new, counted: a line that appears
    elsewhere too is still gone from here if the new text has fewer of it."""
    return Counter(line.strip() for line in old_lines) - Counter(line.strip() for line in new_lines)


def _take(missing: Counter[str], line: str) -> bool:
    """Whether `line` is one of the missing lines (counting it off)."""
    if missing[line] <= 0:
        return False
    missing[line] -= 1
    return True


def _commented_out(comments: list[str], gone: list[str]) -> bool:
    """Comments that hold the code that went: commented out, not left out."""
    bodies = {re.sub(r"^\s*(?:#|//|--|;|/\*|\*|<!--)\s?", "", line).strip() for line in comments}
    return 2 * len(bodies & set(gone)) >= len(gone)
