"""Page load of the production stack (issue 15): `make serve` on PostgreSQL, Redis
and the local OpenSearch cluster, driven by benchmarks/loadgen.py with a realistic
mix — home, search with text and with facets, project pages, map data, community
pages, the search API — at 20 and at 100 concurrent clients, for a fixed time.

Side by side in the same run, on the same data:
- « cache froid »: right after a content change (the generation moves, so every
  anonymous page and fragment is rendered afresh as clients come);
- « cache chaud »: the same mix again;
- « sans cache de pages » (the competent alternative: the same stack with
  CARREFOUR_PAGE_CACHE_SECONDS=0, Django rendering every request, as most Wagtail
  sites run).

    make search-engine
    .venv/bin/python benchmarks/pages.py [--seconds 20] [--projects 300000]

With --projects N, N synthetic projects shaped like the real partner exports are
loaded first (benchmarks/scale.py); --reuse keeps an installation between runs.
Targets on the 2-core machine: 20 clients p95 ≤ 100 ms and ≥ 200 req/s; 100
clients p95 ≤ 300 ms and 0 errors. Prints one line per run and a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loadgen import load
from benchmarks.stack import OwnPostgres, OwnRedis, Stack, print_json, rss_mb

ENGINE = "http://127.0.0.1:9201,http://127.0.0.1:9202,http://127.0.0.1:9203"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", default="20,100")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8796)
    parser.add_argument("--pg-port", type=int, default=5441)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--engine", default=ENGINE, help="'' : recherche en base")
    parser.add_argument("--reuse", action="store_true", help="garder la base et l'index existants")
    parser.add_argument("--no-alternative", action="store_true")
    return parser.parse_args()


def mix(stack: Stack) -> list[tuple[str, float]]:
    """Paths weighted as visits spread: the home and searches most, then projects."""
    data = json.loads(
        stack.python(
            "import json\n"
            "from innovations.models import ProjectPage\n"
            "from communities.models import Community\n"
            "p = [x.url for x in ProjectPage.objects.live().public().order_by('?')[:60]]\n"
            "c = [f'/communautes/{s}/' for s in Community.objects.filter(\n"
            "    visibility='public', status='active').values_list('slug', flat=True)[:10]]\n"
            "print(json.dumps({'projects': p, 'communities': c}))"
        )
        .strip()
        .splitlines()[-1]
    )
    paths: list[tuple[str, float]] = [
        ("/", 10),
        ("/recherche/?q=emploi", 4),
        ("/recherche/?q=alimentation+solidaire", 3),
        ("/recherche/?q=tiers-lieux&type=project", 2),
        ("/recherche/?domaine=numerique&region=75", 3),
        ("/recherche/?q=insertion&vue=carte", 2),
        ("/recherche/export.geojson?q=insertion", 2),
        ("/api/v1/search?q=insertion", 3),
        ("/api/v1/search?q=mobilite&type=project", 2),
        ("/projets/", 2),
        ("/communautes/", 1),
        ("/statistiques/", 1),
    ]
    paths += [(url, 20 / max(1, len(data["projects"]))) for url in data["projects"]]
    paths += [(url, 4 / max(1, len(data["communities"]))) for url in data["communities"]]
    return paths


def processes(stack: Stack) -> dict[str, float]:
    figures = {f"web worker {pid}": round(rss_mb(pid), 1) for pid in stack.web_workers()}
    for pid in stack.pids("carrefour_worker"):
        figures[f"background worker {pid}"] = round(rss_mb(pid), 1)
    return figures


def bump(stack: Stack) -> None:
    stack.python("from core.page_cache import _bump\n_bump()")


def run_series(stack: Stack, paths, clients: list[int], seconds: float, label: str) -> list[dict]:
    rows = []
    for count in clients:
        bump(stack)
        cold = load(port=stack.port, clients=count, seconds=seconds, paths=paths)
        print(cold.line(f"{label}, cache froid"), flush=True)
        warm = load(port=stack.port, clients=count, seconds=seconds, paths=paths)
        print(warm.line(f"{label}, cache chaud"), flush=True)
        rows.append(
            {"label": label, "clients": count, "cold": cold.summary(), "warm": warm.summary()}
        )
    return rows


def main() -> None:
    args = parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    postgres, redis = OwnPostgres(args.pg_port), OwnRedis(args.redis_port)
    postgres.start()
    redis.start()
    try:
        if not args.reuse:
            postgres.create_database()
        stack = Stack(
            port=args.port,
            database_url=postgres.url,
            redis_url=redis.url,
            engine_url=args.engine,
            workers=args.workers,
            prefix="bench-pages",
        )
        if not args.reuse:
            started = time.perf_counter()
            stack.install(demo=True)
            print(f"installation (démo) : {time.perf_counter() - started:.0f} s", flush=True)
        paths = mix(stack)
        report = {"paths": len(paths), "workers": args.workers, "runs": []}
        stack.start()
        try:
            report["runs"] += run_series(stack, paths, clients, args.seconds, "make serve")
            report["memory_mb"] = processes(stack)
        finally:
            stack.stop()
        if not args.no_alternative:
            plain = Stack(
                port=args.port,
                database_url=postgres.url,
                redis_url=redis.url,
                engine_url=args.engine,
                workers=args.workers,
                prefix="bench-pages",
                extra={"CARREFOUR_PAGE_CACHE_SECONDS": "0"},
            )
            plain.start()
            try:
                for count in clients:
                    result = load(port=plain.port, clients=count, seconds=args.seconds, paths=paths)
                    print(result.line("sans cache de pages"), flush=True)
                    report["runs"].append(
                        {"label": "sans cache de pages", "clients": count, "warm": result.summary()}
                    )
            finally:
                plain.stop()
        print_json(report)
    finally:
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
