"""Run the project's own tests in a bubblewrap sandbox: optional, off by default.

The tests are the model's code, so they run where they can do no harm:

- no network (a network namespace of their own, with nothing in it);
- a read-only system: only /usr and the test interpreter's installation are mounted, read
  only; not /etc, not /home, not Iterum's code, database or settings;
- a writable copy of the version in a size-limited tmpfs, and a size-limited /tmp;
- a clean environment (PATH, HOME and LANG only: no keys, no database URL);
- limits: CPU seconds, address space, processes (a pids cgroup when Iterum runs as root,
  whom the process rlimit does not bind), the size of one file, and a wall-clock timeout
  after which the whole sandbox (a PID namespace of its own) is killed.

Only when the stack's toolchain is on the machine: pytest in the test interpreter for
Python projects, node (with its built-in `node --test`) for JavaScript ones. Without bwrap,
or without the toolchain, it says why and runs nothing. Failing tests become findings.
"""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from orchestrator.checks.findings import ERROR, Finding
from orchestrator.checks.workspace import write_files

PYTHON_TEST = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")
NODE_TEST = re.compile(r"(^|/)([^/]*\.test\.[cm]?js|test/[^/]*\.[cm]?js)$")
NOT_RUN = "The project's tests were not run"


@dataclass(frozen=True)
class SandboxLimits:
    seconds: float = 60  # wall clock for the whole run
    cpu_seconds: int = 60
    memory_mb: int = 4096  # address space (node reserves much more than it uses)
    processes: int = 64
    disk_mb: int = 100  # the project's copy and /tmp, each
    file_mb: int = 50  # the largest file a test may write


@dataclass(frozen=True)
class TestRun:
    findings: tuple[Finding, ...]
    unavailable: tuple[str, ...]
    output: str = ""


def bwrap_binary() -> str | None:
    return shutil.which("bwrap")


