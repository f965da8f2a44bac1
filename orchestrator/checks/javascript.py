"""JavaScript and TypeScript: relative imports must reach a file, and named imports a name
that file exports.

Read from the tree-sitter parse: `import ... from './x'`, `export ... from './x'`,
`require('./x')` and `import('./x')`; and what each file exports (ES `export`s, and
CommonJS `module.exports = {...}` / `exports.name = ...`). A file whose exports cannot be
known without running it (`export * from`, `module.exports = something`) accepts any name.
"""

import functools
import posixpath
from dataclasses import dataclass

from tree_sitter import Node, Query, QueryCursor, Tree
from tree_sitter_language_pack import get_language

from orchestrator.checks.findings import ERROR, Finding

RESOLVE_EXTENSIONS = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts", ".json")
ASSET_EXTENSIONS = (".css", ".scss", ".sass", ".less", ".svg", ".png", ".jpg", ".jpeg", ".gif")
ASSET_EXTENSIONS += (".webp", ".ico", ".html", ".vue", ".svelte", ".md", ".txt", ".wasm")


@dataclass(frozen=True)
class JsImport:
    line: int
    column: int
    source: str
    names: tuple[str, ...] = ()  # named imports; empty for default, namespace or side effect


@dataclass(frozen=True)
class JsFacts:
    imports: tuple[JsImport, ...] = ()
    exports: frozenset[str] = frozenset()
    open_ended: bool = False  # exports that cannot be listed without running the file


_QUERY = """
(import_statement) @import
(export_statement) @export
(call_expression
  function: (identifier) @function (#eq? @function "require")
  arguments: (arguments . (string))) @load
(call_expression function: (import) arguments: (arguments . (string))) @load
(assignment_expression
  left: (member_expression) @target (#match? @target "^(module[.])?exports")) @assign
"""


@functools.cache
def _query(language: str) -> Query:
    return Query(get_language(language), _QUERY)  # type: ignore[arg-type]


def javascript_facts(tree: Tree, language: str = "javascript") -> JsFacts:
    """Imports and exports, found by a tree-sitter query (in C: quick on a big bundle)."""
    found = QueryCursor(_query(language)).captures(tree.root_node)
    imports: list[JsImport] = []
    exports: set[str] = set()
    open_ended = False
    for node in found.get("import", []):
        source = node.child_by_field_name("source")
        if source is not None:
            imports.append(_import(node, _string(source), _named_imports(node)))
    for node in found.get("export", []):
        source = node.child_by_field_name("source")
        clause = _child(node, "export_clause")
        if source is not None:
            names = tuple(_specifiers(clause, "name")) if clause else ()
            imports.append(_import(node, _string(source), names))
            if clause is None:
                open_ended = True  # export * from
            else:
                exports |= set(_specifiers(clause, "exported"))
        elif clause is not None:
            exports |= set(_specifiers(clause, "exported"))
        elif (declaration := node.child_by_field_name("declaration")) is not None:
            exports |= _declared(declaration)
        if any(child.type == "default" for child in node.children):
            exports.add("default")
        if any(child.type == "=" for child in node.children):
            open_ended = True  # TypeScript's `export = x`
    for node in found.get("load", []):
        arguments = node.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        if first is not None and first.type == "string":
            imports.append(_import(node, _string(first), _required_names(node)))
    for node in found.get("assign", []):
        left = node.child_by_field_name("left")
        target = _text(left) if left is not None else ""
        if target == "module.exports":
            right = node.child_by_field_name("right")
            if right is not None and right.type == "object":
                exports |= _object_keys(right)
            else:
                open_ended = True
        elif target.startswith(("module.exports.", "exports.")) and target.count(".") <= 2:
            exports.add(target.rsplit(".", 1)[1])
    imports.sort(key=lambda imp: (imp.line, imp.column))
    return JsFacts(tuple(imports), frozenset(exports), open_ended)


def _import(node: Node, source: str, names: tuple[str, ...]) -> JsImport:
    row, column = node.start_point
    return JsImport(row + 1, column + 1, source, names)


def _named_imports(node: Node) -> tuple[str, ...]:
    if any(child.type == "type" for child in node.children):
        return ()  # `import type { X }`: types are not checked
    clause = _child(node, "import_clause")
    named = _child(clause, "named_imports") if clause else None
    if named is None:
        return ()
    out = []
    for specifier in named.named_children:
        if specifier.type != "import_specifier":
            continue
        if any(child.type == "type" for child in specifier.children):
            continue
        name = specifier.child_by_field_name("name")
        if name is not None:
            out.append(_text(name))
    return tuple(out)


