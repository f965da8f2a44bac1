"""A Pushpin of our own (Debian's `pushpin`) on spare loopback ports, in front of daphne."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.live_servers import free_port
from tests.support.waiting import wait_for_port

CONFIG = """\
[global]
include={{libdir}}/internal.conf
rundir={rundir}
ipc_prefix=iterum-
port_offset=0

[runner]
services=condure,zurl,pushpin-proxy,pushpin-handler
http_port={http_port}
logdir={logdir}
log_level=2
client_maxconn=50000
condure_bin=condure
zurl_bin=zurl

[proxy]
# Requests to the origin go out through the zurl started above (the packaged defaults name a
# system-wide one).
zurl_out_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-in
zurl_out_stream_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-in-stream
zurl_in_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-out
routesfile=routes
sig_iss=pushpin
sig_key={key}
updates_check=off

[handler]
push_in_spec=tcp://127.0.0.1:{push_port}
push_in_sub_specs=tcp://127.0.0.1:{sub_port}
push_in_sub_connect=false
push_in_http_addr=127.0.0.1
push_in_http_port={publish_port}
stats_spec=ipc://{{rundir}}/{{ipc_prefix}}stats
command_spec=tcp://127.0.0.1:{command_port}
# 0 turns Pushpin's publish rate limiter off. With any rate (2,500, its default, or 200,000)
# Debian's 1.36 held events for 2 s when they arrived for different streams 20 ms apart:
# latency p50 1 s, p99 2 s; with 0, p50 2 ms, p99 22 ms (20 streams, 100 events).
message_rate=0
message_hwm=200000
"""


def available() -> bool:
    return shutil.which("pushpin") is not None


class Pushpin:
    """Ports are chosen first, so the web server can be told GRIP_URL before Pushpin starts."""

    def __init__(self, key: str = "pushpin-test-key-of-at-least-32-bytes") -> None:
        self.key = key
        self.http_port = free_port()
        self.publish_port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="pushpin-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grip_url(self) -> str:
        return f"http://127.0.0.1:{self.publish_port}?key={self.key}"

    def start(self, origins: list[str], by_host: dict[str, str] | None = None) -> None:
        """Serve on the HTTP port, in front of `origins` ("127.0.0.1:8000"). Pushpin tries a
        route's targets in order (the next only when one fails: failover, not balancing), so
        `by_host` ({"localhost": "127.0.0.1:8001"}) routes requests by their Host to spread
        them over several origins."""
        (self.directory / "run").mkdir()
        (self.directory / "log").mkdir()
        routes = [f"{host} {origin}" for host, origin in (by_host or {}).items()]
        (self.directory / "routes").write_text(
            "\n".join([*routes, f"* {','.join(origins)}"]) + "\n"
        )
        config = self.directory / "pushpin.conf"
        config.write_text(
            CONFIG.format(
                rundir=self.directory / "run",
                logdir=self.directory / "log",
                http_port=self.http_port,
                key=self.key,
                push_port=free_port(),
                sub_port=free_port(),
                publish_port=self.publish_port,
                command_port=free_port(),
            )
        )
        self.log = open(self.directory / "pushpin.log", "w")  # noqa: SIM115 - closed in stop
        self.process = subprocess.Popen(
            ["pushpin", "--config", str(config), "--port", f"127.0.0.1:{self.http_port}"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.http_port, self.process)
        wait_for_port(self.publish_port, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log.close()
        shutil.rmtree(self.directory, ignore_errors=True)
