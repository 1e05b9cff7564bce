"""The embedded default: search in the main database.

SQLite: an FTS5 table fed with our French analysis (search/text.py).
PostgreSQL: a tsvector column with the `french_unaccent` configuration (French
stemming and stop words after `unaccent`), GIN-indexed.
Facets, visibility and points are rows of their own (search/models.py), so that
filters and disjunctive facet counts are plain indexed SQL on both databases.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from cms.text import fold

from .. import text as analysis
from ..documents import FACET_NAMES, PUBLIC, SearchDocument
from ..models import (
    VISIBILITY_FACET,
    SearchEntry,
    SearchFacetValue,
    SearchPoint,
    SearchTerm,
)
from ..query import FacetCount, Hit, SearchQuery, SearchResults
from ..registry import facet_labels
from .base import BackendUnavailable, SearchBackend
from .dbsql import PostgresText, SqliteText, TextIndex

BATCH = 500
FACET_LIMIT = 300
FACET_CACHE_SECONDS = 600
INDEX_VERSION_KEY = "search:index-version"


def _index_changed() -> None:
    """Invalidate cached facet counts (their key carries this version)."""
    try:
        cache.incr(INDEX_VERSION_KEY)
    except ValueError:
        cache.set(INDEX_VERSION_KEY, 2, None)


def _entry(document: SearchDocument) -> SearchEntry:
    keywords = " ".join([*document.theme_labels, *document.territory_labels, *document.tags])
    return SearchEntry(
        key=document.key,
        kind=document.kind,
        object_id=str(document.object_id),
        url=document.url,
        title=document.title[:300],
        sort_title=fold(document.title)[:300],
        summary=document.summary,
        body=document.body,
        keywords=keywords,
        published_at=document.published_at,
        updated_at=document.updated_at or timezone.now(),
        year=document.year,
        display=document.display(),
        is_public=PUBLIC in document.visibility,
    )


class DatabaseBackend(SearchBackend):
    name = "database"

    @property
    def text_index(self) -> TextIndex:
        return PostgresText() if connection.vendor == "postgresql" else SqliteText()

    # --- health -----------------------------------------------------------------------
    def health(self) -> str:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT 1 FROM {SearchEntry._meta.db_table} LIMIT 1")
        except Exception as exc:  # any database error means « unavailable »
            raise BackendUnavailable(str(exc)) from exc
        return f"database ({connection.vendor})"

    # --- writing ----------------------------------------------------------------------
    def index(self, documents: Iterable[SearchDocument]) -> int:
        written = 0
        batch: list[SearchDocument] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= BATCH:
                written += self._index_batch(batch)
                batch = []
        if batch:
            written += self._index_batch(batch)
        return written

    def _index_batch(self, documents: list[SearchDocument]) -> int:
        unique = {d.key: d for d in documents}
        documents = list(unique.values())
        entries = [_entry(d) for d in documents]
        with transaction.atomic():
            SearchEntry.objects.bulk_create(
                entries,
                update_conflicts=True,
                unique_fields=["key"],
                update_fields=[
                    "kind",
                    "object_id",
                    "url",
                    "title",
                    "sort_title",
                    "summary",
                    "body",
                    "keywords",
                    "published_at",
                    "updated_at",
                    "year",
                    "display",
                    "is_public",
                ],
            )
            ids = dict(SearchEntry.objects.filter(key__in=unique).values_list("key", "id"))
            SearchFacetValue.objects.filter(entry_id__in=ids.values()).delete()
            SearchPoint.objects.filter(entry_id__in=ids.values()).delete()
            facet_rows, point_rows, words = [], [], set()
            for document in documents:
                entry_id = ids[document.key]
                for facet, values in document.facet_values().items():
                    facet_rows.extend(
                        SearchFacetValue(entry_id=entry_id, facet=facet, value=v[:120])
                        for v in values
                    )
                facet_rows.extend(
                    SearchFacetValue(entry_id=entry_id, facet=VISIBILITY_FACET, value=p[:120])
                    for p in sorted(set(document.visibility))
                )
                point_rows.extend(
                    SearchPoint(entry_id=entry_id, lat=lat, lon=lon) for lat, lon in document.points
                )
                words.update(
                    w
                    for w in analysis.folded_words(
                        " ".join([document.title, *document.theme_labels, *document.tags])
                    )
                    if 3 <= len(w) <= 60 and not w.isdigit()
                )
            SearchFacetValue.objects.bulk_create(facet_rows, batch_size=2000)
            SearchPoint.objects.bulk_create(point_rows, batch_size=2000)
            SearchTerm.objects.bulk_create(
                [SearchTerm(term=w) for w in words], ignore_conflicts=True, batch_size=2000
            )
            self.text_index.write(
                [(ids[e.key], e) for e in entries],
            )
            transaction.on_commit(_index_changed)
        return len(documents)

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        with transaction.atomic():
            ids = list(SearchEntry.objects.filter(key__in=keys).values_list("id", flat=True))
            self.text_index.remove(ids)
            SearchEntry.objects.filter(id__in=ids).delete()
            transaction.on_commit(_index_changed)
        return len(ids)

    def keys(self, kind: str | None = None) -> set[str]:
        queryset = SearchEntry.objects.all()
        if kind:
            queryset = queryset.filter(kind=kind)
        return set(queryset.values_list("key", flat=True))

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        *,
        kinds: Iterable[str],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Upsert every current document, then drop the keys that were not seen:
        searches keep finding the old documents until each is replaced."""
        kinds = list(kinds)
        seen: set[str] = set()
        batch: list[SearchDocument] = []
        written = 0
        for document in documents:
            batch.append(document)
            seen.add(document.key)
            if len(batch) >= BATCH:
                written += self._index_batch(batch)
                batch = []
                if progress:
                    progress(written)
        if batch:
            written += self._index_batch(batch)
            if progress:
                progress(written)
        stale = set(SearchEntry.objects.filter(kind__in=kinds).values_list("key", flat=True))
        self.delete(stale - seen)
        return written

    def clear(self) -> None:
        with transaction.atomic():
            self.text_index.clear()
            SearchEntry.objects.all().delete()
            SearchTerm.objects.all().delete()
            transaction.on_commit(_index_changed)

    # --- searching --------------------------------------------------------------------
    def _where(self, query: SearchQuery, parsed, *, skip_facet: str | None = None):
        """WHERE clauses (with params) selecting matching entries ``e``."""
        visible, params = self._visible_clause(query.principals)
        clauses = [visible]
        for facet in FACET_NAMES:
            values = query.filters.get(facet)
            if not values or facet == skip_facet:
                continue
            clauses.append(
                "e.id IN (SELECT entry_id FROM search_searchfacetvalue "
                f"WHERE facet = %s AND value IN ({', '.join(['%s'] * len(values))}))"
            )
            params.extend([facet, *values])
        if query.geo is not None:
            south, west, north, east = query.geo.bbox()
            clauses.append(
                "e.id IN (SELECT entry_id FROM search_searchpoint WHERE lat BETWEEN %s AND %s "
                "AND lon BETWEEN %s AND %s AND carrefour_distance(lat, lon, %s, %s) <= %s)"
            )
            params.extend([south, north, west, east, query.geo.lat, query.geo.lon, query.geo.km])
        text_clause, text_params = self.text_index.where_clause(query.text, parsed)
        if text_clause:
            clauses.append(text_clause)
            params.extend(text_params)
        return " AND ".join(clauses), params

    def _order(self, query: SearchQuery, parsed) -> tuple[str, list]:
        # A different permutation of ids each day: (id × daily multiplier) mod a prime.
        diversity = "((e.id * %s) %% 10007), e.id"
        sort = query.effective_sort
        if sort == "recents":
            return "e.published_at DESC NULLS LAST, e.id DESC", []
        if sort == "alpha":
            return "e.sort_title ASC, e.id ASC", []
        if sort == "distance":
            return (
                "(SELECT MIN(carrefour_distance(p.lat, p.lon, %s, %s)) FROM search_searchpoint p "
                f"WHERE p.entry_id = e.id) ASC, {diversity}",
                [query.geo.lat, query.geo.lon, self._multiplier(query.seed)],
            )
        rank_sql, rank_params = self.text_index.rank_order(query.text, parsed)
        if rank_sql:
            return f"{rank_sql}, {diversity}", [*rank_params, self._multiplier(query.seed)]
        return diversity, [self._multiplier(query.seed)]

    @staticmethod
    def _multiplier(seed: int) -> int:
        multiplier = 1009 + (seed % 9973) * 37
        return multiplier + 1 if multiplier % 10007 == 0 else multiplier

    def search(self, query: SearchQuery) -> SearchResults:
        parsed = analysis.parse(query.text)
        if query.text and parsed.empty and not self.text_index.accepts_raw:
            # Only stop words or punctuation: nothing can match.
            return SearchResults(query=query, total=0, hits=[], facets=self._empty_facets(query))
        source, source_params = self.text_index.from_clause(
            SearchEntry._meta.db_table, query.text, parsed
        )
        where, params = self._where(query, parsed)
        params = [*source_params, *params]
        order, order_params = self._order(query, parsed)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {source} WHERE {where}", params)
            total = cursor.fetchone()[0]
            distance_sql, distance_params = "NULL", []
            if query.geo is not None:
                distance_sql = (
                    "(SELECT MIN(carrefour_distance(p.lat, p.lon, %s, %s)) "
                    "FROM search_searchpoint p WHERE p.entry_id = e.id)"
                )
                distance_params = [query.geo.lat, query.geo.lon]
            cursor.execute(
                f"SELECT e.key, e.kind, e.object_id, e.url, e.title, e.summary, e.body, "
                f"e.published_at, e.display, {distance_sql} FROM {source} WHERE {where} "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*distance_params, *params, *order_params, query.per_page, query.offset],
            )
            rows = cursor.fetchall()
        hits = [self._hit(row, parsed, query) for row in rows]
        facets = self._facets(query, parsed) if query.facets else {}
        return SearchResults(query=query, total=total, hits=hits, facets=facets)

    def _hit(self, row, parsed, query: SearchQuery) -> Hit:
        key, kind, object_id, url, title, summary, body, published_at, display, distance = row
        if isinstance(display, str):
            import json

            display = json.loads(display)
        if isinstance(published_at, str):
            from django.utils.dateparse import parse_datetime

            published_at = parse_datetime(published_at)
        highlights = {}
        if query.highlight and not parsed.empty:
            highlights = {
                "title": analysis.highlight(title, parsed),
                "summary": analysis.highlight(summary, parsed, max_chars=320),
            }
            body_snippet = analysis.highlight(body, parsed, max_chars=240)
            if "<mark>" in body_snippet:
                highlights["body"] = body_snippet
        return Hit(
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

    def _facets(self, query: SearchQuery, parsed) -> dict[str, list[FacetCount]]:
        """Disjunctive facet counts: a facet with a selection is counted without its
        own filter (so each count is what a click would give); all facets without a
        selection share the query's matching set and are counted in one pass."""
        cache_key = self._facet_cache_key(query)
        if cache_key and (cached := cache.get(cache_key)) is not None:
            counts = cached
        else:
            counts = self._facet_counts_sql(query, parsed)
            if cache_key:
                cache.set(cache_key, counts, FACET_CACHE_SECONDS)
        return {
            facet: self._facet_counts(query, facet, dict(counts[facet])) for facet in FACET_NAMES
        }

    def _facet_counts_sql(self, query: SearchQuery, parsed) -> dict[str, list]:
        source, source_params = self.text_index.from_clause(
            SearchEntry._meta.db_table, query.text, parsed
        )
        counts: dict[str, list] = {facet: [] for facet in FACET_NAMES}
        selected = [facet for facet in FACET_NAMES if query.filters.get(facet)]
        groups = [(None, [f for f in FACET_NAMES if f not in selected])]
        groups += [(facet, [facet]) for facet in selected]
        with connection.cursor() as cursor:
            for skip, facets in groups:
                if not facets:
                    continue
                where, params = self._where(query, parsed, skip_facet=skip)
                cursor.execute(
                    "SELECT fv.facet, fv.value, COUNT(*) FROM search_searchfacetvalue fv "
                    f"WHERE fv.facet IN ({', '.join(['%s'] * len(facets))}) AND fv.entry_id IN "
                    f"(SELECT e.id FROM {source} WHERE {where}) GROUP BY fv.facet, fv.value",
                    [*facets, *source_params, *params],
                )
                for facet, value, count in cursor.fetchall():
                    counts[facet].append((value, count))
        for facet in counts:
            counts[facet] = sorted(counts[facet], key=lambda item: -item[1])[:FACET_LIMIT]
        return counts

    @staticmethod
    def _facet_cache_key(query: SearchQuery) -> str | None:
        """Counts of text-less, place-less searches (the landing page, browsing by
        facets: the most expensive ones) are cached until the index changes."""
        if query.text or query.geo is not None:
            return None
        filters = sorted((facet, tuple(sorted(values))) for facet, values in query.filters.items())
        fingerprint = repr((filters, sorted(query.principals)))
        digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
        return f"search:facets:{cache.get_or_set(INDEX_VERSION_KEY, 1, None)}:{digest}"

    def _facet_counts(self, query: SearchQuery, facet: str, counts: dict) -> list[FacetCount]:
        selected = set(query.filters.get(facet, ()))
        for value in selected - set(counts):
            counts[value] = 0
        labels = facet_labels(facet, counts)
        items = [
            FacetCount(value=v, label=labels.get(v, v), count=c, selected=v in selected)
            for v, c in counts.items()
        ]
        if facet == "year":
            items.sort(key=lambda item: item.value, reverse=True)
        else:
            items.sort(key=lambda item: (-item.count, item.label))
        return items

    def _empty_facets(self, query: SearchQuery) -> dict[str, list[FacetCount]]:
        return {facet: self._facet_counts(query, facet, {}) for facet in FACET_NAMES}

    # --- suggestions and similar documents ------------------------------------------------
    def suggest_titles(
        self, text: str, *, principals: frozenset[str], limit: int = 5
    ) -> list[tuple[str, str]]:
        words = analysis.folded_words(text)
        if not words:
            return []
        clause, params = self.text_index.title_prefix_clause(words)
        visible, visible_params = self._visible_clause(principals)
        table = SearchEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT e.title, e.url FROM {table} e WHERE {clause} AND {visible} "
                "ORDER BY e.published_at DESC NULLS LAST LIMIT %s",
                [*params, *visible_params, limit],
            )
            return [(title, url) for title, url in cursor.fetchall()]

    def _visible_clause(self, principals: frozenset[str]) -> tuple[str, list]:
        others = sorted(principals - {PUBLIC})
        clause = "e.is_public" if PUBLIC in principals else "1 = 0"
        if not others:
            return clause, []
        return (
            f"({clause} OR e.id IN (SELECT entry_id FROM search_searchfacetvalue "
            f"WHERE facet = %s AND value IN ({', '.join(['%s'] * len(others))})))",
            [VISIBILITY_FACET, *others],
        )

    def similar(self, key: str, *, principals: frozenset[str], limit: int = 4) -> list[Hit]:
        entry = SearchEntry.objects.filter(key=key).first()
        if entry is None:
            return []
        weights = {"theme": 4.0, "departement": 3.0, "domain": 1.5, "region": 1.0, "public": 1.0}
        own = list(entry.facet_values.filter(facet__in=weights).values_list("facet", "value"))
        scores: dict[int, float] = {}
        if own:
            visible, visible_params = self._visible_clause(principals)
            conditions = " OR ".join(["(fv.facet = %s AND fv.value = %s)"] * len(own))
            weight_sql = " ".join(
                f"WHEN '{facet}' THEN {weight}" for facet, weight in weights.items()
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT fv.entry_id, SUM(CASE fv.facet {weight_sql} ELSE 0 END) AS score "
                    "FROM search_searchfacetvalue fv "
                    "JOIN search_searchentry e ON e.id = fv.entry_id "
                    f"WHERE ({conditions}) AND e.kind = %s AND e.id <> %s AND {visible} "
                    "GROUP BY fv.entry_id ORDER BY score DESC, fv.entry_id LIMIT 300",
                    [*(x for pair in own for x in pair), entry.kind, entry.pk, *visible_params],
                )
                scores = {entry_id: float(score) for entry_id, score in cursor.fetchall()}
        # Shared words of the title count too.
        word_matches = [
            i for i in self.text_index.any_words(entry.title, limit=200) if i != entry.pk
        ]
        if word_matches:
            allowed = set(
                SearchEntry.objects.filter(pk__in=word_matches, kind=entry.kind)
                .filter(self._visible_q(principals))
                .values_list("pk", flat=True)
            )
            for entry_id in word_matches:
                if entry_id in allowed:
                    scores[entry_id] = scores.get(entry_id, 0.0) + 2.0
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
        by_id = SearchEntry.objects.in_bulk([entry_id for entry_id, _score in best])
        return [
            Hit(
                key=by_id[entry_id].key,
                kind=by_id[entry_id].kind,
                object_id=by_id[entry_id].object_id,
                url=by_id[entry_id].url,
                title=by_id[entry_id].title,
                summary=by_id[entry_id].summary,
                published_at=by_id[entry_id].published_at,
                display=by_id[entry_id].display,
                score=score,
            )
            for entry_id, score in best
            if entry_id in by_id
        ]

    @staticmethod
    def _visible_q(principals: frozenset[str]):
        from django.db.models import Q

        condition = Q(is_public=True) if PUBLIC in principals else Q(pk__in=[])
        others = principals - {PUBLIC}
        if others:
            condition |= Q(
                facet_values__facet=VISIBILITY_FACET, facet_values__value__in=sorted(others)
            )
        return condition

    def vocabulary_suggestion(self, text: str, *, principals: frozenset[str]) -> str:
        words = analysis.folded_words(text)
        if not words:
            return ""
        corrected, changed = [], False
        for word in words:
            if len(word) < 4 or SearchTerm.objects.filter(term=word).exists():
                corrected.append(word)
                continue
            candidates = list(
                SearchTerm.objects.filter(term__startswith=word[0]).values_list("term", flat=True)
            )
            match = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
            if match:
                corrected.append(match[0])
                changed = True
            else:
                corrected.append(word)
        if not changed:
            return ""
        suggestion = " ".join(corrected)
        probe = SearchQuery(text=suggestion, principals=principals, per_page=1, facets=False)
        return suggestion if self.search(probe).total else ""
