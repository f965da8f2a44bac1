"""Part of `make bench-events`: what one event costs the server per watching page.

500 page-like clients hold the version's event stream. Then 5 progress events are
published, and the daphne process's CPU time (user + system, from /proc) is read before and
after, less what it spends idle over the same time. Two ways a page can follow a run:

- the seed's refetch: each page, on each progress event, GETs the version's live panel
  (`?part=live`, as htmx's hx-trigger="sse:progress" did): a session lookup, database
  reads and a template render per event per page;
- ours: the event's JSON is applied in the page (static/js/live.js): the server only writes
  the event to each stream.

The clients run in this process, on the same two cores as the server.

Loopback only; everything stops by itself.
"""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.events import ROOT, HTTPError, prepare
from tests.support.live_servers import free_port, stop_processes, wait_for_port

PAGES = 500
EVENTS = 3
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class Page:
    """One watching page: its stream, and (for the seed's way) a GET per progress event."""

    def __init__(self, port: int, cookie: str, version, refetch: bool) -> None:
        self.port, self.cookie, self.version, self.refetch = port, cookie, version, refetch
        base = f"/generations/{version.generation_id}/v{version.number}/"
        self.events_path, self.panel_path = base + "events/", base + "?part=live"
        self.seen = 0
        self.refetched = 0

    async def open(self) -> None:
        reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(
            f"GET {self.events_path} HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: {self.cookie}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        head = b""
        while b"stream-open" not in head:
            chunk = await reader.read(65536)
            if not chunk:
                raise HTTPError(head[:200])
            head += chunk
        self.task = asyncio.create_task(self.follow(reader))

    async def follow(self, reader: asyncio.StreamReader) -> None:
        while chunk := await reader.read(65536):
            for _ in range(chunk.count(b"event: progress")):
                self.seen += 1
                if self.refetch:
                    await self.get_panel()

    async def get_panel(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(
            f"GET {self.panel_path} HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: {self.cookie}\r\n"
            "HX-Request: true\r\n\r\n".encode()
        )
        await reader.read()
        writer.close()
        self.refetched += 1

    async def close(self) -> None:
        self.writer.close()
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def measure(world: dict, refetch: bool) -> tuple[float, int]:
    """Server CPU per event per page, in microseconds, and how many panel GETs were made."""
    from generations.live.events import publish
    from orchestrator.stages import ProgressEvent

    port = free_port()
    env = {**os.environ, **world["env"], "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
    web = subprocess.Popen([*command, "config.asgi:application"], cwd=ROOT, env=env)
    try:
        await asyncio.to_thread(wait_for_port, port, web)
        version = world["fan_version"]
        pages = [Page(port, world["cookie"], version, refetch) for _ in range(PAGES)]
        for start in range(0, PAGES, 50):
            await asyncio.gather(*(page.open() for page in pages[start : start + 50]))
        await asyncio.sleep(1)
        idle_start, idle_at = cpu_seconds(web.pid), time.monotonic()
        await asyncio.sleep(2)
        idle_rate = (cpu_seconds(web.pid) - idle_start) / (time.monotonic() - idle_at)
        before, started = cpu_seconds(web.pid), time.monotonic()
        for sequence in range(EVENTS):
            event = ProgressEvent("model_progress", "processing", f"bench {sequence}", 0.5)
            await asyncio.to_thread(publish, version, event)
            deadline = time.monotonic() + 180
            while min(p.seen for p in pages) <= sequence and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            while refetch and sum(p.refetched for p in pages) < PAGES * (sequence + 1):
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.01)
        spent = cpu_seconds(web.pid) - before - idle_rate * (time.monotonic() - started)
        refetched = sum(p.refetched for p in pages)
        if refetch and refetched < EVENTS * PAGES:
            print(f"  (only {refetched} of {EVENTS * PAGES} panel GETs finished in time)")
        await asyncio.gather(*(page.close() for page in pages))
        return spent / (EVENTS * PAGES) * 1e6, refetched
    finally:
        await asyncio.to_thread(stop_processes, [web])


def main() -> None:
    world = prepare()
    from generations.models import Version

    Version.objects.filter(pk=world["fan_version"].pk).update(status="processing")
    old, refetched = asyncio.run(measure(world, refetch=True))
    new, none = asyncio.run(measure(world, refetch=False))
    print(
        f"Page cost, {PAGES} watching pages, {EVENTS} events: server CPU per event per page "
        f"{old:.0f} µs with the seed's refetch ({refetched} panel GETs), {new:.1f} µs with "
        f"events applied in the page ({none} GETs): {old / max(new, 0.01):.0f}x less"
    )


if __name__ == "__main__":
    main()
