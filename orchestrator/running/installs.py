"""The install sandbox's commands and what they may install, and their failures in words.

Only packages from the configured index are installed: a manifest that names another index,
a URL, a git repository or a local path is refused before anything runs (uv and npm would
otherwise fetch from wherever the project says, with the install sandbox's network).
"""

import json
import os
import re
import shlex
from urllib.parse import urlsplit

from orchestrator.running.config import RunConfig
from orchestrator.running.sandbox import ENVIRONMENT, Bind, Finished
from orchestrator.running.stacks import Plan, pyproject_dependencies

ADDED = "iterum-added.txt"  # the packages the runner adds, as a requirements file
_DIRECT = re.compile(r"(^|\s|@)\s*(git\+|hg\+|svn\+|bzr\+|https?:|file:|ftp:|\.{0,2}/)", re.I)
_NPM_REMOTE = re.compile(r"^(file:|link:|git|https?:|github:|gitlab:|bitbucket:|gist:|[^@\s]+/)")


def manifest_problem(plan: Plan, config: RunConfig) -> str:
    """Why these manifests are not installed as they are, or ""."""
    if plan.language == "python":
        return _requirements_problem(plan.manifests.get("requirements.txt", "")) or (
            _pyproject_problem(plan.manifests.get("pyproject.toml", ""))
        )
    return _package_problem(plan.manifests, config.npm_registry)


def _requirements_problem(text: str) -> str:
    for number, line in _logical_lines(text):
        words = line.split()
        if not words:
            continue
        if words[0].startswith("-"):
            return (
                f"requirements.txt line {number}: options such as {words[0]} are not used here; "
                "packages come from the configured index only. Remove the line."
            )
        options = [w for w in words[1:] if w.startswith("-") and not w.startswith("--hash")]
        if options:
            return f"requirements.txt line {number}: {options[0]} is not used here. Remove it."
        if _DIRECT.search(line.split(";", 1)[0]):
            return (
                f"requirements.txt line {number}: {words[0]} is a URL or a path; only packages "
                "from the configured index are installed. Name the package and its version."
            )
    return ""


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """requirements.txt's lines with comments dropped and backslash continuations joined."""
    lines, pending, start = [], "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw)
        if not pending:
            start = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        lines.append((start, (pending + line).strip()))
        pending = ""
    if pending:
        lines.append((start, pending.strip()))
    return lines


def _pyproject_problem(text: str) -> str:
    for requirement in pyproject_dependencies(text):
        if "@" in requirement and _DIRECT.search(requirement.split(";", 1)[0]):
            return (
                f"pyproject.toml: {requirement!r} is a URL or a path; only packages from the "
                "configured index are installed."
            )
    return ""


def _package_problem(manifests: dict[str, str], registry: str) -> str:
    try:
        package = json.loads(manifests.get("package.json", "{}"))
    except json.JSONDecodeError as error:
        return f"package.json is not valid JSON ({error})."
    sections = ("dependencies", "devDependencies", "optionalDependencies")
    for section in sections:
        entries = package.get(section) if isinstance(package, dict) else None
        for name, spec in (entries or {}).items() if isinstance(entries, dict) else ():
            if not isinstance(spec, str) or _NPM_REMOTE.match(spec.removeprefix("npm:")):
                return (
                    f"package.json: {name} is asked for as {spec!r}, which is not a version from "
                    "the registry; only packages from the configured registry are installed."
                )
    if "package-lock.json" not in manifests:
        return ""
    try:
        lock = json.loads(manifests["package-lock.json"])
    except json.JSONDecodeError as error:
        return f"package-lock.json is not valid JSON ({error})."
    allowed = {_origin(registry), "https://registry.npmjs.org"}
    for path, entry in (lock.get("packages") or {}).items() if isinstance(lock, dict) else ():
        resolved = entry.get("resolved") if isinstance(entry, dict) else None
        if isinstance(resolved, str) and _origin(resolved) not in allowed:
            where = path.removeprefix("node_modules/") or "the project"
            return (
                f"package-lock.json: {where} comes from {resolved}, not from the registry; "
                "remove the lock or regenerate it against the registry."
            )
    return ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def python_command(plan: Plan, config: RunConfig, interpreter: str) -> str:
    requirements = [f"-r {shlex.quote(name)}" for name in sorted(plan.manifests)]
    if plan.added:
        requirements.append(f"-r {ADDED}")
    venv = f"/opt/iterum/uv venv --quiet --no-config --python {shlex.quote(interpreter)} /env"
    if not requirements:
        return venv
    install = [
        "/opt/iterum/uv pip install --no-config --no-sources --no-progress --compile-bytecode",
        f"--python {ENVIRONMENT}/bin/python",
        f"--default-index {shlex.quote(config.python_index)}",
        "--only-binary :all:" if config.only_binary else "",
        *requirements,
    ]
    return f"{venv} && {' '.join(part for part in install if part)}"


