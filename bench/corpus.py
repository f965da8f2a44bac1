"""`make bench`, part two: the corpus of model answers, outcome by class.

    applied     the intended files, with no repair call
    recovered   the intended files, after repair calls
    failed      a loud failure naming the file (right for hostile and hopeless answers)
    wrong       other files than intended, or a crash: the number that must stay 0

Run with `python -m bench.corpus`; `--chunk N` plays the answers in N-character chunks.
"""

import argparse
import time
from collections import Counter, defaultdict

from tests.corpus import Fails, all_cases, play

COLUMNS = ("applied", "recovered", "failed", "wrong")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunk", type=int, default=7)
    chunk = parser.parse_args().chunk
    cases = all_cases()
    started = time.perf_counter()
    table: dict[str, Counter] = defaultdict(Counter)
    goals = Counter()
    misses: list[str] = []
    for case in cases:
        outcome = play(case, chunk)
        column = "wrong" if outcome.category in ("wrong", "crashed") else outcome.category
        table[case.kind][column] += 1
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
    width = max(len(kind) for kind in table) + 2
    print(f"Corpus of {len(cases)} model answers, played in {chunk}-character chunks")
    print("class".ljust(width) + "".join(name.rjust(11) for name in COLUMNS) + "      total")
    for kind in sorted(table):
        row = table[kind]
        cells = "".join(str(row[name]).rjust(11) for name in COLUMNS)
        print(kind.ljust(width) + cells + str(sum(row.values())).rjust(11))
    total = Counter()
    for row in table.values():
        total.update(row)
    cells = "".join(str(total[name]).rjust(11) for name in COLUMNS)
    print("all".ljust(width) + cells + str(sum(total.values())).rjust(11))
    print(
        f"well-formed applied without a repair call: {goals['well-formed applied']} of "
        f"{goals['well-formed']}; recoverable applied or recovered: "
        f"{goals['recoverable, recovered']} of {goals['recoverable']}; hostile or hopeless "
        f"answers failed loudly: {goals['must fail, failed']} of {goals['must fail']}"
    )
    print(f"time: {seconds * 1000:.0f} ms for the whole corpus")
    if misses:
        print("cases that missed their expected outcome:")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
