"""The full-text parts of the database backend that differ between SQLite (FTS5)
and PostgreSQL (tsvector). Everything else is shared SQL."""

from __future__ import annotations

from abc import ABC, abstractmethod

from django.db import connection

from .. import text as analysis
from ..models import SearchEntry

FTS_TABLE = "search_fts"
PG_CONFIG = "french_unaccent"


def _fts_quote(token: str) -> str:
    return '"' + token.replace('"', "") + '"'


class TextIndex(ABC):
    accepts_raw = False

    @abstractmethod
    def write(self, rows: list[tuple[int, SearchEntry]]) -> None: ...

    @abstractmethod
    def remove(self, ids: list[int]) -> None: ...

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def from_clause(self, table: str, text: str, parsed) -> tuple[str, list]: ...

    @abstractmethod
    def where_clause(self, text: str, parsed) -> tuple[str, list]: ...

    @abstractmethod
    def rank_order(self, text: str, parsed) -> tuple[str, list]: ...

    @abstractmethod
    def title_prefix_clause(self, words: list[str]) -> tuple[str, list]: ...

    @abstractmethod
    def any_words(self, text: str, *, limit: int) -> list[int]: ...


class SqliteText(TextIndex):
    """FTS5 over pre-analysed tokens. Columns: title (stems), title_words (folded
    words, for prefix suggestions), extra (summary, themes, territories, tags),
    body; bm25 weights 10 / 0 / 4 / 1."""

    def write(self, rows):
        if not rows:
            return
        ids = [entry_id for entry_id, _entry in rows]
        self.remove(ids)
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

    def from_clause(self, table, text, parsed):
        if not text or parsed.empty:
            return f"{table} e", []
        # A join on the FTS result (not a correlated subquery): one MATCH per search.
        return (
            f"{table} e JOIN (SELECT rowid AS fts_id, bm25({FTS_TABLE}, 10.0, 0.0, 4.0, 1.0) "
            f"AS fts_rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) fts ON fts.fts_id = e.id",
            [self._expression(parsed)],
        )

    def where_clause(self, text, parsed):
        return "", []

    def rank_order(self, text, parsed):
        if not text or parsed.empty:
            return "", []
        return "fts.fts_rank ASC", []

    def title_prefix_clause(self, words):
        expression = " AND ".join(
            [_fts_quote(w) for w in words[:-1]] + [_fts_quote(words[-1]) + "*"]
        )
        return (
            f"e.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
            ["{title_words} : (" + expression + ")"],
        )

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

    def from_clause(self, table, text, parsed):
        return f"{table} e", []

    def where_clause(self, text, parsed):
        if not text:
            return "", []
        return f"e.search_vector @@ websearch_to_tsquery('{PG_CONFIG}', %s)", [text]

    def rank_order(self, text, parsed):
        if not text:
            return "", []
        return (
            f"ts_rank_cd(e.search_vector, websearch_to_tsquery('{PG_CONFIG}', %s), 1) DESC",
            [text],
        )

    def title_prefix_clause(self, words):
        clauses = ["(' ' || e.sort_title || ' ') LIKE %s"] * (len(words) - 1)
        clauses.append("(' ' || e.sort_title) LIKE %s")
        params = [f"% {w} %" for w in words[:-1]] + [f"% {words[-1]}%"]
        return f"({' AND '.join(clauses)})", params

    def any_words(self, text, *, limit):
        words = [w for w in dict.fromkeys(analysis.folded_words(text)) if len(w) > 2][:8]
        if not words:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {SearchEntry._meta.db_table} WHERE search_vector @@ "
                f"websearch_to_tsquery('{PG_CONFIG}', %s) LIMIT %s",
                [" or ".join(words), limit],
            )
            return [row[0] for row in cursor.fetchall()]
