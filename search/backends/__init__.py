"""Search backends behind one contract (base.SearchBackend). The database backend
is the embedded default; Elasticsearch is used when ELASTICSEARCH_URL is set."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from .base import BackendUnavailable, SearchBackend


@lru_cache(maxsize=4)
def _backend(name: str, url: str | None) -> SearchBackend:
    if name == "elasticsearch":
        from .elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(url=url, prefix=settings.SEARCH_INDEX_PREFIX)
    from .database import DatabaseBackend

    return DatabaseBackend()


def get_backend() -> SearchBackend:
    if settings.ELASTICSEARCH_URL:
        return _backend("elasticsearch", settings.ELASTICSEARCH_URL)
    return _backend("database", None)


__all__ = ["BackendUnavailable", "SearchBackend", "get_backend"]
