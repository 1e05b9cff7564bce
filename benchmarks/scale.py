"""Load and scale (issue 15): 300 000 synthetic projects, shaped like the real partner
exports, loaded into PostgreSQL and OpenSearch through the import service editors
use, then what that costs and how the site answers at that size.

    make search-engine
    .venv/bin/python benchmarks/scale.py [--projects 300000] [--seconds 20]
        [--clients 20,100] [--reuse] [--skip-pages]

Prints, one line per figure, then a JSON summary:
1. the import: records/s end to end through ``import_file`` (the service behind the
   admin's imports and ``manage.py import_source``), in files of ``--batch`` records
   spread over seven partner sources; if the measured rate would not load everything
   within ``--load-budget`` minutes, it says so and stops at what it loaded (no other
   path is taken behind the reader's back); then ``manage.py search_reindex`` (new
   index, alias swapped), timed;
2. the index size on disk (``_cat/indices`` of the bench prefix), the PostgreSQL
   database size and its biggest tables;
3. the resident memory of each process: gunicorn master and workers, background
   worker, each OpenSearch node, PostgreSQL (sum of RSS and of PSS), Redis;
4. search latency p50/p95/p99 for a query mix (text drawn from the real projects'
   vocabulary, facets, text + facets, map, page 2, deep page, proximity, GeoJSON
   export) through ``/api/v1/search`` and ``/recherche/``, page cache off
   (CARREFOUR_PAGE_CACHE_SECONDS=0: the engine is measured) and on;
5. benchmarks/pages.py's figures at that size (its mix, run_series, processes): 20
   and 100 clients, cold and warm cache, and « sans cache de pages »;
6. a py-spy profile of the web workers under load on the slowest page or search
   (when py-spy is in the venv): the frames that take the time.

The partner rows are built at run time from ../shared/data (the 700 initiatives of
the map that preceded Transiscope, with their real SKOS concepts read through
docs/mappings/alternatives-pwa.yaml, and two digital-inclusion exports), resampled
with varied names, places, stages, publics and years; nothing is copied into the
repository. Own services (benchmarks/stack.py): PostgreSQL on 5450, Redis on 6395,
the site on 8810, index and cache prefix « bench-scale ». ``--reuse`` keeps the
database and the index between runs and loads only what is missing (loading
300 000 projects takes a while); figures of phases it skips come from
var/bench-scale-state.json and are labelled so. Every phase that uses the shared
OpenSearch cluster holds /tmp/opensearch.lock (another agent stops nodes for fault
tests only while holding it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.scalebench.engine import engine_lock  # noqa: E402
from benchmarks.scalebench.loading import child_load, load_projects  # noqa: E402
from benchmarks.scalebench.phases import Clock, measure_stack, prepare, read_state  # noqa: E402
from benchmarks.scalebench.report import print_load, print_sizes  # noqa: E402
from benchmarks.scalebench.sizes import build_index, database_sizes, index_sizes  # noqa: E402
from benchmarks.stack import OwnPostgres, OwnRedis, print_json  # noqa: E402

# What benchmarks/pages.py imports from here (--projects and the cluster's lock).
__all__ = ["build_index", "engine_lock", "load_projects", "main"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=300_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="durée de chaque série")
    parser.add_argument("--clients", default="20,100")
    parser.add_argument("--reuse", action="store_true", help="garder la base et l'index")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--batch", type=int, default=20_000, help="enregistrements par fichier")
    parser.add_argument("--load-budget", type=float, default=40.0, help="minutes de chargement")
    parser.add_argument("--search-seconds", type=float, default=8.0)
    parser.add_argument("--search-clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8810)
    parser.add_argument("--pg-port", type=int, default=5450)
    parser.add_argument("--redis-port", type=int, default=6395)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child-load", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.child_load:
        child_load(args)
        return
    clock = Clock()
    started = time.perf_counter()
    postgres, redis = OwnPostgres(args.pg_port), OwnRedis(args.redis_port)
    postgres.start()
    redis.start()
    try:
        _stack, report = prepare(args, postgres, redis, clock, read_state() if args.reuse else {})
        print_load(report)
        report["index_size"] = index_sizes()
        report["database"] = database_sizes(postgres.url)
        print_sizes(report["index_size"], report["database"])
        measure_stack(args, postgres, redis, clock, report)
        report["phases_seconds"] = clock.phases
        report["total_seconds"] = round(time.perf_counter() - started, 1)
        print(f"\nDurée totale : {report['total_seconds'] / 60:.1f} min ; phases : {clock.phases}")
        print_json(report)
    finally:
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
