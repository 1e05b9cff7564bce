"""The full-text parts of the database backend that differ between SQLite (FTS5)
and PostgreSQL (tsvector). Everything else is shared SQL.

Both index the tokens of our French analysis (search/text.py), so that a query means
the same on both: SQLite stores them in FTS5 columns, PostgreSQL in a tsvector built
with the ``simple`` configuration (no analysis of its own: the tokens are already
analysed). Field boosts: title > themes, territories and tags (keywords) > summary >
body — on PostgreSQL the weights A, B, C, D; on SQLite the bm25 column weights, the
keywords sharing the « extra » column with the summary and written twice there (the
FTS5 table has no column of their own; a migration would give them one).

Queries arrive as alternatives (search/interpret.py): token sequences, one token a
word, several a phrase; a document matches a unit when it holds any of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from django.db import connection

from .. import text as analysis
from ..models import SearchEntry

FTS_TABLE = "search_fts"
# Above this many matches, bm25 is not computed (see SqliteText.match).
FULL_RANKING_LIMIT = 20_000
# Pre-analysed tokens: PostgreSQL only splits them (see the module docstring).
PG_CONFIG = "simple"


def _arrays(rows) -> tuple[np.ndarray, np.ndarray]:
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    scores = np.fromiter((row[1] for row in rows), dtype=float, count=len(rows))
    return ids, scores


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', "") + '"'


def _fts_alternatives(alternatives) -> str:
    """FTS5: any of the token sequences (a sequence of several is a phrase)."""
    return " OR ".join(
        '"' + " ".join(t.replace('"', "") for t in alt) + '"' for alt in alternatives
    )


def _ts_alternatives(alternatives) -> str:
    """to_tsquery text: any of the token sequences (``<->``: the next position)."""
    return " | ".join("(" + " <-> ".join(t for t in alt) + ")" for alt in alternatives if all(alt))


def _analysed_columns(entry: SearchEntry) -> tuple[str, str, str, str]:
    """(title, keywords, summary, body) as analysed tokens."""
    return (
        " ".join(analysis.analyse(entry.title)),
        " ".join(analysis.analyse(entry.keywords)),
        " ".join(analysis.analyse(entry.summary)),
        " ".join(analysis.analyse(entry.body)),
    )


class TextIndex(ABC):
    @abstractmethod
    def write(self, rows: list[tuple[int, SearchEntry]]) -> None: ...

    @abstractmethod
    def remove(self, ids: list[int]) -> None: ...

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def unit_ids(self, alternatives) -> np.ndarray:
        """Ids of the entries holding any of ``alternatives`` (token sequences)."""

    @abstractmethod
    def scores(self, alternatives) -> tuple[np.ndarray, np.ndarray]:
        """Ids of the entries holding any of ``alternatives`` and their text scores,
        higher is better (field boosts included)."""

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
        values = []
        for entry_id, entry in rows:
            title, keywords, summary, body = _analysed_columns(entry)
            # Keywords twice: their boost over the summary in the shared column.
            extra = " ".join(filter(None, (summary, keywords, keywords)))
            values.append(
                (entry_id, title, " ".join(analysis.folded_words(entry.title)), extra, body)
            )
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

    def unit_ids(self, alternatives):
        expression = "{title extra body} : (" + _fts_alternatives(alternatives) + ")"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression]
            )
            return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)

    def scores(self, alternatives):
        expression = "{title extra body} : (" + _fts_alternatives(alternatives) + ")"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -bm25({FTS_TABLE}, 10.0, 0.0, 3.0, 1.0) FROM {FTS_TABLE} "
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
    """tsvector of our analysed tokens (``simple`` configuration): title weight A,
    keywords B, summary C, body D; ts_rank_cd's default weights 1, 0.4, 0.2, 0.1."""

    def write(self, rows):
        if not rows:
            return
        ids, columns = [], ([], [], [], [])
        for entry_id, entry in rows:
            ids.append(entry_id)
            for column, value in zip(columns, _analysed_columns(entry), strict=True):
                column.append(value)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {SearchEntry._meta.db_table} AS e SET search_vector = "
                f"setweight(to_tsvector('{PG_CONFIG}', d.title), 'A') || "
                f"setweight(to_tsvector('{PG_CONFIG}', d.keywords), 'B') || "
                f"setweight(to_tsvector('{PG_CONFIG}', d.summary), 'C') || "
                f"setweight(to_tsvector('{PG_CONFIG}', d.body), 'D') "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) "
                "AS d(id, title, keywords, summary, body) WHERE e.id = d.id",
                [ids, *columns],
            )

    def remove(self, ids):
        """Rows go with their entry."""

    def clear(self):
        """Rows go with their entries."""

    def unit_ids(self, alternatives):
        expression = _ts_alternatives(alternatives)
        if not expression:
            return np.zeros(0, dtype=np.int64)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {SearchEntry._meta.db_table} "
                f"WHERE search_vector @@ to_tsquery('{PG_CONFIG}', %s)",
                [expression],
            )
            return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)

    def scores(self, alternatives):
        expression = _ts_alternatives(alternatives)
        if not expression:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, ts_rank_cd(search_vector, query, 1) FROM "
                f"{SearchEntry._meta.db_table}, to_tsquery('{PG_CONFIG}', %s) query "
                "WHERE search_vector @@ query",
                [expression],
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
        stems = [s for s in dict.fromkeys(analysis.analyse(text)) if len(s) > 2][:8]
        if not stems:
            return []
        with connection.cursor() as cursor:
            # Most shared words first, as SQLite's rank: « more like this » breaks its
            # ties with this order.
            cursor.execute(
                f"SELECT id FROM {SearchEntry._meta.db_table}, "
                f"to_tsquery('{PG_CONFIG}', %s) query WHERE search_vector @@ query "
                "ORDER BY ts_rank_cd(search_vector, query) DESC, id LIMIT %s",
                [" | ".join(stems), limit],
            )
            return [row[0] for row in cursor.fetchall()]
