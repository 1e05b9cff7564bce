"""The French analysis shared by indexing and querying (search/text.py)."""

from __future__ import annotations

import pytest

from search.text import analyse, light_stem, max_edits, parse, within_edits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'économie", ["econom"]),
        ("l\u2019économie", ["econom"]),  # typographic apostrophe
        ("d\u2019insertion", ["insertion"]),
        ("qu'on", []),
        ("jusqu\u2019au bout", ["bout"]),
    ],
)
def test_elisions_are_dropped_with_either_apostrophe(text, expected):
    assert analyse(text) == expected


def test_french_stop_words_are_dropped_quand_included():
    assert analyse("apprendre le français quand on est réfugié") == analyse(
        "apprendre français réfugié"
    )
    assert analyse("quand") == []
    assert analyse("les des aux pour avec") == []


@pytest.mark.parametrize("word", ["sans", "plus", "vers", "tous"])
def test_protected_words_keep_their_final_s(word):
    assert analyse(word) == [word]
    assert analyse(f"{word}-abri")[0] == word


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("aîné", "aînés"),
        ("personne âgée", "personnes âgées"),
        ("jardin partagé", "jardins partagés"),
        ("vélo", "vélos"),
        ("cheval", "chevaux"),
        ("tiers-lieu", "tiers-lieux"),
        ("élève exclu", "élèves exclus"),
        ("énergie renouvelable", "énergies renouvelables"),
        ("médiation numérique", "médiations numériques"),
        ("monnaie locale", "monnaies locales"),
        ("sans-abri", "sans-abris"),
        ("AMAP", "AMAPs"),
    ],
)
def test_singular_and_plural_give_the_same_tokens(singular, plural):
    assert analyse(singular) == analyse(plural)


def test_accents_and_case_do_not_matter():
    assert analyse("Précarité ÉNERGÉTIQUE") == analyse("precarite energetique")
    assert analyse("Économie") == analyse("economie")


def test_light_stemmer_follows_savoy_rules():
    assert light_stem("educatrice") == light_stem("educateur") == "eduqu"
    assert light_stem("animatrice") == light_stem("animateur")
    assert light_stem("collective") == light_stem("collectif")


def test_typo_tolerance_grows_with_word_length():
    assert [max_edits(w) for w in ("velo", "jardin", "insertion")] == [0, 1, 2]
    assert within_edits("jardim", "jardin", 1)
    assert not within_edits("jardim", "jarfon", 1)
    assert within_edits("insertoin", "insertion", 2)
    assert not within_edits("insertoin", "insertion", 1)


def test_quoted_phrases_are_apart_from_words():
    parsed = parse('"économie sociale" insertion')
    assert parsed.phrases == (("econom", "social"),)
    assert parsed.sequence == ("insertion",)
