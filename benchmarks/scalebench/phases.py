"""The run's phases: the stack at the bench prefix, the state kept between runs
(``--reuse``), the database and the index brought to ``--projects``, then the
measures on the site with and without the page cache (benchmarks/pages.py's
series, searches, memory, profile)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime

from benchmarks import pages
from benchmarks.stack import OwnPostgres, OwnRedis, Stack

from .common import ENGINE, PREFIX, SOURCE_PREFIX, STATE
from .data import seed_records, vocabulary
from .engine import engine_drop_indices, engine_lock
from .loading import load_projects
from .memory import service_memory
from .pyspy import profile, slowest
from .report import print_memory, print_profile
from .searches import measure_searches, search_mixes
from .sizes import build_index, index_sizes


def make_stack(args, postgres: OwnPostgres, redis: OwnRedis, *, page_cache: bool) -> Stack:
    return Stack(
        port=args.port,
        database_url=postgres.url,
        redis_url=redis.url,
        engine_url=ENGINE,
        workers=args.workers,
        prefix=PREFIX,
        extra={} if page_cache else {"CARREFOUR_PAGE_CACHE_SECONDS": "0"},
    )


def read_state() -> dict:
    try:
        return json.loads(STATE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(state: dict) -> None:
    STATE.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")


def count_projects(stack: Stack) -> tuple[int, int]:
    """(partner records of the bench sources, live projects)."""
    out = stack.python(
        "from innovations.models import ProjectPage, ProjectSourceRecord\n"
        f"print(ProjectSourceRecord.objects.filter(source__slug__startswith='{SOURCE_PREFIX}')"
        ".count(), ProjectPage.objects.live().count())"
    )
    records, live = out.split()[-2:]
    return int(records), int(live)


class Clock:
    """Wall time of each phase, for the report."""

    def __init__(self):
        self.phases: dict[str, float] = {}

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        print(f"\n== {name}", flush=True)
        try:
            yield
        finally:
            self.phases[name] = round(time.perf_counter() - started, 1)
            # The machine is shared: its load says whether others used the cores too.
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"   ({name} : {self.phases[name]:.0f} s ; charge {load})", flush=True)


def prepare(args, postgres, redis, clock: Clock, state: dict) -> tuple[Stack, dict]:
    """The database and the index at ``--projects``: installed, loaded, indexed."""
    stack = make_stack(args, postgres, redis, page_cache=True)
    report: dict = {}
    if not args.reuse or not state.get("installed"):
        with clock.phase("installation (migrate, setup_carrefour avec la démo)"):
            postgres.create_database()
            with engine_lock("installation"):
                engine_drop_indices()
                stack.install(demo=True)
        state = {"installed": datetime.now().isoformat(timespec="seconds")}
        write_state(state)
    records, live = count_projects(stack)
    print(f"Déjà en base : {records} enregistrements partenaires, {live} projets en ligne")
    if records < args.projects:
        with clock.phase(f"import jusqu'à {args.projects} projets (import_file, par fichiers)"):
            report["load"] = load_projects(
                stack,
                projects=args.projects,
                batch=args.batch,
                seed=args.seed,
                budget=args.load_budget,
            )
        state.setdefault("loads", []).append(report["load"])
        state.pop("index", None)
        write_state(state)
    else:
        print("Import : rien à charger (--reuse) ; chiffres des chargements précédents")
    report["loads"] = state.get("loads", [])
    records, live = count_projects(stack)
    report["projects"] = {"partner_records": records, "live": live}
    sizes = index_sizes()
    live_index = sizes["aliases"].get(f"{PREFIX}-documents")
    in_step = state.get("index", {}).get("projects") == records and any(
        i["documents"] == state["index"].get("documents")
        for i in sizes["indices"]
        if i["index"] == live_index
    )
    if not in_step:
        with clock.phase("index : manage.py search_reindex"):
            report["index"] = build_index(stack)
        state["index"] = {**report["index"], "projects": records}
        write_state(state)
    else:
        report["index"] = {**state["index"], "reused": True}
    return stack, report


def measure_stack(args, postgres, redis, clock: Clock, report: dict) -> None:
    clients = [int(c) for c in args.clients.split(",")]
    seeds = seed_records()
    mixes = search_mixes(vocabulary(seeds), args.seed)
    report["vocabulary"] = vocabulary(seeds)
    with engine_lock("mesures (pages, recherches, profil)"):
        cached = make_stack(args, postgres, redis, page_cache=True)
        with clock.phase("site avec cache de pages : pages et recherches"):
            cached.start()
            try:
                paths = pages.mix(cached)
                report["mix_paths"] = len(paths)
                if not args.skip_pages:
                    report["pages"] = pages.run_series(
                        cached, paths, clients, args.seconds, f"make serve, {args.projects}"
                    )
                report["search_cache"] = measure_searches(
                    cached,
                    mixes,
                    clients=args.search_clients,
                    seconds=args.search_seconds,
                    label="avec cache",
                )
                report["memory_cache"] = {
                    **pages.processes(cached),
                    **service_memory(postgres, redis),
                }
                print_memory("site avec cache, après les mesures", report["memory_cache"])
            finally:
                cached.stop()
        plain = make_stack(args, postgres, redis, page_cache=False)
        with clock.phase("site sans cache de pages : recherches, pages, profil"):
            plain.start()
            try:
                report["search_plain"] = measure_searches(
                    plain,
                    mixes,
                    clients=args.search_clients,
                    seconds=args.search_seconds,
                    label="sans cache",
                )
                alternative = None
                if not args.skip_pages:
                    rows, alternative = pages.run_alternative(plain, paths, clients, args.seconds)
                    report["pages"] += rows
                report["memory_plain"] = {
                    **pages.processes(plain),
                    **service_memory(postgres, redis),
                }
                print_memory("site sans cache, après les mesures", report["memory_plain"])
                name, urls, p95 = slowest(report["search_plain"], alternative, mixes, paths)
                print(f"\nProfil py-spy sous charge : « {name} » (p95 {p95:.0f} ms sans cache)")
                report["profile"] = {"target": name, **profile(plain, urls, clients=clients[0])}
                print_profile(report["profile"])
            finally:
                plain.stop()
