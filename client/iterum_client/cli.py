"""`iterum`: Iterum from a terminal. List your generations, start runs and watch them live
(or re-attach to one), cancel, diff, pull, push, import an existing project, clone a
generation with git, run a version's tests and its app.

Exit codes say what happened:
  0 done (the run completed, or had nothing to change)
  1 the run failed (tests: some failed or could not run; preview: the app stopped)
  2 the command was wrong (usage)
  3 not logged in, or the token was refused
  4 no such generation, version or file
  5 the run was cancelled
  6 the server refused the request (a limit, a rule; its message says which)
  7 pull would overwrite local changes (use --force)
  8 the server could not be reached
  130 interrupted by Ctrl-C outside a run (during a run, Ctrl-C asks whether to cancel it)
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from rich.console import Console
from rich.table import Table

from iterum_client import sync
from iterum_client.api import Api, ApiError
from iterum_client.config import BadUrl, NotLoggedIn, load_config, save_config, server_url
from iterum_client.follow import follow
from iterum_client.packing import pack_folder

OK, FAILED, USAGE, AUTH, NOT_FOUND, CANCELLED, REFUSED, CONFLICT, UNREACHABLE = range(9)
INTERRUPTED = 130  # Ctrl-C, as shells report it


def load_api(console: Console) -> Api:
    config = load_config()
    return Api(config["url"], config["token"])


# Commands ----------------------------------------------------------------------------------


def cmd_login(args, console: Console) -> int:
    url = server_url(args.url)
    token = args.token or os.environ.get("ITERUM_TOKEN") or getpass.getpass("API token: ")
    me = Api(url, token).me()
    path = save_config(url, token)
    console.print(f"Logged in to {url} as {me['username']} (token saved in {path}).")
    return OK


def cmd_list(args, console: Console) -> int:
    """Your generations, newest first: id, title, stack, latest version, last change."""
    api = load_api(console)
    rows = api.generations()
    if not rows:
        console.print("No generations yet. Start one: iterum new PROMPT --stack flask")
        return OK
    table = Table(box=None, pad_edge=False)
    for column in ("id", "title", "stack", "latest", "updated"):
        table.add_column(column, no_wrap=column in ("id", "latest"))
    for row in rows:
        latest = row.get("latest_version")
        table.add_row(
            row["id"],
            row.get("title", ""),
            row.get("tech_stack", ""),
            f"v{latest}" if latest else "-",
            str(row.get("updated_at", ""))[:16].replace("T", " "),
        )
    console.print(table)
    return OK


def cmd_new(args, console: Console) -> int:
    api = load_api(console)
    body = {
        "title": args.title or args.prompt[:60],
        "prompt": args.prompt,
        "tech_stack": args.stack,
        "domain": args.domain,
        "constraints": args.constraints,
    }
    generation = api.post("/generations", body)
    gid = generation_id_of(generation["url"])
    header = f"Generation {gid}: {api.url}{generation['url']}"
    if args.no_follow:
        console.print(header)
        return OK
    return follow(api, console, gid, generation["number"], header)


def cmd_iterate(args, console: Console) -> int:
    api = load_api(console)
    base = args.version or api.latest(args.generation)
    version = api.post(
        api.version_path(args.generation, base) + "/iterate", {"prompt": args.prompt}
    )
    header = f"Version {version['number']} from version {base}: {api.url}{version['url']}"
    if args.no_follow:
        console.print(header)
        return OK
    return follow(api, console, args.generation, version["number"], header)


def cmd_watch(args, console: Console) -> int:
    """Re-attach to a version's run (the latest without a number): the bar from where the run
    is, to its end; a run that has ended shows its ending at once."""
    api = load_api(console)
    generation, number = version_of(args.generation, args.version)
    number = number or api.latest(generation)
    header = f"Version {number}: {api.url}{api.version(generation, number)['url']}"
    return follow(api, console, generation, number, header, cancel_on_interrupt=False)


def version_of(text: str, number: int | None) -> tuple[str, int | None]:
    """(generation, version) from `GEN [N]`, or from a version's page URL (.../GEN/v3/)."""
    found = re.search(r"([0-9a-f-]{36})(?:/v([0-9]{1,9}))?", text)
    if "/" in text and found:
        return found.group(1), number or (int(found.group(2)) if found.group(2) else None)
    return text, number


