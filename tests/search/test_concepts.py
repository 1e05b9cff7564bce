"""Query understanding through the taxonomy: concept providers, the lower-weight
clause, dropping a concept on the page and in the API, visibility."""

from __future__ import annotations

import pytest

from search import registry
from search.concepts import ConceptEntry, ConceptMatcher, concepts_in
from search.interpret import interpret
from search.registry import Concept
from tests.search.test_contract import doc, q

pytestmark = pytest.mark.django_db

SENIORS = "public:seniors"


@pytest.fixture
def seniors_corpus(backend):
    backend.index(
        [
            # Tagged seniors, the text says « aînés »: found by the concept only.
            doc(1, "Ateliers mémoire", summary="Pour les aînés du quartier.", publics=["seniors"]),
            # The words themselves, untagged.
            doc(2, "Des personnes âgées au jardin", summary="Un jardin partagé."),
            doc(3, "Café des parents", summary="Pour les familles.", publics=["enfants-familles"]),
            doc(4, "Club privé", summary="Réservé.", publics=["seniors"], visibility=["user:9"]),
        ]
    )
    return backend


def test_the_taxonomy_provider_understands_labels_and_synonyms():
    found = {c.key: c for c in concepts_in(text="sorties pour les personnes âgées")}
    assert SENIORS in found
    assert found[SENIORS].kind_label == "public" and found[SENIORS].label == "Seniors"
    assert found[SENIORS].phrase == "personnes âgées"
    assert "theme:mobilite.velo" in {c.key for c in concepts_in(text="Vélos")}


def test_a_registered_provider_is_asked_and_its_concepts_cover_the_words(monkeypatch):
    matcher = ConceptMatcher(
        [ConceptEntry("theme", "x.compost", "Compost", "thème", ("compost", "lombricomposteur"))]
    )
    monkeypatch.setattr(registry, "_concept_providers", [matcher.find])
    plan = interpret(text="lombricomposteurs en ville")
    assert [clause.concept.key for clause in plan.clauses] == ["theme:x.compost"]
    assert plan.clauses[0].units == (0,)
    dropped = interpret(text="lombricomposteurs en ville", dropped=["theme:x.compost"])
    assert not dropped.clauses and [c.key for c in dropped.dropped] == ["theme:x.compost"]


def test_a_longer_phrase_wins_over_the_one_inside_it():
    matcher = ConceptMatcher(
        [
            ConceptEntry("theme", "iae", "IAE", "thème", ("insertion par l'activité économique",)),
            ConceptEntry("theme", "act", "Activité", "thème", ("activité",)),
        ]
    )
    assert [c.value for c in matcher.find("l'insertion par l'activité économique")] == ["iae"]
    assert [c.value for c in matcher.find("une activité")] == ["act"]


def test_personnes_agees_finds_projects_tagged_seniors_below_text_matches(seniors_corpus):
    results = seniors_corpus.search(q(text="personnes âgées"))
    ranked = [hit.key for hit in results.hits]
    assert ranked[:2] == ["project:2", "project:1"]  # text first, then the concept
    assert "project:3" not in ranked
    assert "project:4" not in ranked  # private, though tagged
    assert [c.key for c in results.concepts] == [SENIORS]


def test_dropping_the_concept_keeps_only_text_matches(seniors_corpus):
    results = seniors_corpus.search(q(text="personnes âgées", dropped_concepts=(SENIORS,)))
    assert [hit.key for hit in results.hits] == ["project:2"]
    assert [c.key for c in results.dropped_concepts] == [SENIORS]


def test_the_page_says_what_it_understood_and_links_to_drop_it(client, seniors_corpus, use_backend):
    html = client.get("/recherche/", {"q": "personnes âgées"}).content.decode()
    assert "Compris :" in html and "public <strong>Seniors</strong>" in html
    assert "sans_concept=public%3Aseniors" in html
    dropped = client.get(
        "/recherche/", {"q": "personnes âgées", "sans_concept": SENIORS}
    ).content.decode()
    assert "Non pris en compte :" in dropped
    assert 'name="sans_concept" value="public:seniors"' in dropped  # kept by the form
    assert "Ateliers mémoire" not in dropped


def test_the_api_exposes_the_concepts(client, seniors_corpus, use_backend):
    body = client.get("/api/v1/search", {"q": "personnes âgées"}).json()
    assert body["concepts"] == [
        {
            "facet": "public",
            "value": "seniors",
            "label": "Seniors",
            "kind": "public",
            "phrase": "personnes âgées",
            "key": SENIORS,
        }
    ]
    assert {r["title"] for r in body["results"]} == {
        "Ateliers mémoire",
        "Des personnes âgées au jardin",
    }
    dropped = client.get("/api/v1/search", {"q": "personnes âgées", "sans_concept": SENIORS})
    assert dropped.json()["concepts"] == [] and dropped.json()["count"] == 1
    assert dropped.json()["dropped_concepts"][0]["key"] == SENIORS


def test_concept_is_a_plain_value():
    concept = Concept("public", "seniors", "Seniors", "public", "aînés")
    assert concept.key == SENIORS
