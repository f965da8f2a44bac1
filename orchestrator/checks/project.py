"""Check a version's files: syntax, ruff, imports between files, and the manifests.

Each file's own facts (its parse's errors, its imports, what it defines or exports, ruff's
findings) depend only on its path and content, so they are kept in memory
(orchestrator.checks.code_index, and ruff's here) and, when the app gives one, in a lasting
store (orchestrator.checks.fact_store): a worker checks version after version of the same
project, an iteration changes a few files, and a new worker finds what an earlier one read.
What crosses files (does an import reach a file and a name?) is worked out again each time
from the facts, which is quick.
"""

import json
import time
from collections import OrderedDict
from collections.abc import Callable

from orchestrator.checks import code_index, fact_store
from orchestrator.checks.code_index import digest, index_files
from orchestrator.checks.findings import CheckReport, Finding
from orchestrator.checks.javascript import check_imports
from orchestrator.checks.manifests import node_manifest_findings, python_manifest_findings
from orchestrator.checks.python import PythonProject, ruff_findings

MAX_FINDINGS = 500  # kept per version; a project with more has bigger problems to show first
CACHE_FILES = 20_000


_ruff: OrderedDict[tuple[str, str], tuple[Finding, ...]] = OrderedDict()


def _ruff_cached(
    python_files: dict[str, str], store: fact_store.FactStore | None
) -> tuple[list[Finding], str | None]:
    """ruff's findings per file: from memory, else the lasting store, else ruff on the rest."""
    keys = {path: (path, digest(content)) for path, content in python_files.items()}
    unknown = {path: python_files[path] for path, key in keys.items() if key not in _ruff}
    if store is not None and unknown:
        stored_keys = {path: fact_store.key("ruff", *keys[path]) for path in unknown}
        stored = store.load(list(stored_keys.values()))
        for path, stored_key in stored_keys.items():
            if stored_key in stored:
                _remember(keys[path], decode_findings(stored[stored_key]))
                del unknown[path]
    if unknown:
        found, problem = ruff_findings(unknown)
        if problem is not None:
            return [], problem
        by_path: dict[str, list[Finding]] = {path: [] for path in unknown}
        for finding in found:
            by_path.setdefault(finding.path, []).append(finding)
        fresh = {path: tuple(findings) for path, findings in by_path.items() if path in keys}
        for path, findings in fresh.items():
            _remember(keys[path], findings)
        if store is not None:
            store.save(
                {fact_store.key("ruff", *keys[p]): encode_findings(f) for p, f in fresh.items()}
            )
    return [f for key in keys.values() for f in _ruff.get(key, ())], None


def _remember(key: tuple[str, str], findings: tuple[Finding, ...]) -> None:
    _ruff[key] = findings
    if len(_ruff) > CACHE_FILES:
        _ruff.popitem(last=False)


def forget_in_memory() -> None:
    """Drop what this process remembers of files (as a new worker starts); the lasting store
    keeps its facts."""
    code_index.forget()
    _ruff.clear()


def encode_findings(findings: tuple[Finding, ...]) -> str:
    return json.dumps([finding.as_dict() for finding in findings])


def decode_findings(text: str) -> tuple[Finding, ...]:
    return tuple(Finding.from_dict(item) for item in json.loads(text))


def check_project(
    files: dict[str, str],
    *,
    use_ruff: bool = True,
    extra: Callable[[dict[str, str]], tuple[list[Finding], list[str]]] | None = None,
    store: fact_store.FactStore | None = None,
) -> CheckReport:
    """Every check on these files. `extra` runs more (the sandboxed tests), given the files;
    `store` keeps each file's facts for other processes (orchestrator.checks.fact_store)."""
    started = time.perf_counter()
    facts = index_files(files, store)
    findings: list[Finding] = []
    unavailable: list[str] = []
    python_files = {p: files[p] for p, f in facts.items() if f.language == "python"}
    ruff_ran = False
    if use_ruff and python_files:
        found, problem = _ruff_cached(python_files, store)
        if problem is None:
            findings += found
            ruff_ran = True
        else:
            unavailable.append(problem)
    for fact in facts.values():
        if fact.language == "python" and ruff_ran:
            continue  # ruff reports Python's syntax errors, with Python's own words
        findings += fact.syntax
    python = {p: f.python for p, f in facts.items() if f.python is not None}
    if python:
        project = PythonProject(list(files), python)
        for path, fact in python.items():
            findings += project.check(path, fact)
        findings += python_manifest_findings(files, python, project)
    javascript = {p: f.javascript for p, f in facts.items() if f.javascript is not None}
    if javascript:
        paths = set(files)
        for path, fact in javascript.items():
            findings += check_imports(path, fact, paths, javascript)
        findings += node_manifest_findings(files, javascript)
    if extra is not None:
        found, problems = extra(files)
        findings += found
        unavailable += problems
    ordered = sorted(set(findings), key=lambda f: (f.severity != "error", f.path, f.line, f.column))
    if len(ordered) > MAX_FINDINGS:
        unavailable.append(f"{len(ordered) - MAX_FINDINGS} more findings were left out")
        ordered = ordered[:MAX_FINDINGS]
    ordered.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    return CheckReport(tuple(ordered), time.perf_counter() - started, tuple(unavailable))
