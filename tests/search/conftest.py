"""Backends under test: the database backend always (on the test database, SQLite
or PostgreSQL), Elasticsearch when ELASTICSEARCH_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest

BACKENDS = ["database", "elasticsearch"]


@pytest.fixture(params=BACKENDS)
def backend(request, db, settings):
    if request.param == "elasticsearch":
        url = os.environ.get("ELASTICSEARCH_URL")
        if not url:
            pytest.skip("ELASTICSEARCH_URL n'est pas défini : contrat Elasticsearch non vérifié")
        from search.backends.elasticsearch import ElasticsearchBackend

        instance = ElasticsearchBackend(url=url, prefix=f"carrefour-test-{uuid.uuid4().hex[:8]}")
        settings.ELASTICSEARCH_URL = url
        yield instance
        instance.clear()
        return
    from search.backends.database import DatabaseBackend

    settings.ELASTICSEARCH_URL = None
    instance = DatabaseBackend()
    yield instance
    instance.clear()


@pytest.fixture
def use_backend(backend, monkeypatch):
    """Route the search service (and index sync) to the backend under test."""
    from search import backends, indexing, services

    monkeypatch.setattr(backends, "get_backend", lambda: backend)
    monkeypatch.setattr(services, "get_backend", lambda: backend)
    monkeypatch.setattr(indexing, "get_backend", lambda: backend)
    return backend
