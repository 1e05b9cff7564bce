"""The first search of a fresh process (a server just started): run by the worker
as ``python -m benchmarks.searchbench.first_search TARGET`` with the worker's
environment (the same database, the same index). Prints one JSON line: how long
Django's setup took, then the first search (text + 3 facets, the common page) and,
for comparison, the same search again; the baseline's budget (ms) may follow the
target's name."""

from __future__ import annotations

import json
import sys
import time

START = time.perf_counter()


def main() -> None:
    import django

    django.setup()
    setup_ms = (time.perf_counter() - START) * 1000
    from benchmarks.searchbench.targets import TARGETS
    from benchmarks.searchbench.workload import TEXT_FACETS, Overtime, spec

    target = TARGETS[sys.argv[1]]
    budget_ms = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    started = time.perf_counter()
    if target.kind == "wagtail":
        from benchmarks.searchbench.baseline import WagtailBaseline

        searcher = WagtailBaseline(budget_ms=budget_ms)
    else:
        from benchmarks.searchbench.workload import OurBackend
        from search.backends import get_backend

        searcher = OurBackend(get_backend())
    query = spec(TEXT_FACETS, 0)
    figures = {"setup_ms": setup_ms, "overtimes": 0}
    for name in ("first_ms", "again_ms"):
        try:
            figures["results"] = searcher.run(query, 0)
        except Overtime:
            figures["overtimes"] += 1
        figures[name] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
