"""Section 1: the sort « Prêts à essaimer d'abord » (``tri=essaimage``, a
search.registry.FacetSort: numpy ranks in search/backends/dbquery.py ``_order``, a
painless script sort in search/backends/elasticsearch/queries.py ``_sort``) beside
the default order (pertinence) and « recents », with and without text, with and
without the filter ``essaimage=prete``, on the database backend and on the engine.

The documents are benchmarks/searchbench/corpus.py's project-like documents (real
partner records, the facets innovations/search_facets.py declares), each given a
publication date and a readiness: about 10 % « prete », 10 % « modelisation », 20 %
« pas-encore », the rest without a sheet. Each backend gets them through its own
``index()``; the engine on a throwaway prefix, deleted at the end. Every query is
the search page's (facet counts and highlights on, 20 per page)."""

from __future__ import annotations

import dataclasses
import datetime
import random
import statistics
import time
import uuid

from benchmarks.searchbench.workload import TEXTS, percentile

SORTS = ("pertinence", "essaimage", "recents")
RANK = {"prete": 0, "modelisation": 1}  # the sort's order; any other value after
READY = {"essaimage": ("prete",)}
CASES = [(text, ready, sort) for text in (False, True) for ready in (False, True) for sort in SORTS]


def documents(*, count: int, seed: int) -> tuple[list, dict[str, str], str]:
    """(documents, readiness by object id, origin of the records)."""
    from benchmarks.searchbench.corpus import build_documents

    built, origin = build_documents(count=count, seed=seed)
    rng = random.Random(seed + 1)
    now = datetime.datetime.now(datetime.UTC)
    readiness: dict[str, str] = {}
    out = []
    for document in built:
        draw = rng.random()
        value = ""
        if draw < 0.4:
            value = "prete" if draw < 0.1 else "modelisation" if draw < 0.2 else "pas-encore"
        readiness[document.object_id] = value
        out.append(
            dataclasses.replace(
                document,
                facets={**document.facets, "essaimage": [value] if value else []},
                published_at=now - datetime.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)),
            )
        )
    return out, readiness, origin


def case_label(case) -> tuple[str, str, str]:
    text, ready, sort = case
    return ("texte" if text else "sans texte", "essaimage=prete" if ready else "—", sort)


def _query(case, run: int):
    from search.documents import PUBLIC
    from search.query import SearchQuery

    text, ready, sort = case
    return SearchQuery(
        text=TEXTS[run % len(TEXTS)] if text else "",
        filters=dict(READY) if ready else {},
        sort=sort,
        principals=frozenset({PUBLIC}),
        seed=run,  # the day's order of ties: a different one each run
    )


def _ordered(hits, readiness: dict[str, str]) -> bool:
    ranks = [RANK.get(readiness.get(hit.object_id, ""), len(RANK)) for hit in hits]
    return ranks == sorted(ranks)


def measure(backend, readiness: dict[str, str], *, runs: int) -> dict:
    """Each case ``runs`` times (after one warm-up run): p50/p95 in ms, median
    results, median « prete » on page 1, and (tri=essaimage) whether every page 1
    came in readiness order."""
    figures = {}
    for case in CASES:
        backend.search(_query(case, runs))  # warm-up (bitmaps, caches), not counted
        timings, totals, ready, ordered = [], [], [], True
        for run in range(runs):
            query = _query(case, run)
            started = time.perf_counter()
            results = backend.search(query)
            timings.append((time.perf_counter() - started) * 1000)
            totals.append(results.total)
            ready.append(sum(readiness.get(h.object_id) == "prete" for h in results.hits))
            if case[2] == "essaimage":
                ordered &= _ordered(results.hits, readiness)
        figures[case] = {
            "p50": statistics.median(timings),
            "p95": percentile(timings, 0.95),
            "results": statistics.median(totals),
            "ready": statistics.median(ready),
            "ordered": ordered if case[2] == "essaimage" else None,
        }
    return figures


def database_run(docs, readiness, *, runs: int) -> dict:
    from search.backends.database import DatabaseBackend

    backend = DatabaseBackend()
    backend.clear()
    started = time.perf_counter()
    backend.index(docs)
    seconds = time.perf_counter() - started
    try:
        return {"index_seconds": seconds, "cases": measure(backend, readiness, runs=runs)}
    finally:
        backend.clear()  # the other sections index real projects there