def cmd_cancel(args, console: Console) -> int:
    api = load_api(console)
    number = args.version or api.latest(args.generation)
    version = api.post(api.version_path(args.generation, number) + "/cancel")
    console.print(f"Version {number}: {version['status']}.")
    return OK


def cmd_diff(args, console: Console) -> int:
    api = load_api(console)
    query = {"old": args.old, "new": args.new}
    diff = api.get(f"/generations/{args.generation}/diff", params=query)
    if not diff["files"]:
        console.print(f"Versions {args.old} and {args.new} have the same files.")
    for change in diff["files"]:
        counts = f"+{change['added']} -{change['removed']}"
        console.print(f"[bold]{change['status']} {change['path']}[/] ({counts})")
        for line in change["unified"].splitlines():
            style = (
                "green"
                if line.startswith("+") and not line.startswith("+++")
                else "red"
                if line.startswith("-") and not line.startswith("---")
                else "cyan"
                if line.startswith("@@")
                else None
            )
            console.print(line, style=style, markup=False, highlight=False)
    return OK


def cmd_pull(args, console: Console) -> int:
    api = load_api(console)
    number = args.version or api.latest(args.generation)
    folder = Path(args.dir)
    return sync.pull(api, console, args.generation, number, folder, force=args.force, yes=args.yes)


def cmd_push(args, console: Console) -> int:
    api = load_api(console)
    return sync.push(api, console, args.generation, Path(args.dir))


def cmd_import(args, console: Console) -> int:
    """An existing project as a new generation: a git URL, an archive, or a folder (packed
    here, its .gitignore respected)."""
    api = load_api(console)
    source = args.source
    if re.match(r"^https?://", source):
        version = api.post("/generations/import", {"git_url": source, "title": args.title})
    else:
        path = Path(source)
        if path.is_dir():
            content, count = pack_folder(path)
            console.print(f"Packed {count} files from {path} ({len(content):,} bytes).")
            name = (path.resolve().name or "project") + ".zip"
        elif path.is_file():
            content, name = path.read_bytes(), path.name
        else:
            console.print(f"[red]{source} is neither a folder, an archive nor a URL.[/]")
            return USAGE
        version = api.upload("/generations/import", "archive", name, content, {"title": args.title})
    generation = generation_id_of(version["url"])
    details = api.generation(generation)
    console.print(f"Generation {generation}: {api.url}{version['url']}")
    console.print(f"Stack: {details['stack'].get('label') or details['tech_stack']}")
    console.print(version["summary"])
    console.print(f"Checks: {version['checks'] or 'not run'}")
    console.print(f"Clone: iterum clone {generation}")
    return OK


def cmd_clone(args, console: Console) -> int:
    """`git clone` of a generation, with this client as git's credential helper for it."""
    api = load_api(console)
    details = api.generation(args.generation)
    url = api.url + details["git_url"]
    target = args.dir or re.sub(r"[^\w.-]+", "-", details["title"]).strip("-") or "project"
    helper = "!" + " ".join(shlex.quote(part) for part in helper_command()) + " credential"
    command = [
        "git",
        "clone",
        "-c",
        "credential.helper=",
        "-c",
        f"credential.helper={helper}",
        url,
        target,
    ]
    done = subprocess.run(command, check=False)
    if done.returncode != 0:
        console.print("[red]git clone failed (see above).[/]")
        return REFUSED
    console.print(f"Cloned into {target}; git push to main makes new versions.")
    return OK


def helper_command() -> list[str]:
    return [sys.executable, "-m", "iterum_client.cli"]


def cmd_credential(args, console: Console) -> int:
    """git's credential helper protocol: on `get`, the saved token for this server."""
    if args.operation != "get":
        return OK  # nothing is stored or erased: the token lives in the client's config
    asked = dict(line.split("=", 1) for line in sys.stdin.read().splitlines() if "=" in line)
    try:
        config = load_config()
    except NotLoggedIn:
        return OK
    server = urlsplit(config["url"])
    if asked.get("protocol") == server.scheme and asked.get("host") == server.netloc:
        sys.stdout.write(f"username=iterum\npassword={config['token']}\n")
    return OK


