"""Following a run in the terminal: one bar (stage, %, time left, tokens), the files as they
arrive, and one final line, whatever happens on the way (reconnections, Ctrl-C)."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.prompt import Confirm

from iterum_client.api import Api, Event

OK, FAILED, CANCELLED, INTERRUPTED = 0, 1, 5, 130
# How fast the time left shown may move beyond the clock's own count-down, in seconds per
# second: a new estimate pulls it along at these rates instead of making it jump.
ETA_RISE = 1.0
ETA_FALL = 2.0


class TimeLeft:
    """The time left as shown. It counts down with the clock; a new estimate moves it at most
    ETA_RISE (up) or ETA_FALL (down) seconds per second beyond that, so every change it makes
    is one the time passed can explain (a run found slower adds at most a second a second)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.shown: float | None = None
        self.at = 0.0

    def update(self, estimate: float | None) -> float | None:
        now = self.clock()
        if self.shown is None:
            if estimate is not None:
                self.shown, self.at = float(estimate), now
            return self.shown
        passed = max(now - self.at, 0.0)
        counted = max(self.shown - passed, 0.0)
        if estimate is None:
            target = counted
        else:
            target = min(
                max(float(estimate), counted - ETA_FALL * passed), counted + ETA_RISE * passed
            )
        self.shown, self.at = max(target, 0.0), now
        return self.shown


def time_left_words(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 1.5:
        return "finishing"
    if seconds < 90:
        return f"about {seconds:.0f} s left"
    return f"about {seconds / 60:.0f} min left"


class RunTokens:
    """The run's tokens so far. Servers that send `call_tokens` give the run's count in
    `tokens`; older ones gave each call's own, which restarted at every model call: a count
    that goes down then starts a new call, and the calls before it are kept."""

    def __init__(self) -> None:
        self.earlier = 0
        self.current = 0
        self.total = 0

    def update(self, data: dict) -> int:
        tokens = data.get("tokens")
        if isinstance(tokens, int):
            if "call_tokens" in data:
                self.total = max(self.total, tokens)
            else:
                if tokens < self.current:
                    self.earlier += self.current
                self.current = tokens
                self.total = max(self.total, self.earlier + tokens)
        return self.total


class RunBar:
    """The bar of one run; `show` takes each event. Transient: it is drawn while the run is
    watched and gone when it stops, so a Ctrl-C, a question and a resumed bar leave no copies
    behind; `final_line` prints the last state once."""

    def __init__(self, console: Console, number: int) -> None:
        self.console = console
        self.number = number
        self.progress = Progress(
            TextColumn("[bold]v{task.fields[number]}[/]"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[left]}"),
            TextColumn("{task.fields[tokens]}"),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task(
            "Waiting for a worker...", total=100, number=number, left="", tokens=""
        )
        self.time_left = TimeLeft()
        self.tokens = RunTokens()
        self.fraction = 0.0
        self.message = "Waiting for a worker..."
        self.seen: set[str] = set()

    def start(self) -> None:
        self.progress.start()

    def stop(self) -> None:
        self.progress.stop()

    def show(self, event: Event) -> None:
        if event.id and event.id in self.seen:
            return  # a reconnection may hand over an event twice
        if event.id:
            self.seen.add(event.id)
        data = event.data
        fraction = data.get("progress")
        if isinstance(fraction, (int, float)):
            self.fraction = max(self.fraction, min(float(fraction), 1.0))  # never goes back
        self.message = str(data.get("message") or self.message)
        tokens = self.tokens.update(data)
        left = None if event.type == "done" else self.time_left.update(data.get("eta_seconds"))
        self.progress.update(
            self.task,
            completed=round(self.fraction * 100, 1),
            description=self.message,
            left=time_left_words(left),
            tokens=f"{tokens:,} tokens" if tokens else "",
        )
        if data.get("stage") == "file_generated" and data.get("file"):
            self.console.print(f"  {data.get('action', 'changed'):>9} {data['file']}")

    def final_line(self, status: str) -> None:
        tokens = f", {self.tokens.total:,} tokens" if self.tokens.total else ""
        percent = 100 if status in ("completed", "no_changes") else round(self.fraction * 100)
        self.console.print(f"v{self.number} {percent}%{tokens}", highlight=False)


def follow(
    api: Api,
    console: Console,
    generation: str,
    number: int,
    header: str = "",
    cancel_on_interrupt: bool = True,
) -> int:
    """Show the run live until it ends and return the exit code its ending means. Ctrl-C asks
    whether to cancel the run (`cancel_on_interrupt`), or stops watching it (watch)."""
    if header:
        console.print(header)
    bar = RunBar(console, number)
    last: Event | None = None
    last_id = ""
    while last is None or last.type != "done":
        bar.start()
        try:
            for event in api.events(generation, number, last_id):
                last_id = event.id or last_id
                last = event
                bar.show(event)
        except KeyboardInterrupt:
            bar.stop()
            if not cancel_on_interrupt:
                console.print(
                    f"Stopped watching; the run goes on: iterum watch {generation} {number}"
                )
                return INTERRUPTED
            if Confirm.ask("Cancel the run?", console=console, default=False):
                api.post(api.version_path(generation, number) + "/cancel")
                console.print("Cancelling...")
        finally:
            bar.stop()
    return ending(console, bar, number, last.data)


def ending(console: Console, bar: RunBar, number: int, data: dict) -> int:
    status = data.get("status")
    bar.final_line(str(status))
    if status in ("completed", "no_changes"):
        console.print(f"[green]Version {number}: {data.get('message')}[/]")
        return OK
    if status == "cancelled":
        console.print(f"[yellow]Version {number} was cancelled; nothing was saved.[/]")
        return CANCELLED
    console.print(f"[red]Version {number} failed: {data.get('message') or 'no reason given'}[/]")
    return FAILED
