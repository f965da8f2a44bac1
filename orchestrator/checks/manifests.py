"""Dependencies: what the code imports against what its manifest lists.

Python files are held against the nearest requirements*.txt or pyproject.toml above them,
JavaScript and TypeScript files against the nearest package.json. An import of a package
the manifest lacks is an error: the project fails on a fresh install. A listed package no
file mentions is a warning (servers, drivers and tools are used without an import, so a
package counts as used when its name appears anywhere in the project). The standard
library (Python's, Node's built-in modules) is never flagged, nor are packages a listed one
brings along (werkzeug with Flask, starlette with FastAPI).
"""

import json
import posixpath
import re
import tomllib

from orchestrator.checks.findings import ERROR, WARNING, Finding
from orchestrator.checks.javascript import JsFacts, is_relative
from orchestrator.checks.python import STDLIB, PythonFacts, PythonProject

# The import name a distribution is imported by, where the two differ.
PYTHON_IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "PIL": ("pillow",),
    "yaml": ("pyyaml",),
    "sklearn": ("scikit-learn",),
    "bs4": ("beautifulsoup4",),
    "dotenv": ("python-dotenv",),
    "jwt": ("pyjwt",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python"),
    "jose": ("python-jose",),
    "multipart": ("python-multipart",),
    "dateutil": ("python-dateutil",),
    "magic": ("python-magic",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "psycopg": ("psycopg", "psycopg-binary"),
    "MySQLdb": ("mysqlclient",),
    "attr": ("attrs",),
    "OpenSSL": ("pyopenssl",),
    "Crypto": ("pycryptodome", "pycryptodomex"),
    "serial": ("pyserial",),
    "zmq": ("pyzmq",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "telegram": ("python-telegram-bot",),
    "socketio": ("python-socketio", "flask-socketio"),
    "slugify": ("python-slugify",),
    "git": ("gitpython",),
    "rest_framework": ("djangorestframework",),
    "corsheaders": ("django-cors-headers",),
    "debug_toolbar": ("django-debug-toolbar",),
    "environ": ("django-environ",),
    "crispy_forms": ("django-crispy-forms",),
    "google": ("google-*", "protobuf"),
    "grpc": ("grpcio",),
    "skimage": ("scikit-image",),
    "Levenshtein": ("python-levenshtein", "levenshtein"),
    "fitz": ("pymupdf",),
    "win32api": ("pywin32",),
    "email_validator": ("email-validator",),
    "pydantic_settings": ("pydantic-settings",),
    "sqlalchemy_utils": ("sqlalchemy-utils",),
    "flask_cors": ("flask-cors",),
    "passlib": ("passlib",),
}

# Packages a listed one installs with it: importing them works.
PYTHON_BROUGHT: dict[str, tuple[str, ...]] = {
    "flask": ("werkzeug", "jinja2", "click", "itsdangerous", "markupsafe", "blinker"),
    "fastapi": ("starlette", "pydantic", "anyio", "typing_extensions", "annotated_types"),
    "uvicorn": ("click", "h11"),
    "requests": ("urllib3", "idna", "certifi", "charset_normalizer"),
    "httpx": ("httpcore", "anyio", "certifi", "idna", "sniffio", "h11"),
    "django": ("asgiref", "sqlparse"),
    "djangorestframework": ("django",),
    "flask-sqlalchemy": ("sqlalchemy", "flask"),
    "flask-login": ("flask",),
    "flask-wtf": ("wtforms", "flask"),
    "sqlmodel": ("sqlalchemy", "pydantic"),
    "pydantic": ("pydantic_core", "typing_extensions", "annotated_types"),
    "pydantic-settings": ("pydantic", "dotenv"),
    "celery": ("kombu", "billiard", "vine"),
    "pytest": ("pluggy", "iniconfig", "_pytest"),
    "alembic": ("sqlalchemy", "mako"),
    "passlib": (),
    "python-jose": ("ecdsa", "rsa"),
    "aiohttp": ("multidict", "yarl", "aiosignal"),
    "pandas": ("numpy", "dateutil", "pytz"),
    "scikit-learn": ("numpy", "scipy", "joblib"),
    "matplotlib": ("numpy",),
    "boto3": ("botocore", "s3transfer", "jmespath"),
}

# Used without being imported: servers, database drivers behind a URL, tools.
PYTHON_UNIMPORTED = {
    "uvicorn",
    "gunicorn",
    "hypercorn",
    "daphne",
    "waitress",
    "psycopg2",
    "psycopg2-binary",
    "psycopg",
    "psycopg-binary",
    "asyncpg",
    "aiosqlite",
    "pymysql",
    "mysqlclient",
    "python-multipart",
    "email-validator",
    "bcrypt",
    "pytest",
    "pytest-cov",
    "pytest-asyncio",
    "pytest-django",
    "black",
    "ruff",
    "flake8",
    "mypy",
    "isort",
    "coverage",
    "alembic",
    "setuptools",
    "wheel",
    "pip",
    "gevent",
    "eventlet",
    "whitenoise",
    "httpx",  # FastAPI's TestClient
}

_BUILTIN_LIST = """assert async_hooks buffer child_process cluster console constants crypto dgram
diagnostics_channel dns domain events fs http http2 https inspector module net os path
perf_hooks process punycode querystring readline repl stream string_decoder sys timers tls
trace_events tty url util v8 vm wasi worker_threads zlib test sqlite"""
NODE_BUILTINS = frozenset(_BUILTIN_LIST.split())

# Used from package.json's scripts or configuration files, not imported.
NODE_UNIMPORTED_PREFIXES = ("@types/", "eslint", "@typescript-eslint/", "prettier", "@vitejs/")
NODE_UNIMPORTED = {
    "nodemon",
    "typescript",
    "ts-node",
    "tsx",
    "jest",
    "vitest",
    "mocha",
    "vite",
    "webpack",
    "webpack-cli",
    "concurrently",
    "cross-env",
    "supertest",
    "rimraf",
    "husky",
    "lint-staged",
    "tailwindcss",
    "postcss",
    "autoprefixer",
    "pg",
    "sqlite3",
    "mysql2",
    "dotenv",
}


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def python_requirements(text: str) -> set[str]:
    names = set()
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith(("-", "git+", "http:", "https:", "file:")):
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
        if match:
            names.add(normalize(match.group(0)))
    return names


def pyproject_requirements(text: str) -> set[str] | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    project = data.get("project") or {}
    listed = list(project.get("dependencies") or [])
    for extra in (project.get("optional-dependencies") or {}).values():
        listed += list(extra)
    for group in (data.get("dependency-groups") or {}).values():
        listed += [item for item in group if isinstance(item, str)]
    poetry = (data.get("tool") or {}).get("poetry") or {}
    listed += [name for name in (poetry.get("dependencies") or {}) if name != "python"]
    if not listed and "project" not in data and not poetry:
        return None
    return python_requirements("\n".join(str(item) for item in listed))


def _nearest(path: str, manifests: dict[str, set[str]]) -> tuple[str, set[str]] | None:
    folder = posixpath.dirname(path)
    while True:
        found = [(p, names) for p, names in manifests.items() if posixpath.dirname(p) == folder]
        if found:
            merged = set().union(*(names for _, names in found))
            return found[0][0], merged
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _satisfies(module: str, listed: set[str]) -> bool:
    """Whether a listed distribution provides the module: by the table of known names, or
    by the usual naming (django-axes gives axes, pyyaml yaml, zipstream-ng zipstream)."""
    candidates = (*PYTHON_IMPORT_NAMES.get(module, ()), normalize(module))
    for candidate in candidates:
        if candidate.endswith("*"):
            if any(name.startswith(candidate[:-1]) for name in listed):
                return True
        elif normalize(candidate) in listed:
            return True
    wanted = normalize(module)
    for name in listed:
        if wanted in name.split("-") or name in {f"py{wanted}", f"python-{wanted}"}:
            return True
        if name.startswith(wanted) and len(name) - len(wanted) <= 2:  # attrs gives attr
            return True
    brought = {normalize(b) for name in listed for b in PYTHON_BROUGHT.get(name, ())}
    return normalize(module) in brought


def _mentioned(name: str, text: str) -> bool:
    variants = {name, name.replace("-", "_"), name.replace("-", ".")}
    return any(re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", text, re.I) for v in variants)


def python_manifest_findings(
    files: dict[str, str], facts: dict[str, PythonFacts], project: PythonProject
) -> list[Finding]:
    manifests: dict[str, set[str]] = {}
    for path, content in files.items():
        name = posixpath.basename(path)
        if name.startswith("requirements") and name.endswith(".txt"):
            manifests[path] = python_requirements(content)
        elif name == "pyproject.toml" and (listed := pyproject_requirements(content)) is not None:
            manifests[path] = listed
    findings: list[Finding] = []
    unlisted: dict[str, list[str]] = {}
    used: dict[str, set[str]] = {}
    for path, file_facts in sorted(facts.items()):
        for imp in file_facts.imports:
            top = imp.module.split(".")[0]
            if imp.level or not top or top in STDLIB or top in project.tops or imp.optional:
                continue
            manifest = _nearest(path, manifests)
            if manifest is None:
                unlisted.setdefault(top, []).append(path)
                continue
            used.setdefault(manifest[0], set()).add(top)
            if not _satisfies(top, manifest[1]):
                message = f"imports {top}, which {manifest[0]} does not list"
                findings.append(Finding(path, imp.line, imp.column, ERROR, "manifest", message))
    if unlisted and not manifests:
        names = ", ".join(sorted(unlisted)[:5])
        first = sorted(p for paths in unlisted.values() for p in paths)[0]
        message = f"the code imports {names}, but no requirements.txt or pyproject.toml lists them"
        findings.append(Finding(first, 0, 0, WARNING, "manifest", message))
    code = "\n".join(c for p, c in files.items() if p not in manifests)
    for manifest, listed in manifests.items():
        for name in sorted(listed):
            if name in PYTHON_UNIMPORTED or _mentioned(name, code):
                continue
            aliases = [m for m, dists in PYTHON_IMPORT_NAMES.items() if name in dists]
            if any(_mentioned(alias, code) for alias in aliases):
                continue
            line = _line_of(files[manifest], name)
            message = f"lists {name}, which no file imports"
            findings.append(Finding(manifest, line, 0, WARNING, "manifest", message))
    return findings


def node_manifest_findings(files: dict[str, str], facts: dict[str, JsFacts]) -> list[Finding]:
    manifests: dict[str, set[str]] = {}
    scripts: dict[str, str] = {}
    for path, content in files.items():
        if posixpath.basename(path) != "package.json":
            continue
        try:
            data = json.loads(content)
        except ValueError:
            continue  # the syntax check reports it
        if not isinstance(data, dict):
            continue
        listed: set[str] = set()
        for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
            section = data.get(key)
            if isinstance(section, dict):
                listed |= set(section)
        manifests[path] = listed
        scripts[path] = json.dumps(data.get("scripts") or {})
    findings: list[Finding] = []
    code = "\n".join(c for p, c in files.items() if p not in manifests)
    for path, file_facts in sorted(facts.items()):
        manifest = _nearest(path, manifests)
        if manifest is None:
            continue
        for imp in file_facts.imports:
            package = package_name(imp.source)
            if package is None or package in manifest[1]:
                continue
            if f"@types/{package}" in manifest[1]:
                continue
            message = f"imports {package}, which {manifest[0]} does not list"
            findings.append(Finding(path, imp.line, imp.column, ERROR, "manifest", message))
    for manifest, listed in manifests.items():
        for name in sorted(listed):
            if name in NODE_UNIMPORTED or name.startswith(NODE_UNIMPORTED_PREFIXES):
                continue
            if name in scripts[manifest] or _mentioned(name, code):
                continue
            line = _line_of(files[manifest], name)
            message = f"lists {name}, which no file imports"
            findings.append(Finding(manifest, line, 0, WARNING, "manifest", message))
    return findings


def package_name(source: str) -> str | None:
    """The npm package an import names, or None for relative paths, built-ins and aliases."""
    if is_relative(source) or source.startswith(("/", "node:", "#", "~", "@/", "http:", "https:")):
        return None
    parts = source.split("/")
    if source.startswith("@"):
        return "/".join(parts[:2]) if len(parts) > 1 else None
    if parts[0] in NODE_BUILTINS or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", parts[0]):
        return None
    return parts[0]


def _line_of(text: str, name: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if name.lower() in line.lower():
            return number
    return 0
