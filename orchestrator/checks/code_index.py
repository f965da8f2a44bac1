"""What each file holds, read once by tree-sitter and kept by content.

One parse gives everything both the checks and the repository map need: the syntax errors,
Python's and JavaScript's imports and exports, and the definitions and references the tag
queries (orchestrator/queries) find. A worker reads version after version of the same
project, and an iteration changes a few files, so the index is cached by path and content.
"""

import functools
import hashlib
import pathlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from tree_sitter import Query, QueryCursor, Tree
from tree_sitter_language_pack import get_language

from orchestrator.checks.findings import Finding
from orchestrator.checks.javascript import JsFacts, javascript_facts
from orchestrator.checks.languages import language_of, parse, syntax_findings
from orchestrator.checks.python import PythonFacts, python_facts

CACHE_FILES = 20_000
QUERIES = pathlib.Path(__file__).parent.parent / "queries"
JS_LANGUAGES = {"javascript", "typescript", "tsx"}
_QUERY_FILE = {"tsx": "typescript"}  # TSX is TypeScript with elements: the same tags


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str  # function, class, method, constant, ...
    line: int


@dataclass(frozen=True)
class FileIndex:
    language: str | None
    syntax: tuple[Finding, ...] = ()
    python: PythonFacts | None = None
    javascript: JsFacts | None = None
    definitions: tuple[Definition, ...] = ()
    references: Counter = field(default_factory=Counter)  # name -> times referenced


_cache: OrderedDict[tuple[str, str], FileIndex] = OrderedDict()


def index_file(path: str, content: str) -> FileIndex:
    data = content.encode("utf-8", "surrogatepass")
    key = (path, hashlib.blake2b(data, digest_size=16).hexdigest())
    if (cached := _cache.get(key)) is not None:
        _cache.move_to_end(key)
        return cached
    language = language_of(path)
    if language is None:
        index = FileIndex(None)
    else:
        tree = parse(language, content)
        definitions, references = tags(language, tree)
        index = FileIndex(
            language,
            tuple(syntax_findings(path, language, tree)),
            python_facts(tree) if language == "python" else None,
            javascript_facts(tree, language) if language in JS_LANGUAGES else None,
            definitions,
            references,
        )
    _cache[key] = index
    if len(_cache) > CACHE_FILES:
        _cache.popitem(last=False)
    return index


@functools.cache
def tag_queries(language: str) -> tuple[Query, ...]:
    """The language's tag queries (Aider's, then ours), or none for a language without."""
    name = _QUERY_FILE.get(language, language)
    found = []
    for suffix in ("tags", "extra-tags"):
        source = QUERIES / f"{name}-{suffix}.scm"
        if source.exists():
            found.append(Query(get_language(language), source.read_text()))  # type: ignore[arg-type]
    return tuple(found)


def tags(language: str, tree: Tree) -> tuple[tuple[Definition, ...], Counter]:
    definitions: dict[str, Definition] = {}
    references: Counter = Counter()
    for query in tag_queries(language):
        for capture, nodes in QueryCursor(query).captures(tree.root_node).items():
            if capture.startswith("name.definition."):
                kind = capture.removeprefix("name.definition.")
                for node in nodes:
                    name = (node.text or b"").decode("utf-8", "replace")
                    if name and name not in definitions:
                        definitions[name] = Definition(name, kind, node.start_point[0] + 1)
            elif capture.startswith("name.reference."):
                references.update((node.text or b"").decode("utf-8", "replace") for node in nodes)
    ordered = tuple(sorted(definitions.values(), key=lambda d: d.line))
    return ordered, references
