"""Faults (issue 15): automated fault scenarios against the real production stack
(`make serve`: gunicorn + uvicorn workers and the background worker, production
settings), each printing what users saw — statuses counted, latency p50/p95 during
the fault, the French 503 page or message, websocket close codes, reconnections —
and what was lost — documents missing from the index after recovery, chat messages
missing or doubled after catch-up, half-written import batches — then a verdict line
(« OK » / « ÉCHEC : … »).

- ``opensearch``: searches (anonymous and signed in, /api/v1/search and /recherche/)
  and publishes while node 2, then the whole cluster, stop and start again; the
  index queue drained afterwards, live projects compared with the index. Holds
  /tmp/opensearch.lock (flock) throughout: another measurement uses the cluster.
- ``redis``: the stack's own Redis stopped ~20 s during page views and a chat.
- ``postgres``: its own PostgreSQL restarted (fast stop, ~10 s, start) under load,
  with an import running in the background worker.
- ``workers``: kill -9 of a gunicorn worker (requests, websockets), then of the
  background worker mid-import (restarted by ops/supervise.py, job resumed).

SIGTERM of the whole `make serve` is tests/serving/test_make_serve.py's.

    .venv/bin/python benchmarks/faults.py [--scenario NAME] [--reuse] [--seconds 15]

Its own services and ports: web 8820, PostgreSQL 5460, Redis 6396, prefix
« bench-faults » (index, cache and channel-layer keys). Prints a JSON summary last.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.faultsbench import opensearch_down, postgres_restart, redis_down, workers_killed
from benchmarks.faultsbench.common import Context, ensure_postgres, ensure_redis
from benchmarks.faultsbench.django_side import call
from benchmarks.faultsbench.loop import BackgroundLoop
from benchmarks.stack import OwnPostgres, OwnRedis, print_json

SCENARIOS = {
    "opensearch": opensearch_down.run,
    "redis": redis_down.run,
    "postgres": postgres_restart.run,
    "workers": workers_killed.run,
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", default="all", help="opensearch, redis, postgres, workers")
    parser.add_argument("--reuse", action="store_true", help="garder la base déjà installée")
    parser.add_argument("--seconds", type=float, default=15.0, help="durée de chaque phase calme")
    parser.add_argument("--readers", type=int, default=20, help="lecteurs du salon (websockets)")
    parser.add_argument("--records", type=int, default=6000, help="enregistrements d'un import")
    args = parser.parse_args()
    names = list(SCENARIOS) if args.scenario == "all" else args.scenario.split(",")
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"scénario inconnu : {', '.join(unknown)} (connus : {', '.join(SCENARIOS)})")
    args.names = names
    return args


def prepare(args: argparse.Namespace, ctx: Context) -> None:
    stack = ctx.stack()
    if not args.reuse:
        started = time.monotonic()
        ctx.postgres.create_database()
        stack.install(demo=True)
        print(f"installation (migrate + démo) : {time.monotonic() - started:.0f} s", flush=True)
    ctx.cookies = call(stack, "members", people=ctx.readers + 4)
    ctx.paths = call(stack, "sample_paths")


def run_one(name: str, ctx: Context) -> dict:
    print(f"\n=== Scénario {name} ===", flush=True)
    started = time.monotonic()
    try:
        result = SCENARIOS[name](ctx)
    except Exception as exc:
        traceback.print_exc()
        line = (
            f"Verdict {name} : ÉCHEC : le scénario s'est interrompu ({type(exc).__name__}: {exc})"
        )
        print(line, flush=True)
        result = {"verdict": line}
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def main() -> None:
    args = parse_args()
    postgres, redis = OwnPostgres(5460), OwnRedis(6396)
    ensure_postgres(postgres)
    ensure_redis(redis)
    loop = BackgroundLoop()
    ctx = Context(
        seconds=args.seconds,
        readers=args.readers,
        records=args.records,
        postgres=postgres,
        redis=redis,
        loop=loop,
    )
    report: dict = {"scenarios": {}}
    began = time.monotonic()
    try:
        prepare(args, ctx)
        for name in args.names:
            report["scenarios"][name] = run_one(name, ctx)
    finally:
        loop.close()
        redis.stop()
        postgres.stop()
    report["seconds"] = round(time.monotonic() - began, 1)
    print("\n" + "\n".join(r["verdict"] for r in report["scenarios"].values()))
    print_json(report)


if __name__ == "__main__":
    main()
