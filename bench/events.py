"""`make bench-events`: how fast and how far live events go. Figures are printed, nothing is
asserted. Everything runs on loopback, on spare ports, and stops by itself.

For each setup it starts fresh processes: daphne (one, or two behind Pushpin), a publisher
process that publishes the way the worker does (generations.live.events.publish), and, where the
setup needs them, a Redis server and a Pushpin of its own. The clients are raw HTTP/1.0
sockets in this process, reading the SSE bytes as a browser receives them. Each event
carries the time it was published; a client subtracts it from the time it arrived.

- latency: 20 streams, each on its own version; 300 events published over about 6 s, first
  right after the streams connect, then again once they have been open a while. (Pushpin
  re-checks a channel with the origin one second after its first subscriber, at most ten
  channels a second, and holds the channel's events meanwhile.)
- memory per idle stream: the growth of the serving processes' memory with N streams open.
- fan-out: N streams on one version, one event, 5 times; every stream's arrival counts.

A connection answered with an HTTP error is retried as htmx-ext-sse retries it (after 0.5 s,
then doubling) and counted; so are open streams the server ends. The clients share the
machine's cores with the servers, so the figures include their cost.
"""

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Figures only: no library's log line per request (httpx logs each at INFO) in the output.
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))

from tests.support.live_servers import (  # noqa: E402 - needs the path above
    free_port,
    redis_server_command,
    stop_processes,
    wait_for_port,
)
from tests.support.pushpin import Pushpin  # noqa: E402

ROUNDS = 5
LATENCY_STREAMS = 20
LATENCY_EVENTS = 300
CONNECT_AT_ONCE = 200
ARRIVAL = re.compile(rb'"message": "bench (\d+)"[^\n]*"timestamp": ([0-9.]+)')


@dataclass
class Setup:
    name: str
    env: dict[str, str] = field(default_factory=dict)
    webs: int = 1
    pushpin: bool = False
    stock: bool = False
    fan_out: tuple[int, ...] = (500, 2000)