def engine_config(url: str):
    """The engine's settings for ``url``, read as the site reads ELASTICSEARCH_URL,
    without routing the rest of the run (portraits, reindex) to the engine."""
    import os

    from core.env import search_engine_settings

    os.environ["ELASTICSEARCH_URL"] = url
    try:
        return search_engine_settings()
    finally:
        os.environ.pop("ELASTICSEARCH_URL", None)


def engine_run(docs, readiness, *, runs: int, url: str) -> dict:
    """The same on the engine, on a throwaway prefix (deleted whatever happens),
    holding the shared cluster's lock (benchmarks/scalebench/engine.py)."""
    from benchmarks.scalebench.engine import engine_lock
    from search.backends.elasticsearch import ElasticsearchBackend

    backend = ElasticsearchBackend(
        config=engine_config(url), prefix=f"bench-essaimage-{uuid.uuid4().hex[:8]}"
    )
    with engine_lock("mesure du tri essaimage"):
        try:
            started = time.perf_counter()
            backend.index(docs)
            backend.refresh()  # searchable: part of the indexing time
            seconds = time.perf_counter() - started
            label = f"{backend.health()}, {backend.count()} documents, préfixe {backend.alias}"
            cases = measure(backend, readiness, runs=runs)
        finally:
            try:
                backend.clear()
            except Exception as exc:  # the cluster gone: say what is left behind
                print(f"   index {backend.alias}-* NON SUPPRIMÉ : {exc}", flush=True)
    return {"index_seconds": seconds, "cases": cases, "label": label}


def render(results: dict[str, dict], *, count: int, runs: int, shares: dict) -> list[str]:
    """The table: one row per case, p50/p95 (ms), median results and median
    « prete » among the 20 hits of page 1, one column group per backend."""
    names = list(results)
    lines = [
        f"1. Tri « Prêts à essaimer d'abord » — {count} documents "
        f"({shares['prete'] * 100:.0f} % prete, "
        f"{shares['modelisation'] * 100:.0f} % modelisation), "
        f"{runs} requêtes par case ; ms ; « prêts p.1 » : prete parmi les 20 premiers",
        "   "
        + ", ".join(f"{n} : indexation {r['index_seconds']:.1f} s" for n, r in results.items()),
    ]
    head = f"   {'texte':<11}{'filtre':<17}{'tri':<11}"
    head += "".join(f"│ {n[:34]:<35}" for n in names)
    sub = " " * len(f"   {'':<11}{'':<17}{'':<11}")
    sub += "".join(f"│ {'p50':>6} {'p95':>6} {'résultats':>9} {'prêts p.1':>9} " for _ in names)
    lines += [head, sub]
    for case in CASES:
        text, ready, sort = case_label(case)
        row = f"   {text:<11}{ready:<17}{sort:<11}"
        for name in names:
            f = results[name]["cases"][case]
            mark = "" if f["ordered"] is None else (" ✓" if f["ordered"] else " ✗")
            row += (
                f"│ {f['p50']:6.1f} {f['p95']:6.1f} {f['results']:9.0f} "
                f"{f['ready']:7.0f}{mark or '  '} "
            )
        lines.append(row)
    lines.append(
        "   ✓ : chaque page 1 du tri essaimage était dans l'ordre prete, modelisation, autres"
    )
    return lines


def summary(results: dict[str, dict]) -> str:
    """Per backend: the median over the four text × filter cases of each sort's p95,
    and the slowest case of the sort essaimage."""
    parts = []
    for name, result in results.items():
        cases = result["cases"]
        p95 = {
            sort: statistics.median(f["p95"] for case, f in cases.items() if case[2] == sort)
            for sort in SORTS
        }
        worst = max((c for c in CASES if c[2] == "essaimage"), key=lambda c: cases[c]["p95"])
        parts.append(
            f"{name} : p95 essaimage {p95['essaimage']:.1f} ms contre pertinence "
            f"{p95['pertinence']:.1f} ms et recents {p95['recents']:.1f} ms (médiane des 4 "
            f"cas ; au pire {cases[worst]['p95']:.1f} ms, {' + '.join(case_label(worst)[:2])})"
        )
    return "Résumé 1 (tri essaimage) — " + " ; ".join(parts)
