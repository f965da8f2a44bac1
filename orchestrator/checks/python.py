"""Python: ruff's checks that mean broken code, and the imports between the project's modules.

Ruff runs as its own binary on a temporary copy of the Python files, never as code of ours
that imports the project: nothing the model wrote is executed. Its rules that mean the code
cannot work (undefined names, syntax, errors Python raises at run time) are errors; the ones
that mean untidy code (an unused import or variable) are warnings.

Imports are read from the tree-sitter parse: which modules a file imports, and which names
a module defines at its top level. An import of a project module that no file provides, or
of a name the module does not define, is an error: that is what a rename leaves behind.
"""

import functools
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from tree_sitter import Node, Query, QueryCursor, Tree
from tree_sitter_language_pack import get_language

from orchestrator.checks.findings import ERROR, WARNING, Finding
from orchestrator.checks.workspace import write_files

RUFF_RULES = "F,E9,PLE"
RUFF_SECONDS = 60
MAX_SYNTAX_PER_FILE = 3
MAX_PER_FILE = 50  # more in one file say the same thing again
# "path:row:column: CODE [*] message", or "path:row:column: invalid-syntax: message".
_CONCISE = re.compile(
    r"^(?P<path>.+?):(?P<row>\d+):(?P<column>\d+): "
    r"(?:(?P<code>[A-Z]+\d+) (?:\[\*\] )?|(?:invalid-syntax|SyntaxError): )(?P<message>.*)$"
)
# Ruff codes that are only untidy: the code still runs.
_UNTIDY = {"F401", "F403", "F405", "F541", "F811", "F841", "F842", "F601", "F602", "F632"}
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


@dataclass(frozen=True)
class Import:
    line: int
    column: int
    level: int  # 0 absolute; 1 for "from .", 2 for "from ..", ...
    module: str  # dotted, "" for "from . import x"
    names: tuple[str, ...] = ()  # for "from m import a, b"; empty for "import m"
    star: bool = False
    # Inside `try: ... except ImportError` or `if TYPE_CHECKING:`: the code runs without it.
    optional: bool = False


@dataclass(frozen=True)
class PythonFacts:
    imports: tuple[Import, ...] = ()
    defines: frozenset[str] = frozenset()
    open_ended: bool = False  # a star import or a module __getattr__: any name may exist


@functools.cache
def _import_query() -> Query:
    return Query(get_language("python"), "(import_statement) @plain (import_from_statement) @from")


def python_facts(tree: Tree) -> PythonFacts:
    root = tree.root_node
    found = QueryCursor(_import_query()).captures(root)  # in C: quick on a big file
    statements = sorted(found.get("plain", []) + found.get("from", []), key=lambda n: n.start_byte)
    imports: list[Import] = []
    for node in statements:
        if node.type == "import_statement":
            imports.extend(_plain_imports(node))
        else:
            imports.append(_from_import(node))
    defines: set[str] = set()
    open_ended = False
    for statement in _module_statements(root):
        bound, star = _bindings(statement)
        defines |= bound
        open_ended |= star
    open_ended |= "__getattr__" in defines
    return PythonFacts(tuple(imports), frozenset(defines), open_ended)


def _module_statements(root: Node):
    """The statements run at import time: the module's own, and those inside its if, try,
    with, for and while blocks (not inside functions or classes)."""
    stack = list(reversed(root.named_children))
    while stack:
        node = stack.pop()
        if node.type in {
            "if_statement",
            "elif_clause",
            "else_clause",
            "try_statement",
            "except_clause",
            "finally_clause",
            "with_statement",
            "for_statement",
            "while_statement",
            "block",
        }:
            stack.extend(reversed(node.named_children))
        else:
            yield node


def _bindings(node: Node) -> tuple[set[str], bool]:
    """Names a module-level statement binds, and whether it is a star import."""
    kind = node.type
    if kind == "decorated_definition":
        definition = node.child_by_field_name("definition")
        return _bindings(definition) if definition else (set(), False)
    if kind in {"function_definition", "class_definition"}:
        name = node.child_by_field_name("name")
        return ({_text(name)} if name else set()), False
    if kind == "import_statement":
        return {imp.module.split(".")[0] for imp in _plain_imports(node)} | _aliases(node), False
    if kind == "import_from_statement":
        imp = _from_import(node)
        return set(_bound_from(node)), imp.star
    if kind in {"assignment", "augmented_assignment"}:
        bound = _targets(node.child_by_field_name("left"))
        right = node.child_by_field_name("right")
        while right is not None and right.type == "assignment":  # a = b = 1
            bound |= _targets(right.child_by_field_name("left"))
            right = right.child_by_field_name("right")
        return bound, False
    if kind == "expression_statement":  # older grammars wrap assignments in a statement
        bound = set()
        for child in node.named_children:
            bound |= _bindings(child)[0]
        return bound, False
    if kind == "type_alias_statement":
        left = node.child_by_field_name("left") or (node.named_children or [None])[0]
        return _targets(left), False
    if kind == "global_statement":
        return set(), False
    return set(), False


