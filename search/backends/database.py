"""The embedded default: search in the main database.

SQLite: an FTS5 table fed with our French analysis (search/text.py).
PostgreSQL: a tsvector column of the same analysed tokens (``simple``
configuration), GIN-indexed. Queries are read by search/interpret.py (synonyms,
concepts, the OR rule) and run in dbquery.py.
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

from core.text import fold

from .. import text as analysis
from ..documents import PUBLIC, SearchDocument
from ..models import (
    VISIBILITY_FACET,
    SearchEntry,
    SearchTerm,
    SearchTombstone,
)
from ..query import Hit, SearchQuery, SearchResults
from ..registry import similar_facets
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
    "display",
    "is_public",
    "fingerprint",
    "indexed_at",
)
TOMBSTONE_DAYS = 2


def _entry(document: SearchDocument) -> SearchEntry:
    keywords = " ".join(document.keywords)
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
        display=document.stored_display(),
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
                # The vocabulary typos are corrected against (dbquery.corrections)
                # and « did you mean » picks from: title, summary, keywords.
                words.update(
                    w
                    for w in analysis.folded_words(
                        " ".join([document.title, document.summary, *document.keywords])
                    )
                    if 3 <= len(w) <= 60 and w.isalpha()
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
        """Visible documents of the same kind sharing the most values of the kind's
        ``similar_facets``, facet by facet in the order declared (projects: same
        département first, then same région, then the most shared sub-themes); shared
        words (title and summary) only break ties. Computed on the bitmaps."""
        entry = SearchEntry.objects.filter(key=key).first()
        if entry is None:
            return []
        names = similar_facets(entry.kind)
        own: dict[str, list[str]] = {}
        for facet, value in entry.facet_values.filter(facet__in=names).values_list(
            "facet", "value"
        ):
            own.setdefault(facet, []).append(value)
        index = bitmaps()
        allowed = visible_mask(index, principals) & index.posting("kind", entry.kind)
        allowed &= ~(1 << entry.pk)
        candidates = 0
        shared: list[dict[int, int]] = []  # per facet: entry id → values shared
        for facet in names:
            counts: dict[int, int] = {}
            for value in own.get(facet, ()):
                posting = index.posting(facet, value) & allowed
                candidates |= posting
                for entry_id in index.ids_of(posting).tolist():
                    counts[entry_id] = counts.get(entry_id, 0) + 1
            shared.append(counts)
        words = self.text_index.any_words(f"{entry.title} {entry.summary}", limit=200)
        word_rank = {entry_id: rank for rank, entry_id in enumerate(words)}
        candidates |= index.mask_of(np.array(list(word_rank), dtype=np.int64)) & allowed
        ids = index.ids_of(candidates)
        if not len(ids):
            return []
        ranked = sorted(
            ids.tolist(),
            key=lambda i: (
                *(-counts.get(i, 0) for counts in shared),
                word_rank.get(i, len(word_rank)),
                i,
            ),
        )[:limit]
        by_id = SearchEntry.objects.in_bulk(ranked)
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
                score=float(limit - position),
            )
            for position, entry_id in enumerate(ranked)
            if entry_id in by_id
        ]

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
