"""Import benchmark: records per second for a first import of a partner file, for a
re-import of the same file (unchanged), and for a re-import where 10 % changed.

    .venv/bin/python benchmarks/imports.py                    # 20 000 records, SQLite
    .venv/bin/python benchmarks/imports.py --records 100000
    .venv/bin/python benchmarks/imports.py \\
        --database-url postgres://postgres@127.0.0.1:5432/carrefour_bench_imports

The embedded default (a throwaway SQLite file), without geocoding (places are
resolved from commune, postal code or coordinates, as offline). The partner file is
a CSV built from real partner data (../shared/data: 700 local initiatives and 1 400
digital-inclusion places, resampled with varied names and places); without that
folder, from the demo projects. Every step goes through the service editors use
(`import_file`): reading, mapping, validation, page writes, search indexing at the end of
the run (in bulk, once the batches are committed). Prints figures — end to end, the
search indexing's share (checked: after each run every live project must be in the
index and the indexing queue empty, or the figure says so: the import logs an
indexing failure and leaves the rows queued, which would look fast), and without the
indexing — and whether the targets are met. Wagtail's own search index (the admin's
page search) is not kept by imports (`manage.py update_index` does it): what keeping
it would cost is measured at the end on the imported pages.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path[0] = str(ROOT)

from benchmarks.throwaway import throwaway_database  # noqa: E402

TARGET_FIRST = 1000.0
TARGET_UNCHANGED = 5000.0

MAPPING = {
    "key": ["id"],
    "url": "https://partenaire.example.org/fiches/{id}",
    "fields": {
        "title": "nom",
        "summary": {"from": "resume", "transforms": ["strip_html", "collapse_spaces"]},
        "description": "description",
        "website": {"from": "site", "transforms": ["url"]},
        "themes": {"from": "themes", "transforms": [{"split": "|"}, "trim"]},
        "tags": {"from": "tags", "transforms": [{"split": [",", ";"]}, "trim", "lower"]},
        "legal_status": {
            "from": "statut",
            "transforms": [
                {
                    "map": {"Association": "association", "Coopérative": "cooperative"},
                    "default": "autre",
                }
            ],
        },
    },
    "location": {
        "postal_code": "cp",
        "commune": "commune",
        "latitude": "lat",
        "longitude": "lon",
        "address": "adresse",
    },
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def prepare_environment(args) -> str:
    os.environ["GEOCODER"] = "centroid"  # no network: the benchmark measures our code
    os.environ.pop("ELASTICSEARCH_URL", None)
    return throwaway_database(args.database_url, prefix="carrefour-bench-imports")


def seed_records() -> tuple[list[dict], str]:
    """Real records: name, text, site, tags, and a place (coordinates or commune)."""
    records = []
    elements = SHARED / "alternatives-pwa" / "elements.json"
    if elements.exists():
        for item in json.loads(elements.read_text(encoding="utf-8")):
            records.append(
                {
                    "nom": item.get("Name") or "",
                    "resume": (item.get("abstract") or "")[:400],
                    "site": item.get("site") or "",
                    "tags": item.get("tags") or "",
                    "lat": item.get("lat") or "",
                    "lon": item.get("long") or "",
                    "cp": "",
                    "commune": "",
                    "adresse": "",
                }
            )
        creuse = SHARED / "partners-mednum" / "la-creuse" / "la-creuse.json"
        for item in json.loads(creuse.read_text(encoding="utf-8")):
            records.append(
                {
                    "nom": item.get("nom") or "",
                    "resume": item.get("description") or "",
                    "site": "",
                    "tags": item.get("services") or "",
                    "lat": "",
                    "lon": "",
                    "cp": item.get("code_postal") or "",
                    "commune": item.get("commune") or "",
                    "adresse": item.get("adresse") or "",
                }
            )
        hub = SHARED / "partners-mednum" / "hub-lo" / "hub-lo.json"
        for item in json.loads(hub.read_text(encoding="utf-8")):
            records.append(
                {
                    "nom": item.get("c_nom") or "",
                    "resume": "",
                    "site": item.get("c_site_web") or "",
                    "tags": item.get("c_etiquettes") or "",
                    "lat": "",
                    "lon": "",
                    "cp": str(item.get("c_postcode") or ""),
                    "commune": item.get("c_city") or "",
                    "adresse": item.get("c_adresse") or "",
                }
            )
        return [r for r in records if r["nom"]], "données partenaires réelles (../shared/data)"
    demo = json.loads((ROOT / "innovations/demo/projects.json").read_text(encoding="utf-8"))
    for item in demo:
        location = item["locations"][0]
        records.append(
            {
                "nom": item["title"],
                "resume": item["summary"],
                "site": "",
                "tags": ", ".join(item["tags"]),
                "lat": location["latitude"],
                "lon": location["longitude"],
                "cp": "",
                "commune": "",
                "adresse": "",
            }
        )
    return records, "projets de démonstration (../shared/data absent)"


def write_file(path: Path, count: int, rng: random.Random, *, changed: float = 0.0) -> str:
    taxonomy = json.loads((ROOT / "innovations/data/taxonomy.json").read_text(encoding="utf-8"))
    themes = [s["code"] for d in taxonomy["domains"] for s in d["subthemes"]]
    records, origin = seed_records()
    qualifiers = ["", "du quartier", "solidaire", "citoyen", "rural", "des habitants", "coop"]
    columns = ["id", "nom", "resume", "description", "site", "themes", "tags", "statut"]
    columns += ["cp", "commune", "lat", "lon", "adresse"]
    change = random.Random(99)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, delimiter=";")
        writer.writeheader()
        for index in range(count):
            record = records[index % len(records)]
            row = dict(record)
            lap = index // len(records)
            row["id"] = f"R{index + 1}"
            row["nom"] = f"{record['nom']} {rng.choice(qualifiers)} {lap or ''}".strip()
            row["description"] = record["resume"]
            row["themes"] = "|".join(rng.sample(themes, rng.randint(1, 3)))
            row["statut"] = rng.choice(["Association", "Coopérative", "Collectif"])
            if lap and row["lat"]:
                row["lat"] = round(float(row["lat"]) + rng.uniform(-0.05, 0.05), 5)
                row["lon"] = round(float(row["lon"]) + rng.uniform(-0.05, 0.05), 5)
            if changed and change.random() < changed:
                row["resume"] = f"{row['resume']} (mis à jour)"
            writer.writerow(row)
    return origin


class INDEXING:
    """Time spent in search.indexing.process during a run (see measure_indexing)."""

    seconds = 0.0
    calls = 0


def measure_indexing() -> None:
    """Count the time of every index update: ``search.indexing.process`` is what
    both the import's bulk indexing and the signals' after-commit updates call (the
    import module holds its own reference to it, hence two places to wrap)."""
    import innovations.importing.engine as engine
    import search.indexing as indexing

    original = indexing.process

    depth = [0]

    def timed(*args, **kwargs):
        # Only the outermost call counts: an update whose commit runs other queued
        # updates (on_commit inside process) would otherwise be counted twice.
        depth[0] += 1
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                INDEXING.seconds += time.perf_counter() - started
                INDEXING.calls += 1

    indexing.process = timed
    if getattr(engine, "process", None) is not original:
        sys.exit("innovations.importing.engine n'appelle plus search.indexing.process : à revoir")
    engine.process = timed


def index_check() -> str:
    """Whether the run's indexing is complete and fresh: every searchable project's
    document, as the database gives it now, is in the index with the same
    fingerprint (content and visibility), and nothing is left in the queue.
    Read-only (``search_sync --full`` would repair; this only counts)."""
    from search.backends import get_backend
    from search.models import IndexQueue
    from search.registry import adapters

    adapter = adapters()["project"]
    indexed = get_backend().fingerprints("project")
    expected: dict[str, str] = {}
    chunk: list = []
    for obj in [*adapter.queryset().iterator(chunk_size=500), None]:
        if obj is not None:
            chunk.append(obj)
        if len(chunk) == 500 or (obj is None and chunk):
            expected.update(
                (document.key, document.fingerprint())
                for _, document in adapter.documents(chunk)
                if document is not None
            )
            chunk = []
    missing = len(expected.keys() - indexed.keys())
    stale = sum(1 for key, print_ in expected.items() if key in indexed and indexed[key] != print_)
    extra = len(indexed.keys() - expected.keys())
    queued = IndexQueue.objects.count()
    verdict = "à jour" if not (missing or stale or extra or queued) else "PAS À JOUR"
    return (
        f"index {verdict} ({len(expected)} projets cherchables : {missing} absents, "
        f"{stale} périmés, {extra} en trop ; {queued} en file d'attente)"
    )


def wagtail_index_cost() -> tuple[float, int]:
    """Seconds to put the live projects into Wagtail's own search index (what
    ``update_index`` does for them), in batches as ``update_index`` does."""
    from wagtail.search.backends import get_search_backend

    from innovations.models import ProjectPage

    wagtail = get_search_backend()
    ids = list(ProjectPage.objects.live().order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for start in range(0, len(ids), 1000):
        wagtail.add_bulk(
            ProjectPage, list(ProjectPage.objects.filter(pk__in=ids[start : start + 1000]))
        )
    return time.perf_counter() - started, len(ids)


def main() -> None:
    args = parse_args()
    database = prepare_environment(args)
    import django

    django.setup()
    logging.disable(logging.INFO)  # Wagtail's and django_tasks' chatter
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cms.services import site_tree_ensure
    from innovations.models import ProjectPage, Source, Trust
    from innovations.services.imports import import_file
    from innovations.services.setup import project_index_ensure
    from innovations.territories import default_communes_file, territories_load

    communes = default_communes_file()
    territories_load(communes_path=communes if communes.exists() else None)
    project_index_ensure(home=site_tree_ensure())
    source = Source.objects.create(
        name="Partenaire de mesure", slug="mesure", trust=Trust.DIRECT, mapping=MAPPING
    )
    directory = Path(tempfile.mkdtemp(prefix="carrefour-bench-file-"))
    first_file = directory / "partenaire.csv"
    origin = write_file(first_file, args.records, random.Random(args.seed))
    changed_file = directory / "partenaire-modifie.csv"
    write_file(changed_file, args.records, random.Random(args.seed), changed=0.10)

    measure_indexing()
    print(f"Base : {database}")
    print(f"Fichier : {args.records} enregistrements, {origin}")
    print(f"Communes : {'chargées' if communes.exists() else 'absentes (npm)'} ; sans géocodage")
    figures = {}
    print(
        f"{'':26} {'total':>8}  {'enr./s':>8}  {'hors index':>10}  "
        "(temps de l'import : lecture / préparation / écriture / indexation finale, s)"
    )
    for label, path in (
        ("premier import", first_file),
        ("réimport inchangé", first_file),
        ("réimport, 10 % modifiés", changed_file),
    ):
        INDEXING.seconds, INDEXING.calls = 0.0, 0
        start = time.perf_counter()
        run = import_file(source=source, path=path)
        elapsed = time.perf_counter() - start
        timings = run.file_info.get("timings", {})
        # Every index update the run made, wherever it was made (the bulk one at the
        # end, which the run's own timing covers, and those of signals after each
        # batch's commit, which fall in its « écriture »).
        index_time = INDEXING.seconds
        rate = args.records / elapsed
        writing = args.records / max(elapsed - index_time, 1e-9)
        figures[label] = (rate, writing)
        print(
            f"{label:26} {elapsed:7.1f}s  {rate:8.0f}  {writing:10.0f}  "
            f"({timings.get('read', 0):.1f} / {timings.get('prepare', 0):.1f} / "
            f"{timings.get('write', 0):.1f} / {timings.get('index', 0):.1f})"
        )
        print(
            f"{'':26} créés {run.created}, mis à jour {run.updated}, inchangés {run.unchanged}, "
            f"lignes rejetées {run.rejected}, statut {run.status}"
        )
        print(
            f"{'':26} indexation : {index_time:.1f} s, {index_time / elapsed:.0%} du temps "
            f"({INDEXING.calls} appels de search.indexing.process) ; {index_check()}"
        )
    print(f"Projets en ligne : {ProjectPage.objects.live().count()}")
    wagtail_seconds, pages = wagtail_index_cost()
    first_elapsed = args.records / figures["premier import"][0]
    print(
        f"Index Wagtail de l'administration (non tenu par l'import) : {wagtail_seconds:.1f} s "
        f"pour {pages} pages ({pages / max(wagtail_seconds, 1e-9):.0f} pages/s) ; un premier "
        f"import qui le tiendrait : {args.records / (first_elapsed + wagtail_seconds):.0f} enr./s"
    )
    for label, target in (
        ("premier import", TARGET_FIRST),
        ("réimport inchangé", TARGET_UNCHANGED),
    ):
        rate, writing = figures[label]
        print(
            f"Objectif {label} ≥ {target:.0f} enr./s : "
            f"de bout en bout {'atteint' if rate >= target else 'NON ATTEINT'} ({rate:.0f}), "
            f"hors indexation {'atteint' if writing >= target else 'NON ATTEINT'} ({writing:.0f})"
        )
    # The throwaway files: the partner files, and the SQLite database if it is one.
    shutil.rmtree(directory, ignore_errors=True)
    if not args.database_url:
        shutil.rmtree(os.environ["CARREFOUR_VAR_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
