"""Deterministic intent detection: the first action verb in the prompt decides.

The intent shapes the prompt sent to the model; the model's operations decide the change.
"""

import re
from dataclasses import dataclass

_VERBS: dict[str, tuple[str, ...]] = {
    "rename": ("rename", "move", "relocate"),
    "remove": (
        "remove",
        "delete",
        "drop",
        "eliminate",
        "strip",
        "get rid of",
        "take out",
        "deprecate",
        "uninstall",
        "disable",
        "purge",
        "erase",
        "ditch",
    ),
    "add": (
        "add",
        "create",
        "introduce",
        "implement",
        "include",
        "insert",
        "write",
        "generate",
        "build",
        "set up",
        "setup",
        "support",
        "enable",
        "new",
        "append",
        "integrate",
        "provide",
    ),
    "modify": (
        "change",
        "modify",
        "update",
        "refactor",
        "fix",
        "improve",
        "replace",
        "rewrite",
        "convert",
        "make",
        "switch",
        "adjust",
        "optimize",
        "optimise",
        "tweak",
        "edit",
        "clean up",
        "simplify",
        "upgrade",
        "extend",
        "restructure",
        "use",
        "migrate",
    ),
}
_PATTERN = re.compile(
    r"\b("
    + "|".join(
        re.escape(verb) for verbs in _VERBS.values() for verb in sorted(verbs, key=len)[::-1]
    )
    + r")\b",
    re.IGNORECASE,
)
_KIND_OF = {verb: kind for kind, verbs in _VERBS.items() for verb in verbs}


@dataclass(frozen=True)
class Intent:
    kind: str  # add, modify, remove or rename
    verb: str | None  # the word that decided, None when nothing matched

    @property
    def label(self) -> str:
        return self.kind


def detect_intent(prompt: str) -> Intent:
    """Classify a follow-up prompt; `modify` when no action verb is found."""
    for match in _PATTERN.finditer(prompt):
        verb = match.group(1).lower()
        kind = _KIND_OF[verb]
        # "move X to Y" renames; "move fast" does not: require a destination.
        if verb in ("move", "relocate") and not re.search(r"\bto\b|\binto\b", prompt, re.I):
            continue
        # "make a new X" adds; other uses of "make" modify.
        if verb == "make" and re.search(r"\bmake (a|an) new\b", prompt, re.I):
            return Intent("add", "new")
        return Intent(kind, verb)
    return Intent("modify", None)
