"""`pull` and `push`: a folder kept in step with a generation, both ways, deletions included.

The folder's `.iterum.json` records the version it stands on and each file's hash there. A
file differs "here" when it is not as recorded (edited, new or deleted here) and "upstream"
when the version pulled has it otherwise; what changed on one side only is taken from that
side, and what changed on both is a conflict that nothing resolves silently.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.prompt import Confirm

from iterum_client.api import Api, ApiError

MANIFEST = ".iterum.json"
SKIPPED_DIRS = {".git", ".hg", "node_modules", "__pycache__", ".venv", "venv", ".mypy_cache"}
# A push is sent in requests below this size; the server refuses bigger bodies (2.5 MiB by
# default, REQUEST_MAX_BYTES). A 413 naming a smaller limit makes the batches smaller.
BATCH_BYTES = 2_000_000
OK, USAGE, CONFLICT = 0, 2, 7


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def local_files(folder: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() or relative.as_posix() == MANIFEST:
            continue
        if any(part in SKIPPED_DIRS for part in relative.parts):
            continue
        found[relative.as_posix()] = path.read_bytes()
    return found


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def write_manifest(folder: Path, record: dict) -> None:
    (folder / MANIFEST).write_text(json.dumps(record, indent=2) + "\n")


def ask(question: str, console: Console, yes: bool) -> bool:
    """--yes, or the user's answer; without a terminal to ask, no."""
    return yes or (sys.stdin.isatty() and Confirm.ask(question, console=console))


def names(paths: list[str]) -> str:
    return ", ".join(paths[:10]) + (f" and {len(paths) - 10} more" if len(paths) > 10 else "")


@dataclass
class PullPlan:
    write: list[dict] = field(default_factory=list)  # upstream's rows to write here
    remove: list[str] = field(default_factory=list)  # deleted upstream, untouched here
    conflicts: list[str] = field(default_factory=list)
    kept_here: list[str] = field(default_factory=list)  # changed here only: left alone


def plan_pull(known: dict, upstream_rows: list[dict], folder: Path, force: bool) -> PullPlan:
    """What a pull does with each path, from the three states: recorded, here, upstream."""
    plan = PullPlan()
    upstream = {row["path"]: row for row in upstream_rows}
    local = local_files(folder) if folder.exists() else {}
    for path in sorted(set(known) | set(upstream) | set(local)):
        recorded = known.get(path)
        here = digest(local[path]) if path in local else None
        if path not in local and path not in upstream:
            continue
        there = upstream[path]["sha256"] if path in upstream else None
        if here == there:
            continue
        changed_here = here != recorded
        changed_there = there != recorded
        if changed_here and not changed_there:
            plan.kept_here.append(path)
        elif changed_here and not force:
            plan.conflicts.append(path)
        elif there is None:
            plan.remove.append(path)
        else:
            plan.write.append(upstream[path])
    return plan


