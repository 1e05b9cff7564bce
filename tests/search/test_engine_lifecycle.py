"""The engine's index lifecycle on the real cluster: bootstrap on first use (once,
even when two workers race), writes during a rebuild reach the new index, old
indexes go, refused documents reach the dead-letter list, deep pages."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from search.backends import BackendUnavailable, DocumentsRejected
from search.documents import PUBLIC, SearchDocument
from search.indexing import process, reindex
from search.models import IndexQueue, SearchDeadLetter
from search.query import SearchQuery
from search.registry import adapters
from tests.search.conftest import engine_backend
from tests.search.documents import project_document

pytestmark = [pytest.mark.elasticsearch, pytest.mark.django_db]

ANYONE = frozenset({PUBLIC})


def doc(object_id, title, **fields) -> SearchDocument:
    return project_document(
        kind=fields.pop("kind", "project"),
        object_id=str(object_id),
        url=f"/projets/{object_id}/",
        title=title,
        **fields,
    )


def titles(backend, text):
    results = backend.search(SearchQuery(text=text, principals=ANYONE, facets=False))
    return sorted(hit.title for hit in results.hits)


def test_a_fresh_cluster_bootstraps_one_index_even_when_two_workers_race(engine):
    twin = engine_backend(prefix=engine.alias.removesuffix("-documents"))
    assert engine._indices() == {}  # nothing yet: « alias not found » is not an outage
    assert engine.keys() == set()
    errors = []

    def write(backend, n):
        try:
            backend.index([doc(n, f"Ressourcerie {n}")])
        except Exception as exc:  # the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(b, n)) for n, b in ((1, engine), (2, twin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    indices = engine._indices()
    assert list(indices) == [engine.initial_index]
    assert indices[engine.initial_index] == [engine.alias]
    engine.refresh()
    assert engine.keys() == {"project:1", "project:2"}


def test_searching_a_fresh_cluster_bootstraps_it(engine):
    assert engine.search(SearchQuery(text="jardin", principals=ANYONE)).total == 0
    assert engine._indices_of(engine.alias) == [engine.initial_index]


def test_index_names_carry_the_prefix_and_shards_and_replicas_come_from_settings(engine):
    engine.index([doc(1, "Jardin")])
    settings = engine.engine.client._client.indices.get_settings(index=engine.alias)
    ((name, data),) = settings.items()
    assert name.startswith(engine.alias) and engine.alias.startswith("carrefour-test-")
    index = data["settings"]["index"]
    assert (index["number_of_shards"], index["number_of_replicas"]) == (
        str(engine.config.shards),
        str(engine.config.replicas),
    )
    assert engine.config.replicas == 1  # the 3-node cluster holds a copy of each shard


def test_rebuild_while_publishing_loses_nothing(
    engine, make_project, django_capture_on_commit_callbacks
):
    """Publishes, edits and deletes made while a rebuild fills its new index reach it
    (dual write through the -next alias), and the rebuild's older copies of those
    documents do not overwrite them (external versions)."""
    engine.index([doc(n, f"Ancien {n}") for n in range(100_001, 100_004)])
    old_indices = set(engine._indices())
    published = []

    def documents():
        for n in range(100_001, 102_501):  # ids apart from the pages'
            if n == 101_200:  # midway, as an editor publishes, edits and deletes
                with django_capture_on_commit_callbacks(execute=True):
                    published.append(make_project(title="Conserverie publiée pendant"))
                engine.index([doc(100_005, "Version récente du cinq")])
                engine.delete(["project:100007"])
            # The rebuild read these from the database before the edits above.
            yield doc(n, {100_005: "Version ancienne du cinq"}.get(n, f"Projet reconstruit {n}"))

    written = engine.rebuild(documents(), kinds=list(adapters()))
    assert written == 2500
    assert "Conserverie publiée pendant" in titles(engine, "conserverie")
    # OR rule: other pages saying « version » are found too; of the fifth project only
    # the recent copy is there, and it comes first (both words).
    found = engine.search(SearchQuery(text="version cinq", principals=ANYONE, facets=False))
    assert found.hits[0].title == "Version récente du cinq"
    assert [h.title for h in found.hits if "cinq" in h.title] == ["Version récente du cinq"]
    keys = engine.keys()
    assert "project:100007" not in keys
    assert f"project:{published[0].pk}" in keys
    projects = {key for key in keys if key.startswith("project:")}
    assert len(projects) == 2500  # 2,500 rebuilt, 1 deleted, 1 published
    # The old index is gone, the alias reads the new one, -next is released.
    indices = engine._indices()
    assert not old_indices & set(indices)
    ((_name, aliases),) = indices.items()
    assert aliases == [engine.alias]


def test_reindex_from_the_database_and_leftovers_are_removed(engine, make_project):
    make_project(title="Jardin de la Gare")
    # A rebuild that died midway left an index no alias reads.
    engine.engine.create_index(name=f"{engine.alias}-leftover", body=engine._body())
    assert reindex() >= 1
    engine.refresh()
    assert "Jardin de la Gare" in titles(engine, "jardin gare")
    assert all(aliases == [engine.alias] for aliases in engine._indices().values())


def test_a_mapping_error_goes_to_the_dead_letter_list_with_the_reason(
    engine, make_project, django_capture_on_commit_callbacks, client, editor, monkeypatch
):
    from search import indexing

    good = doc(1, "Jardin")
    broken = doc(2, "Point hors du monde", points=[(999.0, 999.0)])  # geo_point refuses it
    with pytest.raises(DocumentsRejected) as caught:
        engine.index([good, broken])
    assert caught.value.written == 1 and list(caught.value.rejected) == ["project:2"]
    assert not caught.value.retry
    assert "400" in caught.value.rejected["project:2"]

    # Through the queue: the row leaves the queue for the dead-letter list.
    project = make_project(title="Projet au point impossible")
    adapter = adapters()["project"]
    real = adapter.documents
    monkeypatch.setattr(
        adapter,
        "documents",
        lambda objects: [(o, d and replace(d, points=[(999.0, 999.0)])) for o, d in real(objects)],
    )
    report = indexing.process(items=[("project", str(project.pk))])
    assert report.failed == 0
    assert not IndexQueue.objects.filter(object_id=str(project.pk)).exists()
    letter = SearchDeadLetter.objects.get(key=f"project:{project.pk}")
    assert "parse" in letter.reason or "400" in letter.reason
    # Editors see it in the admin, with the reason.
    client.force_login(editor)
    html = client.get("/admin/recherche/refus/").content.decode()
    assert f"project:{project.pk}" in html and "400" in html
    # Fixed: indexed again, it leaves the list.
    monkeypatch.setattr(adapter, "documents", real)
    IndexQueue.objects.create(kind="project", object_id=str(project.pk))
    indexing.process(items=[("project", str(project.pk))])
    assert not SearchDeadLetter.objects.filter(key=f"project:{project.pk}").exists()


def test_retryable_item_errors_wait_in_the_queue_with_its_backoff(
    engine, make_project, monkeypatch
):
    project = make_project(title="Épicerie surchargée")
    key = f"project:{project.pk}"
    real_bulk = engine.engine.bulk

    def overloaded(operations):
        response = real_bulk(operations)
        for item in response["items"]:
            result = next(iter(item.values()))
            if result["_id"] == key:  # as the engine answers when its queue is full
                result.update(status=429, error={"type": "es_rejected_execution_exception"})
        return response

    monkeypatch.setattr(engine.engine.client, "bulk", overloaded)
    report = process(items=[("project", str(project.pk))])
    assert report.failed == 1
    row = IndexQueue.objects.get(object_id=str(project.pk))
    assert row.attempts == 1 and "429" in row.last_error and row.next_attempt_at > row.created_at
    assert not SearchDeadLetter.objects.exists()


def test_connection_errors_are_outages_but_a_missing_alias_is_not(engine):
    from core.env import SearchEngineSettings
    from search.backends.elasticsearch import ElasticsearchBackend

    assert engine.fingerprints() == {} and engine.count() == 0
    nowhere = ElasticsearchBackend(
        config=SearchEngineSettings(urls=("http://127.0.0.1:9",), engine="opensearch", timeout=1),
        prefix="carrefour-test-nowhere",
    )
    with pytest.raises(BackendUnavailable):
        nowhere.index([doc(1, "Jardin")])
    with pytest.raises(BackendUnavailable):
        nowhere.search(SearchQuery(text="jardin", principals=ANYONE))


def test_pages_past_ten_thousand_hits_use_search_after(engine):
    engine.index(doc(n, f"Fiche {n:05d}", summary="commun") for n in range(10_050))
    last_page = SearchQuery(filters={"kind": ("project",)}, sort="alpha", per_page=20, page=503)
    results = engine.search(last_page)
    assert results.total == 10_050
    assert [hit.title for hit in results.hits] == [f"Fiche {n:05d}" for n in range(10_040, 10_050)]
    neighbour = engine.search(replace(last_page, page=502))
    assert [hit.title for hit in neighbour.hits][-1] == "Fiche 10039"
    past = engine.search(replace(last_page, page=504))
    assert past.hits == [] and past.total == 10_050
