"""What each file holds, read once by tree-sitter and kept by content.

One parse gives everything both the checks and the repository map need: the syntax errors,
Python's and JavaScript's imports and exports, and the definitions and references the tag
queries (orchestrator/queries) find. A worker reads version after version of the same
project, and an iteration changes a few files, so the index is cached by path and content.
"""

import functools
import hashlib
import json
import pathlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from tree_sitter import Query, QueryCursor, Tree
from tree_sitter_language_pack import get_language

from orchestrator.checks import fact_store
from orchestrator.checks.findings import Finding
from orchestrator.checks.javascript import JsFacts, JsImport, javascript_facts
from orchestrator.checks.languages import language_of, parse, syntax_findings
from orchestrator.checks.python import Import, PythonFacts, python_facts

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


def digest(content: str) -> str:
    return hashlib.blake2b(content.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def forget() -> None:
    """Drop the indexes kept in memory."""
    _cache.clear()


def index_file(path: str, content: str) -> FileIndex:
    return index_files({path: content})[path]


def index_files(
    files: dict[str, str], store: fact_store.FactStore | None = None
) -> dict[str, FileIndex]:
    """Each file's index: from memory, else from the lasting store, else read now (and kept
    in both)."""
    keys = {path: (path, digest(content)) for path, content in files.items()}
    found: dict[str, FileIndex] = {}
    for path, cache_key in keys.items():
        if (cached := _cache.get(cache_key)) is not None:
            _cache.move_to_end(cache_key)
            found[path] = cached
    missing = [path for path in files if path not in found]
    if store is not None and missing:
        stored_keys = {path: fact_store.key("index", *keys[path]) for path in missing}
        stored = store.load(list(stored_keys.values()))
        for path, stored_key in stored_keys.items():
            if stored_key in stored:
                found[path] = _remember(keys[path], decode_index(stored[stored_key]))
    fresh = {path: _read(path, files[path]) for path in files if path not in found}
    for path, index in fresh.items():
        found[path] = _remember(keys[path], index)
    if store is not None and fresh:
        store.save({fact_store.key("index", *keys[p]): encode_index(i) for p, i in fresh.items()})
    return found


def _remember(cache_key: tuple[str, str], index: FileIndex) -> FileIndex:
    _cache[cache_key] = index
    if len(_cache) > CACHE_FILES:
        _cache.popitem(last=False)
    return index


def _read(path: str, content: str) -> FileIndex:
    language = language_of(path)
    if language is None:
        return FileIndex(None)
    tree = parse(language, content)
    definitions, references = tags(language, tree)
    return FileIndex(
        language,
        tuple(syntax_findings(path, language, tree)),
        python_facts(tree) if language == "python" else None,
        javascript_facts(tree, language) if language in JS_LANGUAGES else None,
        definitions,
        references,
    )


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


# An index as JSON, for the lasting store ------------------------------------------------


def encode_index(index: FileIndex) -> str:
    """A FileIndex (orchestrator.checks.code_index) as JSON text."""
    python = index.python
    javascript = index.javascript
    return json.dumps(
        {
            "language": index.language,
            "syntax": [finding.as_dict() for finding in index.syntax],
            "python": None
            if python is None
            else {
                "imports": [
                    [i.line, i.column, i.level, i.module, list(i.names), i.star, i.optional]
                    for i in python.imports
                ],
                "defines": sorted(python.defines),
                "open_ended": python.open_ended,
            },
            "javascript": None
            if javascript is None
            else {
                "imports": [
                    [i.line, i.column, i.source, list(i.names)] for i in javascript.imports
                ],
                "exports": sorted(javascript.exports),
                "open_ended": javascript.open_ended,
            },
            "definitions": [[d.name, d.kind, d.line] for d in index.definitions],
            "references": dict(index.references),
        }
    )


def decode_index(text: str) -> FileIndex:
    """The FileIndex that encode_index wrote."""
    data = json.loads(text)
    python = data["python"]
    javascript = data["javascript"]
    return FileIndex(
        data["language"],
        tuple(Finding.from_dict(item) for item in data["syntax"]),
        None
        if python is None
        else PythonFacts(
            tuple(
                Import(line, column, level, module, tuple(names), star, optional)
                for line, column, level, module, names, star, optional in python["imports"]
            ),
            frozenset(python["defines"]),
            python["open_ended"],
        ),
        None
        if javascript is None
        else JsFacts(
            tuple(
                JsImport(line, column, source, tuple(names))
                for line, column, source, names in javascript["imports"]
            ),
            frozenset(javascript["exports"]),
            javascript["open_ended"],
        ),
        tuple(Definition(name, kind, line) for name, kind, line in data["definitions"]),
        Counter(data["references"]),
    )
