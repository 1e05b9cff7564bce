"""Searching with the database backend: full text and distance in SQL, filters,
visibility and disjunctive facet counts on the in-process bitmaps (facets.py),
then one SQL query for the rows of the requested page."""

from __future__ import annotations

import json
import math

import numpy as np
from django.db import connection
from django.utils.dateparse import parse_datetime

from .. import text as analysis
from ..documents import FACET_NAMES, PUBLIC
from ..models import VISIBILITY_FACET, SearchEntry
from ..query import NEWS_KINDS, FacetCount, Hit, SearchQuery, SearchResults
from ..registry import facet_labels
from .dbsql import TextIndex
from .facets import FacetBitmaps, bitmaps

FACET_LIMIT = 300
DIVERSITY_PRIME = 10007


def multiplier(seed: int) -> int:
    """A different permutation of ids each day: (id × multiplier) mod a prime."""
    value = 1009 + (seed % 9973) * 37
    return value + 1 if value % DIVERSITY_PRIME == 0 else value


def visible_mask(index: FacetBitmaps, principals: frozenset[str]) -> int:
    mask = index.posting(VISIBILITY_FACET, "public") if PUBLIC in principals else 0
    for principal in principals - {PUBLIC}:
        mask |= index.posting(VISIBILITY_FACET, principal)
    return mask & index.alive_mask()


def _geo_matches(query: SearchQuery) -> tuple[np.ndarray, np.ndarray]:
    south, west, north, east = query.geo.bbox()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT entry_id, MIN(carrefour_distance(lat, lon, %s, %s)) AS d "
            "FROM search_searchpoint WHERE lat BETWEEN %s AND %s AND lon BETWEEN %s AND %s "
            "GROUP BY entry_id",
            [query.geo.lat, query.geo.lon, south, north, west, east],
        )
        rows = [(i, d) for i, d in cursor.fetchall() if d is not None and d <= query.geo.km]
    ids = np.array([i for i, _d in rows], dtype=np.int64)
    distances = np.array([d for _i, d in rows], dtype=float)
    return ids, distances


def _area_distances(query: SearchQuery) -> tuple[np.ndarray, np.ndarray]:
    """Distances from the centre of a département or a région to the entries in it
    (their nearest point): the area is a filter, the distances only order and tell."""
    facet, code = query.geo.area
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.entry_id, MIN(carrefour_distance(p.lat, p.lon, %s, %s)) "
            "FROM search_searchpoint p JOIN search_searchfacetvalue f "
            "ON f.entry_id = p.entry_id AND f.facet = %s AND f.value = %s "
            "GROUP BY p.entry_id",
            [query.geo.lat, query.geo.lon, facet, code],
        )
        rows = [(i, d) for i, d in cursor.fetchall() if d is not None]
    ids = np.array([i for i, _d in rows], dtype=np.int64)
    distances = np.array([d for _i, d in rows], dtype=float)
    return ids, distances


def kinds_mask(index: FacetBitmaps, kinds) -> int:
    mask = 0
    for kind in kinds:
        mask |= index.posting("kind", kind)
    return mask


def _facet_counts(
    index: FacetBitmaps, query: SearchQuery, facet: str, mask: int
) -> list[FacetCount]:
    counts = {}
    for value in index.by_facet.get(facet, ()):
        count = (index.posting(facet, value) & mask).bit_count()
        if count:
            counts[value] = count
    selected = set(query.filters.get(facet, ()))
    for value in selected - set(counts):
        counts[value] = 0
    top = sorted(counts.items(), key=lambda item: -item[1])[:FACET_LIMIT]
    labels = facet_labels(facet, [value for value, _count in top])
    items = [
        FacetCount(value=v, label=labels.get(v, v), count=c, selected=v in selected) for v, c in top
    ]
    if facet == "year":
        items.sort(key=lambda item: item.value, reverse=True)
    else:
        items.sort(key=lambda item: (-item.count, item.label))
    return items


