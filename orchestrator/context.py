"""Choose what of the existing project the model sees, within a token budget.

When everything fits, every file goes in whole. Otherwise, as Aider does, a repository
map. Each file's definitions and references come from tree-sitter tag queries
(orchestrator.checks.code_index); files are ranked over the reference graph (a file that uses a
name points at the files defining it) by a personalised PageRank that starts from what the
request names. The model then gets, within the budget:

- whole: the files the request names (by path or file name) and the files defining the
  names it mentions; then the files that use those names or sit next to the named files in
  the graph, best ranked first, up to SUPPORT_SHARE of the budget;
- the map: every other file, best ranked first, with its definitions, at the detail that
  fits MAP_SHARE of the budget (fewer names per file, then fewer files); the files left out
  are counted.
"""

import math
import re
from collections import defaultdict
from dataclasses import dataclass

from orchestrator.checks.code_index import index_files
from orchestrator.checks.fact_store import FactStore
from orchestrator.checks.javascript import is_relative, resolve
from orchestrator.checks.python import PythonProject

CHARS_PER_TOKEN = 4  # a rough, conservative estimate for code
MAP_SYMBOLS = 12  # names listed per file in the map, at most
SUPPORT_SHARE = 0.15  # of the budget, for whole files the request does not name
MAP_SHARE = 0.15  # of the budget, for the map
DAMPING = 0.85


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


_INNER_FENCE = re.compile(r"^[ \t]*(`{3,})", re.MULTILINE)


def quote_file(path: str, content: str) -> str:
    """A file as the model reads it: its path, then its text in a fence longer than any
    fence inside it, so where the file ends is never in doubt."""
    inner = [len(match.group(1)) for match in _INNER_FENCE.finditer(content)]
    fence = "`" * max(3, max(inner, default=0) + 1)
    body = content if content.endswith("\n") or not content else content + "\n"
    return f"{path}\n{fence}\n{body}{fence}"


@dataclass(frozen=True)
class Context:
    whole: dict[str, str]  # files sent in full
    mapped: dict[str, list[str]]  # the other files: path -> the names they define
    tokens: int
    unlisted: int = 0  # files in neither, when even the map would not fit

    def render(self) -> str:
        parts = [quote_file(path, content) for path, content in self.whole.items()]
        if self.mapped or self.unlisted:
            lines = [
                f"{path}: {', '.join(symbols)}" if symbols else path
                for path, symbols in self.mapped.items()
            ]
            if self.unlisted:
                lines.append(f"... and {self.unlisted} more files, not listed")
            parts.append(
                "Other files in the project, most related first (path: what it defines; "
                "ask for none of them to be rewritten unless needed):\n" + "\n".join(lines)
            )
        return "\n".join(parts)


@dataclass
class _Graph:
    definitions: dict[str, list[str]]  # file -> names it defines, in order
    definers: dict[str, set[str]]  # name -> files defining it
    edges: dict[str, dict[str, float]]  # file -> file it uses -> weight
    uses: dict[str, set[str]]  # file -> names it references that another file defines


def build_context(
    files: dict[str, str], prompt: str, budget_tokens: int, store: FactStore | None = None
) -> Context:
    """Every file when the project fits; otherwise the map and the files that matter."""
    total = sum(estimate_tokens(content) for content in files.values())
    if total <= budget_tokens:
        return Context(whole=dict(sorted(files.items())), mapped={}, tokens=total)
    graph = _graph(files, _mentioned_names(prompt), store)
    named_files = _named_files(files, prompt)
    named_symbols = {n for n in _mentioned_names(prompt) if n in graph.definers and len(n) >= 3}
    central = named_files | {p for n in named_symbols for p in graph.definers[n]}
    rank = pagerank(graph.edges, list(files), {p: 1.0 for p in central})
    order = sorted(files, key=lambda p: (-rank[p], p))

    whole: dict[str, str] = {}
    spent = 0
    for path in [p for p in order if p in central]:
        cost = estimate_tokens(files[path])
        if spent + cost <= budget_tokens:
            whole[path] = files[path]
            spent += cost
    support_budget = spent + int(budget_tokens * SUPPORT_SHARE)
    for path in _supporting(order, central, named_symbols, named_files, graph):
        cost = estimate_tokens(files[path])
        if spent + cost <= min(support_budget, budget_tokens):
            whole[path] = files[path]
            spent += cost
    rest = [p for p in order if p not in whole]
    map_budget = min(int(budget_tokens * MAP_SHARE), budget_tokens - spent)
    mapped, map_tokens = fit_map(rest, graph.definitions, map_budget)
    return Context(whole, mapped, spent + map_tokens, len(rest) - len(mapped))