def _targets(node: Node | None) -> set[str]:
    if node is None:
        return set()
    if node.type == "identifier":
        return {_text(node)}
    if node.type in {"pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"}:
        out: set[str] = set()
        for child in node.named_children:
            out |= _targets(child)
        return out
    if node.type in {"list_splat_pattern", "parenthesized_expression"}:
        return _targets(node.named_children[0] if node.named_children else None)
    if node.type == "type":  # an annotated assignment's target comes as its own node
        return _targets(node.named_children[0] if node.named_children else None)
    return set()


def _plain_imports(node: Node) -> list[Import]:
    out = []
    for child in node.named_children:
        target = child.child_by_field_name("name") if child.type == "aliased_import" else child
        if target is not None and target.type == "dotted_name":
            row, column = node.start_point
            out.append(Import(row + 1, column + 1, 0, _text(target), optional=_optional(node)))
    return out


_IMPORT_ERRORS = re.compile(r"\b(?:ImportError|ModuleNotFoundError|Exception|BaseException)\b")


def _optional(node: Node) -> bool:
    """Whether the code copes without this import: it sits in the body of a try whose
    handler catches ImportError (or any exception), or under `if TYPE_CHECKING:`."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "try_statement" and child.type == "block":
            for handler in parent.named_children:
                if handler.type == "except_clause":
                    caught = [c for c in handler.named_children if c.type != "block"]
                    if not caught or any(_IMPORT_ERRORS.search(_text(c)) for c in caught):
                        return True
        if parent.type == "if_statement" and "TYPE_CHECKING" in _text(
            parent.child_by_field_name("condition")
        ):
            return True
        child, parent = parent, parent.parent
    return False


def _aliases(node: Node) -> set[str]:
    out = set()
    for child in node.named_children:
        if child.type == "aliased_import" and (alias := child.child_by_field_name("alias")):
            out.add(_text(alias))
    return out


def _from_import(node: Node) -> Import:
    module = node.child_by_field_name("module_name")
    level, dotted = 0, ""
    if module is not None and module.type == "relative_import":
        for child in module.children:
            if child.type == "import_prefix":
                level = _text(child).count(".")
            elif child.type == "dotted_name":
                dotted = _text(child)
    elif module is not None:
        dotted = _text(module)
    names = []
    star = False
    for child in node.named_children:
        if child == module:
            continue
        if child.type == "wildcard_import":
            star = True
        elif child.type == "dotted_name":
            names.append(_text(child))
        elif child.type == "aliased_import" and (name := child.child_by_field_name("name")):
            names.append(_text(name))
    row, column = node.start_point
    return Import(row + 1, column + 1, level, dotted, tuple(names), star, _optional(node))


def _bound_from(node: Node) -> list[str]:
    module = node.child_by_field_name("module_name")
    out = []
    for child in node.named_children:
        if child == module:
            continue
        if child.type == "dotted_name":
            out.append(_text(child).split(".")[0])
        elif child.type == "aliased_import":
            alias = child.child_by_field_name("alias") or child.child_by_field_name("name")
            if alias is not None:
                out.append(_text(alias))
    return out


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


# Resolving imports between the project's modules ---------------------------------------------


class PythonProject:
    """The project's Python modules and packages, by dotted name from each possible root."""

    def __init__(self, paths: list[str], facts: dict[str, PythonFacts]) -> None:
        self.facts = facts
        self.files = {p for p in paths if p.endswith((".py", ".pyi"))}
        self.folders: set[str] = set()
        for path in self.files:
            folder = posixpath.dirname(path)
            while folder:
                self.folders.add(folder)
                folder = posixpath.dirname(folder)
        # Top-level names of modules and packages, at every folder that could be a root: the
        # project's own, and folders that are not inside a package (backend/, src/).
        self.tops: dict[str, set[str]] = {}
        for path in self.files | self.folders:
            root, name = posixpath.split(path)
            if root and (
                root + "/__init__.py" in self.files or root + "/__init__.pyi" in self.files
            ):
                continue
            self.tops.setdefault(_module_name(name), set()).add(root)

    def is_project_name(self, top: str) -> bool:
        return top in self.tops and top not in STDLIB

    def locate(self, root: str, dotted: str) -> str | None:
        """The file (module or package __init__) or folder (namespace package) of a module
        under a root, or None."""
        base = posixpath.join(root, *dotted.split("."))
        for candidate in (base + ".py", base + ".pyi", base + "/__init__.py"):
            if candidate in self.files:
                return candidate
        return base if base in self.folders else None

    def targets(self, path: str, imp: Import) -> list[str]:
        """The project files an import reaches: the module, and modules named in it."""
        if imp.level:
            base = posixpath.dirname(path)
            for _ in range(imp.level - 1):
                base = posixpath.dirname(base)
            roots = [base]
        else:
            top = imp.module.split(".")[0]
            if not self.is_project_name(top):
                return []
            roots = [r for r in _ancestors(path) if r in self.tops[top]]
        found: list[str] = []
        for root in roots:
            target = self.locate(root, imp.module) if imp.module else None
            if target is not None and target in self.files:
                found.append(target)
            folder = posixpath.join(root, *imp.module.split(".")) if imp.module else root
            for name in imp.names:
                submodule = self.locate(folder, name)
                if submodule is not None and submodule in self.files:
                    found.append(submodule)
            if found:
                break
        return found

    def check(self, path: str, facts: PythonFacts) -> list[Finding]:
        findings = []
        for imp in facts.imports:
            problem = self._problem(path, imp)
            if problem:
                # Code that copes without the import (try/except ImportError) is not broken.
                severity = WARNING if imp.optional else ERROR
                findings.append(Finding(path, imp.line, imp.column, severity, "import", problem))
        return findings

    def _problem(self, path: str, imp: Import) -> str | None:
        if imp.level:
            base = posixpath.dirname(path)
            for _ in range(imp.level - 1):
                base = posixpath.dirname(base)
            if imp.module:
                target = self.locate(base, imp.module)
                if target is None:
                    return f"imports {'.' * imp.level}{imp.module}, which no file provides"
                return self._missing_names(base, imp.module, target, imp)
            package = base + "/__init__.py" if base else "__init__.py"
            return self._missing_names_in(base, package if package in self.files else base, imp)
        top = imp.module.split(".")[0]
        if not self.is_project_name(top):
            return None  # the standard library or a dependency: the manifest check's business
        roots = [r for r in _ancestors(path) if r in self.tops[top]]
        if not roots:
            return None  # a project module, but not importable from here: not ours to judge
        for root in roots:
            target = self.locate(root, imp.module)
            if target is not None:
                return self._missing_names(root, imp.module, target, imp)
        return f"imports {imp.module}, which no file in the project provides"

    def _missing_names(self, root: str, module: str, target: str, imp: Import) -> str | None:
        return self._missing_names_in(posixpath.join(root, *module.split(".")), target, imp)

    def _missing_names_in(self, folder: str, target: str, imp: Import) -> str | None:
        if imp.star or not imp.names:
            return None
        facts = self.facts.get(target)
        missing = []
        for name in imp.names:
            submodule = self.locate(folder, name)
            if submodule is not None:
                continue
            # In a namespace package (no facts) only submodules can be imported.
            if facts is None or (not facts.open_ended and name not in facts.defines):
                missing.append(name)
        if not missing:
            return None
        where = target if facts is not None else target + "/"
        shown = ", ".join(f"`{n}`" for n in missing)
        them = "it" if len(missing) == 1 else "them"
        return f"imports {shown} from {where}, which does not define {them}"


