"""Reachability of the configured search backend."""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def search_backend_health() -> tuple[str, str]:
    if settings.ELASTICSEARCH_URL:
        from elasticsearch import Elasticsearch

        client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=3)
        info = client.info()
        return "elasticsearch", f"ok ({info['version']['number']})"
    # The database backend searches the main database.
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return f"database ({connection.vendor})", "ok"
