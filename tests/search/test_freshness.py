"""The database backend's in-process bitmaps follow writes made by another process
(the import worker) even when the cache is not shared between processes, as with
the embedded default's memory cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from search.backends.database import DatabaseBackend
from search.backends.facets import INDEX_VERSION_KEY
from search.documents import PUBLIC, SearchDocument
from search.query import SearchQuery
from tests.search.documents import project_document

pytestmark = pytest.mark.django_db

ANYONE = frozenset({PUBLIC})


def document(number: int, title: str) -> SearchDocument:
    return project_document(
        kind="project",
        object_id=str(number),
        url=f"/projets/p{number}/",
        title=title,
        sources=["reseau"],
        visibility=[PUBLIC],
    )


def titles(backend, **filters) -> list[str]:
    query = SearchQuery(filters={k: tuple(v) for k, v in filters.items()}, principals=ANYONE)
    return sorted(hit.title for hit in backend.search(query).hits)


def test_writes_of_another_process_are_seen_without_a_shared_cache(
    django_capture_on_commit_callbacks,
):
    backend = DatabaseBackend()
    with django_capture_on_commit_callbacks(execute=True):
        backend.index([document(1, "Épicerie solidaire")])
    assert titles(backend, source=["reseau"]) == ["Épicerie solidaire"]
    token = cache.get(INDEX_VERSION_KEY)

    # Another process writes; its cache (and its version bump) is its own.
    with django_capture_on_commit_callbacks(execute=True):
        backend.index([document(2, "Atelier vélo")])
    cache.set(INDEX_VERSION_KEY, token, None)
    assert titles(backend, source=["reseau"]) == ["Atelier vélo", "Épicerie solidaire"]

    with django_capture_on_commit_callbacks(execute=True):
        backend.delete(["project:1"])
    cache.set(INDEX_VERSION_KEY, token, None)
    assert titles(backend, source=["reseau"]) == ["Atelier vélo"]

    with django_capture_on_commit_callbacks(execute=True):
        backend.clear()
    cache.set(INDEX_VERSION_KEY, token, None)
    assert titles(backend, source=["reseau"]) == []