def pull(
    api: Api,
    console: Console,
    generation: str,
    number: int,
    folder: Path,
    *,
    force: bool,
    yes: bool,
) -> int:
    """Write a version's files into a folder: what changed upstream, byte for byte, and the
    files deleted upstream removed (after asking, unless --yes). What changed here is kept
    (an edit, a new file, a deletion: the next push sends it); what changed on both sides is
    a conflict, unless --force takes upstream's."""
    manifest = read_manifest(folder)
    known = manifest.get("files", {}) if manifest.get("generation") == generation else {}
    listed = api.get(api.version_path(generation, number) + "/files")
    plan = plan_pull(known, listed, folder, force)
    if plan.conflicts:
        console.print(
            f"[red]Not pulled: local changes would be overwritten or removed[/] in "
            f"{names(plan.conflicts)}. Push them, or pull with --force."
        )
        return CONFLICT
    for item in plan.write:
        content = api.raw(api.version_path(generation, number) + "/raw/" + item["path"])
        target = folder / item["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        if item.get("executable"):
            target.chmod(target.stat().st_mode | 0o111)
    kept: list[str] = []
    if plan.remove:
        question = f"Remove {len(plan.remove)} files deleted upstream ({names(plan.remove)})?"
        if ask(question, console, yes):
            for path in plan.remove:
                (folder / path).unlink()
                prune_empty(folder, (folder / path).parent)
        else:
            kept = plan.remove
            console.print(
                f"[yellow]Kept {len(kept)} files deleted upstream ({names(kept)}); pull with "
                "--yes to remove them.[/]"
            )
    upstream = {item["path"]: item["sha256"] for item in listed}
    record = {
        "url": api.url,
        "generation": generation,
        "version": number,
        # Files kept after a deletion upstream stay recorded as they were: a later pull may
        # still remove them, and a push does not send them back unless they are edited.
        "files": {**{path: known[path] for path in kept if path in known}, **upstream},
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_manifest(folder, record)
    removed = len(plan.remove) - len(kept)
    console.print(
        f"Pulled version {number}: {len(listed)} files into {folder}"
        + (f", {len(plan.write)} written" if plan.write else "")
        + (f", {removed} removed" if removed else "")
        + (f"; your changes to {names(plan.kept_here)} are kept" if plan.kept_here else "")
        + "."
    )
    return OK


def prune_empty(root: Path, folder: Path) -> None:
    """Remove folders left empty by a pull, up to (not including) the root."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def encoded(content: bytes) -> tuple[str, str]:
    """("files" or "files_base64", the JSON string) for one file's content."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        return "files_base64", base64.b64encode(content).decode()
    return "files", text


def batches(changed: dict[str, bytes], deleted: list[str], limit: int) -> list[dict]:
    """Request bodies of at most `limit` bytes of JSON each (a file alone in its body may
    exceed it: the server's per-file limit is far below its body limit). Deletions ride
    with the first body."""
    bodies: list[dict] = []
    body: dict = {"files": {}, "files_base64": {}, "deleted": list(deleted)}
    size = len(json.dumps(body))
    for path, content in changed.items():
        key, value = encoded(content)
        cost = len(json.dumps({path: value})) + 2
        if size + cost > limit and (body["files"] or body["files_base64"]):
            bodies.append(body)
            body = {"files": {}, "files_base64": {}, "deleted": []}
            size = len(json.dumps(body))
        body[key][path] = value
        size += cost
    if body["files"] or body["files_base64"] or body["deleted"]:
        bodies.append(body)
    return bodies


def push(api: Api, console: Console, generation: str, folder: Path) -> int:
    """Send a folder's edits as a new version: changed and new files (binary ones too) and
    the files deleted here. Bodies stay below the server's limit: a push too big for one is
    sent as several versions, one after the other, the folder's record moved on after each,
    so a push cut short resumes where it stopped."""
    manifest = read_manifest(folder)
    if manifest.get("generation") != generation:
        console.print(f"[red]{folder} was not pulled from this generation.[/] Pull it first.")
        return USAGE
    known = manifest.get("files", {})
    local = local_files(folder)
    changed = {
        path: content for path, content in local.items() if known.get(path) != digest(content)
    }
    base = manifest["version"]
    on_base = {row["path"] for row in api.get(api.version_path(generation, base) + "/files")}
    # A deletion is a file recorded, present in the base version and gone from the disk; a
    # file in a folder the client does not read (node_modules, .venv...) is not gone.
    deleted = sorted(path for path in known if path in on_base and not (folder / path).exists())
    if not changed and not deleted:
        console.print("Nothing to push: the files are as pulled.")
        return OK
    if deleted:
        console.print(f"Deleted here, to delete upstream: {names(deleted)}")
    limit = BATCH_BYTES
    bodies = batches(changed, deleted, limit)
    numbers: list[int] = []
    summary = ""
    while bodies:
        body = bodies[0]
        try:
            version = api.post(api.version_path(generation, base) + "/files", body)
        except ApiError as error:
            files_in_body = len(body["files"]) + len(body["files_base64"])
            if error.status != 413 or files_in_body <= 1:
                raise
            named = error.limit_bytes()
            limit = named * 9 // 10 if named and named < limit else limit // 2
            rest = {p: local[p] for b in bodies for k in ("files", "files_base64") for p in b[k]}
            bodies = batches(rest, body["deleted"], limit)
            continue
        bodies.pop(0)
        base = version["number"]
        numbers.append(base)
        summary = version.get("checks") or "not checked"
        listed = api.get(api.version_path(generation, base) + "/files")
        manifest.update(version=base, files={i["path"]: i["sha256"] for i in listed})
        write_manifest(folder, manifest)
    where = f"version {numbers[0]}" if len(numbers) == 1 else f"versions {numbers[0]}-{numbers[-1]}"
    console.print(
        f"Pushed {len(changed)} files"
        + (f" and {len(deleted)} deletions" if deleted else "")
        + f" as {where} ({summary})."
    )
    return OK