@dataclass
class Figures:
    lines: list[str] = field(default_factory=list)

    def add(self, setup: str, figure: str, value: str) -> None:
        line = f"{setup:<34} {figure:<34} {value}"
        self.lines.append(line)
        print(line, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def milliseconds(values: list[float]) -> str:
    if not values:
        return "no arrivals"
    return (
        f"p50 {percentile(values, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(values, 0.99) * 1000:.0f} ms (n={len(values)})"
    )


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    total = 0
    for child in [pid, *descendants(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def descendants(pid: int) -> list[int]:
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += [int(child), *descendants(int(child))]
    return found


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def machine_jiffies() -> tuple[int, int]:
    """(busy, total) clock ticks of all the machine's cores since boot (/proc/stat)."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    total = sum(fields[:8])  # guest time is already in user
    return total - idle, total


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        return "gone"


class CpuMeter:
    """Each process's CPU over a stretch of wall time, as a share of one core: so a bad
    figure names who was busy (the load generator, Pushpin's processes, each daphne)."""

    def __init__(self, processes: dict[str, int]) -> None:
        self.processes = processes
        self.start()

    def start(self) -> None:
        """Measure from now, forgetting what was measured before."""
        self.wall = 0.0
        self.spent = dict.fromkeys(self.processes, 0.0)
        self.machine_busy = self.machine_total = 0
        self.resume()

    def resume(self) -> None:
        self.began = time.monotonic()
        self.used = {label: cpu_seconds(pid) for label, pid in self.processes.items()}
        self.machine_at = machine_jiffies()

    def pause(self) -> None:
        """Stop counting (the pauses of the bench itself are nobody's work)."""
        self.wall += time.monotonic() - self.began
        for label, pid in self.processes.items():
            self.spent[label] += cpu_seconds(pid) - self.used[label]
        busy, total = machine_jiffies()
        self.machine_busy += busy - self.machine_at[0]
        self.machine_total += total - self.machine_at[1]

    def shares(self) -> str:
        """Each process's CPU as a share of one core; then the machine's cores, busy in all,
        and what of that was not the bench's (other programs on the machine)."""
        self.pause()
        wall = max(self.wall, 1e-9)
        parts = [f"{label} {spent / wall:.0%}" for label, spent in self.spent.items() if spent]
        cores = os.cpu_count() or 1
        busy = self.machine_busy / max(self.machine_total, 1)  # of all cores
        ours = sum(self.spent.values()) / wall / cores
        return (
            f"CPU (share of one core) over {wall:.1f} s: "
            + ", ".join(parts)
            + f"; the machine's {cores} cores {busy:.0%} busy, {max(busy - ours, 0):.0%} of"
            " them by other programs"
        )


def threads(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


# --- The world: a user, versions, and a session cookie -------------------------------------


def prepare() -> dict:
    """Create the bench user's versions and a logged-in session; return what the setups use."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from generations.models import Generation, Version
    from tests.support.live_servers import database_url

    user, _ = get_user_model().objects.get_or_create(username="bench-events")
    generation = Generation.objects.create(
        owner=user, title="Events bench", prompt="bench", tech_stack="flask"
    )
    versions = [
        Version.objects.create(generation=generation, number=n, prompt="bench", kind="generate")
        for n in range(1, LATENCY_STREAMS + 2)
    ]
    client = Client()
    client.force_login(user)
    return {
        "cookie": f"sessionid={client.cookies['sessionid'].value}",
        "fan_version": versions[0],
        "latency_versions": versions[1:],
        "env": {"DATABASE_URL": database_url(), "LOG_LEVEL": "WARNING"},
    }


# --- Processes -----------------------------------------------------------------------------


class Stack:
    """The web process(es), the publisher, and Pushpin when the setup has it."""

    def __init__(self, setup: Setup, env: dict[str, str]) -> None:
        self.setup = setup
        self.env = {**os.environ, **env, **setup.env, "PYTHONUNBUFFERED": "1"}
        self.pushpin = Pushpin() if setup.pushpin else None
        if self.pushpin:
            self.env["GRIP_URL"] = self.pushpin.grip_url
        if setup.stock:
            self.env["DJANGO_SETTINGS_MODULE"] = "bench.stock"
        self.webs: list[subprocess.Popen] = []
        self.ports: list[int] = []
        for _ in range(setup.webs):
            port = free_port()
            command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            self.webs.append(
                subprocess.Popen(
                    [*command, "config.asgi:application"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            self.ports.append(port)
        for web, port in zip(self.webs, self.ports, strict=True):
            wait_for_port(port, web)
        # The clients' Host headers: behind Pushpin, one per daphne, each routed to its own
        # (Pushpin's targets are failover only: with one route, the first daphne took all).
        self.hosts = (
            ["127.0.0.1", "localhost"][: len(self.ports)] if self.pushpin else ["127.0.0.1"]
        )
        if self.pushpin:
            origins = [f"127.0.0.1:{port}" for port in self.ports]
            by_host = dict(zip(self.hosts, origins, strict=True)) if len(origins) > 1 else None
            self.pushpin.start(origins, by_host)
            self.port = self.pushpin.http_port
        else:
            self.port = self.ports[0]
        self.publisher = subprocess.Popen(
            [sys.executable, "-m", "bench.events", "publisher"],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.publisher.stdout.readline().strip() == "ready"

    def publish(self, version: int, sequence: int) -> None:
        self.publisher.stdin.write(f"{version} {sequence}\n")
        self.publisher.stdin.flush()

    def memory_kib(self) -> int:
        total = sum(rss_kib(web.pid) for web in self.webs)
        if self.pushpin:
            total += rss_kib(self.pushpin.process.pid)
        return total

    def threads(self) -> int:
        return sum(threads(web.pid) for web in self.webs)

    def processes(self) -> dict[str, int]:
        """Every process of the setup by name, the load generator (this process) first."""
        found = {"load generator": os.getpid(), "publisher": self.publisher.pid}
        for number, web in enumerate(self.webs, start=1):
            found[f"daphne {number}"] = web.pid
        if self.pushpin:
            root = self.pushpin.process.pid
            for pid in [root, *descendants(root)]:
                name = process_name(pid)
                found[f"pushpin:{name}" if name != "pushpin" else "pushpin"] = pid
        return found

    def stop(self) -> None:
        self.publisher.stdin.close()
        self.publisher.wait(timeout=10)
        stop_processes(self.webs)
        if self.pushpin:
            self.pushpin.stop()


def publisher() -> None:
    """Runs in its own process: publish one event per line of stdin ("version sequence")."""
    import django

    django.setup()
    from django.conf import settings
    from django_eventstream import send_event

    from generations.live.events import event_data, publish
    from generations.models import Version
    from orchestrator.stages import ProgressEvent

    stock = hasattr(settings, "EVENTSTREAM_REDIS")
    versions: dict[int, Version] = {}
    print("ready", flush=True)
    for line in sys.stdin:
        pk, sequence = map(int, line.split())
        if pk not in versions:
            versions[pk] = Version.objects.get(pk=pk)
        version = versions[pk]
        event = ProgressEvent("bench", "processing", f"bench {sequence}", 0.5)
        if stock:
            send_event(version.channel, "progress", event_data(version, event))
        else:
            publish(version, event)


# --- Clients -------------------------------------------------------------------------------


class HTTPError(ConnectionError):
    """The server answered with an error status: a browser's stream reconnects."""


class Streams:
    """Open SSE connections; each records (sequence, seconds from publish to arrival)."""

    def __init__(self, port: int, cookie: str, stock: bool, hosts: list[str]) -> None:
        self.port, self.cookie, self.stock = port, cookie, stock
        self.hosts = hosts
        self.opened = 0
        self.arrivals: dict[int, list[float]] = {}
        self.tasks: list[asyncio.Task] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.failures: list[str] = []
        self.reconnects = 0
        self.dropped = 0

    def path(self, version) -> str:
        channel = f"version-{version.generation_id}-{version.number}"
        if self.stock:
            return f"/stock/{channel}/events/"
        return f"/generations/{version.generation_id}/v{version.number}/events/"

    async def open(self, versions: list, timeout: float = 60) -> None:
        """Open a stream per version, CONNECT_AT_ONCE at a time; what is not open after
        `timeout` seconds in all counts as failed (a server refusing them all would
        otherwise keep the bench reconnecting for ever)."""
        limit = asyncio.Semaphore(CONNECT_AT_ONCE)
        deadline = time.monotonic() + timeout

        async def one(version) -> None:
            async with limit:
                try:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError
                    await asyncio.wait_for(self._connect(version), left)
                except (OSError, TimeoutError, ConnectionError) as error:
                    self.failures.append(type(error).__name__)

        await asyncio.gather(*(one(version) for version in versions))

    async def _connect(self, version) -> None:
        """Open one stream; an HTTP error is retried after 0.5 s, 1 s, ... as htmx-ext-sse does."""
        delay = 0.5
        while True:
            try:
                return await self._connect_once(version)
            except HTTPError:
                self.reconnects += 1
                await asyncio.sleep(delay)
                delay *= 2

    async def _connect_once(self, version) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
        host = self.hosts[self.opened % len(self.hosts)]
        self.opened += 1
        writer.write(
            (
                f"GET {self.path(version)} HTTP/1.0\r\nHost: {host}\r\n"
                f"Cookie: {self.cookie}\r\nAccept: text/event-stream\r\n\r\n"
            ).encode()
        )
        received = b""
        while b"stream-open" not in received:
            chunk = await reader.read(65536)
            if not chunk:
                writer.close()
                if received.startswith(b"HTTP/") and received[9:12] != b"200":
                    raise HTTPError(received[:200])
                raise ConnectionError(f"closed before the stream opened: {received[:200]!r}")
            received += chunk
        if b"stream-error" in received:
            raise ConnectionError("refused")
        self.writers.append(writer)
        self.tasks.append(asyncio.create_task(self._read(reader)))

    async def _read(self, reader: asyncio.StreamReader) -> None:
        buffer = b""
        try:
            while chunk := await reader.read(65536):
                arrived = time.time()
                buffer += chunk
                end = 0
                for match in ARRIVAL.finditer(buffer):
                    sent = float(match[2])
                    self.arrivals.setdefault(int(match[1]), []).append(arrived - sent)
                    end = match.end()
                buffer = buffer[end:] if end else buffer[-65536:]
        except OSError:
            pass
        self.dropped += 1  # the server ended an open stream (close() cancels this task instead)

    async def wait_for(self, sequence: int, count: int, seconds: float = 10) -> list[float]:
        deadline = time.monotonic() + seconds
        while len(self.arrivals.get(sequence, ())) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self.arrivals.get(sequence, [])

    async def close(self) -> None:
        for writer in self.writers:
            writer.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


# --- The measurements ----------------------------------------------------------------------


class Bench:
    def __init__(self) -> None:
        self.figures = Figures()
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    async def latency(self, stack: Stack, streams: Streams, versions: list) -> list[float]:
        """Publish events round-robin to streams that are already open."""
        sequences = []
        for index in range(LATENCY_EVENTS):
            sequence = self.next_sequence()
            stack.publish(versions[index % len(versions)].pk, sequence)
            sequences.append(sequence)
            await asyncio.sleep(0.02)
        values = []
        for sequence in sequences:
            values += await streams.wait_for(sequence, 1, seconds=5)
        return values

    async def fan_out(
        self, stack: Stack, streams: Streams, version, count: int, meter: CpuMeter
    ) -> list[float]:
        """One event to all the streams, ROUNDS times; the meter counts from each publish to
        the last arrival (or the wait's end)."""
        values = []
        meter.start()
        meter.pause()
        for _ in range(ROUNDS):
            sequence = self.next_sequence()
            meter.resume()
            stack.publish(version.pk, sequence)
            values += await streams.wait_for(sequence, count, seconds=max(10, count / 500))
            meter.pause()
            await asyncio.sleep(0.5)
        meter.resume()
        return values

    async def run_setup(self, setup: Setup, world: dict) -> None:
        print(f"\n== {setup.name}", flush=True)
        try:
            stack = Stack(setup, world["env"])
        except Exception as error:  # a setup that cannot start is a figure too
            self.figures.add(setup.name, "start", f"failed: {error}")
            return
        try:
            streams = Streams(stack.port, world["cookie"], setup.stock, stack.hosts)
            await streams.open(world["latency_versions"])
            for when in ("streams just opened", "streams open for 10 s"):
                started = time.monotonic()
                values = await self.latency(stack, streams, world["latency_versions"])
                missing = LATENCY_EVENTS - len(values)
                self.figures.add(
                    setup.name,
                    f"latency, {when}",
                    milliseconds(values) + (f", {missing} missing" if missing else ""),
                )
                await asyncio.sleep(max(0.0, 10 - (time.monotonic() - started)))
            await streams.close()
            for count in setup.fan_out:
                await self.measure_streams(setup, stack, world, count)
        finally:
            stack.stop()

    async def measure_streams(self, setup: Setup, stack: Stack, world: dict, count: int) -> None:
        streams = Streams(stack.port, world["cookie"], setup.stock, stack.hosts)
        before = stack.memory_kib()
        threads_before = stack.threads()
        started = time.monotonic()
        meter = CpuMeter(stack.processes())
        await streams.open([world["fan_version"]] * count, timeout=120)
        opened = count - len(streams.failures)
        took = time.monotonic() - started
        self.figures.add(setup.name, f"{count:,} streams: opening", meter.shares())
        await asyncio.sleep(2)
        grown = stack.memory_kib() - before
        label = f"{count:,} streams"
        note = f"{opened:,} opened in {took:.1f} s"
        if streams.failures:
            kinds = sorted(set(streams.failures))
            note += f"; {len(streams.failures):,} failed ({', '.join(kinds)})"
        if streams.reconnects:
            note += f"; {streams.reconnects:,} HTTP errors, reconnected"
        if opened:
            per_stream = grown / opened
            extra_threads = stack.threads() - threads_before
            self.figures.add(
                setup.name,
                f"{label}: memory per idle stream",
                f"{per_stream:.0f} KiB ({note}; threads +{extra_threads})",
            )
            values = await self.fan_out(stack, streams, world["fan_version"], opened, meter)
            self.figures.add(setup.name, f"{label}: fan-out", meter.shares())
            expected = ROUNDS * opened
            lost = f", {expected - len(values):,} missing" if len(values) < expected else ""
            if streams.dropped:
                lost += f" ({streams.dropped:,} streams ended by the server)"
            self.figures.add(setup.name, f"{label}: one event to all", milliseconds(values) + lost)
        else:
            self.figures.add(setup.name, label, note)
        await streams.close()
        await asyncio.sleep(1)


def start_redis() -> tuple[subprocess.Popen | None, str]:
    if not shutil.which("redis-server"):
        return None, ""
    port = free_port()
    redis = subprocess.Popen(redis_server_command(port), stdout=subprocess.DEVNULL)
    wait_for_port(port, redis)
    return redis, f"redis://127.0.0.1:{port}/0"


def main() -> None:
    world = prepare()
    redis, redis_url = start_redis()
    setups = [Setup("ours, embedded (poll)", {"REDIS_URL": ""})]
    if redis_url:
        setups.append(Setup("ours, Redis", {"REDIS_URL": redis_url}))
        setups.append(
            Setup("stock django-eventstream, Redis", {"REDIS_URL": redis_url}, stock=True)
        )
    if shutil.which("pushpin"):
        setups.append(
            Setup(
                "ours, Pushpin + 2 daphne",
                {"REDIS_URL": ""},
                webs=2,
                pushpin=True,
                fan_out=(500, 2000, 10000),
            )
        )
    # BENCH_EVENTS_ONLY=pushpin runs only the setups whose name holds it; BENCH_FAN_OUT=500
    # sets the stream counts of the fan-out (to try the bench quickly).
    only = os.environ.get("BENCH_EVENTS_ONLY", "").lower()
    setups = [setup for setup in setups if only in setup.name.lower()]
    if os.environ.get("BENCH_FAN_OUT"):
        counts = tuple(int(n) for n in os.environ["BENCH_FAN_OUT"].split(","))
        for setup in setups:
            setup.fan_out = counts
    bench = Bench()
    try:
        for setup in setups:
            asyncio.run(bench.run_setup(setup, world))
    finally:
        if redis:
            redis.terminate()
    if not redis_url:
        print("\nredis-server not found: the Redis and stock setups were skipped.")
    print("\n== Summary (database: " + world["env"]["DATABASE_URL"].split("://")[0] + ")")
    for line in bench.figures.lines:
        print(line)


if __name__ == "__main__":
    if sys.argv[1:] == ["publisher"]:
        publisher()
    else:
        main()
