"""A lasting store of each file's facts (its parse's index, ruff's findings), so that no
worker reads a file twice, even after a restart or on another machine.

What a check learns about one file depends only on its path, its content and the checkers'
versions; the key says all three. The store itself is given by the caller (the app gives a
database table, generations.file_facts, through its host (Host.fact_store) and check_project's
`store`); without one, facts live only in the process's memory caches. Facts are kept as
JSON, never pickled: the store holds data, not code.
"""

import hashlib
from importlib import metadata
from typing import Protocol

# Raise when what the facts hold, or how they are found, changes: old facts are then unused.
FORMAT = 1


class FactStore(Protocol):
    def load(self, keys: list[str]) -> dict[str, str]:
        """The stored JSON text of those keys that are known."""
        ...

    def save(self, items: dict[str, str]) -> None:
        """Keep these facts (a key already kept is left as it is)."""
        ...


def _versions() -> str:
    found = []
    for package in ("ruff", "tree-sitter", "tree-sitter-language-pack"):
        try:
            found.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            found.append("-")
    return f"{FORMAT}/" + "/".join(found)


VERSIONS = _versions()


def key(kind: str, path: str, digest: str) -> str:
    """The key of one kind of fact ("index", "ruff") about one file's content."""
    text = f"{VERSIONS}\0{kind}\0{path}\0{digest}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=20).hexdigest()
