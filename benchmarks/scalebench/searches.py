"""Search latency: the query mix (text from the real projects' vocabulary, facets,
pages, map, proximity, GeoJSON export) through /api/v1/search and /recherche/,
each type driven by benchmarks/loadgen.py."""

from __future__ import annotations

import csv
import random
from urllib.parse import urlencode

from benchmarks.loadgen import load
from benchmarks.stack import Stack

from .common import ROOT
from .data import STAGES, taxonomy_codes


def search_mixes(words: list[str], seed: int) -> dict[str, list[str]]:
    """Query types, each a list of URLs (the same on every run)."""
    rng = random.Random(seed)
    codes = taxonomy_codes()
    with (ROOT / "innovations/data/territories/departements.csv").open(encoding="utf-8") as fh:
        departements = list(csv.DictReader(fh))
    regions = sorted({d["region_code"] for d in departements})

    def facets() -> list[tuple[str, str]]:
        chosen = [("domaine", rng.choice(codes["domains"])), ("region", rng.choice(regions))]
        if rng.random() < 0.5:
            chosen.append(("public", rng.choice(codes["publics"])))
        if rng.random() < 0.3:
            chosen.append(("stade", rng.choice(STAGES)))
        return chosen

    def urls(path: str, build) -> list[str]:
        return [f"{path}?{urlencode(build(text))}" for text in words]

    places = [f"commune:{d['chef_lieu']}" for d in departements if d["chef_lieu"]]
    return {
        "API texte": urls("/api/v1/search", lambda t: [("q", t)]),
        "API facettes": urls("/api/v1/search", lambda t: facets()),
        "API texte + facettes": urls("/api/v1/search", lambda t: [("q", t), *facets()]),
        "API texte, page 2": urls("/api/v1/search", lambda t: [("q", t), ("page", 2)]),
        "API page 150 × 100 (au-delà de 10 000)": urls(
            "/api/v1/search",
            lambda t: [("domaine", rng.choice(codes["domains"])), ("page", 150), ("par_page", 100)],
        ),
        "page texte": urls("/recherche/", lambda t: [("q", t)]),
        "page facettes": urls("/recherche/", lambda t: facets()),
        "page texte + facettes": urls("/recherche/", lambda t: [("q", t), *facets()]),
        "page texte, page 2": urls("/recherche/", lambda t: [("q", t), ("page", 2)]),
        "page carte (vue=carte)": urls("/recherche/", lambda t: [("q", t), ("vue", "carte")]),
        "page autour d'une commune (30 km)": urls(
            "/recherche/", lambda t: [("autour", rng.choice(places)), ("rayon", 30)]
        ),
        "export GeoJSON (texte)": urls("/recherche/export.geojson", lambda t: [("q", t)]),
    }


def measure_searches(
    stack: Stack, mixes: dict[str, list[str]], *, clients: int, seconds: float, label: str
) -> dict[str, dict]:
    figures = {}
    for name, urls in mixes.items():
        result = load(port=stack.port, clients=clients, seconds=seconds, paths=urls)
        summary = result.summary()
        hits = summary["cache"].get("hit", 0)
        print(result.line(f"{name} ({label})") + _cache_note(summary, hits), flush=True)
        figures[name] = summary
    return figures


def _cache_note(summary: dict, hits: int) -> str:
    if not summary["requests"] or set(summary["cache"]) <= {"none"}:
        return ""
    return f"  cache {hits / summary['requests']:.0%}"