def _required_names(call: Node) -> tuple[str, ...]:
    """`const { a, b: c } = require('./x')`: a and b."""
    declarator = call.parent
    if declarator is None or declarator.type != "variable_declarator":
        return ()
    pattern = declarator.child_by_field_name("name")
    if pattern is None or pattern.type != "object_pattern":
        return ()
    out = []
    for child in pattern.named_children:
        if child.type == "shorthand_property_identifier_pattern":
            out.append(_text(child))
        elif child.type == "pair_pattern" and (key := child.child_by_field_name("key")):
            out.append(_text(key))
    return tuple(out)


def _specifiers(clause: Node, which: str) -> list[str]:
    """An export clause's names: as the file knows them ("name") or as exported."""
    out = []
    for specifier in clause.named_children:
        if specifier.type != "export_specifier":
            continue
        name = specifier.child_by_field_name("name")
        alias = specifier.child_by_field_name("alias")
        chosen = alias if which == "exported" and alias is not None else name
        if chosen is not None:
            out.append(_string(chosen) if chosen.type == "string" else _text(chosen))
    return out


def _declared(declaration: Node) -> set[str]:
    if declaration.type == "ambient_declaration":  # export declare const x: T
        return {n for child in declaration.named_children for n in _declared(child)}
    if declaration.type in {"lexical_declaration", "variable_declaration"}:
        out = set()
        for declarator in declaration.named_children:
            name = declarator.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                out.add(_text(name))
            elif name is not None:
                out |= {_text(n) for n in _identifiers(name)}
        return out
    name = declaration.child_by_field_name("name")
    return {_text(name)} if name is not None else set()


def _identifiers(node: Node) -> list[Node]:
    if node.type in {"identifier", "shorthand_property_identifier_pattern"}:
        return [node]
    return [n for child in node.named_children for n in _identifiers(child)]


def _object_keys(node: Node) -> set[str]:
    out = set()
    for child in node.named_children:
        if child.type == "shorthand_property_identifier":
            out.add(_text(child))
        elif child.type in {"pair", "method_definition"}:
            key = child.child_by_field_name("key") or child.child_by_field_name("name")
            if key is not None:
                out.add(_string(key) if key.type == "string" else _text(key))
        elif child.type == "spread_element":
            out.add("*")
    return out


def _child(node: Node, kind: str) -> Node | None:
    return next((c for c in node.children if c.type == kind), None)


def _string(node: Node) -> str:
    return _text(node)[1:-1] if node.type == "string" else _text(node)


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


# Resolving -------------------------------------------------------------------------------------


def is_relative(source: str) -> bool:
    return source.startswith(("./", "../")) or source in {".", ".."}


def resolve(importer: str, source: str, paths: set[str]) -> str | None:
    """The project file a relative import reaches, as Node and bundlers look for it."""
    base = posixpath.normpath(posixpath.join(posixpath.dirname(importer), source))
    if base.startswith("../"):
        return None
    candidates = [base]
    stem, extension = posixpath.splitext(base)
    if extension in {".js", ".jsx", ".mjs", ".cjs"}:  # TypeScript's ESM style: ./x.js is x.ts
        candidates += [stem + e for e in (".ts", ".tsx", ".mts", ".cts")]
    candidates += [base + e for e in RESOLVE_EXTENSIONS]
    candidates += [f"{base}/index{e}" for e in RESOLVE_EXTENSIONS]
    return next((c for c in candidates if c in paths), None)


def check_imports(
    path: str, facts: JsFacts, paths: set[str], all_facts: dict[str, JsFacts]
) -> list[Finding]:
    findings = []
    for imp in facts.imports:
        if not is_relative(imp.source) or imp.source.endswith(ASSET_EXTENSIONS):
            continue
        target = resolve(path, imp.source, paths)
        if target is None:
            if posixpath.normpath(posixpath.join(posixpath.dirname(path), imp.source)).startswith(
                "../"
            ):
                continue  # outside the project: not ours to judge
            message = f"imports {imp.source}, which no file in the project provides"
            findings.append(Finding(path, imp.line, imp.column, ERROR, "import", message))
            continue
        exported = all_facts.get(target)
        if exported is None or exported.open_ended or "*" in exported.exports:
            continue
        missing = [n for n in imp.names if n not in exported.exports]
        if missing:
            shown = ", ".join(f"`{n}`" for n in missing)
            them = "it" if len(missing) == 1 else "them"
            message = f"imports {shown} from {target}, which does not export {them}"
            findings.append(Finding(path, imp.line, imp.column, ERROR, "import", message))
    return findings
