"""The throwaway database every benchmark works in: a temporary SQLite file (the
embedded default), or the PostgreSQL database named by --database-url, dropped and
created afresh. Sets the environment before Django starts."""

from __future__ import annotations

import os
import tempfile
from urllib.parse import urlsplit


def throwaway_database(database_url: str, *, prefix: str) -> str:
    """Point Django at a fresh database; return its description for the report."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.dev"
    os.environ["DEBUG"] = "false"
    if not database_url:
        directory = tempfile.mkdtemp(prefix=f"{prefix}-")
        os.environ["CARREFOUR_VAR_DIR"] = directory
        os.environ.pop("DATABASE_URL", None)
        return f"SQLite ({directory}/carrefour.sqlite3)"
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    admin = database_url.replace(f"/{name}", "/postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = database_url
    return f"PostgreSQL ({name})"
