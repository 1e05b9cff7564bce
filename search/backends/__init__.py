"""Search backends behind one contract (base.SearchBackend). The database backend
is the embedded default; Elasticsearch or OpenSearch is used when ELASTICSEARCH_URL
is set (settings.SEARCH_ENGINE_SETTINGS)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from core.env import SearchEngineSettings

from .base import BackendUnavailable, DocumentsRejected, SearchBackend


@lru_cache(maxsize=4)
def _engine_backend(config: SearchEngineSettings, prefix: str) -> SearchBackend:
    from .elasticsearch import ElasticsearchBackend

    return ElasticsearchBackend(config=config, prefix=prefix)


@lru_cache(maxsize=1)
def _database_backend() -> SearchBackend:
    from .database import DatabaseBackend

    return DatabaseBackend()


def get_backend() -> SearchBackend:
    if not settings.ELASTICSEARCH_URL:
        return _database_backend()
    config = getattr(settings, "SEARCH_ENGINE_SETTINGS", None)
    if config is None or settings.ELASTICSEARCH_URL not in config.urls:
        # ELASTICSEARCH_URL set alone (a script, a test): that address, defaults else.
        config = SearchEngineSettings(urls=(settings.ELASTICSEARCH_URL,))
    return _engine_backend(config, settings.SEARCH_INDEX_PREFIX)


__all__ = ["BackendUnavailable", "DocumentsRejected", "SearchBackend", "get_backend"]
