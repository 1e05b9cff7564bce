"""Scenario « opensearch »: searches (anonymous and signed in, the API and the
page) and an editor's publishes go on while node 2 of the local cluster stops, then
the whole cluster, then every node starts again. Searches must answer (a node down:
as usual; the cluster down: the French « momentanément indisponible », fast),
publishes must succeed, and once the engine is back the queue drains and every live
project of the database is in the index.

Holds /tmp/opensearch.lock (flock, blocking) for its whole duration: another
measurement uses the cluster and takes the same lock. Every node stopped here is
started again in a ``finally``, and the cluster waited for until green."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks.stack import PYTHON, ROOT, Stack

from .common import Context, cluster
from .django_side import call
from .http import Visitor, Visitors
from .report import Phase, Timeline, Verdict, by_phase, compact, percentile, print_users

LOCK = "/tmp/opensearch.lock"  # noqa: S108 (the name the other measurement locks)
SEARCH_TIMEOUT = 10.0  # SEARCH_TIMEOUT's default: a call waits at most this per node


@contextmanager
def cluster_lock() -> Iterator[float]:
    """The exclusive lock on the cluster; yields the seconds spent waiting for it."""
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    started = time.monotonic()
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"{LOCK} est tenu par une autre mesure : attente du verrou…", flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield time.monotonic() - started
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _manager() -> str:
    import urllib.request

    try:
        url = "http://127.0.0.1:9201/_cat/nodes?h=name,cluster_manager&format=json"
        with urllib.request.urlopen(url, timeout=5) as answer:
            nodes = json.loads(answer.read())
        return next((n["name"] for n in nodes if n.get("cluster_manager") == "*"), "?")
    except OSError:
        return "?"


class Publisher:
    """benchmarks/faultsbench/publisher.py in a subprocess; its JSON lines collected."""

    def __init__(self, stack: Stack):
        self.lines: list[dict] = []
        self.log = ROOT / "var" / "bench-faults-publisher.log"  # its warnings, tracebacks
        self.process = subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "benchmarks.faultsbench.publisher", "--every", "1.0"],
            cwd=ROOT,
            env=stack.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("w"),
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.startswith("{"):
                self.lines.append(json.loads(line))

    def stop(self) -> list[dict]:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.reader.join(timeout=5)
        return self.lines


def _visitors(ctx: Context) -> list[Visitor]:
    api, page = ctx.search_paths(api=True), ctx.search_paths(api=False)
    member = ctx.cookies[-1]
    return [
        Visitor("API anonyme", api),
        Visitor("page anonyme", page),
        Visitor("API connectée", api, cookie=member),
        Visitor("page connectée", page, cookie=ctx.cookies[-2]),
    ]


def _cluster_step(timeline: Timeline, name: str, *commands: tuple[str, ...]) -> None:
    timeline.mark(name)
    for command in commands:
        started = time.monotonic()
        done = cluster(*command)
        said = (done.stdout + done.stderr).strip().splitlines()
        print(
            f"  ops/opensearch/cluster {' '.join(command)} : {time.monotonic() - started:.1f} s"
            f" — {said[-1] if said else done.returncode}",
            flush=True,
        )


def _faults(ctx: Context, timeline: Timeline) -> None:
    timeline.mark("avant")
    time.sleep(ctx.seconds)
    _cluster_step(timeline, "nœud 2 arrêté", ("stop-node", "2"))
    time.sleep(ctx.seconds)
    _cluster_step(timeline, "cluster arrêté", ("stop-node", "1"), ("stop-node", "3"))
    time.sleep(ctx.seconds)
    _cluster_step(timeline, "redémarrage (→ vert)", ("start",), ("wait", "green", "300"))
    timeline.mark("après")
    time.sleep(ctx.seconds)


def run(ctx: Context) -> dict:
    verdict = Verdict("opensearch")
    with cluster_lock() as waited:
        print(f"verrou {LOCK} obtenu (attente {waited:.0f} s)", flush=True)
        try:
            if cluster("wait", "green", "120").returncode != 0:
                cluster("start")
            stack = ctx.stack(engine=True)
            started = time.monotonic()
            stack.manage("search_reindex", "-v", "0")
            print(f"index bench-faults reconstruit : {time.monotonic() - started:.0f} s")
            print(f"nœud qui dirige le cluster au départ : {_manager()}")
            stack.start()
            try:
                return _scenario(ctx, stack, verdict)
            finally:
                stack.stop()
        finally:
            restarted = cluster("start")
            green = cluster("wait", "green", "300")
            print(f"cluster remis au vert : {(green.stdout or green.stderr).strip()}", flush=True)
            if green.returncode != 0:
                print(restarted.stdout, restarted.stderr)


def _scenario(ctx: Context, stack: Stack, verdict: Verdict) -> dict:
    visitors = Visitors(ctx.loop, _visitors(ctx), port=stack.port, timeout=30.0)
    publisher = Publisher(stack)
    timeline = Timeline()
    visitors.start()
    try:
        _faults(ctx, timeline)
    finally:
        timeline.mark("fin")
        publishes = publisher.stop()
        hits = visitors.stop()
    phases = timeline.phases(time.time())[:-1]
    table = by_phase(hits, phases)
    print_users(table)
    writes = _publishes(publishes, phases)
    _print_publishes(writes)
    index = _drain(stack)
    _checks(verdict, table, writes, index)
    verdict.print()
    return {"users": compact(table), "publishes": writes, "index": index, "verdict": verdict.line()}


def _publishes(lines: list[dict], phases: list[Phase]) -> dict:
    table = {}
    for phase in phases:
        inside = [line for line in lines if phase.holds(line["at"] + line["seconds"])]
        seconds = [line["seconds"] for line in inside]
        table[phase.name] = {
            "publishes": len(inside),
            "failed": sum(not line["ok"] for line in inside),
            "errors": sorted({line["error"] for line in inside if not line["ok"]})[:3],
            "p50_ms": round(percentile(seconds, 0.5), 1),
            "p95_ms": round(percentile(seconds, 0.95), 1),
            "max_ms": round(1000 * max(seconds, default=0), 1),
        }
    return table


def _print_publishes(table: dict) -> None:
    print("Publications (project_create / project_update puis publication, en sous-processus) :")
    for phase, s in table.items():
        print(
            f"  {phase:<28} {s['publishes']:>3} publications, {s['failed']} échecs, "
            f"p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms, max {s['max_ms']:.0f} ms"
            + (f" — {s['errors']}" if s["errors"] else "")
        )


def _drain(stack: Stack) -> dict:
    """The queue after the load, after `search_sync` as cron runs it, after `--all`
    if anything still waited for its delay; then the index against the database."""
    waiting = call(stack, "queue_state")
    cron = stack.manage("search_sync").strip()
    after = call(stack, "queue_state")
    after_cron = after["count"]
    forced = stack.manage("search_sync", "--all").strip() if after_cron else ""
    index = call(stack, "index_compare")
    print("Ce qui a été perdu (index) :")
    print(
        f"  file d'attente à la fin des publications : {waiting['count']} mises à jour "
        f"(prochain essai dans {waiting['max_wait_seconds']} s au plus)"
    )
    print(
        f"  manage.py search_sync (cron) : {cron} → {after_cron} en attente de leur délai "
        f"({after['max_wait_seconds']} s au plus : le cron suivant les applique)"
    )
    if forced:
        print(f"  manage.py search_sync --all (délais d'attente levés) : {forced}")
    print(
        f"  projets en ligne dans PostgreSQL {index['database']}, dans l'index {index['index']} : "
        f"{index['missing_count']} absents de l'index, {index['extra_count']} en trop, "
        f"{index['queued']} encore en file"
    )
    if index["missing"]:
        print(f"  absents : {', '.join(index['missing'])}")
    return {**index, "queued_at_end": waiting, "queued_after_cron": after, "cron": cron}


def _checks(verdict: Verdict, table: dict, writes: dict, index: dict) -> None:
    for phase in ("avant", "nœud 2 arrêté", "après"):
        s = table[phase]["tous"]
        verdict.check(s["failed"] == 0, f"{phase} : {s['failed']} recherches en échec")
    for phase in ("cluster arrêté", "redémarrage (→ vert)"):
        s = table[phase]["tous"]
        verdict.check(
            s["failed"] == s["failed_french"],
            f"{phase} : {s['failed'] - s['failed_french']} échecs sans message français "
            f"({s['outcomes']})",
        )
        slow = s["failed_slowest_ms"] / 1000
        verdict.check(slow <= SEARCH_TIMEOUT + 1, f"{phase} : un échec a mis {slow:.1f} s")
    for phase, s in writes.items():
        verdict.check(s["failed"] == 0, f"{phase} : {s['failed']} publications en échec")
    verdict.check(
        index["missing_count"] == 0, f"{index['missing_count']} projets absents de l'index"
    )
    verdict.check(index["extra_count"] == 0, f"{index['extra_count']} documents en trop")
    verdict.check(index["queued"] == 0, f"{index['queued']} mises à jour encore en file")
