"""Iterum's JSON API (/api/v1), and its live events, for the terminal client."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import httpx

from iterum_client import __version__
from iterum_client.config import token_page

FINAL_STATUSES = frozenset({"completed", "no_changes", "failed", "cancelled"})
# While a stream brings only keep-alives, the version's own status is read this often, so a
# run that ended without its last event reaching us (a stream that started too late, a lost
# connection) ends the wait within this time, never keeps it forever.
RECONCILE_SECONDS = 15.0
USER_AGENT = f"iterum-client/{__version__}"


class ApiError(Exception):
    """The server said no: the HTTP status, its message, and the body as JSON when it was."""

    def __init__(self, status: int, message: str, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body

    def limit_bytes(self) -> int | None:
        """The byte limit a 413 names, when its body gives one."""
        if isinstance(self.body, dict):
            for key in ("limit_bytes", "max_bytes", "limit"):
                value = self.body.get(key)
                if isinstance(value, int) and value > 0:
                    return value
        found = re.search(r"([0-9][0-9,]{2,}) bytes", self.message)
        return int(found.group(1).replace(",", "")) if found else None


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
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(30, read=60),
            transport=transport,
        )
        # The events URL carries its own stream token: the API token is not sent there.
        self.streams = httpx.Client(
            base_url=self.url,
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(30, read=90),
            transport=transport,
        )
        self.clock: Callable[[], float] = time.monotonic
        self.sleep: Callable[[float], None] = time.sleep

    def call(self, method: str, path: str, **options) -> httpx.Response:
        response = self.http.request(method, "/api/v1" + path, **options)
        if response.status_code >= 400:
            raise self.error(response)
        return response

    def error(self, response: httpx.Response) -> ApiError:
        message, body = _message(response)
        if response.status_code == 401:
            message = (
                f"The server refused the token ({message}). Make a new one at "
                f"{token_page(self.url)}, then run: iterum login {self.url}"
            )
        return ApiError(response.status_code, message, body)

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

    def generations(self) -> list[dict]:
        """Every generation of the user, newest first, following the pages if there are."""
        found: list[dict] = []
        params: dict[str, str] = {}
        while True:
            page = self.get("/generations", params=params)
            if isinstance(page, list):  # a server without pagination
                return found + page
            found += page.get("items") or page.get("results") or []
            cursor = page.get("next_cursor")
            if not cursor:
                return found
            params = {"cursor": str(cursor)}

    def version(self, generation: str, number: int) -> dict:
        return self.get(self.version_path(generation, number))

    def latest(self, generation: str) -> int:
        number = self.generation(generation)["latest_version"]
        if number is None:
            raise ApiError(404, "That generation has no versions.")
        return number

    def version_path(self, generation: str, number: int) -> str:
        return f"/generations/{generation}/versions/{number}"

    def events(self, generation: str, number: int, last_id: str = "") -> Iterator[Event]:
        """The version's run events until it ends; the last one has type `done`.

        On every connection (the first and each after a drop, with a fresh stream token and
        the last id seen) the version's status is read after the stream's start is fixed, so
        a run that ended before is ended here at once, and one that ends after is in the
        stream. While only keep-alives come, the status is read every RECONCILE_SECONDS."""
        types = {"progress", "done"}
        for event in self._stream(generation, number, types, last_id, "", reconcile=True):
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

    def _ended(self, generation: str, number: int) -> Event | None:
        """A `done` event made from the version's row, if its run has ended."""
        version = self.version(generation, number)
        return final_event(version) if version.get("status") in FINAL_STATUSES else None

    def _stream(
        self,
        generation: str,
        number: int,
        types: set[str],
        last_id: str,
        url: str,
        reconcile: bool = False,
    ) -> Iterator[Event]:
        pause = 0.0  # before reconnecting after a connection that brought nothing
        while True:
            if pause:
                self.sleep(pause)
            url = url or self._events_url(generation, number)
            if reconcile and (ended := self._ended(generation, number)):
                yield ended
                return
            headers = {"Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            checked = self.clock()
            seen = last_id
            try:
                with self.streams.stream("GET", url, headers=headers) as response:
                    if response.status_code >= 400:
                        raise ApiError(response.status_code, "The event stream was refused.")
                    for event in parse_sse(response.iter_lines()):
                        if event.type == "stream-error":
                            raise ApiError(403, "The event stream was refused.")
                        if event.type in types:
                            last_id = event.id or last_id
                            checked = self.clock()
                            yield event
                        elif reconcile and self.clock() - checked >= RECONCILE_SECONDS:
                            checked = self.clock()
                            if ended := self._ended(generation, number):
                                yield ended
                                return
            except (httpx.TransportError, httpx.StreamError):
                pass  # dropped: reconnect and get what was missed, once
            url = ""  # a fresh stream token for the next connection
            # A server that keeps ending streams at once is not asked again and again.
            pause = 0.0 if last_id != seen else min(max(pause * 2, 0.5), 5.0)


def final_event(version: dict) -> Event:
    """The `done` event a finished version's row stands for."""
    status = version.get("status", "")
    message = version.get("message") or version.get("error") or status
    if status == "failed" and version.get("error"):
        message = version["error"]
    data = {
        "status": status,
        "stage": version.get("stage", ""),
        "message": message,
        "progress": 1.0 if status in ("completed", "no_changes") else version.get("progress", 0),
        "version": version.get("number"),
        "from_status": True,  # made from the version's row, not received
    }
    return Event("done", "", data)


def parse_sse(lines: Iterable[str]) -> Iterator[Event]:
    """Server-Sent Events from text lines: `event:`, `id:` and `data:` fields, a blank
    line ends an event. Comments (`:`) come out as `comment` events, so a reader waiting
    for something else still gets control back at each keep-alive."""
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
            yield Event("comment", "", {})
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            kind = value
        elif field == "id":
            ident = value
        elif field == "data":
            data.append(value)


def _message(response: httpx.Response) -> tuple[str, object]:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}", None
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, list):  # field errors, as older servers sent them
        return _fields(detail) or f"HTTP {response.status_code}", body
    text = str(detail or f"HTTP {response.status_code}")
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors:  # {"detail", "code", "errors": [{loc, msg}]}
        fields = _fields(errors)
        text = f"{text.rstrip('.')}: {fields}" if fields and fields not in text else text
    return text, body


def _fields(errors: list) -> str:
    """ "prompt: too long; title: required" from [{"loc": ["body", "prompt"], "msg": ...}]."""
    parts = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        where = [str(p) for p in error.get("loc", []) if p not in ("body", "query", "path")]
        where = [p for p in where if p != "payload"]
        parts.append(f"{'.'.join(where) or 'body'}: {error.get('msg')}")
    return "; ".join(parts)
