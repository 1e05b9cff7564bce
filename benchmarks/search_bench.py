"""Search benchmark: index N documents, then time a mix of real searches.

    .venv/bin/python benchmarks/search_bench.py                      # 100 000 docs, SQLite
    .venv/bin/python benchmarks/search_bench.py --documents 20000
    .venv/bin/python benchmarks/search_bench.py \
        --database-url postgres://postgres@127.0.0.1:5432/carrefour_bench
    ELASTICSEARCH_URL=http://127.0.0.1:9200 .venv/bin/python benchmarks/search_bench.py

Documents are built from real partner data (../shared/data: 700 local initiatives
of the precursor of Transiscope, 1 400 digital-inclusion places), cycled with
varied titles, themes, territories and points to reach the requested size; without
that folder, from the demo projects. The database is a throwaway one (a temporary
SQLite file, or the PostgreSQL database named in --database-url, created if
missing and emptied first). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=60, help="runs of each query type")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def prepare_database(url: str) -> str:
    if not url:
        directory = tempfile.mkdtemp(prefix="carrefour-bench-")
        os.environ["CARREFOUR_VAR_DIR"] = directory
        os.environ.pop("DATABASE_URL", None)
        return f"SQLite ({directory}/carrefour.sqlite3)"
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.replace(f"/{name}", "/postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    return f"PostgreSQL ({name})"


def seed_records() -> tuple[list[dict], str]:
    records = []
    elements = SHARED / "alternatives-pwa" / "elements.json"
    if elements.exists():
        for item in json.loads(elements.read_text(encoding="utf-8")):
            records.append(
                {
                    "title": item.get("Name") or "",
                    "text": item.get("abstract") or "",
                    "tags": [t.strip() for t in (item.get("tags") or "").split(",") if t.strip()],
                    "point": (item.get("lat"), item.get("long")),
                }
            )
        for path in sorted((SHARED / "partners-mednum").glob("*/*.json")):
            if path.name.endswith(".config.json"):
                continue
            for item in json.loads(path.read_text(encoding="utf-8")):
                values = [str(v) for v in item.values() if isinstance(v, str)]
                title = max(values[:6], key=len, default="") if values else ""
                records.append(
                    {
                        "title": title[:120],
                        "text": " ".join(v for v in values if len(v) > 40)[:2000],
                        "tags": ["inclusion numérique", "médiation numérique"],
                        "point": (None, None),
                    }
                )
        return [r for r in records if r["title"]], "données partenaires réelles (../shared/data)"
    demo = json.loads((ROOT / "innovations/demo/projects.json").read_text(encoding="utf-8"))
    for item in demo:
        records.append(
            {
                "title": item["title"],
                "text": item["summary"],
                "tags": item["tags"],
                "point": (item["locations"][0]["latitude"], item["locations"][0]["longitude"]),
            }
        )
    return records, "projets de démonstration (../shared/data absent)"


def build_documents(count: int, rng: random.Random):
    import csv

    from search.documents import PUBLIC, SearchDocument

    taxonomy = json.loads((ROOT / "innovations/data/taxonomy.json").read_text(encoding="utf-8"))
    themes = [
        (d["code"], s["code"], d["label"], s["label"])
        for d in taxonomy["domains"]
        for s in d["subthemes"]
    ]
    publics = [p["code"] for p in taxonomy["publics"]]
    with (ROOT / "innovations/data/territories/departements.csv").open(encoding="utf-8") as fh:
        departements = list(csv.DictReader(fh))
    records, origin = seed_records()
    stages = ["idee", "experimentation", "consolidation", "essaimage", "changement-echelle"]
    structures = ["association", "cooperative", "entreprise-ess", "collectivite", "fondation"]
    sources = [f"partenaire-{i}" for i in range(50)]
    qualifiers = ["", "du quartier", "solidaire", "citoyen", "rural", "des habitants", "coopératif"]

    def documents():
        for index in range(count):
            record = records[index % len(records)]
            dep = departements[rng.randrange(len(departements))]
            chosen = rng.sample(themes, rng.randint(1, 3))
            lat, lon = record["point"]
            if lat is None or index >= len(records):
                lat = float(dep["latitude"]) + rng.uniform(-0.3, 0.3)
                lon = float(dep["longitude"]) + rng.uniform(-0.3, 0.3)
            visibility = [PUBLIC] if rng.random() > 0.02 else [f"user:{rng.randint(1, 500)}"]
            yield SearchDocument(
                kind="project",
                object_id=str(index + 1),
                url=f"/projets/p{index + 1}/",
                title=f"{record['title']} {rng.choice(qualifiers)}".strip(),
                summary=record["text"][:280],
                body=record["text"],
                domains=sorted({c[0] for c in chosen}),
                themes=[c[1] for c in chosen],
                theme_labels=sorted({c[2] for c in chosen} | {c[3] for c in chosen}),
                publics=rng.sample(publics, rng.randint(1, 2)),
                stage=rng.choice(stages),
                structure=rng.choice(structures),
                sources=[rng.choice(sources)],
                scale=rng.choice(["commune", "departement", "region"]),
                year=rng.randint(1990, 2026),
                tags=record["tags"][:5],
                departements=[dep["code"]],
                regions=[dep["region_code"]],
                territory_labels=[dep["name"]],
                points=[(lat, lon)],
                visibility=visibility,
            )

    return documents(), origin


QUERIES = {
    "texte": [
        {"text": t}
        for t in (
            "jardins partagés",
            "économie solidaire",
            "numérique",
            "insertion",
            "alimentation bio",
            "repair café",
            "énergie",
            "culture",
            "tiers-lieu",
            "parentalité",
        )
    ],
    "texte + facettes": [
        {"text": "solidaire", "filters": {"region": ("75",), "stage": ("consolidation",)}},
        {"text": "jardin", "filters": {"domain": ("alimentation-agriculture", "environnement")}},
        {"text": "numérique", "filters": {"public": ("jeunes",), "region": ("84", "11")}},
    ],
    "facettes seules": [
        {"filters": {"region": ("53",)}},
        {"filters": {"domain": ("numerique",), "stage": ("essaimage", "consolidation")}},
        {"filters": {}},
    ],
    "proximité (tri distance)": [
        {"geo": (45.8336, 1.2611, 30), "sort": "distance"},
        {"geo": (48.8566, 2.3522, 10), "sort": "distance", "text": "solidaire"},
        {"geo": (43.6045, 1.4440, 50), "sort": "distance", "filters": {"domain": ("sante",)}},
    ],
    "phrase exacte": [{"text": '"économie sociale et solidaire"'}, {"text": '"jardin partagé"'}],
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    args = parse_args()
    where = prepare_database(args.database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from search.backends import get_backend
    from search.documents import PUBLIC
    from search.query import GeoFilter, SearchQuery

    backend = get_backend()
    backend.clear()
    rng = random.Random(args.seed)
    documents, origin = build_documents(args.documents, rng)
    print(f"Base : {where} — moteur : {backend.name}")
    print(f"Documents : {args.documents} construits depuis les {origin}")

    started = time.perf_counter()
    written = backend.index(documents)
    elapsed = time.perf_counter() - started
    print(f"Indexation : {written} documents en {elapsed:.1f} s ({written / elapsed:.0f} doc/s)")

    anyone = frozenset({PUBLIC})
    header = f"{'requête':28} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(f"\n{header} {'résultats (médiane)':>20}")
    summary = {}
    for label, variants in QUERIES.items():
        timings, totals = [], []
        for run in range(args.queries):
            spec = variants[run % len(variants)]
            geo = GeoFilter(*spec["geo"]) if "geo" in spec else None
            query = SearchQuery(
                text=spec.get("text", ""),
                filters=spec.get("filters", {}),
                geo=geo,
                sort=spec.get("sort", "pertinence"),
                page=1 + run % 3,
                principals=anyone,
                seed=run,
            )
            t0 = time.perf_counter()
            results = backend.search(query)
            timings.append((time.perf_counter() - t0) * 1000)
            totals.append(results.total)
        summary[label] = timings
        print(
            f"{label:28} {len(timings):>4} {statistics.median(timings):>8.1f} "
            f"{percentile(timings, 0.95):>8.1f} {max(timings):>8.1f} "
            f"{statistics.median(totals):>20.0f}"
        )
    for label, call in (
        (
            "suggestions (titres)",
            lambda i: backend.suggest_titles(
                ["jar", "soli", "num", "café"][i % 4], principals=anyone
            ),
        ),
        (
            "projets proches",
            lambda i: backend.similar(f"project:{1 + i * 97 % args.documents}", principals=anyone),
        ),
    ):
        timings = []
        for run in range(args.queries):
            t0 = time.perf_counter()
            call(run)
            timings.append((time.perf_counter() - t0) * 1000)
        print(
            f"{label:28} {len(timings):>4} {statistics.median(timings):>8.1f} "
            f"{percentile(timings, 0.95):>8.1f} {max(timings):>8.1f} {'':>20}"
        )
    print(
        "\n(temps d'une recherche complète : comptage, page de résultats, 11 facettes disjonctives)"
    )


if __name__ == "__main__":
    main()
