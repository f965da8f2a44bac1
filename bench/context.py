"""Part of `make bench`: what context building sends, and how fast the map is built.

A 300-file project (bench.projects) with a helper and three files in distant packages that
tie to each other. Five requests: the first three ask about one place; the last two need
several distant files, and the table shows they get them whole. Then the map's build time
for that project and for the 1,000-file / 10 MB one: cold (a worker's first look at a
project: every file parsed) and warm (the next request: the parse of each unchanged file is
kept by content).
"""

import statistics
import time

from bench.projects import project
from orchestrator.checks import forget_in_memory
from orchestrator.context import build_context, estimate_tokens

BUDGET = 60_000
RUNS = 5

# (request, files it needs whole)
REQUESTS = [
    ("make clamp() accept a lower bound", ["app/helpers.py"]),
    ("rename Model42 to Order", ["app/pkg_2/module_42.py"]),
    ("fix module_7.py", ["app/pkg_7/module_7.py"]),
    (
        "add a tax rate to total_for and show the tax on each invoice line",
        ["app/services/billing.py", "app/reports/invoice.py"],
    ),
    (
        "rename Model117 to Invoice in every file that uses it",
        ["app/pkg_17/module_117.py", "app/reports/invoice.py", "app/api/export.py"],
    ),
]


def context_project() -> dict[str, str]:
    files = project(300, 3_000)
    files["app/helpers.py"] = "def clamp(value, limit):\n    return min(value, limit)\n"
    files["app/services/billing.py"] = (
        "from app import helpers\nfrom app.pkg_2.module_42 import Model42\n\n\n"
        "def total_for(order: Model42, amount):\n    return helpers.clamp(amount, 1000)\n"
    )
    files["app/reports/invoice.py"] = (
        "from app.pkg_17.module_117 import Model117\nfrom app.services.billing import total_for\n"
        "\n\ndef invoice_line(order: Model117):\n    return f'{order}: {total_for(order, 10)}'\n"
    )
    files["app/api/export.py"] = (
        "from app.pkg_17.module_117 import Model117\n\n\n"
        "def export_all(rows):\n    return [Model117() for _ in rows]\n"
    )
    return files


def build_times(files: dict[str, str], prompt: str) -> tuple[float, float]:
    """Median seconds to build the context cold (nothing parsed yet) and warm."""
    cold, warm = [], []
    for _ in range(RUNS):
        forget_in_memory()
        started = time.perf_counter()
        build_context(files, prompt, BUDGET)
        cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        build_context(files, prompt, BUDGET)
        warm.append(time.perf_counter() - started)
    return statistics.median(cold), statistics.median(warm)


def main() -> None:
    files = context_project()
    everything = sum(estimate_tokens(c) for c in files.values())
    print(
        f"Context for {len(files)} files ({everything:,} tokens in all), budget {BUDGET:,} "
        "(goal: at most 10% of the project, with the files each request needs sent whole):"
    )
    for prompt, needed in REQUESTS:
        context = build_context(files, prompt, BUDGET)
        ratio = context.tokens / everything
        missing = [path for path in needed if path not in context.whole]
        met = "met" if ratio <= 0.10 and not missing else "NOT met"
        got = "all needed whole" if not missing else f"MISSING {', '.join(missing)}"
        print(
            f"  {prompt!r}: {context.tokens:,} tokens = {ratio:.1%} ({len(context.whole)} whole, "
            f"{len(context.mapped)} mapped, {context.unlisted} unlisted; {got}) -> {met}"
        )
    for label, sized in [("300 files", files), ("1,000 files / 10 MB", project(1000, 10_000))]:
        cold, warm = build_times(sized, REQUESTS[0][0])
        print(
            f"Repository map (tree-sitter tags, PageRank), {label}: cold {cold * 1000:.0f} ms, "
            f"warm {warm * 1000:.0f} ms (median of {RUNS})"
        )


if __name__ == "__main__":
    main()
