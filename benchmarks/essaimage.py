"""Essaimage benchmark (issue 16): the figures of its three costly features, each
beside a competent alternative in the same run.

    .venv/bin/python benchmarks/essaimage.py [--documents 20000] [--replications 500]
    ELASTICSEARCH_URL=http://127.0.0.1:9201,http://127.0.0.1:9202,http://127.0.0.1:9203 \\
        .venv/bin/python benchmarks/essaimage.py          # the engine too

1. The search sort « Prêts à essaimer d'abord » (``tri=essaimage``) beside the
   default order (pertinence) and « recents », with and without text, with and
   without the filter ``essaimage=prete``: p50/p95 over ``--runs`` queries per case
   on the database backend and, with ELASTICSEARCH_URL, on the engine (throwaway
   index prefix, deleted at the end) — essaimagebench/searches.py.
2. The lineage of a project page (``lineage_for``) for an original with
   ``--replications`` replications, some hidden, as anonymous and as a member,
   beside a naive per-page Wagtail check and ``live().public()``: time and queries
   — essaimagebench/lineage.py.
3. The portrait of a département in PDF, built cold by its job, then served from
   storage by its view — essaimagebench/portrait.py.

Works in a throwaway SQLite file (benchmarks/throwaway.py; or the PostgreSQL
database of --database-url, dropped and created afresh): migrations, the official
territories with the npm package's communes (the small test fixture when it is
missing), projects written by the imports' bulk path (essaimagebench/projects.py).
Prints figures and one summary line per section; asserts nothing.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # the project's packages, not this folder's modules

from benchmarks.throwaway import throwaway_database  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=20_000, help="section 1")
    parser.add_argument("--runs", type=int, default=50, help="queries per case (section 1)")
    parser.add_argument("--replications", type=int, default=500, help="section 2")
    parser.add_argument("--lineage-runs", type=int, default=20)
    parser.add_argument(
        "--projects", type=int, default=3000, help="other projects (sections 2 and 3)"
    )
    parser.add_argument("--portrait-runs", type=int, default=3, help="cold builds (section 3)")
    parser.add_argument("--cached-runs", type=int, default=10, help="cached serves (section 3)")
    parser.add_argument("--sections", default="1,2,3")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="", help="PostgreSQL: postgres://…/name")
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    return parser.parse_args()


def prepare(args) -> str:
    """The throwaway database, and the Django side on the database search backend
    without Redis (the engine is reached only by section 1, on its own prefix)."""
    for name in ("ELASTICSEARCH_URL", "REDIS_URL", "SITE_URL"):
        os.environ.pop(name, None)
    os.environ["GEOCODER"] = "centroid"
    where = throwaway_database(args.database_url, prefix="carrefour-bench-essaimage")
    import django

    django.setup()
    logging.disable(logging.WARNING)  # Wagtail's, WeasyPrint's and the jobs' chatter
    return where


def install() -> str:
    """Migrations, territories, the site tree and /projets/."""
    from django.core.management import call_command

    from cms.services import site_tree_ensure
    from innovations.services.setup import project_index_ensure
    from innovations.territories import default_communes_file, territories_load

    call_command("migrate", verbosity=0)
    communes = default_communes_file()
    which = "communes du paquet npm"
    if not communes.exists():
        communes, which = ROOT / "tests/fixtures/territories/communes.json", "communes de test"
    report = territories_load(communes_path=communes)
    project_index_ensure(home=site_tree_ensure())
    return f"{report.departements} départements, {report.communes} {which}"


def section_search(args) -> str:
    from benchmarks.essaimagebench import searches

    docs, readiness, origin = searches.documents(count=args.documents, seed=args.seed)
    values = list(readiness.values())
    shares = {v: values.count(v) / len(values) for v in ("prete", "modelisation")}
    print(f"   documents : {origin}", flush=True)
    results = {"base de données": searches.database_run(docs, readiness, runs=args.runs)}
    if args.elasticsearch_url:
        try:
            engine = searches.engine_run(
                docs, readiness, runs=args.runs, url=args.elasticsearch_url
            )
        except Exception as exc:  # the shared cluster down: the other figures stand
            print(f"   moteur : ÉCHEC, {type(exc).__name__} : {str(exc)[:300]}", flush=True)
        else:
            results["OpenSearch"] = engine
            print(f"   moteur : {engine['label']} (index supprimé)", flush=True)
    else:
        print("   moteur : ELASTICSEARCH_URL absent, base de données seule", flush=True)
    for line in searches.render(results, count=len(docs), runs=args.runs, shares=shares):
        print(line)
    return searches.summary(results)


def build_projects(args) -> dict:
    from benchmarks.essaimagebench import projects
    from innovations.models import ReplicationSheet

    started = time.perf_counter()
    others = projects.create_projects(count=args.projects, seed=args.seed)
    lineage_ids = projects.create_projects(
        count=args.replications + 1, seed=args.seed + 1, first_creuse=True
    )
    sheets = projects.add_sheets(others + lineage_ids, seed=args.seed)
    original, replications = lineage_ids[0], lineage_ids[1:]
    ReplicationSheet.objects.update_or_create(project_id=original, defaults={"readiness": "prete"})
    lineage = projects.add_lineage(original, replications, seed=args.seed)
    written = time.perf_counter() - started
    started = time.perf_counter()
    indexed = projects.reindex_database()
    print(
        f"   {len(others) + len(lineage_ids)} projets écrits en {written:.1f} s "
        f"(fiches : {', '.join(f'{v} {k}' for k, v in sheets.items())}), "
        f"{indexed} documents indexés en base en {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return {"lineage": lineage}


def section_lineage(args, built: dict) -> str:
    from benchmarks.essaimagebench import lineage

    info = built["lineage"]
    rows = lineage.measure(info.original, info.user_group, runs=args.lineage_runs)
    for line in lineage.render(
        rows, replications=len(info.replications), hidden=info.hidden, runs=args.lineage_runs
    ):
        print(line)
    return lineage.summary(rows)


def section_portrait(args) -> str:
    from benchmarks.essaimagebench import portrait

    figures = portrait.measure(cold_runs=args.portrait_runs, cached_runs=args.cached_runs)
    for line in portrait.render(figures):
        print(line)
    return portrait.summary(figures)


def main() -> None:
    args = parse_args()
    sections = {s.strip() for s in args.sections.split(",")}
    started = time.perf_counter()
    where = prepare(args)
    summaries = []
    try:
        print(f"Base : {where} ; territoires : {install()} ({time.perf_counter() - started:.0f} s)")
        print(f"Charge de la machine : {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
        if "1" in sections:
            summaries.append(section_search(args))
            print()
        if sections & {"2", "3"}:
            built = build_projects(args)
            if "2" in sections:
                summaries.append(section_lineage(args, built))
                print()
            if "3" in sections:
                summaries.append(section_portrait(args))
                print()
    finally:
        if not args.database_url:
            shutil.rmtree(os.environ["CARREFOUR_VAR_DIR"], ignore_errors=True)
    for line in summaries:
        print(line)
    print(f"(durée totale {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
