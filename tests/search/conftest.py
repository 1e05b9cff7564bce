"""Backends under test: the database backend always (on the test database, SQLite
or PostgreSQL), Elasticsearch/OpenSearch when ELASTICSEARCH_URL is set — every
address of it (comma-separated), so the client fails over between nodes.

Without ELASTICSEARCH_URL the engine's tests are skipped, unless
CARREFOUR_REQUIRE_ENGINE=1 (CI), which makes them fail instead."""

from __future__ import annotations

import os
import uuid

import pytest

BACKENDS = ["database", "elasticsearch"]


def engine_settings():
    """The engine of the environment (ELASTICSEARCH_URL, SEARCH_*), or skip/fail."""
    from core.env import search_engine_settings

    config = search_engine_settings()
    if config is None:
        message = "ELASTICSEARCH_URL n'est pas défini : contrat Elasticsearch non vérifié"
        if os.environ.get("CARREFOUR_REQUIRE_ENGINE") == "1":
            pytest.fail(f"{message} (CARREFOUR_REQUIRE_ENGINE=1)")
        pytest.skip(message)
    return config


def engine_backend(prefix: str | None = None):
    """A backend on a throwaway index prefix, whose writes are visible at once."""
    from search.backends.elasticsearch import ElasticsearchBackend

    class RefreshingBackend(ElasticsearchBackend):
        """Tests read right after writing; production never waits for a refresh."""

        def index(self, documents):
            try:
                return super().index(documents)
            finally:
                self.refresh()

        def delete(self, keys):
            try:
                return super().delete(keys)
            finally:
                self.refresh()

        def rebuild(self, documents, **kwargs):
            try:
                return super().rebuild(documents, **kwargs)
            finally:
                self.refresh()

    return RefreshingBackend(
        config=engine_settings(), prefix=prefix or f"carrefour-test-{uuid.uuid4().hex[:8]}"
    )


@pytest.fixture(params=BACKENDS)
def backend(request, db, settings):
    if request.param == "elasticsearch":
        instance = engine_backend()
        settings.SEARCH_ENGINE_SETTINGS = instance.config
        settings.ELASTICSEARCH_URL = instance.config.urls[0]
        yield instance
        instance.clear()
        return
    from search.backends.database import DatabaseBackend

    settings.ELASTICSEARCH_URL = None
    settings.SEARCH_ENGINE_SETTINGS = None
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


@pytest.fixture
def engine(db, settings, monkeypatch):
    """The engine alone (tests/search/test_engine_*.py), on a throwaway prefix, with
    the search service and index sync routed to it."""
    from search import backends, indexing, services

    instance = engine_backend()
    settings.SEARCH_ENGINE_SETTINGS = instance.config
    settings.ELASTICSEARCH_URL = instance.config.urls[0]
    for module in (backends, services, indexing):
        monkeypatch.setattr(module, "get_backend", lambda: instance)
    yield instance
    instance.clear()
