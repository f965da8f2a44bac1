"""A generation's git repository: a bare repository on disk that is only a cache. Each
version with files is a commit derived from it (orchestrator.git.objects); `sync` adds the
commits of versions not yet there, moves `main` to the newest version and writes the tags
(`v1`, `v2`, ... and each named version's name). Delete the folder and the next sync
rebuilds the same hashes."""

import fcntl
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify
from dulwich.objects import ShaFile
from dulwich.repo import Repo

from generations.models import Blob, Generation, Version, VersionFile
from orchestrator.git.objects import CommitFacts, blob_of, commit_from_raw, commit_of, trees_of

logger = logging.getLogger(__name__)

MAIN = b"refs/heads/main"
BLOB_MAP = "iterum-blobs"  # sha256 of a stored blob -> its git id, one pair a line
BLOBS_PER_QUERY = 200
_VERSION_TAG = re.compile(r"^v[0-9]+$")


def repository_path(generation_id) -> Path:
    return Path(settings.GIT_CACHE_DIR) / f"{generation_id}.git"


@contextmanager
def locked(generation_id) -> Iterator[Repo]:
    """The generation's repository, held by this process alone (others wait) until the
    block ends; made on first use."""
    path = repository_path(generation_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (path / "objects").is_dir():
                path.mkdir(exist_ok=True)
                repo = Repo.init_bare(str(path))
                config = repo.get_config()
                config.set((b"receive",), b"maxInputSize", str(2 * settings.PROJECT_MAX_BYTES))
                config.write_to_path()
                repo.refs.set_symbolic_ref(b"HEAD", MAIN)
            repo = Repo(str(path))
            repo.hooks = {}  # nothing here ever runs a hook
            try:
                yield repo
            finally:
                repo.close()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def author_of(version: Version) -> str:
    """The user who made the version, or "Iterum (model)" for a model's run."""
    if version.kind in (Version.Kind.GENERATE, Version.Kind.ITERATE):
        return f"Iterum ({version.model or version.provider or 'model'}) <iterum@iterum.invalid>"
    user = version.created_by
    if user is None:
        return "Iterum user <user@iterum.invalid>"
    name = re.sub(r"[<>\n]", "", user.get_full_name() or user.username) or "user"
    return f"{name} <{re.sub(r'[^A-Za-z0-9._+-]', '-', user.username)}@users.iterum.invalid>"


def facts_of(version: Version) -> CommitFacts:
    """Author, time and message (the request, then the summary) of a version's commit."""
    when = version.finished_at or version.created_at
    message = version.prompt.strip()
    if version.summary.strip() and version.summary.strip() != message:
        message += "\n\n" + version.summary.strip()
    return CommitFacts(author_of(version), int(when.timestamp()), message)


def _read_blob_map(path: Path) -> dict[str, bytes]:
    try:
        lines = (path / BLOB_MAP).read_text().split()
    except FileNotFoundError:
        return {}
    return {lines[i]: lines[i + 1].encode() for i in range(0, len(lines) - 1, 2)}


def _contents(hashes: list[str]) -> Iterator[tuple[str, bytes]]:
    for start in range(0, len(hashes), BLOBS_PER_QUERY):
        batch = hashes[start : start + BLOBS_PER_QUERY]
        for sha256, content in Blob.objects.filter(sha256__in=batch).values_list(
            "sha256", "content"
        ):
            yield sha256, content.encode() if isinstance(content, str) else bytes(content)


def version_commits(repo: Repo) -> dict[int, bytes]:
    """The commits already derived: version number -> commit id (the `vN` tags)."""
    found = {}
    for ref, sha in repo.refs.as_dict(b"refs/tags/").items():
        name = ref.decode()
        if _VERSION_TAG.match(name):
            found[int(name[1:])] = sha
    return found


def sync(generation: Generation, repo: Repo) -> dict[int, bytes]:
    """Bring the repository up to the generation's versions (call inside `locked`)."""
    done = version_commits(repo)
    versions = list(
        generation.versions.filter(status__in=(Version.Status.COMPLETED, Version.Status.NO_CHANGES))
        .select_related("created_by")
        .order_by("number")
    )
    parents = {v.pk: v.parent_id for v in versions}
    number_of = {v.pk: v.number for v in versions}
    blob_map = _read_blob_map(Path(repo.path))
    new_pairs: list[str] = []
    # Every new version's objects are stored together and its tags written together at
    # the end: a history derived at once (a first clone) becomes one pack and one write of
    # the packed refs, not a file per object and a locked file per tag.
    objects: dict[bytes, ShaFile] = {}
    tags: dict[bytes, bytes] = {}
    for version in versions:
        if version.number in done:
            continue
        rows = list(
            VersionFile.objects.filter(version=version).values_list("path", "blob_id", "executable")
        )
        missing = sorted({h for _, h, _ in rows if h not in blob_map})
        for sha256, content in _contents(missing):
            blob = blob_of(content)
            objects[blob.id] = blob
            blob_map[sha256] = blob.id
            new_pairs.append(f"{sha256} {blob.id.decode()}")
        tree_id, trees = trees_of({p: (blob_map[h], x) for p, h, x in rows})
        objects.update((tree.id, tree) for tree in trees)
        parent_id = parents.get(version.pk)
        while parent_id is not None and parent_id not in number_of:
            parent_id = None  # a parent without files has no commit: the version is a root
        parent = done.get(number_of[parent_id]) if parent_id else None
        commit = commit_of(tree_id, parent, facts_of(version))
        if version.pushed_commit:
            pushed = commit_from_raw(bytes(version.pushed_commit))
            if pushed.tree == tree_id and pushed.parents == ([parent] if parent else []):
                commit = pushed
            else:
                logger.error("pushed commit of %s does not match its files; derived", version)
        objects[commit.id] = commit
        done[version.number] = commit.id
        tags[f"refs/tags/v{version.number}".encode()] = commit.id
    _store(repo, list(objects.values()))
    if len(tags) == 1:
        [(ref, sha)] = tags.items()
        repo.refs[ref] = sha
    elif tags:
        repo.refs.add_packed_refs(tags)
    if new_pairs:
        with open(Path(repo.path) / BLOB_MAP, "a") as handle:
            handle.write("\n".join(new_pairs) + "\n")
    _point_refs(repo, versions, done)
    return done


LOOSE_AT_MOST = 200  # a version that adds more objects writes them as one pack


def _store(repo: Repo, objects: list[ShaFile]) -> None:
    """Add what the store lacks: a few objects loose (an iteration's handful), many as one
    pack (an import), so lookups never wade through one pack per version."""
    store = repo.object_store
    fresh = [obj for obj in objects if obj.id not in store]
    if len(fresh) > LOOSE_AT_MOST:
        store.add_objects([(obj, None) for obj in fresh])
    else:
        for obj in fresh:
            store.add_object(obj)


def _point_refs(repo: Repo, versions: list[Version], done: dict[int, bytes]) -> None:
    """`main` at the newest version; a tag for each named version (a name shaped like a
    version tag, or taken twice, keeps only its `vN` tag)."""
    if versions:
        newest = done[versions[-1].number]
        if repo.refs.as_dict().get(MAIN) != newest:
            repo.refs[MAIN] = newest
    wanted: dict[bytes, bytes] = {}
    for version in versions:
        slug = slugify(version.name)[:60]
        if slug and not _VERSION_TAG.match(slug):
            wanted.setdefault(f"refs/tags/{slug}".encode(), done[version.number])
    for ref, sha in repo.refs.as_dict(b"refs/tags/").items():
        full = b"refs/tags/" + ref
        if not _VERSION_TAG.match(ref.decode()) and wanted.get(full) != sha:
            del repo.refs[full]
    for ref, sha in wanted.items():
        if repo.refs.as_dict().get(ref) != sha:
            repo.refs[ref] = sha


def commit_of_version(version: Version) -> bytes | None:
    """The commit id of a version with files (the repository brought up to date)."""
    with locked(version.generation_id) as repo:
        return sync(version.generation, repo).get(version.number)
