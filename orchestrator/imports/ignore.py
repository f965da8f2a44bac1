"""What an import leaves out on purpose: version-control, vendored and build folders, and
what the project's own .gitignore files name (read with pathspec, git's rules)."""

from pathspec import GitIgnoreSpec

from orchestrator.paths import folders_of

# Folders never imported, at any depth: they are made by tools, not written by people.
VENDORED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        "dist",
        "build",
        ".next",
        ".nuxt",
        ".gradle",
        ".idea",
    }
)
# Files never imported: compiled leftovers and desktop clutter.
VENDORED_SUFFIXES = (".pyc", ".pyo")
CLUTTER = frozenset({".DS_Store", "Thumbs.db"})


def vendored_folder(path: str) -> bool:
    """Whether a path lies in a folder that is never imported (or is clutter)."""
    parts = path.strip("/").split("/")
    if any(part.casefold() in {".git", ".hg", ".svn"} for part in parts):
        return True
    if any(part in VENDORED for part in parts[:-1]):
        return True
    name = parts[-1]
    return name in CLUTTER or name.endswith(VENDORED_SUFFIXES)


class IgnoreRules:
    """The .gitignore files of a project, each applying to its own folder and below."""

    def __init__(self, gitignores: dict[str, bytes]) -> None:
        self._specs: dict[str, GitIgnoreSpec] = {}
        for path, content in gitignores.items():
            folder = path.rsplit("/", 1)[0] if "/" in path else ""
            lines = content.decode("utf-8", "replace").splitlines()
            self._specs[folder] = GitIgnoreSpec.from_lines(lines)

    def __bool__(self) -> bool:
        return bool(self._specs)

    def ignored(self, path: str) -> bool:
        """Whether a .gitignore in one of the path's folders (or the root) names it. As git
        does, a file inside an ignored folder stays ignored."""
        if path.rsplit("/", 1)[-1] == ".gitignore":
            return False
        for folder in ["", *folders_of(path)]:
            spec = self._specs.get(folder)
            if spec is None:
                continue
            relative = path[len(folder) + 1 :] if folder else path
            if spec.match_file(relative):
                return True
            # A pattern naming a folder ("build/", "/data") covers what lies inside it.
            if any(spec.match_file(inner + "/") for inner in folders_of(relative)):
                return True
        return False
