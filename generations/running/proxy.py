"""The preview proxy: HTTP (streaming responses included) and WebSockets from
<id>.PREVIEW_HOST to the app's Unix socket in its sandbox.

config.asgi puts it in front of everything: a request for a preview host comes here, any
other goes on to Iterum. Like Iterum's event streams, it is a small ASGI app of its own, so
a long response or a WebSocket is one asyncio task, not a thread held for its whole life.

Every answer carries `Content-Security-Policy: sandbox allow-scripts allow-forms
allow-popups allow-same-origin`: the page's origin is its own preview host, new at every
start and a different site from Iterum, so its own fetch() to its API carries the preview's
cookie (HttpOnly: the page cannot read it) while Iterum's pages, cookies and frame stay
cross-origin. Only the version's owner and staff get through (access.py). Iterum's cookies
and API tokens are taken out of requests, and the preview's cookie too, so the app never
sees them; in answers, a cookie that would reach other hosts, or overwrite ours, is taken
out.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

import httpx
import websockets
import websockets.asyncio.client
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model

from generations.running import access
from generations.running.configured import runner
from generations.running.models import Preview
from generations.tokens import PREFIX as API_TOKEN_PREFIX
from orchestrator.running.runner import RunnerError

CSP = "sandbox allow-scripts allow-forms allow-popups allow-same-origin"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
# Headers the app may not set on the preview's host.
DROPPED_ANSWER_HEADERS = {"strict-transport-security", "clear-site-data", "alt-svc"}
CACHE_SECONDS = 2.0  # how long a preview's owner check and socket are trusted
TOUCH_SECONDS = 10.0  # an open stream or WebSocket counts as use this often


class PreviewProxy:
    def __init__(self, inner: Callable) -> None:
        self.inner = inner
        self._access: dict[tuple[str, int], tuple[float, bool]] = {}
        self._sockets: dict[str, tuple[float, str]] = {}
        self._clients: dict[str, httpx.AsyncClient] = {}

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.inner(scope, receive, send)
        preview_id = access.preview_id_of_host(_header(scope, b"host"))
        if preview_id is None:
            return await self.inner(scope, receive, send)
        if scope["type"] == "websocket":
            return await self.websocket(preview_id, scope, receive, send)
        if scope["path"] == access.ENTER_PATH:
            return await self.enter(preview_id, scope, send)
        user_id = await self.allowed_user(preview_id, scope)
        if user_id is None:
            return await _page(send, 403, FORBIDDEN)
        path = await self.socket_of(preview_id)
        if path is None:
            return await _page(send, 503, NOT_RUNNING)
        await self.forward(preview_id, path, scope, receive, send)

    async def enter(self, preview_id: str, scope: dict, send: Callable) -> None:
        """Exchange the version page's token for the preview's cookie, then go to `next`."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [""])[0]
        user = await sync_to_async(_enter_user)(token, preview_id)
        if user is None:
            return await _page(send, 403, EXPIRED)
        location = access.safe_path((query.get("next") or ["/"])[0])
        headers = [
            (b"location", location.encode("latin-1", "replace")),
            (b"set-cookie", access.cookie_header(preview_id, user.pk).encode()),
            (b"cache-control", b"no-store"),
            (b"content-security-policy", CSP.encode()),
            (b"referrer-policy", b"no-referrer"),  # the token never leaves in a Referer
        ]
        await send({"type": "http.response.start", "status": 302, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def allowed_user(self, preview_id: str, scope: dict) -> int | None:
        user_id = access.user_id_of_cookie(_cookies(scope).get(access.COOKIE, ""), preview_id)
        if user_id is None:
            return None
        key, now = (preview_id, user_id), time.monotonic()
        cached = self._access.get(key)
        if cached is None or now - cached[0] > CACHE_SECONDS:
            cached = (now, await sync_to_async(_may_use)(preview_id, user_id))
            self._access[key] = cached
        return user_id if cached[1] else None

    async def socket_of(self, preview_id: str) -> str | None:
        """The app's socket, if it runs; asking the runner counts as use (the idle stop)."""
        now = time.monotonic()
        cached = self._sockets.get(preview_id)
        if cached is not None and now - cached[0] <= CACHE_SECONDS:
            return cached[1]
        try:
            path = await sync_to_async(runner().socket, thread_sensitive=False)(preview_id)
        except RunnerError:
            await self.forget(preview_id)
            return None
        self._sockets[preview_id] = (now, path)
        return path

    async def forget(self, preview_id: str) -> None:
        """Drop what is cached of a preview: its socket, its client, who may use it."""
        self._sockets.pop(preview_id, None)
        for key in [key for key in self._access if key[0] == preview_id]:
            self._access.pop(key, None)
        client = self._clients.pop(preview_id, None)
        if client is not None:
            await client.aclose()

    def client(self, preview_id: str, path: str) -> httpx.AsyncClient:
        client = self._clients.get(preview_id)
        if client is None:
            transport = httpx.AsyncHTTPTransport(uds=path, retries=0)
            timeout = httpx.Timeout(connect=10, read=None, write=60, pool=10)
            client = httpx.AsyncClient(transport=transport, timeout=timeout)
            self._clients[preview_id] = client
        return client

    async def forward(
        self, preview_id: str, path: str, scope: dict, receive: Callable, send: Callable
    ) -> None:
        client = self.client(preview_id, path)
        headers = request_headers(scope)
        # The path as the browser sent it, and a query only when there is one: an empty
        # query would reach the app as a trailing "?" that some servers keep in the path.
        query = scope.get("query_string", b"")
        url = httpx.URL(scheme="http", host="localhost", path=scope["path"])
        if query:
            url = url.copy_with(query=query)
        body = _request_body(receive) if _has_body(scope) else None
        request = client.build_request(scope["method"], url, headers=headers, content=body)
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as error:
            await self.forget(preview_id)  # it may have stopped: ask again next time
            return await _page(send, 502, f"The app did not answer ({type(error).__name__}).")
        start = {"type": "http.response.start", "status": response.status_code}
        await send(start | {"headers": answer_headers(response.headers.multi_items())})
        # The answer may be a stream that never ends (an app's own event stream): it ends
        # when the browser leaves, and while it lasts it counts as use.
        tasks = [
            asyncio.create_task(_pump(response, send)),
            asyncio.create_task(_disconnected(receive)),
            asyncio.create_task(self._touch_while_open(preview_id)),
        ]
        try:
            await asyncio.wait(tasks[:2], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await response.aclose()

    async def websocket(self, preview_id: str, scope: dict, receive: Callable, send: Callable):
        if (await receive())["type"] != "websocket.connect":
            return
        user_id = await self.allowed_user(preview_id, scope)
        path = await self.socket_of(preview_id) if user_id is not None else None
        if path is None:
            return await send({"type": "websocket.close", "code": 1008})
        query = scope.get("query_string", b"").decode("latin-1")
        uri = f"ws://{_header(scope, b'host')}{scope['path']}" + (f"?{query}" if query else "")
        headers = [
            (name, value)
            for name, value in request_headers(scope)
            if not name.lower().startswith("sec-websocket") and name.lower() != "host"
        ]
        try:
            upstream = await websockets.asyncio.client.unix_connect(
                path,
                uri,
                additional_headers=headers,
                subprotocols=scope.get("subprotocols") or None,
                open_timeout=10,
                max_size=16 * 1024 * 1024,
            )
        except (OSError, websockets.exceptions.WebSocketException, TimeoutError):
            return await send({"type": "websocket.close", "code": 1011})
        accept = {
            "type": "websocket.accept",
            "headers": [(b"content-security-policy", CSP.encode())],
        }
        if upstream.subprotocol:
            accept["subprotocol"] = upstream.subprotocol
        await send(accept)
        tasks = [
            asyncio.create_task(_browser_to_app(receive, upstream)),
            asyncio.create_task(_app_to_browser(upstream, send)),
            asyncio.create_task(self._touch_while_open(preview_id)),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await upstream.close()
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": 1000})

    async def _touch_while_open(self, preview_id: str) -> None:
        while True:
            await asyncio.sleep(TOUCH_SECONDS)
            self._sockets.pop(preview_id, None)
            await self.socket_of(preview_id)


async def _pump(response: httpx.Response, send: Callable) -> None:
    try:
        async for chunk in response.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except (httpx.HTTPError, OSError):
        pass  # the app went away mid-answer: end what was sent
    await send({"type": "http.response.body", "body": b""})


async def _disconnected(receive: Callable) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _browser_to_app(receive: Callable, upstream) -> None:
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes") is not None:
            await upstream.send(message["bytes"])
        elif message.get("text") is not None:
            await upstream.send(message["text"])


async def _app_to_browser(upstream, send: Callable) -> None:
    with contextlib.suppress(websockets.exceptions.ConnectionClosed):
        async for message in upstream:
            key = "bytes" if isinstance(message, bytes) else "text"
            await send({"type": "websocket.send", key: message})


def request_headers(scope: dict) -> list[tuple[str, str]]:
    """The browser's headers as the app gets them: without hop-by-hop headers, Iterum's and
    the preview's cookies, or an Iterum API token; with X-Forwarded-*."""
    drop = HOP_BY_HOP | {"cookie", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"}
    headers = []
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if name in drop:
            continue
        if name == "authorization" and API_TOKEN_PREFIX in value:
            continue
        headers.append((name, value))
    kept = _app_cookies(scope)
    if kept:
        headers.append(("cookie", kept))
    client = scope.get("client") or ("", 0)
    headers += [
        ("x-forwarded-for", str(client[0])),
        ("x-forwarded-proto", "https" if scope.get("scheme") in ("https", "wss") else "http"),
        ("x-forwarded-host", _header(scope, b"host")),
    ]
    return headers


def answer_headers(items: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """The app's headers as the browser gets them: no hop-by-hop headers, no HSTS or
    Clear-Site-Data, no cookie for other hosts or named as ours; with the CSP sandbox."""
    headers = []
    for name, value in items:
        lower = name.lower()
        if lower in HOP_BY_HOP or lower in DROPPED_ANSWER_HEADERS:
            continue
        if lower == "set-cookie":
            value = _app_set_cookie(value)
            if value is None:
                continue
        headers.append((lower.encode("latin-1"), value.encode("latin-1", "replace")))
    headers.append((b"content-security-policy", CSP.encode()))
    headers.append((b"x-content-type-options", b"nosniff"))
    return headers


def _protected_cookie(name: str) -> bool:
    return name in {access.COOKIE, settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def _app_cookies(scope: dict) -> str:
    """The Cookie header without the preview's and Iterum's cookies."""
    kept = []
    for raw in _header(scope, b"cookie").split(";"):
        name, _, value = raw.strip().partition("=")
        if name and not _protected_cookie(name):
            kept.append(f"{name}={value}")
    return "; ".join(kept)


def _app_set_cookie(value: str) -> str | None:
    """A Set-Cookie the app sends: host-only (no Domain), and never one of ours."""
    name = value.split("=", 1)[0].strip()
    if _protected_cookie(name):
        return None
    parts = [part for part in value.split(";") if part.strip().lower().split("=")[0] != "domain"]
    return ";".join(parts)


def _cookies(scope: dict) -> dict[str, str]:
    jar = SimpleCookie()
    with contextlib.suppress(CookieError):
        jar.load(_header(scope, b"cookie"))
    return {name: morsel.value for name, morsel in jar.items()}


def _header(scope: dict, name: bytes) -> str:
    """A request header's value; the Cookie header's values joined (HTTP/2 splits it)."""
    values = [value for key, value in scope.get("headers", []) if key.lower() == name]
    if name == b"cookie":
        return b"; ".join(values).decode("latin-1")
    return values[0].decode("latin-1") if values else ""


def _has_body(scope: dict) -> bool:
    return any(
        name in (b"content-length", b"transfer-encoding") for name, _ in scope.get("headers", [])
    )


async def _request_body(receive: Callable):
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        if message.get("body"):
            yield message["body"]
        if not message.get("more_body"):
            return


def _enter_user(token: str, preview_id: str):
    user = access.user_of_enter_token(token, preview_id)
    preview = Preview.objects.select_related("version__generation").filter(pk=preview_id).first()
    if user is None or preview is None or not access.may_use(user, preview):
        return None
    return user


def _may_use(preview_id: str, user_id: int) -> bool:
    user = get_user_model().objects.filter(pk=user_id).first()
    preview = Preview.objects.select_related("version__generation").filter(pk=preview_id).first()
    return preview is not None and preview.active and access.may_use(user, preview)


async def _page(send: Callable, status: int, text: str) -> None:
    body = (
        "<!doctype html><meta charset=utf-8><title>Preview</title>"
        f"<p style='font-family:sans-serif;margin:2em'>{text}</p>"
    ).encode()
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"content-security-policy", CSP.encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


FORBIDDEN = (
    "This preview is only for the owner of its version. Open it from the version's page in "
    "Iterum (the Run button)."
)
EXPIRED = (
    "This link to the preview has expired or is not yours. Open the preview again from the "
    "version's page in Iterum."
)
NOT_RUNNING = (
    "The preview is not running (it is still starting, or it stopped). Its state and log are "
    "on the version's page in Iterum."
)
