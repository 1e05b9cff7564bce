"""Full-text structures of the database backend, per database:

- SQLite: the FTS5 table `search_fts` (rowid = search entry id).
- PostgreSQL: extensions `unaccent` and `pg_trgm`, the text search configuration
  `french_unaccent` (French stemming and stop words after removing accents), a GIN
  index on the tsvector, a trigram index for title suggestions, and the
  `carrefour_distance` SQL function (SQLite gets it from Python, search/geo.py).
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, title_words, extra, body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS search_fts"]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION french_unaccent
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END
    $$;
    """,
    "CREATE INDEX IF NOT EXISTS search_entry_vector_gin "
    "ON search_searchentry USING GIN (search_vector)",
    "CREATE INDEX IF NOT EXISTS search_entry_title_trgm "
    "ON search_searchentry USING GIN (sort_title gin_trgm_ops)",
    """
    CREATE OR REPLACE FUNCTION carrefour_distance(
        lat1 double precision, lon1 double precision,
        lat2 double precision, lon2 double precision
    ) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT 2 * 6371.0088 * asin(least(1.0, sqrt(
            power(sin(radians(lat2 - lat1) / 2), 2)
            + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)
        )))
    $$;
    """,
]
POSTGRES_BACKWARD = [
    "DROP FUNCTION IF EXISTS carrefour_distance(double precision, double precision, "
    "double precision, double precision)",
    "DROP INDEX IF EXISTS search_entry_title_trgm",
    "DROP INDEX IF EXISTS search_entry_vector_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_tables")]

    operations = [migrations.RunPython(forward, backward)]
