"""Iterum's JSON API (/api/v1), and its live events, for the terminal client."""

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx


class ApiError(Exception):
    """The server said no: the HTTP status and its message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Event:
    type: str
    id: str
    data: dict


class Api:
    def __init__(self, url: str, token: str, transport: httpx.BaseTransport | None = None):
        self.url = url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "iterum-client/0.1"},
            timeout=httpx.Timeout(30, read=60),
            transport=transport,
        )
        # The events URL carries its own stream token: the API token is not sent there.
        self.streams = httpx.Client(
            base_url=self.url,
            headers={"User-Agent": "iterum-client/0.1"},
            timeout=httpx.Timeout(30, read=90),
            transport=transport,
        )

    def call(self, method: str, path: str, **options) -> httpx.Response:
        response = self.http.request(method, "/api/v1" + path, **options)
        if response.status_code >= 400:
            raise ApiError(response.status_code, _message(response))
        return response

    def get(self, path: str, **options):
        return self.call("GET", path, **options).json()

    def post(self, path: str, body: dict | None = None):
        return self.call("POST", path, json=body).json()

    def upload(self, path: str, field: str, name: str, content: bytes, data: dict):
        files = {field: (name, content, "application/octet-stream")}
        return self.call("POST", path, files=files, data=data).json()

    def raw(self, path: str) -> bytes:
        return self.call("GET", path).content

    def put(self, path: str, body: dict):
        return self.call("PUT", path, json=body).json()

    def me(self) -> dict:
        return self.get("/me")

    def generation(self, generation: str) -> dict:
        return self.get(f"/generations/{generation}")

    def latest(self, generation: str) -> int:
        number = self.generation(generation)["latest_version"]
        if number is None:
            raise ApiError(404, "That generation has no versions.")
        return number

    def version_path(self, generation: str, number: int) -> str:
        return f"/generations/{generation}/versions/{number}"

    def events(self, generation: str, number: int, last_id: str = "") -> Iterator[Event]:
        """The version's run events (SSE) until its `done` event; reconnects with the last id
        when the connection drops, with a fresh stream token each time."""
        for event in self._stream(generation, number, {"progress", "done"}, last_id, ""):
            yield event
            if event.type == "done":
                return

    def stream(self, generation: str, number: int, types: set[str]) -> Iterator[Event]:
        """The version's events of these types from now on (its tests, its preview), with no
        end of their own. The stream's start is fixed here, before anything is asked, so an
        event that an action then causes is never missed."""
        url = self._events_url(generation, number)
        return self._stream(generation, number, types, "", url)

    def _events_url(self, generation: str, number: int) -> str:
        return self.post(self.version_path(generation, number) + "/stream-token")["events_url"]

    def _stream(
        self, generation: str, number: int, types: set[str], last_id: str, url: str
    ) -> Iterator[Event]:
        while True:
            url = url or self._events_url(generation, number)
            headers = {"Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            try:
                with self.streams.stream("GET", url, headers=headers) as response:
                    if response.status_code >= 400:
                        raise ApiError(response.status_code, "The event stream was refused.")
                    for event in parse_sse(response.iter_lines()):
                        if event.type == "stream-error":
                            raise ApiError(403, "The event stream was refused.")
                        if event.type in types:
                            last_id = event.id or last_id
                            yield event
            except (httpx.TransportError, httpx.StreamError):
                pass  # dropped: reconnect and get what was missed, once
            url = ""  # a fresh stream token for the next connection


def parse_sse(lines) -> Iterator[Event]:
    """Server-Sent Events from text lines: `event:`, `id:` and `data:` fields, a blank
    line ends an event, comments (`:`) are skipped."""
    kind, ident, data = "message", "", []
    for line in lines:
        if not line:
            if data:
                try:
                    payload = json.loads("\n".join(data))
                except ValueError:
                    payload = {"raw": "\n".join(data)}
                yield Event(
                    kind, ident, payload if isinstance(payload, dict) else {"value": payload}
                )
            kind, ident, data = "message", "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            kind = value
        elif field == "id":
            ident = value
        elif field == "data":
            data.append(value)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):  # field errors
        return "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', [])[2:]) or 'body'}: {e.get('msg')}"
            for e in detail
        )
    return str(detail or f"HTTP {response.status_code}")
