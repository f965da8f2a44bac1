"""`iterum pull` and `push` against scripted HTTP answers: each side's changes taken from
that side, deletions both ways, conflicts refused, and pushes in bodies the server accepts."""

import hashlib
import json

import httpx
from iterum_client import sync
from iterum_client.api import Api
from rich.console import Console

GEN = "3f1c2a9e-1111-4222-8333-444455556666"


def sha(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


class Server:
    """A generation's versions held in memory, answering the client's file calls; POST
    /files refuses bodies above `limit` bytes with a 413, as the server does."""

    def __init__(self, files: dict[str, bytes], limit: int = 2_621_440) -> None:
        self.versions = {1: dict(files)}
        self.limit = limit
        self.bodies: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")  # /api/v1/generations/G/versions/N/...
        number, what = int(parts[6]), parts[7]
        files = self.versions[number]
        if request.method == "GET" and what == "files":
            rows = [{"path": p, "sha256": sha(c), "size": len(c)} for p, c in files.items()]
            return httpx.Response(200, json=rows)
        if request.method == "GET" and what == "raw":
            return httpx.Response(200, content=files["/".join(parts[8:])])
        if request.method == "POST" and what == "files":
            self.bodies.append(len(request.content))
            if len(request.content) > self.limit:
                detail = f"The request is larger than the limit of {self.limit:,} bytes."
                return httpx.Response(413, json={"detail": detail, "limit_bytes": self.limit})
            body = json.loads(request.content)
            new = dict(files)
            for path in body["deleted"]:
                del new[path]
            new.update({p: t.encode() for p, t in body["files"].items()})
            number = max(self.versions) + 1
            self.versions[number] = new
            return httpx.Response(201, json={"number": number, "checks": "All checks passed"})
        return httpx.Response(404, json={"detail": "Not found."})


def client(server: Server) -> Api:
    return Api("http://127.0.0.1:1", "itm_x", transport=httpx.MockTransport(server))


def quiet() -> Console:
    return Console(record=True, width=200)


def test_pull_then_push_carries_edits_and_deletions_made_here(tmp_path):
    server = Server({"app.py": b"print(1)\n", "old.py": b"x = 1\n", "keep.md": b"# k\n"})
    api = client(server)
    assert sync.pull(api, quiet(), GEN, 1, tmp_path, force=False, yes=False) == sync.OK
    (tmp_path / "old.py").unlink()
    (tmp_path / "app.py").write_bytes(b"print(2)\n")
    (tmp_path / "new.py").write_bytes(b"y = 2\n")
    console = quiet()
    assert sync.push(api, console, GEN, tmp_path) == sync.OK
    assert server.versions[2] == {
        "app.py": b"print(2)\n",
        "keep.md": b"# k\n",
        "new.py": b"y = 2\n",
    }
    assert "Pushed 2 files and 1 deletions as version 2" in console.export_text()
    assert sync.push(api, quiet(), GEN, tmp_path) == sync.OK  # nothing left to send
    assert max(server.versions) == 2


def test_pull_keeps_a_deletion_made_here_and_push_sends_it(tmp_path):
    server = Server({"app.py": b"a\n", "gone.py": b"g\n"})
    api = client(server)
    sync.pull(api, quiet(), GEN, 1, tmp_path, force=False, yes=False)
    (tmp_path / "gone.py").unlink()
    assert sync.pull(api, quiet(), GEN, 1, tmp_path, force=False, yes=False) == sync.OK
    assert not (tmp_path / "gone.py").exists()  # not brought back
    sync.push(api, quiet(), GEN, tmp_path)
    assert "gone.py" not in server.versions[2]


def test_a_deletion_upstream_is_asked_for_and_never_pushed_back(tmp_path, monkeypatch):
    server = Server({"app.py": b"a\n", "old.py": b"o\n"})
    api = client(server)
    sync.pull(api, quiet(), GEN, 1, tmp_path, force=False, yes=False)
    server.versions[2] = {"app.py": b"a\n"}  # deleted upstream (in a browser, say)
    # Without a terminal to ask and without --yes, the file is kept and said so.
    console = quiet()
    assert sync.pull(api, console, GEN, 2, tmp_path, force=False, yes=False) == sync.OK
    assert (tmp_path / "old.py").exists()
    assert "Kept 1 files deleted upstream (old.py)" in console.export_text()
    assert sync.push(api, quiet(), GEN, tmp_path) == sync.OK
    assert 3 not in server.versions  # the kept file is not pushed back
    # Asked and answered yes, it goes.
    monkeypatch.setattr(sync.sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sync.Confirm, "ask", lambda *a, **k: True)
    assert sync.pull(api, quiet(), GEN, 2, tmp_path, force=False, yes=False) == sync.OK
    assert not (tmp_path / "old.py").exists()


def test_a_file_changed_on_both_sides_is_a_conflict(tmp_path):
    server = Server({"app.py": b"a\n", "b.py": b"b\n"})
    api = client(server)
    sync.pull(api, quiet(), GEN, 1, tmp_path, force=False, yes=False)
    server.versions[2] = {"app.py": b"upstream\n"}
    (tmp_path / "app.py").write_bytes(b"here\n")
    (tmp_path / "b.py").write_bytes(b"edited here, deleted upstream\n")
    console = quiet()
    assert sync.pull(api, console, GEN, 2, tmp_path, force=False, yes=False) == sync.CONFLICT
    assert "app.py, b.py" in console.export_text()
    assert (tmp_path / "app.py").read_bytes() == b"here\n"
    assert sync.pull(api, quiet(), GEN, 2, tmp_path, force=True, yes=True) == sync.OK
    assert (tmp_path / "app.py").read_bytes() == b"upstream\n"
    assert not (tmp_path / "b.py").exists()


def test_a_file_in_a_folder_the_client_skips_is_not_a_deletion(tmp_path):
    server = Server({"app.py": b"a\n", "node_modules/x.js": b"x\n"})
    api = client(server)
    sync.pull(api, quiet(), GEN, 1, tmp_path, force=False, yes=False)
    assert (tmp_path / "node_modules/x.js").exists()
    (tmp_path / "app.py").write_bytes(b"b\n")
    sync.push(api, quiet(), GEN, tmp_path)
    assert "node_modules/x.js" in server.versions[2]


def test_three_files_of_936_kb_push_in_bodies_below_the_limit(tmp_path):
    big = {f"data/{n}.txt": (f"{n}" * 100 + "\n").encode() * (936_000 // 101) for n in range(3)}
    server = Server({"app.py": b"a\n"})
    api = client(server)
    sync.pull(api, quiet(), GEN, 1, tmp_path, force=False, yes=False)
    for path, content in big.items():
        (tmp_path / path).parent.mkdir(exist_ok=True)
        (tmp_path / path).write_bytes(content)
    console = quiet()
    assert sync.push(api, console, GEN, tmp_path) == sync.OK
    assert max(server.bodies) <= sync.BATCH_BYTES
    newest = server.versions[max(server.versions)]
    assert all(newest[path] == content for path, content in big.items())
    assert "Pushed 3 files as versions 2-" in console.export_text()
    assert json.loads((tmp_path / sync.MANIFEST).read_text())["version"] == max(server.versions)


def test_a_413_naming_a_smaller_limit_makes_the_bodies_smaller(tmp_path):
    server = Server({"app.py": b"a\n"}, limit=300_000)
    api = client(server)
    sync.pull(api, quiet(), GEN, 1, tmp_path, force=False, yes=False)
    for n in range(4):
        (tmp_path / f"f{n}.txt").write_bytes(b"z" * 120_000)
    assert sync.push(api, quiet(), GEN, tmp_path) == sync.OK
    assert server.bodies[0] > 300_000  # refused once
    assert all(size <= 300_000 for size in server.bodies[1:])
    newest = server.versions[max(server.versions)]
    assert all(newest[f"f{n}.txt"] == b"z" * 120_000 for n in range(4))


def test_the_client_packs_without_the_folders_an_import_leaves_out():
    """The client installs without Iterum, so it keeps its own copy of the list; the two
    must agree, or `iterum import` would send what the server then drops (or keep less)."""
    from iterum_client.packing import SKIPPED

    from orchestrator.imports.ignore import VENDORED

    assert set(SKIPPED) == set(VENDORED)
