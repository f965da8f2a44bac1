"""Run a project's code under bubblewrap: the one way anything of a project is ever run.

What every sandbox gets:
- a read-only system: /usr and the few host folders a caller binds (the interpreter's
  installation, the environment), read-only unless said otherwise; not /etc, not /home, not
  Iterum's code, database or settings;
- a writable copy of the project in a size-limited tmpfs (/project), a size-limited /tmp;
- a clean environment: only the variables the caller gives;
- no network, unless the caller asks for it (the install sandbox, and only it);
- limits: CPU seconds, address space, the size of one file, processes; and where this
  machine lets us make cgroups, resident memory, processes and a share of CPU for the whole
  sandbox, which also lists every process it holds so that all of them can be killed;
- a PID namespace of its own and --die-with-parent: when bwrap goes, everything inside goes.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from orchestrator.checks.workspace import write_files

# The sandbox's own paths. Short: a Unix socket's path must fit in 108 bytes.
PROJECT = "/project"
ENVIRONMENT = "/env"
SOCKET_DIR = "/run/app"


class SandboxUnavailable(Exception):
    """This machine cannot run the sandbox (no bwrap, no way to limit processes...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 60  # CPU time of each process
    memory_mb: int = 1024  # resident memory of the whole sandbox, where a cgroup can hold it
    address_space_mb: int = 4096  # each process's virtual memory (node reserves a lot)
    processes: int = 64
    disk_mb: int = 100  # the project's copy and /tmp, each
    file_mb: int = 50  # the largest file a process may write
    cpus: float = 1.0  # CPU share of the whole sandbox, where a cgroup can hold it


@dataclass(frozen=True)
class Bind:
    source: str
    target: str
    writable: bool = False


@dataclass(frozen=True)
class Sandbox:
    """What to run and what it may see. `source`, a host folder, is copied into /project
    before the command starts; `binds` are mounted after /project, so they may sit inside it
    (node_modules)."""

    command: tuple[str, ...]
    limits: Limits
    env: dict[str, str] = field(default_factory=dict)
    binds: tuple[Bind, ...] = ()
    source: str | None = None
    network: bool = False
    chdir: str = PROJECT


def write_project(folder: str, files: dict[str, str]) -> None:
    """A project's files in a host folder, to be copied into a sandbox's /project; readable
    by the sandbox whoever it runs as."""
    write_files(folder, files)
    os.chmod(folder, 0o755)
    for directory, _, names in os.walk(folder):
        os.chmod(directory, 0o755)
        for name in names:
            os.chmod(os.path.join(directory, name), 0o644)


def tree_memory_bytes(pid: int) -> int:
    """The resident memory of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        text = _read_text(f"/proc/{entry}/stat")
        if text is None:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        statm = _read_text(f"/proc/{current}/statm")
        if statm:
            total += int(statm.split()[1]) * page
    return total


def bwrap_binary() -> str | None:
    return shutil.which("bwrap")


def bwrap_arguments(sandbox: Sandbox, bwrap: str) -> list[str]:
    """bubblewrap's command line for `sandbox`; the command runs under /bin/sh so that the
    project's copy is made inside first."""
    disk = str(sandbox.limits.disk_mb * 1024 * 1024)
    arguments = [
        bwrap,
        "--die-with-parent",
        "--new-session",
        "--unshare-all",
        *(["--share-net"] if sandbox.network else []),
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin",
        "--symlink", "usr/sbin", "/sbin",
        "--proc", "/proc",
        "--dev", "/dev",
        "--size", disk, "--tmpfs", "/tmp",
        "--size", disk, "--tmpfs", PROJECT,
    ]  # fmt: skip
    if sandbox.source is not None:
        arguments += ["--ro-bind", sandbox.source, "/source"]
    for bind in sandbox.binds:
        arguments += ["--bind" if bind.writable else "--ro-bind", bind.source, bind.target]
    arguments += ["--chdir", sandbox.chdir, "--clearenv"]
    for name, value in sandbox.env.items():
        arguments += ["--setenv", name, value]
    copy = "cp -R /source/. /project/ && " if sandbox.source is not None else ""
    return [*arguments, "/bin/sh", "-c", copy + 'exec "$@"', "sh", *sandbox.command]


def interpreter_mounts(interpreter: str) -> list[str]:
    """An interpreter's installation (a virtualenv and the Python it was made from), to
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


class Groups:
    """The cgroups holding one sandbox: its processes, memory and CPU, as far as this
    machine lets us make them (cgroup v1 or v2, as root). Empty otherwise: the rlimits
    still hold each process, and the process rlimit stands in for the pids group."""

    def __init__(self, paths: dict[str, str]) -> None:
        self.paths = paths  # controller -> group folder

    @classmethod
    def make(cls, limits: Limits, name: str) -> "Groups":
        if os.geteuid() != 0:
            return cls({})
        values = {
            "pids": {"pids.max": str(limits.processes)},
            "memory": {"memory.limit_in_bytes": str(limits.memory_mb * 1024 * 1024)},
            "cpu": {
                "cpu.cfs_period_us": "100000",
                "cpu.cfs_quota_us": str(max(1000, int(limits.cpus * 100000))),
            },
        }
        paths: dict[str, str] = {}
        if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):  # v2: one group, every file
            group = _make_group("/sys/fs/cgroup", name)
            if group is not None:
                memory = str(limits.memory_mb * 1024 * 1024)
                cpu = f"{max(1000, int(limits.cpus * 100000))} 100000"
                for controller, file, value in (
                    ("pids", "pids.max", str(limits.processes)),
                    ("memory", "memory.max", memory),
                    ("cpu", "cpu.max", cpu),
                ):
                    if _write(os.path.join(group, file), value):
                        paths[controller] = group
                if not paths:
                    _remove_empty(group)
            return cls(paths)
        for controller, files in values.items():
            parent = f"/sys/fs/cgroup/{controller}"
            if not os.path.isdir(parent):
                continue
            group = _make_group(parent, name)
            if group is None:
                continue
            if all(_write(os.path.join(group, f), v) for f, v in files.items()):
                paths[controller] = group
            else:
                _remove_empty(group)
        return cls(paths)

    @property
    def holds_processes(self) -> bool:
        return "pids" in self.paths

    def enter(self) -> list[str]:
        """The command prefix that moves the process into the groups, then runs the rest."""
        folders = sorted(set(self.paths.values()))
        if not folders:
            return []
        script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; '
        procs = [os.path.join(folder, "cgroup.procs") for folder in folders]
        return ["/bin/sh", "-c", script + 'exec "$@"', "sh", *procs, "--"]

    def pids(self) -> list[int]:
        folder = self.paths.get("pids") or next(iter(self.paths.values()), None)
        if folder is None:
            return []
        try:
            with open(os.path.join(folder, "cgroup.procs")) as handle:
                return [int(line) for line in handle if line.strip()]
        except OSError:
            return []

    def memory_bytes(self) -> int | None:
        """The sandbox's resident memory now (page cache of its tmpfs included)."""
        folder = self.paths.get("memory")
        for file in ("memory.usage_in_bytes", "memory.current"):
            text = _read_text(os.path.join(folder, file)) if folder else None
            if text is not None and text.strip().isdigit():
                return int(text)
        return None

    def out_of_memory(self) -> bool:
        """Did the memory limit kill something in the sandbox?"""
        folder = self.paths.get("memory")
        for file in ("memory.oom_control", "memory.events"):
            text = _read_text(os.path.join(folder, file)) if folder else None
            for line in (text or "").splitlines():
                name, _, value = line.partition(" ")
                if name == "oom_kill" and value.strip().isdigit():
                    return int(value) > 0
        return False

    def kill_all(self) -> None:
        """SIGKILL every process the groups hold, until none is left (a fork bomb's children
        may still be forking while the first round of kills lands)."""
        for _ in range(100):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)

    def remove(self) -> None:
        self.kill_all()
        for folder in set(self.paths.values()):
            for _ in range(50):
                try:
                    os.rmdir(folder)
                    break
                except FileNotFoundError:
                    break
                except OSError:  # the last processes are still exiting
                    time.sleep(0.02)
        self.paths = {}


