"""Searching with the database backend: full text and distance in SQL, filters,
visibility and disjunctive facet counts on the in-process bitmaps (facets.py),
then one SQL query for the rows of the requested page.

Text follows search/interpret.py: one full-text lookup per unit of the query (its
alternatives: the words, their synonyms, their corrections when a word matches
nothing), facet postings for the concepts understood, then the OR rule — every
document matching a unit is found, ordered by coordination, then text score.
"""

from __future__ import annotations

import json
import math

import numpy as np
from django.db import connection
from django.db.models.functions import Length
from django.utils.dateparse import parse_datetime

from .. import registry
from .. import text as analysis
from ..documents import PUBLIC
from ..interpret import CONCEPT_BONUS, CONCEPT_WEIGHT, TEXT_WEIGHT, Interpretation, interpret
from ..models import VISIBILITY_FACET, SearchEntry, SearchTerm
from ..query import FacetCount, Hit, SearchQuery, SearchResults
from ..registry import facet_labels, facet_names, news_kinds, order_by_value
from .dbsql import FULL_RANKING_LIMIT, TextIndex
from .facets import FacetBitmaps, bitmaps

FACET_LIMIT = 300
DIVERSITY_PRIME = 10007
MAX_CORRECTIONS = 5  # vocabulary words tried for a word that matches nothing
# The ranking key (search/interpret.py): the coordination (units matched, 1 by text,
# 0.8 by a concept; levels 0.2 apart at least) × LEVEL_SCALE outweighs the text score
# (0–1) plus the concept bonus, which order documents within a level.
LEVEL_SCALE = 10.0


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
    if order_by_value(facet):
        items.sort(key=lambda item: item.value, reverse=True)
    else:
        items.sort(key=lambda item: (-item.count, item.label))
    return items


def _order(
    index: FacetBitmaps,
    query: SearchQuery,
    ids: np.ndarray,
    text_scores: np.ndarray | None,
    distances: np.ndarray | None,
) -> np.ndarray:
    diversity = (ids * multiplier(query.seed)) % DIVERSITY_PRIME
    sort = query.effective_sort
    if sort == "recents":
        # News first (projects, by publication date), then the rest (editorial pages).
        later = ~np.isin(ids, index.ids_of(kinds_mask(index, news_kinds())))
        return ids[np.lexsort((-ids, -index.published[ids], later))]
    if sort == "alpha":
        return np.array(sorted(ids.tolist(), key=lambda i: (index.titles.get(i, ""), i)))
    if sort == "distance" and distances is not None:
        return ids[np.lexsort((ids, diversity, distances[ids]))]
    ranked = registry.facet_sorts().get(sort)
    if ranked is not None:
        # The rank of each entry: the first of the sort's values its facet holds.
        rank = np.full(index.nbytes * 8, len(ranked.values), dtype=np.int32)
        for position, value in reversed(list(enumerate(ranked.values))):
            rank[index.ids_of(index.posting(ranked.facet, value))] = position
        keys = [ids, diversity] + ([text_scores[ids]] if text_scores is not None else [])
        return ids[np.lexsort((*keys, rank[ids]))]
    if text_scores is not None:
        return ids[np.lexsort((ids, diversity, text_scores[ids]))]
    return ids[np.lexsort((ids, diversity))]


def corrections(word: str) -> list[tuple[str, tuple[str, ...]]]:
    """Indexed words within the edit distance the word's length allows (search/text.py,
    max_edits), nearest first, with their stems: the alternatives of a word that
    matches nothing. The vocabulary (SearchTerm) is narrowed in SQL to words of the
    same first letter and a close length."""
    limit = analysis.max_edits(word)
    if not limit:
        return []
    candidates = (
        SearchTerm.objects.filter(term__startswith=word[0])
        .annotate(size=Length("term"))
        .filter(size__gte=len(word) - limit, size__lte=len(word) + limit)
        .values_list("term", flat=True)
    )
    near, far = [], []
    for term in candidates:
        if term == word:
            continue
        if analysis.within_edits(word, term, 1):
            near.append(term)
        elif limit > 1 and analysis.within_edits(word, term, limit):
            far.append(term)
    found: dict[tuple[str, ...], str] = {}
    for term in (*sorted(near), *sorted(far)):
        tokens = tuple(analysis.analyse(term))
        if tokens and tokens not in found:
            found[tokens] = term
    return [(term, tokens) for tokens, term in found.items()][:MAX_CORRECTIONS]