def node_command(plan: Plan, config: RunConfig) -> str:
    copy = " ".join(shlex.quote(f"/project/{name}") for name in sorted(plan.manifests))
    install = "ci" if "package-lock.json" in plan.manifests else "install"
    return (
        f"cp {copy} /env/ && cd /env && npm {install} --ignore-scripts --no-audit --no-fund "
        f"--no-update-notifier --loglevel=error --cache /cache "
        f"--registry {shlex.quote(config.npm_registry)} "
        f"--fetch-retries {config.npm_fetch_retries} && mkdir -p node_modules"
    )


def install_environment(language: str) -> dict[str, str]:
    common = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8"}
    if language == "python":
        return common | {
            "UV_CACHE_DIR": "/cache",
            "UV_LINK_MODE": "copy",  # the cache and /env are separate mounts
            "UV_PYTHON_DOWNLOADS": "never",
            "UV_SYSTEM_CERTS": "1",  # the machine's certificates, as pip uses them
            "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
        }
    return common | {"npm_config_userconfig": "/dev/null", "npm_config_update_notifier": "false"}


def network_binds() -> list[Bind]:
    """What name resolution and TLS need, read-only: nothing else of /etc."""
    binds = []
    for path in ("/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ssl"):
        real = os.path.realpath(path)
        if os.path.exists(real):
            binds.append(Bind(real, path))
    return binds


def local_index_binds(index: str) -> list[Bind]:
    """A file:// index (a mirror on this machine's disk), mounted where its URL points."""
    if not index.startswith("file://"):
        return []
    path = urlsplit(index).path
    return [Bind(path, path)] if os.path.isdir(path) else []


def failure_message(language: str, finished: Finished, config: RunConfig) -> str:
    """What went wrong, in words naming the package and the index when one is the cause."""
    output = finished.output
    if finished.stopped:
        return f"Installing stopped: {finished.stopped}."
    if finished.code is None:
        return f"Installing took longer than {config.install_seconds:.0f} s and was stopped."
    if "File size limit exceeded" in output:  # one file alone passed the limit
        return f"Installing stopped: the environment grew beyond {config.install_max_mb} MB."
    if language == "python":
        return _uv_failure(output, config.python_index)
    return _npm_failure(output, config.npm_registry)


def _uv_failure(output: str, index: str) -> str:
    if match := re.search(r"Because ([\w.\-\[\]]+) was not found in the package registry", output):
        return f"The package {match.group(1)} was not found on the index {index}."
    if match := re.search(r"there is no version of ([^\s,]+)", output):
        return f"{match.group(1)} is not on the index {index} (no such version)."
    if match := re.search(r"Because ([^\s,]+(?: ?[<>=!~]=?[^\s,]+)?) has no usable wheels", output):
        return (
            f"{match.group(1)} has no wheel for this machine's Python on the index {index}, and "
            "packages are installed from wheels only (no package's code runs while installing)."
        )
    if match := re.search(r"requires-python|Python>=?[0-9.]+", output):
        cause = _causes(output) or match.group(0)
        return f"The project needs another Python than this machine's: {cause}"
    if re.search(r"Failed to fetch|error sending request|Could not connect|dns error", output):
        reason = _last_cause(output)
        return f"The package index {index} could not be reached ({reason})."
    return "Installing the Python packages failed: " + (_causes(output) or _tail_lines(output))


def _npm_failure(output: str, registry: str) -> str:
    if match := re.search(r"'([^']+)' is not in this registry", output) or re.search(
        r"404 Not Found - GET \S+/(@?[^\s/]+(?:/[^\s/]+)?) ", output
    ):
        name = match.group(1).rsplit("@", 1)[0] if match.group(1).count("@") else match.group(1)
        return f"The package {name or match.group(1)} was not found on the registry {registry}."
    if match := re.search(r"No matching version found for (\S+)", output):
        return f"{match.group(1).rstrip('.')} is not on the registry {registry} (no such version)."
    if re.search(r"ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET|network", output):
        reason = re.search(r"(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET)", output)
        detail = reason.group(1) if reason else "network error"
        return f"The registry {registry} could not be reached ({detail})."
    if "npm ci" in output and "in sync" in output:
        return (
            "package-lock.json does not match package.json, so npm ci refused it: update the "
            "lock or remove it."
        )
    return "Installing the Node.js packages failed: " + _tail_lines(output)


def _causes(output: str) -> str:
    lines = [line.strip() for line in output.splitlines()]
    return " ".join(
        line.removeprefix("cause:").strip() for line in lines if line.startswith("cause:")
    )[:600]


def _last_cause(output: str) -> str:
    causes = [
        line.split("cause:", 1)[1].strip() for line in output.splitlines() if "cause:" in line
    ]
    return causes[-1] if causes else _tail_lines(output, 1)


def _tail_lines(output: str, count: int = 5) -> str:
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    return " / ".join(lines[-count:])[:600] or "no output"
