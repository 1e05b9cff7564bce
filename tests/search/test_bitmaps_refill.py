"""The database backend's bitmaps do not keep entries that went without a trace
(a table emptied wholesale — a flush between browser tests — then refilled
before any search saw it empty): searches count only what is indexed."""

from __future__ import annotations

import pytest

from search.backends.database import DatabaseBackend
from search.documents import PUBLIC, SearchDocument
from search.models import SearchEntry
from search.query import SearchQuery
from tests.search.documents import project_document

pytestmark = pytest.mark.django_db

ANYONE = frozenset({PUBLIC})


def document(number: int) -> SearchDocument:
    return project_document(
        kind="project", object_id=str(number), url=f"/p{number}/", title=f"Projet {number}"
    )


def test_entries_emptied_without_tombstones_are_not_counted(django_capture_on_commit_callbacks):
    backend = DatabaseBackend()
    with django_capture_on_commit_callbacks(execute=True):
        backend.index([document(n) for n in range(1, 6)])
    assert backend.search(SearchQuery(principals=ANYONE)).total == 5
    SearchEntry.objects.all().delete()  # no tombstones: not through the backend
    with django_capture_on_commit_callbacks(execute=True):
        backend.index([document(10), document(11)])
    results = backend.search(SearchQuery(principals=ANYONE))
    assert results.total == 2
    assert {hit.key for hit in results.hits} == {"project:10", "project:11"}
