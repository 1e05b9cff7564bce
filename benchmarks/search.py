"""Search benchmark, side by side: the same corpus and the same query mix on SQLite,
PostgreSQL and the Elasticsearch/OpenSearch cluster, and on a competent baseline
(Wagtail's own database search with one GROUP BY per facet) on both databases.

    .venv/bin/python benchmarks/search.py                          # 100 000, SQLite
    .venv/bin/python benchmarks/search.py --documents 20000 \\
        --database-url postgres://postgres@127.0.0.1:5432/carrefour_bench \\
        --elasticsearch-url http://127.0.0.1:9201
    .venv/bin/python benchmarks/search.py --targets engine --elasticsearch-url …
    .venv/bin/python benchmarks/search.py --report var/bench/*.json   # print again

Per target: indexing documents/s (the engine's counted until its refresh), p50/p95 of
text, text + 3 facets, facets only, proximity, suggestions, and the first search of
a fresh process (Django set up, then one text + 3 facets search, as a server just
started). Each target runs in a process of its own with a throwaway database (a
temporary SQLite file, or the PostgreSQL database of --database-url, dropped and
created afresh; the engine's index gets a prefix of its own and is deleted at the
end). The corpus: benchmarks/searchbench/corpus.py; the query mix: workload.py; the
baseline: baseline.py. Prints figures and goals; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This file is named search.py: keep its folder out of the path, or it would hide
# the project's `search` package.
sys.path[0] = str(ROOT)

from benchmarks.searchbench.report import render  # noqa: E402
from benchmarks.searchbench.targets import TARGETS  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40, help="runs of each query type")
    parser.add_argument(
        "--baseline-runs", type=int, default=10, help="runs of each query type, Wagtail"
    )
    parser.add_argument(
        "--first-runs", type=int, default=3, help="fresh processes for the first search"
    )
    parser.add_argument(
        "--baseline-budget",
        type=float,
        default=10.0,
        help="seconds a Wagtail search may take before it is stopped (0: no limit)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="", help="PostgreSQL: postgres://…/name")
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    parser.add_argument(
        "--targets",
        default="",
        help=f"among {', '.join(TARGETS)} (default: sqlite and wagtail-sqlite, the "
        "PostgreSQL ones with --database-url, engine with --elasticsearch-url)",
    )
    parser.add_argument("--profile", default="", help="query type to profile (cProfile)")
    parser.add_argument("--json-dir", default="", help="keep each target's figures there")
    parser.add_argument("--report", nargs="+", default=[], help="print saved figures only")
    return parser.parse_args()


def chosen_targets(args) -> list[str]:
    if args.targets:
        names = [n.strip() for n in args.targets.split(",") if n.strip()]
        unknown = [n for n in names if n not in TARGETS]
        if unknown:
            sys.exit(f"Cibles inconnues : {', '.join(unknown)} (parmi {', '.join(TARGETS)})")
    else:
        names = ["sqlite"]
        if args.database_url:
            names.append("postgresql")
        if args.elasticsearch_url:
            names.append("engine")
        names.append("wagtail-sqlite")
        if args.database_url:
            names.append("wagtail-postgresql")
    if any(TARGETS[n].database == "postgresql" for n in names) and not args.database_url:
        sys.exit("Les cibles PostgreSQL demandent --database-url")
    if any(TARGETS[n].engine for n in names) and not args.elasticsearch_url:
        sys.exit("La cible engine demande --elasticsearch-url ou ELASTICSEARCH_URL")
    return names


def run_target(name: str, args, out: Path) -> dict:
    runs = args.baseline_runs if TARGETS[name].kind == "wagtail" else args.runs
    command = [
        sys.executable,
        "-m",
        "benchmarks.searchbench.worker",
        name,
        f"--documents={args.documents}",
        f"--runs={runs}",
        f"--first-runs={args.first_runs}",
        f"--seed={args.seed}",
        f"--baseline-budget={args.baseline_budget}",
        f"--database-url={args.database_url}",
        f"--elasticsearch-url={args.elasticsearch_url}",
        f"--out={out}",
        f"--profile={args.profile}",
    ]
    done = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 — our own worker
    if done.returncode or not out.exists():
        return {
            "target": name,
            "label": TARGETS[name].label,
            "documents": args.documents,
            "error": f"le processus de mesure s'est arrêté (code {done.returncode})",
        }
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    args = parse_args()
    if args.report:
        results = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.report]
    else:
        directory = Path(args.json_dir or tempfile.mkdtemp(prefix="carrefour-bench-figures-"))
        directory.mkdir(parents=True, exist_ok=True)
        results = [
            run_target(name, args, directory / f"{name}.json") for name in chosen_targets(args)
        ]
        print(f"\nChiffres de chaque cible : {directory}/")
    print()
    print(render(results))


if __name__ == "__main__":
    main()
