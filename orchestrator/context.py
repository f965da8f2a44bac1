"""Choose what of the existing project the model sees, within a token budget.

When everything fits, every file goes in whole. Otherwise the model gets a map of every file
(its path and top-level symbols) and the full text of the files that matter most to the
request, best first, until the budget is spent: files the request names, files defining
symbols it names, then the files that import those or that those import.
"""

import re
from dataclasses import dataclass

CHARS_PER_TOKEN = 4  # a rough, conservative estimate for code
MAP_SYMBOLS = 12  # symbols listed per file in the map

_SYMBOL = re.compile(
    r"^(?:async\s+def|def|class)\s+(\w+)"  # Python
    r"|^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|interface|type)\s+(\w+)"
    r"|^(?:export\s+)?(?:const|let|var)\s+(\w+)\s*="  # JavaScript / TypeScript
    r"|^([A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=(?!=)",  # module-level assignment
    re.MULTILINE,
)
_PY_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+([\w, \t]+)|import[ \t]+([\w.]+))",
    re.MULTILINE,
)
_JS_IMPORT = re.compile(r"""(?:from\s+|require\(\s*|import\s+)['"](\.{1,2}/[^'"]+)['"]""")


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


def top_level_symbols(content: str) -> list[str]:
    names = (next(group for group in m.groups() if group) for m in _SYMBOL.finditer(content))
    return list(dict.fromkeys(names))


def imports_of(path: str, content: str, paths: set[str]) -> set[str]:
    """The project files `path` imports, as far as simple patterns can tell."""
    found = set()
    for match in _PY_IMPORT.finditer(content):
        base = (match.group(1) or match.group(3)).strip(".").replace(".", "/")
        candidates = [f"{base}.py", f"{base}/__init__.py"]
        if match.group(2):  # from package import module, other
            candidates += [f"{base}/{name.strip()}.py" for name in match.group(2).split(",")]
        found.update(p for p in candidates if p in paths)
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    for relative in _JS_IMPORT.findall(content):
        parts = [p for p in (folder + "/" + relative).split("/") if p and p != "."]
        resolved: list[str] = []
        for part in parts:
            if part == "..":
                if resolved:
                    resolved.pop()
            else:
                resolved.append(part)
        base = "/".join(resolved)
        candidates = [base + suffix for suffix in ("", ".js", ".ts", ".jsx", ".tsx", "/index.js")]
        found.update(c for c in candidates if c in paths)
    return found - {path}


@dataclass(frozen=True)
class Context:
    whole: dict[str, str]  # files sent in full
    mapped: dict[str, list[str]]  # the other files: path -> top-level symbols
    tokens: int
    unlisted: int = 0  # files in neither, when even the map would not fit

    def render(self) -> str:
        parts = [f"--- {path}\n{content}" for path, content in self.whole.items()]
        if self.mapped:
            lines = [
                f"{path}: {', '.join(symbols[:MAP_SYMBOLS])}" if symbols else path
                for path, symbols in self.mapped.items()
            ]
            if self.unlisted:
                lines.append(f"... and {self.unlisted} more files, not listed")
            parts.append(
                "Other files in the project (path: top-level symbols; ask for none of them "
                "to be rewritten unless needed):\n" + "\n".join(lines)
            )
        return "\n".join(parts)


def relevance(files: dict[str, str], prompt: str, symbols: dict[str, list[str]]) -> dict[str, int]:
    """A score per file: named 100, defines a named symbol 50, then 10 for a file that
    imports those and uses a named symbol (or imports a named file), and for what they import.
    """
    words = set(re.findall(r"[\w.\-/]+", prompt))
    lowered = {word.lower().strip("./") for word in words}
    scores = dict.fromkeys(files, 0)
    named_files: set[str] = set()
    named_symbols: set[str] = set()
    for path in files:
        name = path.rsplit("/", 1)[-1].lower()
        if path.lower() in lowered or name in lowered or name.rsplit(".", 1)[0] in lowered:
            scores[path] += 100
            named_files.add(path)
        defined = {s for s in symbols[path] if len(s) >= 3 and s in words}
        if defined:
            scores[path] += 50
            named_symbols |= defined
    central = {path for path, score in scores.items() if score}
    uses = (
        re.compile(r"\b(" + "|".join(map(re.escape, named_symbols)) + r")\b")
        if named_symbols
        else None
    )
    paths = set(files)
    for path, content in files.items():
        imported = imports_of(path, content, paths)
        if imported & named_files or (imported & central and uses and uses.search(content)):
            scores[path] += 10  # depends on what the request is about
        if path in central:
            for other in imported:
                scores[other] += 10  # what the request's files build on
    return scores


def build_context(files: dict[str, str], prompt: str, budget_tokens: int) -> Context:
    """Every file when the project fits; otherwise a map plus the most relevant files."""
    total = sum(estimate_tokens(content) for content in files.values())
    if total <= budget_tokens:
        return Context(whole=dict(sorted(files.items())), mapped={}, tokens=total)
    symbols = {path: top_level_symbols(content) for path, content in files.items()}
    scores = relevance(files, prompt, symbols)
    order = sorted(files, key=lambda p: (-scores[p], p))
    # The map takes at most a third of the budget, most relevant entries first.
    mapped: dict[str, list[str]] = {}
    spent = unlisted = 0
    for path in order:
        cost = estimate_tokens(f"{path}: {', '.join(symbols[path][:MAP_SYMBOLS])}")
        if spent + cost <= budget_tokens // 3:
            mapped[path] = symbols[path]
            spent += cost
        else:
            unlisted += 1
    whole: dict[str, str] = {}
    for path in order:
        if scores[path] == 0 and whole:
            break  # the rest are only in the map
        cost = estimate_tokens(files[path])
        if spent + cost > budget_tokens:
            continue
        whole[path] = files[path]
        spent += cost
        if mapped.pop(path, None) is None:
            unlisted -= 1
    return Context(whole=whole, mapped=mapped, tokens=spent, unlisted=max(unlisted, 0))
