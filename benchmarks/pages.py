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
loaded first through the import service, then indexed by ``search_reindex``
(benchmarks/scale.py's loader, which also gives sizes, memory, search latency and a
profile at that size); --reuse keeps an installation between runs (and loads only
what is missing). Phases that use the shared OpenSearch cluster hold
/tmp/opensearch.lock.
Targets on the 2-core machine: 20 clients p95 ≤ 100 ms and ≥ 200 req/s; 100
clients p95 ≤ 300 ms and 0 errors. Prints one line per run and a JSON summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loadgen import Result, load
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
    parser.add_argument("--projects", type=int, default=0, help="projets synthétiques à charger")
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


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


def stack_pids(stack: Stack) -> dict[str, list[int]]:
    """This stack's own processes, found below its `make serve` (another benchmark's
    stack may run beside it): gunicorn master, its workers, the background worker."""
    found: dict[str, list[int]] = {"master": [], "workers": [], "background": []}
    todo = [stack.process.pid] if stack.process else []
    while todo:
        pid = todo.pop()
        command = _cmdline(pid)
        if "gunicorn" in command and "supervise.py" not in command:
            found["master"].append(pid)
            found["workers"] += _children(pid)
            continue
        if "carrefour_worker" in command and "supervise.py" not in command:
            found["background"].append(pid)
        todo += _children(pid)
    return found


def processes(stack: Stack) -> dict[str, float]:
    pids = stack_pids(stack)
    figures = {f"gunicorn master {pid}": round(rss_mb(pid), 1) for pid in pids["master"]}
    figures.update({f"web worker {pid}": round(rss_mb(pid), 1) for pid in pids["workers"]})
    for pid in pids["background"]:
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


def run_alternative(
    stack: Stack, paths, clients: list[int], seconds: float
) -> tuple[list[dict], Result | None]:
    """« sans cache de pages »: ``stack`` runs with CARREFOUR_PAGE_CACHE_SECONDS=0.
    Returns the rows and the first run's result (its latencies by path)."""
    rows, first = [], None
    for count in clients:
        result = load(port=stack.port, clients=count, seconds=seconds, paths=paths)
        print(result.line("sans cache de pages"), flush=True)
        rows.append({"label": "sans cache de pages", "clients": count, "warm": result.summary()})
        first = first or result
    return rows, first


def engine_phase(engine: str, label: str):
    """The shared cluster's lock (benchmarks/scale.py) when the stack uses it."""
    if not engine:
        return contextlib.nullcontext()
    from benchmarks.scale import engine_lock

    return engine_lock(label)


def load_projects(stack: Stack, args) -> dict:
    """--projects: bring the database to N synthetic projects and index them."""
    from benchmarks.scale import build_index, load_projects

    started = time.perf_counter()
    figures = {"load": load_projects(stack, projects=args.projects)}
    print(f"chargement de {args.projects} projets : {time.perf_counter() - started:.0f} s")
    if args.engine:
        figures["index"] = build_index(stack)
        print(f"search_reindex : {figures['index']}", flush=True)
    return figures


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
        report: dict = {"workers": args.workers, "runs": []}
        if not args.reuse:
            started = time.perf_counter()
            with engine_phase(args.engine, "installation"):
                stack.install(demo=True)
            print(f"installation (démo) : {time.perf_counter() - started:.0f} s", flush=True)
        if args.projects:
            report["projects"] = load_projects(stack, args)
        paths = mix(stack)
        report["paths"] = len(paths)
        with engine_phase(args.engine, "pages.py"):
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
                    report["runs"] += run_alternative(plain, paths, clients, args.seconds)[0]
                finally:
                    plain.stop()
        print_json(report)
    finally:
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
