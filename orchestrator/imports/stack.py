"""What a project is made with, read from its manifests and files: languages (by files),
frameworks (by declared dependencies, confirmed where a file shows them), package managers
(by manifests and lock files)."""

import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field

from orchestrator.checks.manifests import normalize, pyproject_requirements, python_requirements

LANGUAGES = {
    ".py": "Python",
    ".js": "JavaScript",
    ".mjs": "JavaScript",
    ".cjs": "JavaScript",
    ".jsx": "JavaScript",
    ".ts": "TypeScript",
    ".tsx": "TypeScript",
    ".html": "HTML",
    ".htm": "HTML",
    ".css": "CSS",
    ".scss": "CSS",
    ".go": "Go",
    ".rs": "Rust",
    ".java": "Java",
    ".kt": "Kotlin",
    ".rb": "Ruby",
    ".php": "PHP",
    ".cs": "C#",
    ".c": "C",
    ".h": "C",
    ".cpp": "C++",
    ".hpp": "C++",
    ".swift": "Swift",
    ".sh": "Shell",
    ".sql": "SQL",
    ".vue": "Vue",
    ".svelte": "Svelte",
}
# Languages that make a project what it is; markup and styles come along with them.
SUPPORTING = {"HTML", "CSS", "SQL", "Shell"}

PYTHON_FRAMEWORKS = {
    "django": "Django",
    "flask": "Flask",
    "fastapi": "FastAPI",
    "starlette": "Starlette",
    "tornado": "Tornado",
    "aiohttp": "aiohttp",
    "pyramid": "Pyramid",
    "bottle": "Bottle",
    "sanic": "Sanic",
    "streamlit": "Streamlit",
}
NODE_FRAMEWORKS = {
    "express": "Express",
    "koa": "Koa",
    "fastify": "Fastify",
    "@nestjs/core": "NestJS",
    "hapi": "hapi",
    "@hapi/hapi": "hapi",
    "next": "Next.js",
    "nuxt": "Nuxt",
    "react": "React",
    "vue": "Vue",
    "svelte": "Svelte",
    "@angular/core": "Angular",
}
# Where a framework shows in the code, for projects without a manifest naming it.
PYTHON_IMPORTS = re.compile(r"^\s*(?:from|import)\s+(django|flask|fastapi)\b", re.MULTILINE)
NODE_REQUIRES = re.compile(r"""(?:require\(|from\s+)['"](express|koa|fastify)['"]""")
# Manifests and lock files, and the package manager each one means.
MANAGERS = {
    "requirements.txt": "pip",
    "Pipfile": "pipenv",
    "poetry.lock": "poetry",
    "uv.lock": "uv",
    "package-lock.json": "npm",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "pnpm",
    "bun.lockb": "bun",
    "go.mod": "Go modules",
    "Cargo.toml": "Cargo",
    "Gemfile": "Bundler",
    "composer.json": "Composer",
    "pom.xml": "Maven",
    "build.gradle": "Gradle",
    "build.gradle.kts": "Gradle",
}
# The four stacks prompts start from, and the framework that leads to each.
STARTING_POINTS = {"Flask": "flask", "Django": "django", "FastAPI": "fastapi_postgres"}


@dataclass(frozen=True)
class Stack:
    languages: list[tuple[str, int]] = field(default_factory=list)  # (language, files)
    frameworks: list[str] = field(default_factory=list)
    package_managers: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """A short name for the generation's tech stack: one of the four starting points
        when the project is one, else its main framework or language."""
        for framework in self.frameworks:
            if framework in STARTING_POINTS:
                return STARTING_POINTS[framework]
            if framework == "Express":
                return "express"
        if self.frameworks:
            return self.frameworks[0].lower()[:40]
        return self.languages[0][0].lower()[:40] if self.languages else "unknown"

    @property
    def label(self) -> str:
        """What a person reads: "Python, Flask (pip)"."""
        main = [name for name, _ in self.languages if name not in SUPPORTING][:2]
        parts = main + self.frameworks
        text = ", ".join(parts) or "no language recognised"
        if self.package_managers:
            text += f" ({', '.join(self.package_managers)})"
        return text

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "languages": [{"name": n, "files": c} for n, c in self.languages],
            "frameworks": list(self.frameworks),
            "package_managers": list(self.package_managers),
        }


def detect_stack(files: dict[str, bytes]) -> Stack:
    """The stack of a project from its files (binary files count by extension only)."""
    counts: Counter[str] = Counter()
    for path in files:
        suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        if suffix in LANGUAGES:
            counts[LANGUAGES[suffix]] += 1
    languages = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return Stack(languages, _frameworks(files), _managers(files))


def _text(content: bytes) -> str:
    return content.decode("utf-8", "replace")


def _frameworks(files: dict[str, bytes]) -> list[str]:
    found: list[str] = []

    def add(name: str) -> None:
        if name not in found:
            found.append(name)

    python_deps: set[str] = set()
    node_deps: set[str] = set()
    for path, content in sorted(files.items(), key=lambda item: item[0].count("/")):
        name = path.rsplit("/", 1)[-1]
        if name.startswith("requirements") and name.endswith(".txt"):
            python_deps |= python_requirements(_text(content))
        elif name == "pyproject.toml":
            python_deps |= pyproject_requirements(_text(content)) or set()
        elif name == "Pipfile":
            python_deps |= _pipfile(_text(content))
        elif name == "package.json":
            node_deps |= _package_json(_text(content))
    for dep, label in PYTHON_FRAMEWORKS.items():
        if normalize(dep) in python_deps:
            add(label)
    for dep, label in NODE_FRAMEWORKS.items():
        if dep in node_deps:
            add(label)
    # Code that shows a framework its manifest does not name (or that has no manifest).
    for path, content in files.items():
        if path.endswith(".py"):
            for match in PYTHON_IMPORTS.finditer(_text(content[:20_000])):
                add(PYTHON_FRAMEWORKS[match.group(1)])
        elif path.endswith((".js", ".mjs", ".cjs", ".ts")):
            for match in NODE_REQUIRES.finditer(_text(content[:20_000])):
                add(NODE_FRAMEWORKS[match.group(1)])
    return found


def _pipfile(text: str) -> set[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return set()
    return {normalize(name) for name in (data.get("packages") or {})}


def _package_json(text: str) -> set[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return set()
    if not isinstance(data, dict):
        return set()
    names: set[str] = set()
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        section = data.get(key)
        if isinstance(section, dict):
            names |= {str(name) for name in section}
    return names


def _managers(files: dict[str, bytes]) -> list[str]:
    names = {path.rsplit("/", 1)[-1] for path in files}
    found = []
    for manifest, manager in MANAGERS.items():
        if manifest in names and manager not in found:
            found.append(manager)
    if "package.json" in names and not {"yarn", "pnpm", "bun"} & set(found) and "npm" not in found:
        found.append("npm")
    if "pyproject.toml" in names and not {"poetry", "uv", "pip", "pipenv"} & set(found):
        found.append("pip")
    return found
