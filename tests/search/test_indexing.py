"""The index follows publish, unpublish, edits, moves and deletes — after commit —
and no update is lost while the engine is unreachable."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from innovations.models import ProjectSourceRecord, Source
from innovations.services.projects import project_create, project_update
from search.backends import BackendUnavailable
from search.documents import PUBLIC
from search.models import IndexQueue
from search.query import SearchQuery
from tests.factories import project_input

pytestmark = pytest.mark.django_db

ANYONE = frozenset({PUBLIC})


def found(backend, text):
    return [hit.title for hit in backend.search(SearchQuery(text=text, principals=ANYONE)).hits]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks of what happens inside, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_publishing_indexes_and_unpublishing_removes(
    use_backend, projects_index, owner, editor, commit
):
    with commit():
        project = project_create(user=owner, data=project_input(title="Fablab de Guéret"))
    assert found(use_backend, "fablab") == []  # a draft is not indexed
    with commit():
        project.get_latest_revision().publish(user=editor)
    assert found(use_backend, "fablab") == ["Fablab de Guéret"]
    assert not IndexQueue.objects.filter(kind="project").exists()
    with commit():
        project.refresh_from_db()
        project.unpublish(user=editor)
    assert found(use_backend, "fablab") == []


def test_a_draft_edit_of_a_live_project_does_not_change_the_index(
    use_backend, projects_index, owner, editor, commit
):
    with commit():
        project = project_create(user=owner, data=project_input(title="Atelier couture"))
        project.get_latest_revision().publish(user=editor)
    with commit():
        project_update(
            project=project, user=owner, data=project_input(title="Atelier broderie"), submit=True
        )
    assert found(use_backend, "couture") == ["Atelier couture"]
    assert found(use_backend, "broderie") == []


def test_deleting_a_project_removes_it(use_backend, make_project, commit):
    with commit():
        project = make_project(title="Cantine solidaire")
    assert found(use_backend, "cantine")
    with commit():
        project.delete()
    assert found(use_backend, "cantine") == []


def test_a_new_partner_listing_reindexes_the_project(use_backend, make_project, commit):
    with commit():
        project = make_project(title="Recyclerie des Monts")
        source = Source.objects.create(name="Réseau Réemploi", slug="reseau-reemploi")
    with commit():
        ProjectSourceRecord.objects.create(project=project, source=source, source_identifier="R1")
    results = use_backend.search(
        SearchQuery(filters={"source": ("reseau-reemploi",)}, principals=ANYONE)
    )
    assert [hit.title for hit in results.hits] == ["Recyclerie des Monts"]


def test_updates_made_while_the_engine_is_down_are_applied_once_it_is_back(
    use_backend, make_project, commit, monkeypatch
):
    real_index = use_backend.index

    def down(documents):
        raise BackendUnavailable("connexion refusée")

    monkeypatch.setattr(use_backend, "index", down)
    with commit():
        make_project(title="Ressourcerie de Tulle")  # the request itself succeeds
    row = IndexQueue.objects.get(kind="project")
    assert row.attempts == 1 and "connexion refusée" in row.last_error
    monkeypatch.setattr(use_backend, "index", real_index)
    assert found(use_backend, "ressourcerie") == []
    with commit():
        call_command("search_sync", "--all", verbosity=0)
    assert found(use_backend, "ressourcerie") == ["Ressourcerie de Tulle"]
    assert not IndexQueue.objects.filter(kind="project").exists()


def test_the_next_successful_update_also_applies_the_backlog(
    use_backend, make_project, commit, monkeypatch
):
    real_index = use_backend.index
    monkeypatch.setattr(
        use_backend, "index", lambda documents: (_ for _ in ()).throw(BackendUnavailable("down"))
    )
    with commit():
        make_project(title="Garage solidaire de Tulle")
    monkeypatch.setattr(use_backend, "index", real_index)
    IndexQueue.objects.update(next_attempt_at=IndexQueue.objects.get(kind="project").created_at)
    with commit():
        make_project(title="Vélo-école de Brive")
    assert found(use_backend, "garage") == ["Garage solidaire de Tulle"]
    assert found(use_backend, "velo") == ["Vélo-école de Brive"]


def test_reindex_command_rebuilds_from_the_database(use_backend, make_project, capsys, commit):
    make_project(title="Jardin de la Gare")  # no commit: the index did not hear of it
    assert found(use_backend, "jardin") == []
    with commit():
        call_command("search_reindex")
    assert found(use_backend, "jardin") == ["Jardin de la Gare"]
    assert "documents indexés" in capsys.readouterr().out
