"""Choose what of the existing project the model sees, within a token budget."""

import re
from dataclasses import dataclass

CHARS_PER_TOKEN = 4  # a rough, conservative estimate for code


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


@dataclass(frozen=True)
class Context:
    whole: dict[str, str]  # files sent in full
    mapped: list[str]  # files sent as a path only
    tokens: int

    def render(self) -> str:
        parts = [f"--- {path}\n{content}" for path, content in self.whole.items()]
        if self.mapped:
            parts.append("Other files in the project (not shown):\n" + "\n".join(self.mapped))
        return "\n".join(parts)


def build_context(files: dict[str, str], prompt: str, budget_tokens: int) -> Context:
    """Every file when the project fits; otherwise the files the prompt names first."""
    total = sum(estimate_tokens(content) for content in files.values())
    if total <= budget_tokens:
        return Context(whole=dict(sorted(files.items())), mapped=[], tokens=total)
    words = {word.lower() for word in re.findall(r"[\w.-]+", prompt)}

    def relevance(path: str) -> tuple[int, str]:
        name = path.rsplit("/", 1)[-1].lower()
        named = name in words or name.rsplit(".", 1)[0] in words
        return (0 if named else 1, path)

    whole: dict[str, str] = {}
    spent = 0
    for path in sorted(files, key=relevance):
        cost = estimate_tokens(files[path])
        if spent + cost > budget_tokens:
            continue
        whole[path] = files[path]
        spent += cost
    mapped = sorted(path for path in files if path not in whole)
    spent += sum(estimate_tokens(path) for path in mapped)
    return Context(whole=whole, mapped=mapped, tokens=spent)