def _module_name(name: str) -> str:
    for suffix in (".pyi", ".py"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _ancestors(path: str) -> list[str]:
    """The folders a program importing from this file could run from: its own, up to the
    project's root."""
    out = []
    folder = posixpath.dirname(path)
    while True:
        out.append(folder)
        if not folder:
            return out
        folder = posixpath.dirname(folder)


# Ruff ------------------------------------------------------------------------------------------


def ruff_binary() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin

        return find_ruff_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("ruff")


def ruff_findings(files: dict[str, str]) -> tuple[list[Finding], str | None]:
    """Ruff's findings for these Python files, or none and why ruff could not run."""
    if not files:
        return [], None
    binary = ruff_binary()
    if binary is None:
        return [], "ruff is not installed, so Python files were checked for syntax only"
    with tempfile.TemporaryDirectory(prefix="iterum-check-") as folder:
        write_files(folder, files)
        command = [
            binary,
            "check",
            "--isolated",
            "--no-cache",
            "--select",
            RUFF_RULES,
            "--output-format",
            "concise",  # a tenth of JSON's size: a project full of findings stays quick
            "--exit-zero",
            ".",
        ]
        try:
            done = subprocess.run(
                command,
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=RUFF_SECONDS,
                env={"PATH": os.environ.get("PATH", ""), "NO_COLOR": "1"},
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return [], f"ruff could not run ({error.__class__.__name__})"
        if done.returncode != 0:
            return [], f"ruff failed: {done.stderr.strip()[:200]}"
    findings = []
    counted: dict[tuple[str, bool], int] = {}
    for line in done.stdout.splitlines():
        match = _CONCISE.match(line)
        if match is None or match["path"] not in files:
            continue  # the summary lines ("Found 6 errors.")
        path, code = match["path"], match["code"] or "syntax"
        syntax = code in {"syntax", "invalid-syntax", "SyntaxError", "E999"}
        # After the first few, a file's syntax errors are mostly the first one's echoes.
        counted[path, syntax] = counted.get((path, syntax), 0) + 1
        if counted[path, syntax] > (MAX_SYNTAX_PER_FILE if syntax else MAX_PER_FILE):
            continue
        message = match["message"]
        if syntax:
            code, message = "syntax", f"syntax error: {message[:1].lower()}{message[1:]}"
        severity = WARNING if code in _UNTIDY else ERROR
        findings.append(
            Finding(path, int(match["row"]), int(match["column"]), severity, code, message)
        )
    return findings, None
