"""Search benchmark: index N projects, time the searches people make, compare with
the naive way (Wagtail's stock database search + one ORM count per facet value).

    .venv/bin/python benchmarks/search.py                         # 100 000, SQLite
    .venv/bin/python benchmarks/search.py --documents 20000
    .venv/bin/python benchmarks/search.py \\
        --database-url postgres://postgres@127.0.0.1:5432/carrefour_bench
    .venv/bin/python benchmarks/search.py --backend elasticsearch \\
        --elasticsearch-url http://127.0.0.1:9200

Projects are built from real partner data (../shared/data: 700 local initiatives of
the precursor of Transiscope, 1 400 digital-inclusion places), resampled with varied
titles, themes, territories and points up to the requested number; without that
folder, from the demo projects. The database is a throwaway one (a temporary SQLite
file, or the PostgreSQL database of --database-url, dropped and created afresh). Prints
figures and whether the targets are met; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
# This file is named search.py: keep its folder out of the path, or it would hide
# the project's `search` package.
sys.path[0] = str(ROOT)

from benchmarks.throwaway import throwaway_database  # noqa: E402

TARGETS = {
    "texte + 3 facettes": ("p95", 50.0),
    "suggestions": ("p95", 20.0),
}
MIN_INDEXING_RATE = 2000
MIN_SPEEDUP = 5.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40, help="runs of each query type")
    parser.add_argument("--naive-runs", type=int, default=4, help="runs of the naive way")
    parser.add_argument("--backend", choices=["database", "elasticsearch"], default="database")
    parser.add_argument("--elasticsearch-url", default=os.environ.get("ELASTICSEARCH_URL", ""))
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def prepare_environment(args) -> str:
    os.environ.pop("ELASTICSEARCH_URL", None)  # the database backend unless asked
    if args.backend == "elasticsearch":
        if not args.elasticsearch_url:
            sys.exit("--backend elasticsearch demande --elasticsearch-url ou ELASTICSEARCH_URL")
        os.environ["ELASTICSEARCH_URL"] = args.elasticsearch_url
        os.environ["SEARCH_INDEX_PREFIX"] = f"carrefour-bench-{int(time.time())}"
    return throwaway_database(args.database_url, prefix="carrefour-bench")


def seed_records() -> tuple[list[dict], str]:
    elements = SHARED / "alternatives-pwa" / "elements.json"
    records = []
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
                values = [v for v in item.values() if isinstance(v, str)]
                title = max(values[:6], key=len, default="")
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
        location = item["locations"][0]
        records.append(
            {
                "title": item["title"],
                "text": item["summary"],
                "tags": item["tags"],
                "point": (location["latitude"], location["longitude"]),
            }
        )
    return records, "projets de démonstration (../shared/data absent)"


def build_documents(count: int, rng: random.Random) -> tuple[list, str]:
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
    qualifiers = ["", "du quartier", "solidaire", "citoyen", "rural", "des habitants", "coop"]
    documents = []
    for index in range(count):
        record = records[index % len(records)]
        dep = departements[rng.randrange(len(departements))]
        chosen = rng.sample(themes, rng.randint(1, 3))
        lat, lon = record["point"]
        if lat is None or index >= len(records):
            lat = float(dep["latitude"]) + rng.uniform(-0.3, 0.3)
            lon = float(dep["longitude"]) + rng.uniform(-0.3, 0.3)
        documents.append(
            SearchDocument(
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
                stage=rng.choice(["idee", "experimentation", "consolidation", "essaimage"]),
                structure=rng.choice(["association", "cooperative", "entreprise-ess", "fondation"]),
                sources=[f"partenaire-{rng.randrange(50)}"],
                scale=rng.choice(["commune", "departement", "region"]),
                year=rng.randint(1990, 2026),
                tags=record["tags"][:5],
                departements=[dep["code"]],
                regions=[dep["region_code"]],
                territory_labels=[dep["name"]],
                points=[(lat, lon)],
                visibility=[PUBLIC] if rng.random() > 0.02 else [f"user:{rng.randint(1, 500)}"],
            )
        )
    return documents, origin


TEXTS = [
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
    "mobilité",
    "santé",
]
FACET_SETS = [
    {"region": ("75",), "stage": ("consolidation",), "public": ("jeunes", "seniors")},
    {
        "domain": ("alimentation-agriculture", "environnement"),
        "region": ("84",),
        "structure": ("association",),
    },
    {"public": ("jeunes",), "region": ("84", "11"), "scale": ("commune",)},
]
PLACES = [(45.8336, 1.2611), (48.8566, 2.3522), (43.6045, 1.4440), (47.2184, -1.5536)]
PREFIXES = ["jar", "soli", "num", "caf", "asso", "ate", "rep", "cul"]


def query_specs():
    return {
        "texte": lambda i: {"text": TEXTS[i % len(TEXTS)]},
        "texte + 3 facettes": lambda i: {
            "text": TEXTS[i % len(TEXTS)],
            "filters": FACET_SETS[i % len(FACET_SETS)],
        },
        "facettes seules": lambda i: {"filters": FACET_SETS[i % len(FACET_SETS)]},
        "proximité (30 km, tri distance)": lambda i: {
            "geo": (*PLACES[i % len(PLACES)], 30),
            "sort": "distance",
        },
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def stats(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 0.95)


def our_search(backend, spec: dict, seed: int):
    from search.documents import PUBLIC
    from search.query import GeoFilter, SearchQuery

    geo = GeoFilter(*spec["geo"]) if "geo" in spec else None
    query = SearchQuery(
        text=spec.get("text", ""),
        filters=spec.get("filters", {}),
        geo=geo,
        sort=spec.get("sort", "pertinence"),
        principals=frozenset({PUBLIC}),
        seed=seed,
    )
    return backend.search(query).total


class Naive:
    """The stock way: Wagtail's database search backend on the same entries, then one
    ORM COUNT per facet value (each facet counted without its own filter)."""

    def __init__(self):
        from django.apps import apps
        from wagtail.search import index
        from wagtail.search.backends import get_search_backend

        from search.models import SearchEntry

        if "naiveentry" not in apps.all_models["search"]:

            class NaiveEntry(index.Indexed, SearchEntry):
                search_fields = [
                    index.SearchField("title", boost=10),
                    index.SearchField("summary", boost=4),
                    index.SearchField("keywords", boost=4),
                    index.SearchField("body"),
                    index.AutocompleteField("title"),
                    index.FilterField("is_public"),
                    index.FilterField("id"),
                ]

                class Meta:
                    proxy = True
                    app_label = "search"

        self.model = apps.get_model("search", "NaiveEntry")
        self.wagtail = get_search_backend()

    def index(self) -> float:
        started = time.perf_counter()
        queryset = self.model.objects.all().order_by("pk")
        total = queryset.count()
        for start in range(0, total, 1000):
            self.wagtail.add_bulk(self.model, list(queryset[start : start + 1000]))
        return total / (time.perf_counter() - started)

    def search(self, spec: dict) -> int:
        from search.documents import FACET_NAMES
        from search.geo import haversine_km
        from search.models import SearchFacetValue, SearchPoint

        base = self.model.objects.filter(is_public=True)
        if "geo" in spec:
            lat, lon, km = spec["geo"]
            near = {
                p.entry_id
                for p in SearchPoint.objects.filter(
                    lat__range=(lat - km / 111, lat + km / 111),
                    lon__range=(lon - km / 78, lon + km / 78),
                )
                if haversine_km(p.lat, p.lon, lat, lon) <= km
            }
            base = base.filter(pk__in=near)

        def matching(skip=None):
            queryset = base
            for facet, values in spec.get("filters", {}).items():
                if facet != skip:
                    queryset = queryset.filter(
                        pk__in=SearchFacetValue.objects.filter(
                            facet=facet, value__in=values
                        ).values("entry_id")
                    )
            if spec.get("text"):
                return [hit.pk for hit in self.wagtail.search(spec["text"], queryset)]
            return queryset.values_list("pk", flat=True)

        ids = matching()
        total = len(ids) if isinstance(ids, list) else ids.count()
        list(ids[:20])  # the page
        for facet in FACET_NAMES:
            scope = matching(skip=facet)
            if isinstance(scope, list):
                scope = scope[:30000]  # SQLite's limit on bound parameters
            values = (
                SearchFacetValue.objects.filter(facet=facet)
                .values_list("value", flat=True)
                .distinct()
            )
            for value in values:
                SearchFacetValue.objects.filter(
                    facet=facet, value=value, entry_id__in=scope
                ).count()
        return total

    def suggest(self, prefix: str) -> int:
        return len(list(self.wagtail.autocomplete(prefix, self.model)[:5]))


def main() -> None:
    args = parse_args()
    where = prepare_environment(args)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from search.backends import get_backend
    from search.documents import PUBLIC

    backend = get_backend()
    backend.clear()
    rng = random.Random(args.seed)
    documents, origin = build_documents(args.documents, rng)
    print(f"Base : {where} — moteur : {backend.name}")
    print(f"{args.documents} projets construits depuis les {origin}\n")

    started = time.perf_counter()
    backend.index(documents)
    rate = len(documents) / (time.perf_counter() - started)
    print(f"Indexation : {rate:,.0f} documents/s".replace(",", " "))

    t0 = time.perf_counter()
    our_search(backend, {"text": "chargement"}, 0)  # first search loads the bitmaps
    print(
        f"Première recherche (chargement en mémoire) : {(time.perf_counter() - t0) * 1000:.0f} ms"
    )

    results: dict[str, tuple[float, float]] = {}
    header = f"\n{'requête':34} {'p50 ms':>8} {'p95 ms':>8}"
    print(header)
    for label, make in query_specs().items():
        timings = []
        for run in range(args.runs):
            t0 = time.perf_counter()
            our_search(backend, make(run), run)
            timings.append((time.perf_counter() - t0) * 1000)
        results[label] = stats(timings)
        print(f"{label:34} {results[label][0]:>8.1f} {results[label][1]:>8.1f}")
    anyone = frozenset({PUBLIC})
    timings = []
    for run in range(args.runs):
        t0 = time.perf_counter()
        backend.suggest_titles(PREFIXES[run % len(PREFIXES)], principals=anyone)
        timings.append((time.perf_counter() - t0) * 1000)
    results["suggestions"] = stats(timings)
    print(f"{'suggestions':34} {results['suggestions'][0]:>8.1f} {results['suggestions'][1]:>8.1f}")

    speedups = {}
    if args.backend == "database" and args.naive_runs:
        naive = Naive()
        naive_rate = naive.index()
        print("\nLa façon naïve (recherche Wagtail + un COUNT par valeur de facette) :")
        print(f"Indexation Wagtail : {naive_rate:,.0f} documents/s".replace(",", " "))
        print(f"{'requête':34} {'p50 ms':>8} {'rapport p50':>12}")
        for label, make in query_specs().items():
            timings = []
            for run in range(args.naive_runs):
                t0 = time.perf_counter()
                naive.search(make(run))
                timings.append((time.perf_counter() - t0) * 1000)
            p50 = statistics.median(timings)
            speedups[label] = p50 / results[label][0]
            print(f"{label:34} {p50:>8.0f} {speedups[label]:>11.0f}×")
        timings = []
        for run in range(args.naive_runs * 5):
            t0 = time.perf_counter()
            naive.suggest(PREFIXES[run % len(PREFIXES)])
            timings.append((time.perf_counter() - t0) * 1000)
        p50 = statistics.median(timings)
        speedups["suggestions"] = p50 / results["suggestions"][0]
        print(f"{'suggestions':34} {p50:>8.1f} {speedups['suggestions']:>11.1f}×")

    print("\nObjectifs :")
    for label, (kind, limit) in TARGETS.items():
        value = results[label][1]
        verdict = "atteint" if value <= limit else "NON atteint"
        print(f"  {label} : {kind} {value:.1f} ms ≤ {limit:.0f} ms — {verdict}")
    verdict = "atteint" if rate >= MIN_INDEXING_RATE else "NON atteint"
    print(f"  indexation : {rate:.0f} doc/s ≥ {MIN_INDEXING_RATE} — {verdict}")
    if speedups:
        slowest = min(speedups.values())
        verdict = "atteint" if slowest >= MIN_SPEEDUP else "NON atteint"
        print(
            f"  au moins {MIN_SPEEDUP:.0f}× plus rapide que la façon naïve : {slowest:.1f}×", end=""
        )
        print(f" — {verdict}")


if __name__ == "__main__":
    main()