# Running a version ---------------------------------------------------------------------------


def cmd_tests(args, console: Console) -> int:
    """Run the version's tests in the sandbox and show them, test by test."""
    api = load_api(console)
    number = args.version or api.latest(args.generation)
    path = api.version_path(args.generation, number) + "/tests"
    if not args.last:
        events = api.stream(args.generation, number, {"tests"})
        run = api.post(path)
        console.print(f"Version {number}: running its tests in the sandbox...")
        if run["state"] == "running":
            for event in events:
                if event.data.get("tests_state") != "running":
                    break
    run = api.get(path)
    for test in run["tests"]:
        if test["outcome"] in ("failed", "error"):
            console.print(f"[red]{test['outcome'].upper()}[/] {test['name']}", markup=True)
            console.print(test["output"] or test["message"], markup=False, highlight=False)
    counts = ", ".join(
        f"{run[key]} {key}" for key in ("passed", "failed", "errors", "skipped") if run[key]
    )
    style = "green" if run["state"] == "passed" else "red"
    console.print(f"[{style}]Tests {run['state']}[/]" + (f": {counts}" if counts else ""))
    if run["message"]:
        console.print(run["message"], markup=False, highlight=False)
    return OK if run["state"] in ("passed", "none") else FAILED


def cmd_preview(args, console: Console) -> int:
    """Start the version's app in the sandbox, print its log as it comes, and where to see
    it once it answers; --follow keeps printing the log, --stop stops it."""
    api = load_api(console)
    number = args.version or api.latest(args.generation)
    path = api.version_path(args.generation, number) + "/preview"
    if args.stop:
        preview = api.call("DELETE", path).json()
        console.print(f"Version {number}'s app: {preview['state']} ({preview['reason']}).")
        return OK
    events = api.stream(args.generation, number, {"preview", "preview-log"})
    preview = api.post(path)
    for line in preview["logs"]["lines"]:
        console.print(line, markup=False, highlight=False, style="dim")
    last = preview["logs"]["last"]
    state, reason = preview["state"], preview["reason"]
    if state not in ("running", "stopped"):
        console.print(f"Version {number}'s app: {state}...")
        for event in events:
            if event.data.get("preview_id") != preview["id"]:
                continue
            if event.type == "preview-log":
                last = _print_log(console, event.data, last)
                continue
            state, reason = event.data["preview_state"], event.data.get("reason", "")
            if state in ("running", "stopped"):
                break
            console.print(f"Version {number}'s app: {state}...")
    if state == "stopped":
        console.print(f"[red]The app stopped:[/] {reason}")
        return FAILED
    console.print(f"[green]Running.[/] Open it in a browser: {preview['page_url']}")
    console.print(f"(or {preview['enter_url']} within two minutes)", markup=False)
    if not args.follow:
        return OK
    for event in events:
        if event.data.get("preview_id") != preview["id"]:
            continue
        if event.type == "preview-log":
            last = _print_log(console, event.data, last)
        elif event.data.get("preview_state") == "stopped":
            console.print(f"The app stopped: {event.data.get('reason', '')}")
            return OK
    return OK


def _print_log(console: Console, data: dict, last: int) -> int:
    for index, line in enumerate(data.get("lines", [])):
        number = data.get("first_line", 0) + index
        if number > last:
            console.print(line, markup=False, highlight=False, style="dim")
            last = number
    return last


