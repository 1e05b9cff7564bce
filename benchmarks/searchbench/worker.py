"""One backend's run, in a process of its own (each target needs its own Django
database and settings):

    python -m benchmarks.searchbench.worker TARGET --documents N --out FILE [...]

Builds the corpus, indexes it (timed), times the query mix, then measures the first
search of fresh processes on the same data. Prints as it goes and writes the
figures as JSON to FILE for the side-by-side report. A failing phase is recorded
with its error; the run goes on where it can.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
import traceback
import urllib.request
from pathlib import Path

from benchmarks.searchbench.targets import TARGETS, Target
from benchmarks.throwaway import throwaway_database

ROOT = Path(__file__).resolve().parents[2]
THROWAWAY_DIRS: list[str] = []  # the temporary SQLite folders, removed at the end


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--first-runs", type=int, default=3)
    parser.add_argument("--baseline-budget", type=float, default=10.0, help="seconds, 0: none")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--elasticsearch-url", default="")
    parser.add_argument("--out", required=True)
    parser.add_argument(
        "--profile", default="", help="query type to profile after timing (cProfile)"
    )
    return parser.parse_args(argv)


def prepare_environment(target: Target, args) -> str:
    os.environ.pop("ELASTICSEARCH_URL", None)  # the database backend unless asked
    if target.engine:
        os.environ["ELASTICSEARCH_URL"] = args.elasticsearch_url
        os.environ["SEARCH_INDEX_PREFIX"] = f"carrefour-bench-{int(time.time())}"
    if target.database == "postgresql":
        return throwaway_database(args.database_url, prefix="carrefour-bench")
    where = throwaway_database("", prefix="carrefour-bench")
    THROWAWAY_DIRS.append(os.environ["CARREFOUR_VAR_DIR"])
    return where


def engine_label(url: str) -> str:
    """« OpenSearch 3.x.y, 3 nœuds » from the engine's root endpoint."""
    base = url.split(",")[0].rstrip("/")
    if not base.startswith(("http://", "https://")):
        return f"adresse du moteur invalide : {base}"
    try:
        with urllib.request.urlopen(base + "/", timeout=5) as response:  # noqa: S310 - http(s)
            version = json.load(response)["version"]
        with urllib.request.urlopen(base + "/_cluster/health", timeout=5) as response:  # noqa: S310
            nodes = json.load(response)["number_of_nodes"]
    except (OSError, ValueError, KeyError) as exc:
        return f"moteur injoignable ({exc})"
    name = "OpenSearch" if version.get("distribution") == "opensearch" else "Elasticsearch"
    return f"{name} {version.get('number', '?')}, {nodes} nœuds"


def error_text(exc: BaseException) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"[:600]


def first_searches(target: Target, runs: int, budget_ms: float) -> dict:
    """Fresh processes on the same data (environment inherited): median figures."""
    figures = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 — fixed arguments
            [
                sys.executable,
                "-m",
                "benchmarks.searchbench.first_search",
                target.name,
                str(budget_ms),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        wall_ms = (time.perf_counter() - started) * 1000
        if done.returncode:
            raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "?")
        figure = json.loads(done.stdout.strip().splitlines()[-1])
        figure["process_ms"] = wall_ms
        figures.append(figure)
    return {key: statistics.median(f[key] for f in figures) for key in figures[0]}


def index_ours(backend, documents) -> dict:
    backend.clear()
    started = time.perf_counter()
    backend.index(documents)
    backend.refresh()  # searchable: part of the indexing time
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rate": len(documents) / seconds, "count": backend.count()}


def main(argv=None) -> None:
    args = parse_args(argv)
    target = TARGETS[args.target]
    result: dict = {
        "target": target.name,
        "label": target.label,
        "documents": args.documents,
        "runs": args.runs,
    }
    result["where"] = prepare_environment(target, args)
    import django

    django.setup()
    logging.disable(logging.INFO)  # Wagtail's and django_tasks' chatter
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from benchmarks.searchbench.corpus import build_documents
    from benchmarks.searchbench.workload import QUERY_TYPES, OurBackend, measure

    documents, result["origin"] = build_documents(count=args.documents, seed=args.seed)
    if target.engine:
        result["engine"] = engine_label(args.elasticsearch_url)
    print(f"[{target.label}] {result['where']} — {args.documents} documents", flush=True)
    try:
        if target.kind == "wagtail":
            from benchmarks.searchbench.baseline import WagtailBaseline

            searcher = WagtailBaseline(budget_ms=args.baseline_budget * 1000)
            split = searcher.index(documents)
            seconds = split["rows"] + split["wagtail"]
            result["indexing"] = {"seconds": seconds, "rate": len(documents) / seconds, **split}
        else:
            from search.backends import get_backend

            backend = get_backend()
            searcher = OurBackend(backend)
            result["indexing"] = index_ours(backend, documents)
        print(f"[{target.label}] indexation : {result['indexing']['rate']:.0f} doc/s", flush=True)
    except Exception as exc:
        result["error"] = f"indexation : {error_text(exc)}"
        print(f"[{target.label}] {result['error']}", flush=True)
        return write(result, args.out)
    del documents
    result["queries"] = {}
    budget_ms = args.baseline_budget * 1000 if target.kind == "wagtail" else 0
    for label in QUERY_TYPES:
        try:
            result["queries"][label] = figures = measure(
                searcher.run, label=label, runs=args.runs, budget_ms=budget_ms
            )
            print(
                f"[{target.label}] {label} : p50 {figures['p50']:.1f} ms, "
                f"p95 {figures['p95']:.1f} ms, {figures['results']} résultats, "
                f"{figures['runs']} exécutions dont {figures['overtimes']} arrêtées ; "
                "les plus lentes : "
                + ", ".join(f"{name} ({ms:.0f} ms)" for name, ms in figures["slowest"]),
                flush=True,
            )
        except Exception as exc:
            result["queries"][label] = {"error": error_text(exc)}
            print(f"[{target.label}] {label} : {error_text(exc)}", flush=True)
    if args.profile:
        profile(searcher, args.profile)
    if args.first_runs:
        try:
            result["first"] = first_searches(target, args.first_runs, budget_ms)
            print(f"[{target.label}] première recherche : {result['first']}", flush=True)
        except Exception as exc:
            result["first"] = {"error": error_text(exc)}
            print(f"[{target.label}] première recherche : {error_text(exc)}", flush=True)
    if target.engine:
        try:
            backend.clear()  # the bench's indexes leave the shared cluster
        except Exception as exc:
            result["cleanup"] = error_text(exc)
    write(result, args.out)


def profile(searcher, label: str) -> None:
    """Where a query type's time goes: cProfile of a few runs, the project's and
    the libraries' functions by cumulative time."""
    import cProfile
    import io
    import pstats

    from benchmarks.searchbench.workload import spec

    profiler = cProfile.Profile()
    profiler.enable()
    for run in range(8):
        searcher.run(spec(label, run), run)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    print(f"Profil de « {label} » (8 exécutions) :\n{text.getvalue()}", flush=True)


def write(result: dict, out: str) -> None:
    Path(out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    for directory in THROWAWAY_DIRS:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
