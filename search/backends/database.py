"""The embedded default: search in the main database.

SQLite: an FTS5 table fed with our French analysis (search/text.py).
PostgreSQL: a tsvector column with the `french_unaccent` configuration (French
stemming and stop words after `unaccent`), GIN-indexed.
Facets, visibility and points are rows of their own (search/models.py), mirrored
in each process as bitmaps for filtering and disjunctive facet counts (facets.py);
searching itself is in dbquery.py.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from datetime import timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from cms.text import fold

from .. import text as analysis
from ..documents import PUBLIC, SearchDocument
from ..models import (
    VISIBILITY_FACET,
    SearchEntry,
    SearchTerm,
    SearchTombstone,
)
from ..query import Hit, SearchQuery, SearchResults
from .base import BackendUnavailable, SearchBackend
from .dbquery import run_search, visible_mask
from .dbsql import PostgresText, SqliteText, TextIndex
from .facets import bitmaps, bump_version

BATCH = 1000
SUGGESTION_CANDIDATES = 200
ENTRY_COLUMNS = (
    "key",
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
    "fingerprint",
    "indexed_at",
)
TOMBSTONE_DAYS = 2


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
        fingerprint=document.fingerprint(),
        indexed_at=timezone.now(),
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
            existing = list(SearchEntry.objects.filter(key__in=unique).values_list("id", flat=True))
            self._upsert_entries(entries)
            ids = dict(SearchEntry.objects.filter(key__in=unique).values_list("key", "id"))
            facet_rows, point_rows, words = [], [], set()
            for document in documents:
                entry_id = ids[document.key]
                for facet, values in document.facet_values().items():
                    facet_rows.extend((entry_id, facet, v[:120]) for v in values)
                facet_rows.extend(
                    (entry_id, VISIBILITY_FACET, p[:120]) for p in sorted(set(document.visibility))
                )
                point_rows.extend((entry_id, lat, lon) for lat, lon in document.points)
                words.update(
                    w
                    for w in analysis.folded_words(
                        " ".join([document.title, *document.theme_labels, *document.tags])
                    )
                    if 3 <= len(w) <= 60 and not w.isdigit()
                )
            # Plain executemany: these rows are many and simple, the ORM adds nothing.
            with connection.cursor() as cursor:
                # Only entries that existed have old rows to replace.
                for table in ("search_searchfacetvalue", "search_searchpoint"):
                    for start in range(0, len(existing), 900):
                        chunk = existing[start : start + 900]
                        cursor.execute(
                            f"DELETE FROM {table} WHERE entry_id IN "
                            f"({', '.join(['%s'] * len(chunk))})",
                            chunk,
                        )
                cursor.executemany(
                    "INSERT INTO search_searchfacetvalue (entry_id, facet, value) "
                    "VALUES (%s, %s, %s)",
                    facet_rows,
                )
                if point_rows:
                    cursor.executemany(
                        "INSERT INTO search_searchpoint (entry_id, lat, lon) VALUES (%s, %s, %s)",
                        point_rows,
                    )
                cursor.executemany(
                    "INSERT INTO search_searchterm (term) VALUES (%s) "
                    "ON CONFLICT (term) DO NOTHING",
                    [(w,) for w in words],
                )
            self.text_index.remove(existing)
            self.text_index.write([(ids[e.key], e) for e in entries])
            transaction.on_commit(bump_version)
        return len(documents)

    @staticmethod
    def _upsert_entries(entries: list[SearchEntry]) -> None:
        """INSERT … ON CONFLICT (key) DO UPDATE in one executemany (SQLite ≥ 3.24 and
        PostgreSQL). The ORM's bulk_create did the same at a third of the speed."""
        fields = [SearchEntry._meta.get_field(name) for name in ENTRY_COLUMNS]
        rows = [
            tuple(
                field.get_db_prep_save(getattr(entry, field.attname), connection)
                for field in fields
            )
            for entry in entries
        ]
        columns = ", ".join(ENTRY_COLUMNS)
        updates = ", ".join(f"{name} = excluded.{name}" for name in ENTRY_COLUMNS if name != "key")
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {SearchEntry._meta.db_table} ({columns}) "
                f"VALUES ({', '.join(['%s'] * len(ENTRY_COLUMNS))}) "
                f"ON CONFLICT (key) DO UPDATE SET {updates}",
                rows,
            )

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        with transaction.atomic():
            ids = list(SearchEntry.objects.filter(key__in=keys).values_list("id", flat=True))
            self.text_index.remove(ids)
            SearchEntry.objects.filter(id__in=ids).delete()
            now = timezone.now()
            SearchTombstone.objects.bulk_create([SearchTombstone(entry_id=i) for i in ids])
            SearchTombstone.objects.filter(
                deleted_at__lt=now - timedelta(days=TOMBSTONE_DAYS)
            ).delete()
            transaction.on_commit(bump_version)
        return len(ids)

    def keys(self, kind: str | None = None) -> set[str]:
        return set(self.fingerprints(kind))

    def fingerprints(self, kind: str | None = None) -> dict[str, str]:
        queryset = SearchEntry.objects.all()
        if kind:
            queryset = queryset.filter(kind=kind)
        return dict(queryset.values_list("key", "fingerprint").iterator(chunk_size=5000))

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
            transaction.on_commit(bump_version)

    # --- searching --------------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchResults:
        return run_search(query, self.text_index)

    # --- suggestions and similar documents ------------------------------------------------
    def suggest_titles(
        self, text: str, *, principals: frozenset[str], limit: int = 5
    ) -> list[tuple[str, str]]:
        words = analysis.folded_words(text)
        if not words:
            return []
        candidates = self.text_index.title_prefix_ids(words, limit=SUGGESTION_CANDIDATES)
        if not candidates:
            return []
        index = bitmaps()
        visible = index.ids_of(
            visible_mask(index, principals) & index.mask_of(np.array(candidates))
        )
        rows = SearchEntry.objects.filter(pk__in=visible.tolist()).values_list("title", "url")
        # Titles that start with the typed text first, then the shortest.
        start = fold(text)
        ranked = sorted(rows, key=lambda row: (not fold(row[0]).startswith(start), len(row[0])))
        return [(title, url) for title, url in ranked[:limit]]

    def similar(self, key: str, *, principals: frozenset[str], limit: int = 4) -> list[Hit]:
        entry = SearchEntry.objects.filter(key=key).first()
        if entry is None:
            return []
        # The most telling facets only: shared sub-themes, same département. Broad
        # ones (région, domain, public) would make every document a candidate.
        weights = {"theme": 4.0, "departement": 3.0}
        own = list(entry.facet_values.filter(facet__in=weights).values_list("facet", "value"))
        scores: dict[int, float] = {}
        if own:
            conditions = " OR ".join(["(facet = %s AND value = %s)"] * len(own))
            weight_sql = " ".join(
                f"WHEN '{facet}' THEN {weight}" for facet, weight in weights.items()
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT entry_id, SUM(CASE facet {weight_sql} ELSE 0 END) AS score "
                    f"FROM search_searchfacetvalue WHERE {conditions} "
                    "GROUP BY entry_id ORDER BY score DESC, entry_id LIMIT 500",
                    [x for pair in own for x in pair],
                )
                scores = {entry_id: float(score) for entry_id, score in cursor.fetchall()}
        # Shared words of the title count too.
        word_matches = [
            i for i in self.text_index.any_words(entry.title, limit=200) if i != entry.pk
        ]
        for entry_id in word_matches:
            scores[entry_id] = scores.get(entry_id, 0.0) + 2.0
        scores.pop(entry.pk, None)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        allowed = set(
            SearchEntry.objects.filter(
                pk__in=[entry_id for entry_id, _s in ranked], kind=entry.kind
            )
            .filter(self._visible_q(principals))
            .values_list("pk", flat=True)
        )
        best = [(entry_id, score) for entry_id, score in ranked if entry_id in allowed][:limit]
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
