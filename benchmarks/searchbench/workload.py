"""The query mix, the same for every backend, and how it is timed.

Each query type is run ``runs`` times, cycling through its variants; the figures
are the median (p50) and the 95th percentile (p95) in milliseconds, with the median
number of results over the variants run (a backend that finds nothing would look
fast) and the slowest variants (what a p95 is made of).
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable

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
    # Longer queries, as visitors type them: every word is not required any more
    # (the OR rule), which makes them the most expensive.
    "retour à l'emploi des chômeurs",
    "accompagnement des personnes âgées isolées",
    "ESS",
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
PROXIMITY_KM = 30
PREFIXES = ["jar", "soli", "num", "caf", "asso", "ate", "rep", "cul"]

# Labels, in display order (the report's rows).
TEXT = "texte"
TEXT_FACETS = "texte + 3 facettes"
FACETS_ONLY = "facettes seules"
PROXIMITY = f"proximité ({PROXIMITY_KM} km, tri distance)"
SUGGESTIONS = "suggestions"
QUERY_TYPES = (TEXT, TEXT_FACETS, FACETS_ONLY, PROXIMITY, SUGGESTIONS)


def spec(label: str, run: int) -> dict:
    """The ``run``-th variant of a query type: a plain description every backend
    (ours and the baseline) turns into its own call."""
    if label == TEXT:
        return {"text": TEXTS[run % len(TEXTS)]}
    if label == TEXT_FACETS:
        return {"text": TEXTS[run % len(TEXTS)], "filters": FACET_SETS[run % len(FACET_SETS)]}
    if label == FACETS_ONLY:
        return {"filters": FACET_SETS[run % len(FACET_SETS)]}
    if label == PROXIMITY:
        return {"geo": (*PLACES[run % len(PLACES)], PROXIMITY_KM), "sort": "distance"}
    if label == SUGGESTIONS:
        return {"prefix": PREFIXES[run % len(PREFIXES)]}
    raise ValueError(label)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Overtime(Exception):
    """A search stopped at its time budget (the baseline's, see baseline.py)."""


MAX_OVERTIMES = 2  # then the query type stops: its figures are lower bounds


def measure(
    run_one: Callable[[dict, int], int], *, label: str, runs: int, budget_ms: float = 0
) -> dict:
    """Time ``runs`` calls of ``run_one(spec, run)`` (which returns how many results it
    found) after one warm-up call that is not counted. A call stopped at the budget
    (Overtime) counts as the budget; after MAX_OVERTIMES of them the type stops."""
    with contextlib.suppress(Overtime):
        run_one(spec(label, runs), runs)
    timings, overtimes, slowest, found = [], 0, {}, {}
    for run in range(runs):
        variant = spec(label, run)
        started = time.perf_counter()
        name = " ".join(str(v) for v in variant.values())
        try:
            found[name] = run_one(variant, run)
        except Overtime:
            overtimes += 1
        timings.append((time.perf_counter() - started) * 1000)
        slowest[name] = max(slowest.get(name, 0.0), timings[-1])
        if overtimes >= MAX_OVERTIMES:
            break
    return {
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        # Median over the distinct variants (each once), whatever the number of runs.
        "results": statistics.median(found.values()) if found else None,
        "runs": len(timings),
        "overtimes": overtimes,
        "budget_ms": budget_ms,
        # The variants that make the tail: what a p95 miss is made of.
        "slowest": sorted(slowest.items(), key=lambda item: -item[1])[:3],
    }


class OurBackend:
    """The project's search service contract (search.backends.SearchBackend)."""

    def __init__(self, backend):
        self.backend = backend

    def run(self, spec: dict, seed: int) -> int:
        from search.documents import PUBLIC
        from search.query import GeoFilter, SearchQuery

        anyone = frozenset({PUBLIC})
        if "prefix" in spec:
            return len(self.backend.suggest_titles(spec["prefix"], principals=anyone))
        query = SearchQuery(
            text=spec.get("text", ""),
            filters=spec.get("filters", {}),
            geo=GeoFilter(*spec["geo"]) if "geo" in spec else None,
            sort=spec.get("sort", "pertinence"),
            principals=anyone,
            seed=seed,
        )
        return self.backend.search(query).total
