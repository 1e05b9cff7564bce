"""The full-text parts of the database backend that differ between SQLite (FTS5)
and PostgreSQL (tsvector). Everything else is shared SQL."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from django.db import connection

from .. import text as analysis
from ..models import SearchEntry

FTS_TABLE = "search_fts"
# Above this many matches, bm25 is not computed (see SqliteText.match).
FULL_RANKING_LIMIT = 20_000
PG_CONFIG = "french_unaccent"


def _arrays(rows) -> tuple[np.ndarray, np.ndarray]:
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    scores = np.fromiter((row[1] for row in rows), dtype=float, count=len(rows))
    return ids, scores


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', "") + '"'


class TextIndex(ABC):
    accepts_raw = False  # True when the database analyses the raw query itself

    @abstractmethod
    def write(self, rows: list[tuple[int, SearchEntry]]) -> None: ...

    @abstractmethod
    def remove(self, ids: list[int]) -> None: ...

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def match(self, text: str, parsed) -> tuple[np.ndarray, np.ndarray | None]:
        """Ids of the entries matching ``text`` and their scores (lower is better), or
        None for the scores when the query is too broad to score them all."""

    @abstractmethod
    def title_prefix_ids(self, words: list[str], *, limit: int) -> list[int]:
        """Some entries (unordered, at most ``limit``) whose title words start so."""

    @abstractmethod
    def any_words(self, text: str, *, limit: int) -> list[int]: ...


class SqliteText(TextIndex):
    """FTS5 over pre-analysed tokens. Columns: title (stems), title_words (folded
    words, for prefix suggestions), extra (summary, themes, territories, tags),
    body; bm25 weights 10 / 0 / 4 / 1."""

    def write(self, rows):
        """Add the rows of new or cleared entries (``remove`` them first)."""
        if not rows:
            return
        values = [
            (
                entry_id,
                " ".join(analysis.analyse(entry.title)),
                " ".join(analysis.folded_words(entry.title)),
                " ".join(analysis.analyse(f"{entry.summary} {entry.keywords}")),
                " ".join(analysis.analyse(entry.body)),
            )
            for entry_id, entry in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE}(rowid, title, title_words, extra, body) "
                "VALUES (%s, %s, %s, %s, %s)",
                values,
            )

    def remove(self, ids):
        if not ids:
            return
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(
                    f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")

    @staticmethod
    def _expression(parsed) -> str:
        parts = [_fts_quote(term) for term in parsed.terms]
        parts += ['"' + " ".join(phrase) + '"' for phrase in parsed.phrases]
        return "{title extra body} : (" + " AND ".join(parts) + ")"

    def match(self, text, parsed):
        expression = self._expression(parsed)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]
            )
            ids = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
            if len(ids) > FULL_RANKING_LIMIT:
                # A very broad query: bm25 over every match would cost more than the
                # rest of the search; the caller ranks the final matches by title.
                return ids, None
            cursor.execute(
                f"SELECT rowid, bm25({FTS_TABLE}, 10.0, 0.0, 4.0, 1.0) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s",
                [expression],
            )
            return _arrays(cursor.fetchall())

    def title_prefix_ids(self, words, *, limit):
        expression = " AND ".join(
            [_fts_quote(w) for w in words[:-1]] + [_fts_quote(words[-1]) + "*"]
        )
        with connection.cursor() as cursor:
            # No ORDER BY: SQLite stops after ``limit`` matches.
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s",
                ["{title_words} : (" + expression + ")", limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def any_words(self, text, *, limit):
        stems = [s for s in dict.fromkeys(analysis.analyse(text)) if len(s) > 2][:8]
        if not stems:
            return []
        expression = "{title extra} : (" + " OR ".join(_fts_quote(s) for s in stems) + ")"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rank LIMIT %s",
                [expression, limit],
            )
            return [row[0] for row in cursor.fetchall()]


class PostgresText(TextIndex):
    """tsvector with the `french_unaccent` configuration: title weight A, summary
    and keywords B, body C; `websearch_to_tsquery` understands "phrases"."""

    accepts_raw = True

    def write(self, rows):
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {SearchEntry._meta.db_table} SET search_vector = "
                f"setweight(to_tsvector('{PG_CONFIG}', coalesce(title, '')), 'A') || "
                f"setweight(to_tsvector('{PG_CONFIG}', coalesce(summary, '') || ' ' || "
                f"coalesce(keywords, '')), 'B') || "
                f"setweight(to_tsvector('{PG_CONFIG}', coalesce(body, '')), 'C') "
                "WHERE id = ANY(%s)",
                [[entry_id for entry_id, _entry in rows]],
            )

    def remove(self, ids):
        """Rows go with their entry."""

    def clear(self):
        """Rows go with their entries."""

    def match(self, text, parsed):
        table = SearchEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {table} "
                f"WHERE search_vector @@ websearch_to_tsquery('{PG_CONFIG}', %s)",
                [text],
            )
            ids = np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
            if len(ids) > FULL_RANKING_LIMIT:
                return ids, None  # ranked by title by the caller, as on SQLite
            cursor.execute(
                f"SELECT id, -ts_rank_cd(search_vector, query, 1) FROM {table}, "
                f"websearch_to_tsquery('{PG_CONFIG}', %s) query WHERE search_vector @@ query",
                [text],
            )
            return _arrays(cursor.fetchall())

    def title_prefix_ids(self, words, *, limit):
        clauses = ["(' ' || sort_title || ' ') LIKE %s"] * (len(words) - 1)
        clauses.append("(' ' || sort_title) LIKE %s")
        params = [f"% {w} %" for w in words[:-1]] + [f"% {words[-1]}%"]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {SearchEntry._meta.db_table} WHERE {' AND '.join(clauses)} "
                "LIMIT %s",
                [*params, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def any_words(self, text, *, limit):
        words = [w for w in dict.fromkeys(analysis.folded_words(text)) if len(w) > 2][:8]
        if not words:
            return []
        with connection.cursor() as cursor:
            # Most shared words first, as SQLite's rank: « more like this » breaks its
            # ties with this order.
            cursor.execute(
                f"SELECT id FROM {SearchEntry._meta.db_table}, "
                f"websearch_to_tsquery('{PG_CONFIG}', %s) query WHERE search_vector @@ query "
                "ORDER BY ts_rank_cd(search_vector, query) DESC, id LIMIT %s",
                [" or ".join(words), limit],
            )
            return [row[0] for row in cursor.fetchall()]
