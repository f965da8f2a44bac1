"""The runner's interface as the web process and the worker use it: RunnerClient speaks
orchestrator.running.runner's protocol on its Unix socket."""

import json
import socket

from orchestrator.running.runner import MAX_REQUEST_BYTES, RunnerError


class RunnerUnreachable(RunnerError):
    """No runner answered: the feature is not running, which the user is told."""


class RunnerClient:
    def __init__(self, path: str, timeout: float = 10.0, test_timeout: float = 900.0) -> None:
        self.path = path
        self.timeout = timeout
        self.test_timeout = test_timeout  # a waited-for test run builds its environment too

    def start(self, preview_id: str, files: dict[str, str]) -> dict:
        return self._ask({"op": "start", "id": preview_id, "files": files})

    def stop(self, preview_id: str, reason: str = "stopped") -> dict:
        return self._ask({"op": "stop", "id": preview_id, "reason": reason})

    def state(self, preview_id: str) -> dict:
        return self._ask({"op": "state", "id": preview_id})

    def logs(self, preview_id: str, after: int = 0) -> dict:
        return self._ask({"op": "logs", "id": preview_id, "after": after})

    def socket(self, preview_id: str) -> str:
        return self._ask({"op": "socket", "id": preview_id})

    def test(self, run_id: str, files: dict[str, str], wait: bool = False) -> dict:
        request = {"op": "test", "id": run_id, "files": files, "wait": wait}
        return self._ask(request, timeout=self.test_timeout if wait else None)

    def previews(self) -> list[dict]:
        return self._ask({"op": "list"})

    def _ask(self, request: dict, timeout: float | None = None):
        data = json.dumps(request).encode() + b"\n"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(timeout or self.timeout)
                connection.connect(self.path)
                connection.sendall(data)
                connection.shutdown(socket.SHUT_WR)
                raw = _read_line(connection)
        except (FileNotFoundError, ConnectionRefusedError):
            raise RunnerUnreachable(
                "The runner is not running, so nothing can be run now (Iterum starts it with "
                "`manage.py serve`; alone: `manage.py runner`)."
            ) from None
        except OSError as error:
            raise RunnerUnreachable(f"The runner did not answer ({error}).") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise RunnerUnreachable("The runner's answer could not be read.") from None
        if not answer.get("ok"):
            raise RunnerError(str(answer.get("error", "the runner refused")))
        return answer.get("result")


def _read_line(connection: socket.socket) -> bytes:
    chunks, size = [], 0
    while chunk := connection.recv(65536):
        chunks.append(chunk)
        size += len(chunk)
        if chunk.endswith(b"\n") or size > MAX_REQUEST_BYTES:
            break
    return b"".join(chunks)