def _supporting(order, central, named_symbols, named_files, graph: _Graph) -> list[str]:
    """Files worth sending whole besides the central ones, most needed first: those that use
    a name the request mentions, then the central files' neighbours in the graph."""
    users = [p for p in order if p not in central and graph.uses[p] & named_symbols]
    neighbours = {q for p in central for q in graph.edges.get(p, {})}
    neighbours |= {p for p, targets in graph.edges.items() if set(targets) & named_files}
    near = [p for p in order if p in neighbours and p not in central and p not in users]
    return users + near


def fit_map(
    paths: list[str], definitions: dict[str, list[str]], budget: int
) -> tuple[dict[str, list[str]], int]:
    """The map of `paths` (best first) at the most detail that fits: up to MAP_SYMBOLS
    names per file, fewer if need be, then as many files as fit."""
    for detail in (MAP_SYMBOLS, 6, 3, 1, 0):
        mapped, spent = {}, 0
        for path in paths:
            names = definitions.get(path, [])[:detail]
            cost = estimate_tokens(f"{path}: {', '.join(names)}\n")
            if spent + cost > budget:
                break
            mapped[path] = names
            spent += cost
        if len(mapped) == len(paths) or detail == 0:
            return mapped, spent
    return {}, 0  # not reached


def _graph(files: dict[str, str], mentioned: set[str], store: FactStore | None) -> _Graph:
    indexes = index_files(files, store)
    definitions = {p: [d.name for d in index.definitions] for p, index in indexes.items()}
    definers: dict[str, set[str]] = defaultdict(set)
    for path, names in definitions.items():
        for name in names:
            definers[name].add(path)
    edges: dict[str, dict[str, float]] = defaultdict(dict)
    uses: dict[str, set[str]] = defaultdict(set)
    for path, target in imported_files(files, indexes):
        edges[path][target] = edges[path].get(target, 0.0) + 1.0
    for path, index in indexes.items():
        for name, count in index.references.items():
            targets = definers.get(name, set()) - {path}
            if not targets:
                continue
            uses[path].add(name)
            weight = _importance(name, mentioned, len(targets)) * math.sqrt(count) / len(targets)
            for target in targets:
                edges[path][target] = edges[path].get(target, 0.0) + weight
    return _Graph(definitions, definers, edges, uses)


def imported_files(files: dict[str, str], indexes: dict) -> list[tuple[str, str]]:
    """(importer, imported) for every import of one project file by another."""
    pairs = []
    python = {p: i.python for p, i in indexes.items() if i.python is not None}
    project = PythonProject(list(files), python) if python else None
    for path, facts in python.items():
        for imp in facts.imports:
            for target in project.targets(path, imp):
                pairs.append((path, target))
    paths = set(files)
    for path, index in indexes.items():
        if index.javascript is None:
            continue
        for imp in index.javascript.imports:
            if is_relative(imp.source) and (target := resolve(path, imp.source, paths)):
                pairs.append((path, target))
    return [(a, b) for a, b in pairs if a != b]


def _importance(name: str, mentioned: set[str], definers: int) -> float:
    """How much a reference to `name` says about the files it ties (as Aider weighs them)."""
    weight = 1.0
    if name in mentioned:
        weight *= 10
    if len(name) >= 8 and (("_" in name) or (name != name.lower() and name != name.upper())):
        weight *= 10  # a long, specific name: usages are meaningful
    if name.startswith("_"):
        weight *= 0.1
    if definers > 5:
        weight *= 0.1  # defined everywhere (main, index, get): says little
    return weight


def pagerank(
    edges: dict[str, dict[str, float]],
    nodes: list[str],
    personalization: dict[str, float],
    iterations: int = 40,
) -> dict[str, float]:
    """Personalised PageRank by power iteration: the walk restarts at the personalised files
    (all files alike when there are none); files without links hand their rank back there."""
    restart = {n: personalization.get(n, 0.0) for n in nodes}
    total = sum(restart.values())
    restart = (
        {n: v / total for n, v in restart.items()}
        if total
        else dict.fromkeys(nodes, 1 / len(nodes))
    )
    out_weight = {n: sum(edges.get(n, {}).values()) for n in nodes}
    rank = dict(restart)
    for _ in range(iterations):
        dangling = sum(rank[n] for n in nodes if not out_weight[n])
        step = {n: (1 - DAMPING + DAMPING * dangling) * restart[n] for n in nodes}
        for source, targets in edges.items():
            if out_weight[source]:
                share = DAMPING * rank[source] / out_weight[source]
                for target, weight in targets.items():
                    step[target] += share * weight
        rank = step
    return rank


def _mentioned_names(prompt: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", prompt))


def _named_files(files: dict[str, str], prompt: str) -> set[str]:
    """Files the request names: by path, by file name, or by file name without extension."""
    words = {w.lower().strip("./`'\"") for w in re.findall(r"[\w.\-/`'\"]+", prompt)}
    named = set()
    for path in files:
        name = path.rsplit("/", 1)[-1].lower()
        if path.lower() in words or name in words or name.rsplit(".", 1)[0] in words:
            named.add(path)
    return named
