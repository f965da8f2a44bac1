"""Part of `make bench-events`: the bar on short iterations (3 to 15 s), end to end.

A real `manage.py worker` runs iterations against the fake Gemini of the tests (google-genai
over HTTP) at a realistic pace: the first token after 0.5 to 3 s, then 100 to 300 tokens a
second, one to four files. Each shape runs 5 times to make history, then 3 more times
measured, each from version 1 (the same request on the same files: the history is of runs
like this one). The bar a person sees is read from the events the run stored (each has its
progress and the time it was sent); the truth is the share of the run's time passed, from
the click (the version's creation) to the final event. Every quarter second of each
measured run is compared; the worst gap is reported per shape and overall.
BENCH_SHAPES=0,2 runs only those shapes; BENCH_SHOW=1 prints each measured run's events.
"""

import json
import logging
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from bench.events import ROOT
from tests.support.fake_models import FakeModelServer, Reply
from tests.support.live_servers import stop_processes

HISTORY = 5
MEASURED = 3
SAMPLE = 0.25


@dataclass(frozen=True)
class Shape:
    first_token: float
    tokens_per_second: float
    file_sizes: tuple[int, ...]

    def answer(self, run: int) -> str:
        paths = [f"app/short_{run}_{n}.py" for n in range(len(self.file_sizes))]
        parts = ["@@@ PLAN " + ", ".join(paths) + "\n"]
        for path, size in zip(paths, self.file_sizes, strict=True):
            body = "".join(f"value_{i} = {i}\n" for i in range(size // 14))
            parts.append(f"@@@ FILE {path}\n{body}@@@ END\n")
        return "".join(parts)

    def reply(self, run: int) -> Reply:
        chars_per_second = self.tokens_per_second * 4
        return Reply.of(
            self.answer(run),
            size=40,
            delay=40 / chars_per_second,
            stall_after=0,
            stall_seconds=self.first_token,
            usage=None,  # counted from the request and the answer, as Gemini does
        )


SHAPES = [
    Shape(0.5, 100, (1000,)),  # about 3 s
    Shape(1.0, 200, (1200, 1200, 1000)),  # about 5.5 s: the case
    Shape(2.0, 150, (1500, 1500)),  # about 7.5 s, a third of it waiting
    Shape(3.0, 100, (1000, 1500, 1200, 800)),  # about 15 s
]


def deviation(events: list[tuple[float, float]], began: float, ended: float) -> float:
    """The worst |bar - share of time passed| at each SAMPLE of the run."""
    total = ended - began
    worst, step = 0.0, 1
    while step * SAMPLE < total:
        moment = began + step * SAMPLE
        shown = max((p for t, p in events if t <= moment), default=0.0)
        worst = max(worst, abs(shown - (moment - began) / total))
        step += 1
    return worst


def main() -> None:
    import django

    django.setup()
    for name in ("httpx", "httpcore", "google_genai"):
        logging.getLogger(name).setLevel(logging.WARNING)  # no line per request
    from django.contrib.auth import get_user_model
    from django_eventstream.models import Event

    from generations.models import Generation, Version
    from generations.runs.queue import start_iteration
    from generations.storage import save_files

    fake = FakeModelServer()
    fake.url = fake.start()
    env = {
        **os.environ,
        "MODEL_PROVIDER": "gemini",
        "GEMINI_API_KEY": "bench",
        "GEMINI_BASE_URL": fake.url,
        "GEMINI_MODEL": "gemini-bench",
        "MAX_QUEUED_PER_USER": "100",
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-reload", "-v", "0", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-short")
    rows = []
    chosen = [int(n) for n in os.environ.get("BENCH_SHAPES", "").split(",") if n]
    try:
        for index, shape in enumerate(SHAPES):
            if chosen and index not in chosen:
                continue
            # Each shape its own model name would be truer to life; one name with the history
            # of 5 runs of this shape before it is what the forecast sees either way.
            generation = Generation.objects.create(
                owner=user, title=f"short {index}", prompt="an api", tech_stack="flask"
            )
            base = Version.objects.create(
                generation=generation, number=1, kind="generate", status="completed"
            )
            save_files(version=base, files={"app.py": "print('hello')\n"})
            gaps, durations = [], []
            for run in range(HISTORY + MEASURED):
                fake.push(shape.reply(run))
                version = start_iteration(base=base, prompt=f"add module {run}", user=user)
                deadline = time.monotonic() + 120
                while version.status not in ("completed", "no_changes", "failed", "cancelled"):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"run {run} of shape {index} never ended")
                    time.sleep(0.1)
                    version.refresh_from_db()
                if version.status != "completed":
                    raise RuntimeError(f"run {run} of shape {index}: {version.message}")
                if run < HISTORY:
                    continue
                stored = Event.objects.filter(channel=version.channel).order_by("eid")
                points = []
                for row in stored.exclude(type=""):
                    data = json.loads(row.data)
                    data = json.loads(data) if isinstance(data, str) else data
                    if "progress" in data and "timestamp" in data:
                        points.append((float(data["timestamp"]), float(data["progress"])))
                began = version.created_at.timestamp()
                ended = points[-1][0]
                gaps.append(deviation(points, began, ended))
                if os.environ.get("BENCH_SHOW"):
                    for when, progress in points:
                        share = (when - began) / (ended - began)
                        print(f"    {when - began:6.2f} s {share:5.2f} {progress:5.3f}")
                durations.append(ended - began)
            rows.append((shape, durations, gaps))
    finally:
        stop_processes([worker])
        fake.stop()
    print(
        f"The bar on short iterations, end to end (a worker, google-genai against the fake "
        f"Gemini; {HISTORY} runs of history, then {MEASURED} measured, sampled every "
        f"{SAMPLE} s from the click to the final event):"
    )
    for shape, durations, gaps in rows:
        print(
            f"  first token {shape.first_token:.1f} s, {shape.tokens_per_second:.0f} tokens/s, "
            f"{len(shape.file_sizes)} files: runs of {statistics.median(durations):.1f} s, "
            f"worst |bar - elapsed/total| {max(gaps):.3f}"
        )
    worst = max(max(gaps) for _, _, gaps in rows)
    met = "met" if worst <= 0.15 else "NOT met"
    print(f"  worst over all short runs: {worst:.3f} -> goal at most 0.15: {met}")


if __name__ == "__main__":
    main()