def generation_id_of(url: str) -> str:
    """The generation's id from a version's page URL (/generations/<id>/v<n>/)."""
    return url.strip("/").split("/")[1]


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="iterum",
        description="Iterum from a terminal.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    login = commands.add_parser("login", help="store the server's URL and your API token")
    login.add_argument("url")
    login.add_argument("--token", help="the token (else $ITERUM_TOKEN, else asked)")
    login.set_defaults(run=cmd_login)
    listed = commands.add_parser("list", help="your generations, newest first")
    listed.set_defaults(run=cmd_list)
    new = commands.add_parser("new", help="start a generation and watch it")
    new.add_argument("prompt")
    new.add_argument("--stack", required=True, help="flask, django, fastapi_postgres, express")
    new.add_argument("--title", default="")
    new.add_argument("--domain", default="")
    new.add_argument("--constraints", default="")
    new.add_argument("--no-follow", action="store_true", help="do not wait for the run")
    new.set_defaults(run=cmd_new)
    iterate = commands.add_parser("iterate", help="a new version from a follow-up prompt")
    iterate.add_argument("generation")
    iterate.add_argument("prompt")
    iterate.add_argument("--version", type=int, help="start from this version (the latest)")
    iterate.add_argument("--no-follow", action="store_true")
    iterate.set_defaults(run=cmd_iterate)
    watch = commands.add_parser(
        "watch", help="re-attach to a version's run and follow it to its end"
    )
    watch.add_argument("generation", help="the generation's id, or a version's page URL")
    watch.add_argument("version", nargs="?", type=int, help="the version (the latest)")
    watch.set_defaults(run=cmd_watch)
    cancel = commands.add_parser("cancel", help="cancel a running version")
    cancel.add_argument("generation")
    cancel.add_argument("version", nargs="?", type=int)
    cancel.set_defaults(run=cmd_cancel)
    diff = commands.add_parser("diff", help="the changes between two versions, coloured")
    diff.add_argument("generation")
    diff.add_argument("old", type=int)
    diff.add_argument("new", type=int)
    diff.set_defaults(run=cmd_diff)
    pull = commands.add_parser("pull", help="write a version's files into a folder")
    pull.add_argument("generation")
    pull.add_argument("dir")
    pull.add_argument("--version", type=int, help="this version (the latest)")
    pull.add_argument("--force", action="store_true", help="overwrite local changes")
    pull.add_argument("--yes", action="store_true", help="remove files deleted upstream")
    pull.set_defaults(run=cmd_pull)
    push = commands.add_parser("push", help="send a folder's edits as a new version")
    push.add_argument("generation")
    push.add_argument("dir")
    push.set_defaults(run=cmd_push)
    imported = commands.add_parser(
        "import", help="an existing project as a new generation (folder, archive or git URL)"
    )
    imported.add_argument("source", help="a folder, a .zip/.tar.gz, or an https:// git URL")
    imported.add_argument("--title", default="")
    imported.set_defaults(run=cmd_import)
    clone = commands.add_parser("clone", help="git clone a generation, with credentials set")
    clone.add_argument("generation")
    clone.add_argument("dir", nargs="?")
    clone.set_defaults(run=cmd_clone)
    credential = commands.add_parser("credential")  # no help: git calls it, people do not
    credential.add_argument("operation")
    credential.set_defaults(run=cmd_credential)
    tests = commands.add_parser("tests", help="run a version's tests in the sandbox")
    tests.add_argument("generation")
    tests.add_argument("--version", type=int, help="this version (the latest)")
    tests.add_argument("--last", action="store_true", help="show the last run, run nothing")
    tests.set_defaults(run=cmd_tests)
    preview = commands.add_parser("preview", help="run a version's app and show its log")
    preview.add_argument("generation")
    preview.add_argument("--version", type=int, help="this version (the latest)")
    preview.add_argument("--follow", action="store_true", help="keep printing the log")
    preview.add_argument("--stop", action="store_true", help="stop the app")
    preview.set_defaults(run=cmd_preview)
    return main


def main(argv: list[str] | None = None, console: Console | None = None) -> int:
    console = console or Console()
    args = parser().parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return args.run(args, console)
    except NotLoggedIn:
        console.print("[red]Not logged in.[/] Run: iterum login URL")
        return AUTH
    except BadUrl as error:
        console.print(f"[red]{error}[/]")
        return USAGE
    except ApiError as error:
        console.print(error.message, style="red", markup=False, highlight=False)
        if error.status == 401:
            return AUTH
        return NOT_FOUND if error.status == 404 else REFUSED
    except httpx.TransportError as error:
        console.print(f"[red]Cannot reach the server: {error}[/]")
        return UNREACHABLE
    except KeyboardInterrupt:  # outside a run's display (which asks first)
        console.print("Interrupted.")
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