def _read_text(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def _make_group(parent: str, name: str) -> str | None:
    group = os.path.join(parent, name)
    try:
        os.mkdir(group)
        return group
    except OSError:
        return None


def _write(path: str, value: str) -> bool:
    try:
        with open(path, "w") as handle:
            handle.write(value)
        return True
    except OSError:
        return False


def _remove_empty(group: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(group)


def process_limit(wanted: int) -> int:
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


_BASH = shutil.which("bash") or "/bin/bash"
_names = iter(range(1 << 62))
_names_lock = threading.Lock()


def group_name(kind: str) -> str:
    with _names_lock:
        number = next(_names)
    return f"iterum-{kind}-{os.getpid()}-{number}"


def command_line(sandbox: Sandbox, groups: Groups) -> list[str]:
    """The whole command: into the groups, under the rlimits, into bubblewrap."""
    bwrap = bwrap_binary()
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed")
    if os.geteuid() == 0 and not groups.holds_processes:
        # The process rlimit does not bind root: without a pids group nothing would.
        raise SandboxUnavailable("no process limit is possible here (no pids cgroup)")
    limits = sandbox.limits
    limited = [
        "prlimit",
        f"--cpu={limits.cpu_seconds}",
        f"--as={limits.address_space_mb * 1024 * 1024}",
        f"--fsize={limits.file_mb * 1024 * 1024}",
    ]
    if not groups.holds_processes:
        limited.append(f"--nproc={process_limit(limits.processes)}")
    return [*groups.enter(), *limited, "--", *bwrap_arguments(sandbox, bwrap)]


@dataclass(frozen=True)
class Finished:
    code: int | None  # None when it was stopped at the time limit
    output: str  # stdout and stderr, the last `output_bytes` of them
    report: bytes = b""  # what the command wrote to file descriptor 3
    out_of_memory: bool = False
    stopped: str = ""  # why the watch stopped it, if it did

    @property
    def timed_out(self) -> bool:
        return self.code is None


def run(
    sandbox: Sandbox,
    seconds: float,
    output_bytes: int = 200_000,
    watch: Callable[[], str] | None = None,
) -> Finished:
    """Run to the end, or to `seconds`, then kill everything left. The command may write a
    report to file descriptor 3 (a test run's JUnit XML); it is held to the file limit.
    `watch`, asked twice a second, stops the run early when it returns a reason."""
    groups = Groups.make(sandbox.limits, group_name("run"))
    try:
        command = command_line(sandbox, groups)
        # The sandbox writes straight to files, held by the file-size limit: a flood of
        # output never sits in this process's memory.
        with (
            tempfile.TemporaryFile(prefix="iterum-output-") as output,
            tempfile.TemporaryFile(prefix="iterum-report-") as report,
        ):
            number = report.fileno()
            # subprocess cannot place a descriptor at a chosen number; bash can (dash only
            # knows single digits). This runs outside the sandbox, before it.
            on_three = [_BASH, "-c", 'exec 3>&"$0" && exec "$@"', str(number)]
            process = subprocess.Popen(
                [*on_three, *command],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(number,),
            )
            code, stopped = _wait(process, seconds, watch)
            if code is None:
                _kill(process, groups)
            out_of_memory = groups.out_of_memory()
            groups.kill_all()
            tail = _tail(output, output_bytes)
            return Finished(code, tail, _read(report), out_of_memory, stopped)
    finally:
        groups.remove()


def _wait(
    process: subprocess.Popen, seconds: float, watch: Callable[[], str] | None
) -> tuple[int | None, str]:
    """The exit code, or None and why it must be stopped (the time limit, or the watch)."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, ""
        try:
            return process.wait(timeout=min(left, 0.5) if watch else left), ""
        except subprocess.TimeoutExpired:
            if watch is not None and (reason := watch()):
                return None, reason


def _kill(process: subprocess.Popen, groups: Groups) -> None:
    with contextlib.suppress(OSError):
        process.kill()
    groups.kill_all()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def _tail(handle, limit: int) -> str:
    handle.flush()
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - limit))
    text = handle.read().decode("utf-8", "replace")
    return ("[...]\n" + text) if size > limit else text


def _read(handle) -> bytes:
    handle.seek(0)
    return handle.read()
