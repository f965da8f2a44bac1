"""What an imported project may hold: the one policy for archives, folders and git trees.

Every entry of an import passes here, whatever it was read from. An entry is refused (the
whole import stops, nothing is saved) when it could harm: a path that escapes or breaks the
path policy, a link, a device, a duplicate or a letter-case twin, too many entries. An entry
is left out, and said so, when it is harmless but unwanted: version-control and vendored or
build folders, what a .gitignore names, a file over the size limit.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from orchestrator.errors import PipelineError, UnsafePath
from orchestrator.imports.ignore import vendored_folder
from orchestrator.paths import case_key, clean_path, collision


class ImportRefused(PipelineError):
    """The project cannot be imported; the message says which entry and why."""


@dataclass(frozen=True)
class ImportLimits:
    """Bounds of one import. The archive bounds hold while reading, never after."""

    max_files: int = 2000  # files kept
    max_total_bytes: int = 20_000_000  # bytes kept
    max_file_bytes: int = 1_000_000  # a larger file is left out
    max_entries: int = 20_000  # entries read at all, left-out ones included
    max_expanded_bytes: int = 200_000_000  # bytes decompressed at all
    max_ratio: int = 200  # decompressed bytes per compressed byte...
    ratio_floor: int = 1_000_000  # ...judged once this much came out of one stream


@dataclass(frozen=True)
class LeftOut:
    path: str
    reason: str  # "vendored", "ignored", "too large", "submodule"

    def as_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason}


@dataclass
class ImportedTree:
    """The files an import keeps (path -> bytes, executable paths) and what it left out."""

    files: dict[str, bytes] = field(default_factory=dict)
    executable: set[str] = field(default_factory=set)
    left_out: list[LeftOut] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for the version: what was kept and what was left out, by reason."""
        total = sum(len(content) for content in self.files.values())
        text = f"Imported {len(self.files)} files ({total:,} bytes)."
        if not self.left_out:
            return text
        reasons: dict[str, list[str]] = {}
        for item in self.left_out:
            reasons.setdefault(item.reason, []).append(item.path)
        parts = []
        for reason, paths in sorted(reasons.items()):
            shown = ", ".join(sorted(paths)[:5]) + (" and more" if len(paths) > 5 else "")
            parts.append(f"{len(paths)} {REASONS.get(reason, reason)} ({shown})")
        return text + " Left out: " + "; ".join(parts) + "."


REASONS = {
    "vendored": "in version-control, vendored or build folders",
    "ignored": "named by .gitignore",
    "too large": "over the size limit of one file",
    "submodule": "submodules (not fetched)",
}


def raw_problem(name: str) -> str | None:
    """Why an entry's name as stored is hostile before any cleaning (or None)."""
    if "\x00" in name:
        return "contains a NUL character"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is absolute"
    if ".." in name.replace("\\", "/").split("/"):
        return "leaves the project (..)"
    if "\\" in name:
        return "contains a backslash"
    return None


def common_root(names: Iterable[str]) -> str:
    """The single top folder every name lies in ("project/"), or "" when there is none:
    archives made of a folder hold it once more around the project."""
    roots = {name.split("/", 1)[0] if "/" in name else None for name in names}
    if len(roots) == 1 and None not in roots:
        return roots.pop() + "/"
    return ""


class TreeCollector:
    """Collects the entries of one import under the policy, as they are read."""

    def __init__(self, limits: ImportLimits, root: str = "") -> None:
        self.limits = limits
        self.root = root
        self.tree = ImportedTree()
        self.entries = 0
        self._keys: dict[str, str] = {}  # case key -> path as kept
        self._seen: set[str] = set()  # every cleaned name, left-out ones included
        self._bytes = 0

    def count_entry(self, name: str) -> None:
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise ImportRefused(
                f"The archive holds more than {self.limits.max_entries:,} entries; an import "
                f"may hold at most {self.limits.max_files:,} files. Leave out generated or "
                "vendored folders and try again."
            )

    def path_of(self, name: str) -> str | None:
        """The project path of an entry, or None when it lies outside the project's folder
        (the top folder itself). Refuses hostile names."""
        if problem := raw_problem(name):
            raise ImportRefused(f"The entry {name[:80]!r} {problem}; nothing was imported.")
        if self.root and name.rstrip("/") + "/" == self.root:
            return None
        if self.root and not name.startswith(self.root):
            raise ImportRefused(f"The entry {name[:80]!r} lies outside {self.root}.")
        relative = name[len(self.root) :]
        if not relative.strip("/"):
            return None
        return relative

    def refuse_special(self, name: str, kind: str) -> None:
        """A link, a device or another non-file entry: never imported, never followed."""
        raise ImportRefused(
            f"The entry {name[:80]!r} is {kind}; imports hold plain files and folders only, "
            "so nothing was imported."
        )

    def left_out_early(self, relative: str) -> str | None:
        """Why an entry is left out before its content is read (or None)."""
        if vendored_folder(relative):
            return "vendored"
        return None

    def accept(self, relative: str) -> str:
        """The clean path of an entry that is not left out early: the path policy, and no
        duplicate or letter-case twin of an entry seen before."""
        try:
            path = clean_path(relative)
        except UnsafePath as refusal:
            raise ImportRefused(f"{refusal.message} Nothing was imported.") from None
        self._unique(path, relative)
        key = case_key(path)
        if key in self._keys:
            raise ImportRefused(
                f"The entries {self._keys[key]} and {path} differ only in letter case; they "
                "would overwrite each other on Windows and macOS, so nothing was imported."
            )
        self._keys[key] = path
        return path

    def keep(self, path: str, content: bytes, *, executable: bool = False) -> None:
        """Keep the content of an accepted path, or leave it out when it is too large."""
        if len(content) > self.limits.max_file_bytes:
            self.leave_out(path, "too large")
            return
        if len(self.tree.files) + 1 > self.limits.max_files:
            raise ImportRefused(
                f"The project has more than {self.limits.max_files:,} files, the most one "
                "project may hold (left-out folders not counted), so nothing was imported."
            )
        self._bytes += len(content)
        if self._bytes > self.limits.max_total_bytes:
            raise ImportRefused(
                f"The project's files add up to more than {self.limits.max_total_bytes:,} "
                "bytes, the most one project may hold, so nothing was imported."
            )
        self.tree.files[path] = content
        if executable:
            self.tree.executable.add(path)

    def leave_out(self, path: str, reason: str) -> None:
        self.tree.left_out.append(LeftOut(path, reason))

    def _unique(self, path: str, raw: str) -> None:
        if path in self._seen:
            raise ImportRefused(
                f"The archive holds {raw[:80]!r} twice; which copy is meant cannot be told, "
                "so nothing was imported."
            )
        self._seen.add(path)

    def finish(self) -> ImportedTree:
        """The tree, once every entry was read: refused if it is empty or collides."""
        if problem := collision(self.tree.files):
            raise ImportRefused(f"The project cannot hold both: {problem}. Nothing was imported.")
        if not self.tree.files:
            raise ImportRefused("The archive holds no files to import.")
        self.tree.left_out.sort(key=lambda item: item.path)
        return self.tree
