"""Orders people rely on: « Plus récents » lists news (projects), not the legal
pages published the day the site opened; « Projets proches » are near first —
same département, then same région, then shared sub-themes, shared words only
breaking ties — on every backend and in the database fallback."""

from __future__ import annotations

import datetime

import pytest

from innovations.selectors import projects_related, projects_similar
from search.documents import PUBLIC, SearchDocument
from search.indexing import reindex
from search.query import SearchQuery
from tests.search.documents import project_document

pytestmark = pytest.mark.django_db

PUBLIC_ONLY = frozenset({PUBLIC})
NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)


def doc(object_id, title, *, days=0, **fields) -> SearchDocument:
    return project_document(
        kind=fields.pop("kind", "project"),
        object_id=str(object_id),
        url=f"/d/{object_id}/",
        title=title,
        published_at=NOW - datetime.timedelta(days=days),
        **fields,
    )


def test_most_recent_lists_projects_then_editorial_pages(backend):
    backend.index(
        [
            doc(1, "Mentions légales", kind="page", days=0),
            doc(2, "Politique de confidentialité", kind="page", days=1),
            doc(3, "Jardin partagé", days=5),
            doc(4, "Recyclerie", days=2),
            doc(5, "Atelier vélo", days=30),
        ]
    )
    results = backend.search(SearchQuery(sort="recents", principals=PUBLIC_ONLY))
    assert [hit.key for hit in results.hits] == [
        "project:4",
        "project:3",
        "project:5",
        "page:1",
        "page:2",
    ]
    # A sort does not change what is found: the pages are still there, after.
    assert results.total == 5


PARIS = {"departements": ["75"], "regions": ["11"]}
SAINT_DENIS = {"departements": ["93"], "regions": ["11"]}
GUADELOUPE = {"departements": ["971"], "regions": ["01"]}
CORSE = {"departements": ["2A"], "regions": ["94"]}


def test_similar_is_same_departement_then_region_then_themes(backend):
    backend.index(
        [
            doc(1, "Ressourcerie du onzième", themes=["dechets", "emploi"], **PARIS),
            # Far away, but sharing both sub-themes and the title's words.
            doc(2, "Ressourcerie de Pointe-à-Pitre", themes=["dechets", "emploi"], **GUADELOUPE),
            doc(3, "Ressourcerie d'Ajaccio", themes=["dechets"], **CORSE),
            # Same région, one shared sub-theme.
            doc(4, "Atelier de Saint-Denis", themes=["dechets"], **SAINT_DENIS),
            # Same région, nothing else in common.
            doc(5, "Chorale de Saint-Denis", themes=["culture"], **SAINT_DENIS),
            # Same département, no shared sub-theme.
            doc(6, "Café des parents", themes=["famille"], **PARIS),
            doc(7, "Guide des ressourceries", kind="page"),
        ]
    )
    similar = backend.similar("project:1", principals=PUBLIC_ONLY, limit=5)
    assert [hit.key for hit in similar] == [
        "project:6",
        "project:4",
        "project:5",
        "project:2",
        "project:3",
    ]


def test_shared_words_break_ties_among_equally_near(backend):
    backend.index(
        [
            doc(1, "Repair café des Lilas", themes=["reemploi"], **SAINT_DENIS),
            doc(2, "Chorale des Lilas", themes=["culture"], **SAINT_DENIS),
            doc(3, "Repair café de Bondy", themes=["culture"], **SAINT_DENIS),
        ]
    )
    similar = backend.similar("project:1", principals=PUBLIC_ONLY, limit=2)
    assert similar[0].key == "project:3"


@pytest.fixture
def neighbours(use_backend, make_project):
    """A Paris project and others: nearer ones share fewer sub-themes."""
    paris = make_project(
        title="Épicerie solidaire du onzième",
        commune="75111",
        themes=["solidarites.aide-alimentaire", "alimentation-agriculture.circuits-courts"],
    )
    far = make_project(
        title="Épicerie solidaire de Pointe-à-Pitre",
        commune="97120",
        themes=["solidarites.aide-alimentaire", "alimentation-agriculture.circuits-courts"],
    )
    region = make_project(
        title="Recyclerie de Saint-Denis",
        commune="93066",
        themes=["environnement.economie-circulaire"],
    )
    departement = make_project(
        title="Café des parents du vingtième",
        commune="75120",
        themes=["numerique.inclusion-numerique"],
    )
    return paris, departement, region, far


def test_related_projects_of_the_database_fallback_follow_the_same_order(neighbours):
    paris, departement, region, far = neighbours
    assert projects_related(project=paris, limit=3) == [departement, region, far]


def test_similar_projects_on_the_project_page_are_near_first(neighbours, client):
    paris, departement, region, far = neighbours
    reindex()
    assert projects_similar(project=paris, user=None, limit=3) == [departement, region, far]
    html = client.get(paris.url).content.decode()
    positions = [html.find(project.title) for project in (departement, region, far)]
    assert -1 not in positions and positions == sorted(positions)


def test_ready_to_spread_first_then_modelling_then_the_rest(backend):
    """« Prêts à essaimer d'abord » (a sort innovations declares, search/registry.py
    FacetSort): the readiness facet ranks, relevance breaks ties, on every backend."""
    backend.index(
        [
            doc(1, "Jardin partagé", facets={"essaimage": ["pas-encore"]}),
            doc(2, "Jardin des possibles", facets={"essaimage": ["modelisation"]}),
            doc(3, "Jardin solidaire", facets={"essaimage": ["prete"]}),
            doc(4, "Jardin sans fiche"),
            doc(5, "Jardin nourricier", facets={"essaimage": ["prete"]}),
        ]
    )
    results = backend.search(SearchQuery(sort="essaimage", principals=PUBLIC_ONLY))
    keys = [hit.key for hit in results.hits]
    assert set(keys[:2]) == {"project:3", "project:5"}
    assert keys[2] == "project:2"
    assert set(keys[3:]) == {"project:1", "project:4"}
    assert results.total == 5
    texts = backend.search(SearchQuery(text="jardin", sort="essaimage", principals=PUBLIC_ONLY))
    assert {hit.key for hit in texts.hits[:2]} == {"project:3", "project:5"}
    facet = backend.search(SearchQuery(filters={"essaimage": ("prete",)}, principals=PUBLIC_ONLY))
    assert {hit.key for hit in facet.hits} == {"project:3", "project:5"}