def run_project_tests(
    files: dict[str, str], limits: SandboxLimits | None = None, python: str = ""
) -> TestRun:
    """Run the tests the project has, in the sandbox; findings for those that fail."""
    limits = limits or SandboxLimits()
    python_tests = any(PYTHON_TEST.search(p) for p in files)
    node_tests = "package.json" in files and any(NODE_TEST.search(p) for p in files)
    if not (python_tests or node_tests):
        return TestRun((), ())
    bwrap = bwrap_binary()
    if bwrap is None:
        return TestRun((), (f"{NOT_RUN}: bubblewrap (bwrap) is not installed",))
    if python_tests:
        interpreter = shutil.which(python or "python3")
        if interpreter is None or not _has_pytest(interpreter):
            name = python or "python3"
            return TestRun(
                (),
                (f"{NOT_RUN}: {name} has no pytest (see CHECK_TEST_PYTHON)",),
            )
        command = [interpreter, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", "--tb=line"]
        mounts = _prefixes(interpreter)
        parse = _pytest_findings
    else:
        node = shutil.which("node")
        if node is None:
            return TestRun((), (f"{NOT_RUN}: node is not installed",))
        command, mounts, parse = [node, "--test"], [], _node_findings
    return _run(bwrap, files, command, mounts, limits, parse)


def _run(bwrap, files, command, mounts, limits: SandboxLimits, parse) -> TestRun:
    with tempfile.TemporaryDirectory(prefix="iterum-tests-") as source:
        write_files(source, files)
        os.chmod(source, 0o755)
        for folder, _, names in os.walk(source):
            os.chmod(folder, 0o755)
            for name in names:
                os.chmod(os.path.join(folder, name), 0o644)
        disk = str(limits.disk_mb * 1024 * 1024)
        sandbox = [
            bwrap,
            "--die-with-parent",
            "--new-session",
            "--unshare-all",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/lib", "/lib",
            "--symlink", "usr/lib64", "/lib64",
            "--symlink", "usr/bin", "/bin",
            "--symlink", "usr/sbin", "/sbin",
            "--proc", "/proc",
            "--dev", "/dev",
            "--size", disk, "--tmpfs", "/tmp",
            "--size", disk, "--tmpfs", "/project",
            "--ro-bind", source, "/source",
            "--chdir", "/project",
            "--clearenv",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
            "--setenv", "HOME", "/tmp",
            "--setenv", "LANG", "C.UTF-8",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        ]  # fmt: skip
        for prefix in mounts:
            sandbox += ["--ro-bind", prefix, prefix]
        script = 'cp -R /source/. /project/ && exec "$@"'
        limited = [
            "prlimit",
            f"--cpu={limits.cpu_seconds}",
            f"--as={limits.memory_mb * 1024 * 1024}",
            f"--fsize={limits.file_mb * 1024 * 1024}",
        ]
        group = _pids_group(limits.processes) if os.geteuid() == 0 else None
        if group is None:
            limited.append(f"--nproc={_process_limit(limits.processes)}")
        full = [*limited, "--", *sandbox, "/bin/sh", "-c", script, "sh", *command]
        if group is not None:  # join the process-limited group, then become the sandbox
            full = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', f"{group}/cgroup.procs", *full]
        elif os.geteuid() == 0:
            return TestRun((), (f"{NOT_RUN}: no process limit is possible (no pids cgroup)",))
        try:
            done = subprocess.run(
                full, capture_output=True, text=True, timeout=limits.seconds, errors="replace"
            )
        except subprocess.TimeoutExpired as stopped:
            output = _text(stopped.stdout) + _text(stopped.stderr)
            message = f"the tests ran longer than {limits.seconds:.0f} s and were stopped"
            return TestRun((Finding("", 0, 0, ERROR, "test", message),), (), output)
        finally:
            if group is not None:
                _remove_group(group)
    output = done.stdout + done.stderr
    return TestRun(tuple(parse(output, done.returncode, files)), (), output)


def _pytest_findings(output: str, code: int, files: dict[str, str]) -> list[Finding]:
    findings = []
    for match in re.finditer(r"^FAILED (\S+?)::(\S+)(?: - (.*))?$", output, re.M):
        path, test, reason = match.group(1), match.group(2), (match.group(3) or "").strip()
        message = f"{test} failed" + (f": {reason[:300]}" if reason else "")
        findings.append(Finding(path if path in files else "", 0, 0, ERROR, "test", message))
    for match in re.finditer(r"^ERROR (\S+?)(?:::(\S+))?(?: - (.*))?$", output, re.M):
        path, reason = match.group(1), (match.group(3) or "").strip()
        message = "the tests could not be collected" + (f": {reason[:300]}" if reason else "")
        findings.append(Finding(path if path in files else "", 0, 0, ERROR, "test", message))
    if not findings and code not in (0, 5):  # 5: no tests collected
        tail = output.strip().splitlines()[-1:] or ["no output"]
        findings.append(Finding("", 0, 0, ERROR, "test", f"the tests failed: {tail[0][:300]}"))
    return findings


def _node_findings(output: str, code: int, files: dict[str, str]) -> list[Finding]:
    findings = []
    for match in re.finditer(r"^\s*not ok \d+ - (.+)$", output, re.M):
        findings.append(Finding("", 0, 0, ERROR, "test", f"{match.group(1).strip()} failed"))
    if not findings and code != 0:
        tail = output.strip().splitlines()[-1:] or ["no output"]
        findings.append(Finding("", 0, 0, ERROR, "test", f"the tests failed: {tail[0][:300]}"))
    return findings


def _pids_group(limit: int) -> str | None:
    """A cgroup allowing `limit` processes, for a sandbox started as root (the process
    rlimit does not bind root); None where cgroups cannot be made."""
    for parent in ("/sys/fs/cgroup/pids", "/sys/fs/cgroup"):
        if not os.path.isdir(parent):
            continue
        group = os.path.join(parent, f"iterum-tests-{os.getpid()}-{time.monotonic_ns()}")
        try:
            os.mkdir(group)
            with open(os.path.join(group, "pids.max"), "w") as handle:
                handle.write(str(limit))
            return group
        except OSError:
            with contextlib.suppress(OSError):
                os.rmdir(group)
    return None


def _remove_group(group: str) -> None:
    """Kill what is left in the group (a timeout's survivors), then remove it."""
    for _ in range(50):
        try:
            with open(os.path.join(group, "cgroup.procs")) as handle:
                pids = [int(line) for line in handle if line.strip()]
        except OSError:
            return
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        os.rmdir(group)


def _has_pytest(interpreter: str) -> bool:
    probe = subprocess.run(
        [interpreter, "-c", "import pytest"], capture_output=True, timeout=30, check=False
    )
    return probe.returncode == 0


def _prefixes(interpreter: str) -> list[str]:
    """The interpreter's installation (a virtualenv and the Python it was made from), to
    mount read-only; /usr is mounted anyway."""
    found = subprocess.run(
        [interpreter, "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    prefixes = {os.path.realpath(line) for line in found.stdout.split() if line}
    prefixes.add(os.path.dirname(os.path.dirname(os.path.realpath(interpreter))))
    return sorted(p for p in prefixes if p and not p.startswith("/usr") and p != "/")


def _process_limit(wanted: int) -> int:
    """The process rlimit counts all of Iterum's user's processes and threads, so it leaves
    room for those running already."""
    try:
        mine = sum(
            1
            for entry in os.listdir("/proc")
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == os.geteuid()
        )
    except OSError:
        mine = 0
    return wanted + mine * 4


def _text(value) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def sandbox_check(
    limits: SandboxLimits | None = None, python: str = ""
) -> Callable[[dict[str, str]], tuple[list[Finding], list[str]]]:
    """check_project's `extra`: the tests' findings and why they could not run."""

    def extra(files: dict[str, str]) -> tuple[list[Finding], list[str]]:
        run = run_project_tests(files, limits, python)
        return list(run.findings), list(run.unavailable)

    return extra
