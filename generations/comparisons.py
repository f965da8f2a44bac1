"""What changed between two versions (the diff page and the API's diff), and what the diff
page shows of it: the changed files and one file's diff."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse

from generations.models import Blob, Generation, Version
from generations.presentation import file_tree, highlighted_lines
from generations.request_values import whole_number
from generations.storage import snapshot
from orchestrator.diffing import (
    FileDiff,
    Gap,
    compare_versions,
    file_hunks,
    gap_rows,
    line_opcodes,
    split_lines,
)

MODES = ("unified", "split")


@dataclass
class Selection:
    """What the URL asks for; every link on the page keeps it, so it can be shared."""

    generation: Generation
    old: Version | None
    new: Version
    file: str | None
    mode: str
    ignore_whitespace: bool
    full: bool = False

    def url(self, **changes) -> str:
        fields = {
            "from": self.old.number if self.old else "",
            "to": self.new.number,
            "file": self.file or "",
            "mode": self.mode,
            "ws": "ignore" if self.ignore_whitespace else "",
        }
        fields.update({k: v for k, v in changes.items()})
        query = urlencode({k: v for k, v in fields.items() if v not in ("", None)})
        return reverse("generation-compare", args=[self.generation.pk]) + "?" + query


def read_selection(request, generation: Generation) -> Selection:
    versions = {v.number: v for v in generation.versions.all()}
    raw_new, raw_old = request.GET.get("to"), request.GET.get("from")
    new = versions.get(whole_number(raw_new)) if raw_new else versions.get(max(versions, default=0))
    old = versions.get(whole_number(raw_old)) if raw_old else new and new.parent
    if new is None or (raw_old and old is None):
        raise Http404("No such version.")
    mode = request.GET.get("mode", "unified")
    return Selection(
        generation=generation,
        old=old,
        new=new,
        file=request.GET.get("file") or None,
        mode=mode if mode in MODES else "unified",
        ignore_whitespace=request.GET.get("ws") == "ignore",
        full=request.GET.get("full") == "1",
    )


def _contents(hashes: set[str]) -> dict[str, str]:
    return dict(Blob.objects.filter(sha256__in=hashes).values_list("sha256", "content"))


@dataclass
class Changes:
    """The files that differ between two versions, with what is needed to show each diff:
    both versions' {path: hash} maps and the changed contents by hash."""

    files: list[FileDiff]
    old_map: dict[str, str] = field(default_factory=dict)
    new_map: dict[str, str] = field(default_factory=dict)
    contents: dict[str, str] = field(default_factory=dict)

    def texts(self, diff: FileDiff) -> tuple[str, str]:
        """One changed file's text before and after ("" where it does not exist)."""
        old_path = diff.old_path or diff.path
        old = self.contents.get(self.old_map.get(old_path), "") if diff.status != "added" else ""
        new = self.contents.get(self.new_map.get(diff.path), "") if diff.status != "deleted" else ""
        return old, new


def changes_between(old: Version | None, new: Version, ignore_whitespace: bool) -> Changes:
    """What changed from `old` (None: nothing) to `new`. Against its parent, a version's own
    record of its renames says which files were renamed, so the counts are the history's."""
    old_map = snapshot(old) if old else {}
    new_map = snapshot(new)
    changed = {h for p, h in old_map.items() if new_map.get(p) != h}
    changed |= {h for p, h in new_map.items() if old_map.get(p) != h}
    contents = _contents(changed)
    renames = new.renames if old is not None and new.parent_id == old.pk else None
    files = compare_versions(old_map, new_map, contents, ignore_whitespace, renames)
    return Changes(files, old_map, new_map, contents)


def comparison(selection: Selection) -> dict:
    changes = changes_between(selection.old, selection.new, selection.ignore_whitespace)
    files, old_map, new_map = changes.files, changes.old_map, changes.new_map
    by_path = {f.path: f for f in files}
    if selection.file is None and files:
        selection.file = files[0].path
    if selection.file is not None and selection.file not in by_path:
        raise Http404("That file did not change between these versions.")
    current = by_path.get(selection.file)
    line_findings: dict[int, list[dict]] = {}
    for finding in selection.new.findings_in(selection.file) if current else ():
        line_findings.setdefault(finding.get("line", 0), []).append(finding)
    return {
        "selection": selection,
        "files": files,
        "tree": file_tree(
            [f.path for f in files],
            {f.path: f.status for f in files},
            selection.new.paths_with_errors,
        ),
        "line_findings": line_findings,
        "counts": {f.path: f for f in files},
        "unchanged": len(set(new_map) & set(old_map)) - sum(f.status == "modified" for f in files),
        "added": sum(f.added for f in files),
        "removed": sum(f.removed for f in files),
        "current": current,
        "parts": _parts(current, changes, selection) if current else [],
    }


def _parts(diff: FileDiff, changes: Changes, selection: Selection):
    unchanged_rename = diff.status == "renamed" and not (diff.added or diff.removed)
    if diff.binary or (diff.large and not selection.full) or unchanged_rename:
        return []
    old, new = changes.texts(diff)
    old_lines, new_lines = split_lines(old), split_lines(new)
    opcodes = line_opcodes(old_lines, new_lines, selection.ignore_whitespace)
    return file_hunks(
        highlighted_lines(diff.path, old_lines), highlighted_lines(diff.path, new_lines), opcodes
    )


def expanded_rows(selection: Selection, gap: str) -> list:
    """The unchanged lines of one gap, for the page to put in place of its button."""
    numbers = [whole_number(part) for part in gap.split("-")]
    if len(numbers) != 3 or None in numbers:
        raise Http404("Bad region.")
    old_start, old_end, new_start = numbers
    old_map = snapshot(selection.old) if selection.old else {}
    path = selection.file
    if path not in old_map:
        raise Http404("No such file in the older version.")
    lines = split_lines(_contents({old_map[path]})[old_map[path]])
    if not 0 <= old_start <= old_end <= len(lines):
        raise Http404("Bad region.")
    return gap_rows(highlighted_lines(path, lines), Gap(old_start, old_end, new_start))
