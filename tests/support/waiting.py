"""How tests synchronise: by waiting on a condition with a deadline, never by sleeping for
a while and hoping. The deadlines are generous: on a slow machine a test waits longer, it
does not fail, and no test asserts how fast something happened (that is `make bench`)."""

import os
import socket
import subprocess
import time
from collections.abc import Callable

POLL_SECONDS = 0.02  # how often a condition is looked at


def wait_until(condition: Callable[[], object], message: str, seconds: float = 20) -> None:
    """Poll `condition` until it holds; fail with `message` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(POLL_SECONDS)


def wait_for[T](condition: Callable[[], T | None], what: str, seconds: float = 60) -> T:
    """Poll `condition` until it gives a value (anything true), and return it; fail naming
    `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(POLL_SECONDS)
    return value


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until `process` listens on `port`; fail at once if it exits."""

    def listening() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        return port_open(port)

    wait_until(listening, f"nothing listened on port {port} within {seconds} s", seconds)


def wait_for_socket(path: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until `process` listens on the Unix socket at `path`; fail at once if it exits."""

    def listening() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the runner exited with {process.returncode}")
        return os.path.exists(path)

    wait_until(listening, f"the runner did not listen on {path} within {seconds} s", seconds)
