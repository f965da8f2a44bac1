"""A git repository served over smart HTTP on loopback by dulwich, in a thread: the
"remote" that imports fetch from and that versions are pushed to."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo
from dulwich.server import DictBackend
from dulwich.web import WSGIRequestHandlerLogger, WSGIServerLogger, make_server, make_wsgi_chain


def commit_files(repo: Repo, files: dict[str, bytes], message: str = "files") -> bytes:
    """Commit {path: content} (folders made as needed) on main; returns the commit id."""
    root: dict = {}
    for path, content in files.items():
        *folders, name = path.split("/")
        node = root
        for folder in folders:
            node = node.setdefault(folder, {})
        node[name] = content

    def build(node: dict) -> bytes:
        tree = Tree()
        for name, value in node.items():
            if isinstance(value, dict):
                tree.add(name.encode(), 0o040000, build(value))
            else:
                blob = Blob.from_string(value)
                repo.object_store.add_object(blob)
                tree.add(name.encode(), 0o100644, blob.id)
        repo.object_store.add_object(tree)
        return tree.id

    commit = Commit()
    commit.tree = build(root)
    parent = repo.refs.as_dict().get(b"refs/heads/main")
    commit.parents = [parent] if parent else []
    commit.author = commit.committer = b"Someone <someone@example.com>"
    commit.author_time = commit.commit_time = 1_700_000_000
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = message.encode() + b"\n"
    repo.object_store.add_object(commit)
    repo.refs[b"refs/heads/main"] = commit.id
    return commit.id


@contextmanager
def served(folder: Path, *, password: str | None = None) -> Iterator[tuple[str, Repo]]:
    """A bare repository at `folder`, served at the returned URL until the block ends. With
    a password, every request must carry HTTP Basic credentials with it."""
    folder.mkdir(parents=True, exist_ok=True)
    repo = Repo.init_bare(str(folder))
    repo.refs.set_symbolic_ref(b"HEAD", b"refs/heads/main")
    app = make_wsgi_chain(DictBackend({"/": repo}))
    if password is not None:
        app = _basic_auth(app, password)
    server = make_server(
        "127.0.0.1",
        0,
        app,
        handler_class=WSGIRequestHandlerLogger,
        server_class=WSGIServerLogger,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", repo
    finally:
        server.shutdown()
        server.server_close()
        repo.close()


def _basic_auth(app, password: str):
    import base64

    def guarded(environ, start_response):
        header = environ.get("HTTP_AUTHORIZATION", "")
        try:
            given = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")[2]
        except ValueError:
            given = ""
        if given != password:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="test"')])
            return [b"no"]
        return app(environ, start_response)

    return guarded
