"""Reachability of the configured search backend (through the backend itself: the
same client, addresses, credentials and CA as searches)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def search_backend_health() -> tuple[str, str]:
    if settings.ELASTICSEARCH_URL:
        from .backends import get_backend

        return "search engine", f"ok ({get_backend().health()})"
    # The database backend searches the main database.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return f"database ({connection.vendor})", "ok"
