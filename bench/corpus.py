"""`make bench`, part two: the corpus of model answers, outcome by class.

    applied     the intended files, with no repair call
    recovered   the intended files, after repair calls
    loud        a failure naming the file (right for hostile and hopeless answers)
    wrong       other files than intended, or "no changes" where the model proposed some
    crash       an exception: never acceptable

Classes marked * come from public reports of real models' answers (each module's SOURCES).
Run with `python -m bench.corpus`; `--chunk N` plays the answers in N-character chunks.
"""

import argparse
import time
from collections import Counter, defaultdict

from tests.corpus import Fails, all_cases, play, report_sources

COLUMNS = ("total", "applied", "recovered", "loud", "wrong", "crash")
COLUMN_OF = {
    "applied": "applied",
    "recovered": "recovered",
    "failed": "loud",
    "wrong": "wrong",
    "misreported": "wrong",
    "crashed": "crash",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunk", type=int, default=7)
    chunk = parser.parse_args().chunk
    cases = all_cases()
    reports = report_sources()
    started = time.perf_counter()
    table: dict[str, Counter] = defaultdict(Counter)
    goals = Counter()
    misses: list[str] = []
    for case in cases:
        outcome = play(case, chunk)
        row = table[case.kind]
        row["total"] += 1
        row[COLUMN_OF[outcome.category]] += 1
        goals["misreported"] += outcome.category == "misreported"
        if not outcome.correct:
            misses.append(f"  {case.kind}: {case.name}: {outcome.category}: {outcome.detail}")
        if case.well_formed:
            goals["well-formed"] += 1
            goals["well-formed applied"] += outcome.category == "applied"
        elif isinstance(case.expect, Fails):
            goals["must fail"] += 1
            goals["must fail, failed"] += outcome.category == "failed"
        else:
            goals["recoverable"] += 1
            goals["recoverable, recovered"] += outcome.correct
    seconds = time.perf_counter() - started
    names = {kind: kind + (" *" if kind in reports else "") for kind in table}
    width = max(len(name) for name in names.values()) + 2
    print(
        f"Corpus of {len(cases)} model answers in {len(table)} classes "
        f"({len(reports)} from public reports, marked *), played in {chunk}-character chunks"
    )
    print("class".ljust(width) + "".join(name.rjust(10) for name in COLUMNS))
    for kind in sorted(table):
        print(names[kind].ljust(width) + "".join(str(table[kind][c]).rjust(10) for c in COLUMNS))
    total = Counter()
    for row in table.values():
        total.update(row)
    print("all".ljust(width) + "".join(str(total[c]).rjust(10) for c in COLUMNS))
    print(
        f"well-formed applied without a repair call: {goals['well-formed applied']} of "
        f"{goals['well-formed']}; recoverable applied or recovered: "
        f"{goals['recoverable, recovered']} of {goals['recoverable']}; hostile or hopeless "
        f"answers failed loudly: {goals['must fail, failed']} of {goals['must fail']}; "
        f"'no changes' where the model proposed some: {goals['misreported']}"
    )
    print(f"time: {seconds * 1000:.0f} ms for the whole corpus")
    if misses:
        print("cases that missed their expected outcome:")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
