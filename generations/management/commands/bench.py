"""`make bench`: the pipeline's own speed and the context's size, printed as figures."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from generations.actions import save_files, version_files
from generations.models import Generation, Version
from orchestrator import ProjectBrief, iterate
from orchestrator.context import build_context, estimate_tokens
from orchestrator.edit_format import EditFile, SearchReplace, render_operations
from orchestrator.pipeline import RunOptions
from orchestrator.providers.base import StreamChunk, Usage

RUNS = 5


def module(number: int, size: int, packages: int) -> str:
    """A Python module of about `size` bytes: a class and functions of about ten lines.

    Like real code, it imports a neighbour in its package; one in ten calls a helper.
    """
    package = number % packages
    imports = (
        [f"from app.pkg_{package} import module_{number - packages}"] if number >= packages else []
    )
    if number % 10 == 0:
        imports.append("from app import helpers")
    head = (
        f'"""Module {number}."""\n\n'
        + "\n".join(imports)
        + f"\n\n\nclass Model{number}:\n    pass\n"
    )
    body, function = [head], 0
    if number % 10 == 0:
        body.append(f"\n\ndef bounded(value):\n    return helpers.clamp(value, {number})\n")
    while sum(map(len, body)) < size:
        lines = "".join(f"    step_{i} = value + {i} * {function}\n" for i in range(8))
        body.append(f"\n\ndef function_{number}_{function}(value):\n{lines}    return step_7\n")
        function += 1
    return "".join(body)


def project(files: int, size: int, packages: int = 20) -> dict[str, str]:
    return {
        f"app/pkg_{n % packages}/module_{n}.py": module(n, size, packages) for n in range(files)
    }


class InstantModel:
    """Answers at once with a fixed text, so the timing is the pipeline's own work."""

    name, model, label = "bench", "instant", "instant"

    def __init__(self, answer: str) -> None:
        self.answer = answer

    def stream(self, request):
        for start in range(0, len(self.answer), 4096):
            yield StreamChunk(self.answer[start : start + 4096])
        yield StreamChunk("", usage=Usage(1, 1), finish_reason="STOP")


def change_answer(files: dict[str, str], count: int, run: int) -> str:
    """An answer editing `count` files, one search/replace block each (new content per run)."""
    operations = []
    for path in sorted(files)[:: len(files) // count][:count]:
        number = path.rsplit("_", 1)[1].removesuffix(".py")
        search = f"class Model{number}:\n    pass\n"
        replace = search.replace("pass", f"id = {run}")
        operations.append(EditFile(path, (SearchReplace(search, replace),)))
    return (
        "@@@ PLAN " + ", ".join(o.path for o in operations) + "\n" + render_operations(operations)
    )


class Command(BaseCommand):
    help = "Benchmark the pipeline's own work and the context size; prints figures."

    def handle(self, *args, **options) -> None:
        self.pipeline_time()
        self.context_size()

    def pipeline_time(self) -> None:
        files = project(1000, 10_000)
        megabytes = sum(len(c.encode()) for c in files.values()) / 1e6
        owner, _ = get_user_model().objects.get_or_create(username="bench")
        generation = Generation.objects.create(
            owner=owner, title="Bench", prompt="-", tech_stack="flask"
        )
        parent = Version.objects.create(
            generation=generation, number=1, kind="generate", prompt="-", status="completed"
        )
        save_files(version=parent, files=files)
        brief = ProjectBrief(title="Bench", prompt="-", stack="flask")
        phases: dict[str, list[float]] = {"load": [], "iterate": [], "save": [], "total": []}
        for run in range(RUNS):
            started = time.perf_counter()
            loaded = version_files(parent)
            after_load = time.perf_counter()
            model = InstantModel(change_answer(files, 20, run))
            result = iterate(
                loaded, "set an id on 20 models", brief, model, lambda e: None, RunOptions()
            )
            after_iterate = time.perf_counter()
            child = Version.objects.create(
                generation=generation,
                number=run + 2,
                parent=parent,
                kind="iterate",
                prompt="-",
                status="processing",
            )
            with transaction.atomic():
                new_blobs = save_files(version=child, files=result.files)
            done = time.perf_counter()
            for name, seconds in zip(
                phases,
                (
                    after_load - started,
                    after_iterate - after_load,
                    done - after_iterate,
                    done - started,
                ),
                strict=True,
            ):
                phases[name].append(seconds)
            assert len(result.changes) == 20
        self.stdout.write(
            f"Pipeline's own time, {len(files)} files / {megabytes:.1f} MB, 20-file change "
            f"({RUNS} runs, median / max):"
        )
        for name, label in [
            ("load", "load parent files"),
            ("iterate", "context, parse, dry run, merge"),
            ("save", f"save ({new_blobs} new blobs)"),
            ("total", "total"),
        ]:
            values = phases[name]
            self.stdout.write(
                f"  {label:32} {statistics.median(values) * 1000:7.0f} ms"
                f" {max(values) * 1000:7.0f} ms"
            )
        self.stdout.write(
            f"  goal: total at most 1000 ms -> {'met' if max(phases['total']) <= 1 else 'NOT met'}"
        )

    def context_size(self) -> None:
        from django.conf import settings

        files = project(300, 3_000)
        files["app/helpers.py"] = "def clamp(value, limit):\n    return min(value, limit)\n"
        everything = sum(estimate_tokens(c) for c in files.values())
        budget = settings.CONTEXT_BUDGET_TOKENS
        for prompt in [
            "make clamp() accept a lower bound",
            "rename Model42 to Order",
            "fix module_7.py",
        ]:
            context = build_context(files, prompt, budget)
            ratio = context.tokens / everything
            self.stdout.write(
                f"Context for 300 files ({everything:,} tokens in all), budget {budget:,}, "
                f"{prompt!r}: {context.tokens:,} tokens = {ratio:.1%} "
                f"({len(context.whole)} whole, {len(context.mapped)} mapped) "
                f"-> goal at most 10%: {'met' if ratio <= 0.10 else 'NOT met'}"
            )
