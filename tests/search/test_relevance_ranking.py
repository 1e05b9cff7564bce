"""Ranking on the database backends: the OR rule, field boosts, typo tolerance."""

from __future__ import annotations

import pytest

from search.documents import PUBLIC
from tests.search.test_contract import doc, q

pytestmark = pytest.mark.django_db


@pytest.fixture
def database(backend):
    if backend.name != "database":
        pytest.skip("règles propres aux moteurs en base (le moteur a sa propre suite)")
    return backend


def test_title_outranks_keywords_which_outrank_summary_which_outranks_body(database):
    database.index(
        [
            doc(1, "Atelier", body="Un atelier de permaculture en ville."),
            doc(2, "Atelier", summary="Un atelier de permaculture."),
            doc(3, "Atelier", tags=["permaculture"]),
            doc(4, "Permaculture pour tous"),
        ]
    )
    ranked = [hit.key for hit in database.search(q(text="permaculture")).hits]
    assert ranked == ["project:4", "project:3", "project:2", "project:1"]


def test_coordination_orders_by_how_many_words_match(database):
    database.index(
        [
            doc(1, "Vélo", summary="Réparer son vélo."),
            doc(2, "Atelier vélo", summary="Réparer son vélo en atelier solidaire."),
            doc(3, "Atelier", summary="Un atelier."),
        ]
    )
    ranked = [hit.key for hit in database.search(q(text="atelier vélo réparer")).hits]
    assert ranked[0] == "project:2"  # three words
    assert ranked.index("project:1") < ranked.index("project:3")  # two words, then one


def test_typographic_apostrophe_finds_the_plain_one(database):
    database.index([doc(1, "Apprendre l'informatique au village")])
    assert database.search(q(text="l\u2019informatique")).total == 1


def test_a_typo_is_searched_as_the_nearest_indexed_word(database):
    database.index([doc(1, "Jardin solidaire"), doc(2, "Insertion professionnelle")])
    jardin = database.search(q(text="jardim"))
    assert [h.key for h in jardin.hits] == ["project:1"]
    assert jardin.suggestion == "jardin"
    assert database.search(q(text="insertoin")).total == 1  # 9 letters: two edits
    assert database.search(q(text="jardxyz")).total == 0  # too far


def test_short_words_get_no_typo_tolerance(database):
    database.index([doc(1, "Vélo solidaire")])
    assert database.search(q(text="velp")).total == 0


def test_quoted_phrases_stay_required(database):
    database.index([doc(1, "Économie sociale"), doc(2, "Économie du vélo")])
    found = {h.key for h in database.search(q(text='"économie sociale" vélo')).hits}
    assert found == {"project:1"}


def test_private_documents_are_not_found_by_a_partial_match(database):
    database.index([doc(1, "Jardin public"), doc(2, "Jardin secret", visibility=["user:7"])])
    found = {h.key for h in database.search(q(text="jardin secret")).hits}
    assert found == {"project:1"}
    mine = database.search(q(text="jardin secret", principals=frozenset({PUBLIC, "user:7"})))
    assert mine.hits[0].key == "project:2"
