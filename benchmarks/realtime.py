"""Real-time benchmark (issue 13): N websocket clients in one channel, served as
``make serve`` serves (gunicorn, WORKERS uvicorn worker processes, PostgreSQL,
Redis), for both channel layers side by side: ``pubsub`` (one Redis subscription
per group and process, fanned out in the process) and ``groups`` (channels-redis,
one Redis push per connection and message).

    .venv/bin/python benchmarks/realtime.py                          # 1,000 clients, 60 s
    .venv/bin/python benchmarks/realtime.py --clients 200 --duration 15   # quick run
    .venv/bin/python benchmarks/realtime.py --layers pubsub --no-restart

A throwaway PostgreSQL database (--database-url, dropped and migrated afresh) with
N + S members of one community, each with a session, and one channel per layer; a
Redis server of its own (--redis-port, started as .ci/services starts one; the shared
one on 6379 is left alone since it is restarted mid-run). Client processes
(--client-procs, asyncio + websockets, benchmarks/realtimebench/clients.py) open the
N connections, spread evenly over the worker processes (``hello.server``), subscribe
and ping every 5 s; S senders post --rate messages a second in total, each body
carrying its send time. Printed: ramp-up (all subscribed, presence frames calmed),
delivery latency p50/p95/p99, deliveries a second, lost and duplicated messages
(every client must see every stored id of the run exactly once), memory per
connection (workers' RSS after / before, divided by N), CPU of the workers, Redis
and the clients (the client side shares the machine: its CPU says whether it could
be the bottleneck); then Redis is shut down (``shutdown nosave``) and started again
while the senders go on: how long the catch-up took, the latency afterwards, what
was lost. The per-person rate limit is raised for the run
(CARREFOUR_CHAT_RATE_COUNT); presence stays on unless --no-presence. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from benchmarks.realtimebench.clients import Clients  # noqa: E402
from benchmarks.realtimebench.data import setup_data, stored_messages  # noqa: E402
from benchmarks.realtimebench.report import print_table, summarise  # noqa: E402
from benchmarks.realtimebench.senders import send_phase  # noqa: E402
from benchmarks.realtimebench.system import (  # noqa: E402
    RedisServer,
    children,
    cpu_seconds,
    free_port,
    rss_kb,
    start_servers,
    wait_for,
    wait_ready,
)
from benchmarks.throwaway import throwaway_database  # noqa: E402

RATE_COUNT = 1_000_000  # CARREFOUR_CHAT_RATE_COUNT for the run: senders never refused


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=60.0, help="steady phase, seconds")
    parser.add_argument("--senders", type=int, default=5)
    parser.add_argument("--rate", type=float, default=5.0, help="messages a second, in total")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--ping", type=float, default=5.0, help="each client pings so often")
    parser.add_argument(
        "--layers",
        default="pubsub,groups",
        help="pubsub, groups, and pubsub+deflate (permessage-deflate on, uvicorn's default)",
    )
    parser.add_argument("--no-presence", dest="presence", action="store_false")
    parser.add_argument("--no-restart", dest="restart", action="store_false")
    parser.add_argument("--outage", type=float, default=3.0, help="seconds Redis stays down")
    parser.add_argument("--after-restart", type=float, default=15.0, help="sending goes on")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/carrefour_bench_realtime"
    )
    parser.add_argument("--redis-port", type=int, default=6391)
    return parser.parse_args()


def production_env(args) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"ELASTICSEARCH_URL", "CARREFOUR_SERVER_NAME", "CARREFOUR_CHANNEL_LAYER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        REDIS_URL=f"redis://127.0.0.1:{args.redis_port}/0",
        CHANNELS_PREFIX="bench",
        LOG_LEVEL="WARNING",
        CARREFOUR_CHAT_RATE_COUNT=str(RATE_COUNT),
        CARREFOUR_CHAT_PRESENCE="true" if args.presence else "false",
        PYTHONPATH=str(ROOT),
    )
    return env


def ramp_up(clients: Clients, receivers: int) -> dict:
    """Until every reader is subscribed, then until presence frames stop coming (each
    subscription is announced to those already there: N(N-1)/2 frames)."""
    began = time.time()
    wait_for(lambda: clients.status()["subscribed"] >= receivers, timeout=900)
    connected = time.time() - began
    last = {"presence": -1}

    def calm():
        status = clients.status()
        quiet = status["presence"] == last["presence"] and time.time() - status["last_presence"] > 2
        last["presence"] = status["presence"]
        return quiet

    wait_for(calm, timeout=600, every=1.0)
    status = clients.status()
    return {
        "connected": connected,
        "presence_calm": max(status["last_presence"] - began, connected),
        "presence": status["presence"],
    }


def run_layer(layer: str, *, args, env, cookies, channel, redis, workdir) -> dict:
    receivers, senders = cookies[: args.clients], cookies[args.clients :]
    port, log = free_port(), workdir / f"gunicorn-{layer}.log"
    # « pubsub+deflate »: the same layer, permessage-deflate on (uvicorn's default).
    name, _, variant = layer.partition("+")
    worker = (
        "benchmarks.realtimebench.deflate.DeflateWorker"
        if variant == "deflate"
        else "cms.serving.CarrefourWorker"
    )
    master = start_servers(
        {**env, "CARREFOUR_CHANNEL_LAYER": name}, port, args.workers, log, worker_class=worker
    )
    clients = None
    try:
        wait_ready(port, master, log)
        workers = children(master.pid)
        rss_before = sum(rss_kb(p) for p in workers)
        url = f"ws://127.0.0.1:{port}/ws/"
        clients = Clients(
            url=url,
            cookies=receivers,
            channel=channel,
            procs=args.client_procs,
            workers=args.workers,
            ping=args.ping,
        )
        ramp = ramp_up(clients, len(receivers))
        rss_after = sum(rss_kb(p) for p in workers)
        cpu: dict = {}

        def sample(mark: str) -> None:
            cpu[mark] = {
                "workers": sum(cpu_seconds(p) for p in workers),
                "redis": cpu_seconds(redis.process.pid),
                "clients": clients.cpu() + cpu_seconds(os.getpid()),
                "time": time.time(),
            }

        marks: dict = {}
        outcome = asyncio.run(
            send_phase(
                url=url,
                cookies=senders,
                channel=channel,
                args=args,
                redis=redis,
                marks=marks,
                sample=sample,
            )
        )
        stored = stored_messages(channel)
        expected = len(stored) * len(receivers)
        wait_for(lambda: clients.status()["messages"] >= expected, timeout=2 * args.ping + 15)
        status = clients.status()
        records = clients.stop()
    finally:
        if clients is not None:
            clients.kill()
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
    return summarise(
        layer=layer,
        args=args,
        stored=stored,
        records=records,
        marks=marks,
        cpu=cpu,
        outcome=outcome,
        ramp=ramp,
        rss=(rss_before, rss_after),
        status=status,
        log=log,
    )


def main() -> None:
    args = parse_args()
    layers = [layer.strip() for layer in args.layers.split(",") if layer.strip()]
    database = throwaway_database(args.database_url, prefix="carrefour-bench-realtime")
    workdir = Path(tempfile.mkdtemp(prefix="carrefour-bench-realtime-"))
    redis = RedisServer(args.redis_port, workdir)
    if redis.ping():
        raise SystemExit(f"Un Redis répond déjà sur le port {args.redis_port} : --redis-port ?")
    env = production_env(args)
    os.environ.update(env)
    redis.start()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        cookies, channels = setup_data(people=args.clients + args.senders, layers=layers)
        connection.close()
        rows = [
            run_layer(
                layer,
                args=args,
                env=env,
                cookies=cookies,
                channel=channels[layer],
                redis=redis,
                workdir=workdir,
            )
            for layer in layers
        ]
    finally:
        redis.shutdown()
    print(f"Base : {database} ; Redis : le sien (port {args.redis_port}) ; {os.cpu_count()} cœurs")
    print(
        f"{args.clients} lecteurs en {args.client_procs} processus clients (asyncio + websockets, "
        f"permessage-deflate comme un navigateur) sur la même machine ; {args.workers} workers "
        f"gunicorn + uvicorn ; {args.senders} expéditeurs, {args.rate:g} messages/s au total ; "
        f"régime de {args.duration:g} s ; un ping toutes les {args.ping:g} s par client"
    )
    print(
        f"Limite d'envoi relevée pour la course (CARREFOUR_CHAT_RATE_COUNT={RATE_COUNT}) ; "
        f"présence {'active (par défaut)' if args.presence else 'coupée (--no-presence)'}"
    )
    print_table(rows, restart=args.restart)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