def _order(
    index: FacetBitmaps,
    query: SearchQuery,
    ids: np.ndarray,
    text_scores: np.ndarray | str | None,
    distances: np.ndarray | None,
) -> np.ndarray:
    diversity = (ids * multiplier(query.seed)) % DIVERSITY_PRIME
    sort = query.effective_sort
    if sort == "recents":
        # News first (projects, by publication date), then the rest (editorial pages).
        later = ~np.isin(ids, index.ids_of(kinds_mask(index, NEWS_KINDS)))
        return ids[np.lexsort((-ids, -index.published[ids], later))]
    if sort == "alpha":
        return np.array(sorted(ids.tolist(), key=lambda i: (index.titles.get(i, ""), i)))
    if sort == "distance" and distances is not None:
        return ids[np.lexsort((ids, diversity, distances[ids]))]
    if isinstance(text_scores, str):
        # Broad query, no bm25: documents whose title holds the query words first.
        stems = [s for s in analysis.parse(query.text).raw_words if s]
        keys = np.array(
            [-sum(f" {w}" in f" {index.titles.get(i, '')}" for w in stems) for i in ids.tolist()]
        )
        return ids[np.lexsort((ids, diversity, keys))]
    if text_scores is not None:
        return ids[np.lexsort((ids, diversity, text_scores[ids]))]
    return ids[np.lexsort((ids, diversity))]


def run_search(query: SearchQuery, text_index: TextIndex) -> SearchResults:
    parsed = analysis.parse(query.text)
    index = bitmaps()
    base = visible_mask(index, query.principals)
    text_scores = distances = None
    if query.text:
        if parsed.empty and not text_index.accepts_raw:
            base = 0  # only stop words or punctuation: nothing can match
        else:
            ids, scores = text_index.match(query.text, parsed)
            base &= index.mask_of(ids)
            text_scores = index.dense(ids, scores) if scores is not None else "titles"
    if query.geo is not None:
        if query.geo.area is not None:
            base &= index.posting(*query.geo.area)
            ids, found = _area_distances(query)
        else:
            ids, found = _geo_matches(query)
            base &= index.mask_of(ids)
        distances = index.dense(ids, found)
    filters = {}
    for facet in FACET_NAMES:
        values = query.filters.get(facet)
        if values:
            mask = 0
            for value in values:
                mask |= index.posting(facet, value)
            filters[facet] = mask
    full = base
    for mask in filters.values():
        full &= mask
    total = full.bit_count()
    facets = {}
    if query.facets:
        for facet in FACET_NAMES:
            # Disjunctive: this facet's own selection does not narrow its counts.
            mask = base
            for other, other_mask in filters.items():
                if other != facet:
                    mask &= other_mask
            facets[facet] = _facet_counts(index, query, facet, mask)
    page_ids: list[int] = []
    if total and query.offset < total:
        ordered = _order(index, query, index.ids_of(full), text_scores, distances)
        page_ids = ordered[query.offset : query.offset + query.per_page].tolist()
    hits = _hits(page_ids, parsed, query, distances)
    return SearchResults(query=query, total=total, hits=hits, facets=facets)


def _hits(ids: list[int], parsed, query: SearchQuery, distances: np.ndarray | None) -> list[Hit]:
    if not ids:
        return []
    rows = {
        row[0]: row
        for row in SearchEntry.objects.filter(pk__in=ids).values_list(
            "id",
            "key",
            "kind",
            "object_id",
            "url",
            "title",
            "summary",
            "body",
            "published_at",
            "display",
        )
    }
    hits = []
    for entry_id in ids:
        if entry_id not in rows:
            continue  # removed since the bitmaps were read
        _id, key, kind, object_id, url, title, summary, body, published_at, display = rows[entry_id]
        if isinstance(display, str):
            display = json.loads(display)
        if isinstance(published_at, str):
            published_at = parse_datetime(published_at)
        highlights = {}
        if query.highlight and not parsed.empty:
            highlights = {
                "title": analysis.highlight(title, parsed),
                "summary": analysis.highlight(summary, parsed, max_chars=320),
            }
            snippet = analysis.highlight(body, parsed, max_chars=240)
            if "<mark>" in snippet:
                highlights["body"] = snippet
        distance = float(distances[entry_id]) if distances is not None else None
        if distance is not None and math.isnan(distance):
            distance = None  # in the area searched, without a position
        hits.append(
            Hit(
                key=key,
                kind=kind,
                object_id=object_id,
                url=url,
                title=title,
                summary=summary,
                published_at=published_at,
                display=display or {},
                highlights=highlights,
                distance_km=round(distance, 1) if distance is not None else None,
            )
        )
    return hits