def _text_ranking(
    index: FacetBitmaps, plan: Interpretation, text_index: TextIndex
) -> tuple[int, np.ndarray, frozenset[str], dict[str, str]]:
    """(mask of the documents found, ranking key by entry id — lower first —, the
    stems looked for, the words corrected) under the OR rule of search/interpret.py."""
    size = index.nbytes * 8
    coordination = np.zeros(size)  # Σ over units of the best match weight
    required = np.ones(size, dtype=bool)
    bonus = np.zeros(size)
    concept_ids = {}
    for clause in plan.clauses:
        ids = index.ids_of(index.posting(clause.concept.facet, clause.concept.value))
        concept_ids[clause.concept.key] = ids
        bonus[ids] = CONCEPT_BONUS
    alternatives: list[tuple[str, ...]] = []
    corrected: dict[str, str] = {}
    for position, unit in enumerate(plan.units):
        unit_alternatives = unit.alternatives
        ids = text_index.unit_ids(unit_alternatives)
        if not len(ids) and unit.fuzzy_eligible:
            fixed = corrections(unit.folded)
            if fixed:
                corrected[unit.folded] = fixed[0][0]
                unit_alternatives = unit_alternatives + tuple(tokens for _t, tokens in fixed)
                ids = text_index.unit_ids(unit_alternatives[1:])
        alternatives.extend(unit_alternatives)
        weight = np.zeros(size)
        weight[ids[ids < size]] = TEXT_WEIGHT
        for clause in plan.clauses:
            if position in clause.units:
                tagged = concept_ids[clause.concept.key]
                weight[tagged] = np.maximum(weight[tagged], CONCEPT_WEIGHT)
        if unit.required:
            required &= weight > 0
        coordination += weight
    found = np.flatnonzero((coordination > 0) & required)
    text = np.zeros(size)
    if 0 < len(found) <= FULL_RANKING_LIMIT:
        ids, scores = text_index.scores(alternatives)
        keep = ids < size
        text[ids[keep]] = scores[keep]
        best = text.max()
        if best > 0:
            text /= best
    elif len(found):
        # A very broad query: bm25 over every match would cost more than the rest of
        # the search; documents whose title holds the words come first instead.
        stems = plan.stems()
        for entry_id in found.tolist():
            title = index.titles.get(entry_id, "")
            text[entry_id] = sum(stem in stems for stem in analysis.analyse(title)) / 10
    key = -(np.round(coordination, 3) * LEVEL_SCALE + np.minimum(text, 1.0) + bonus)
    used = frozenset(t for alternative in alternatives for t in alternative)
    return index.mask_of(found), key, used, corrected


def run_search(query: SearchQuery, text_index: TextIndex) -> SearchResults:
    index = bitmaps()
    base = visible_mask(index, query.principals)
    text_scores = distances = None
    plan = None
    stems: frozenset[str] = frozenset()
    corrected: dict[str, str] = {}
    if query.text:
        plan = interpret(text=query.text, dropped=query.dropped_concepts)
        if plan.empty:
            base = 0  # only stop words or punctuation: nothing can match
        else:
            found, text_scores, stems, corrected = _text_ranking(index, plan, text_index)
            base &= found
    if query.geo is not None:
        if query.geo.area is not None:
            base &= index.posting(*query.geo.area)
            ids, found = _area_distances(query)
        else:
            ids, found = _geo_matches(query)
            base &= index.mask_of(ids)
        distances = index.dense(ids, found)
    if query.published_after is not None:
        base &= index.mask_of(np.flatnonzero(index.published > query.published_after.timestamp()))
    filters = {}
    names = facet_names()
    for facet in names:
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
        for facet in names:
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
    hits = _hits(page_ids, stems, query, distances)
    return SearchResults(
        query=query,
        total=total,
        hits=hits,
        facets=facets,
        concepts=list(plan.concepts) if plan else [],
        dropped_concepts=list(plan.dropped) if plan else [],
        # Words that matched nothing, searched as their nearest indexed words: the
        # query as corrected is offered (« Vouliez-vous dire »).
        suggestion=_corrected_text(plan, corrected) if corrected and total else "",
    )


def _corrected_text(plan: Interpretation, corrected: dict[str, str]) -> str:
    return " ".join(corrected.get(word, word) for word in plan.parsed.folded)


def _hits(
    ids: list[int], stems: frozenset[str], query: SearchQuery, distances: np.ndarray | None
) -> list[Hit]:
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
        if query.highlight and stems:
            highlights = {
                "title": analysis.highlight(title, stems=stems),
                "summary": analysis.highlight(summary, stems=stems, max_chars=320),
            }
            snippet = analysis.highlight(body, stems=stems, max_chars=240)
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
