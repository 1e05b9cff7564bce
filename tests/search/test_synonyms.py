"""Editors' synonyms: validation, the admin screen, query expansion, the cache."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from search.models import SearchSynonym
from search.synonyms import (
    DEFAULT_SYNONYMS,
    synonym_groups,
    synonym_terms_parse,
    synonyms_expand,
    synonyms_seed_defaults,
)
from search.text import analyse
from tests.search.test_contract import doc, q

pytestmark = pytest.mark.django_db


def test_a_line_needs_two_different_terms():
    assert synonym_terms_parse(text=" ESS ,économie sociale et solidaire, ess ") == [
        "ESS",
        "économie sociale et solidaire",
    ]
    with pytest.raises(ValidationError, match="au moins deux termes"):
        synonym_terms_parse(text="ESS")
    with pytest.raises(ValidationError, match="au moins deux termes"):
        synonym_terms_parse(text="ESS, ess, Ess")
    with pytest.raises(ValidationError, match="mots trop courants"):
        synonym_terms_parse(text="ESS, de la")


def test_seeding_the_defaults_is_idempotent_and_keeps_editors_lines():
    SearchSynonym.objects.create(terms="ESS, économie sociale et solidaire, économie sociale")
    added = synonyms_seed_defaults()
    assert added == len(DEFAULT_SYNONYMS)  # the editor's line differs from the default one
    assert synonyms_seed_defaults() == 0
    assert SearchSynonym.objects.filter(terms__startswith="ESS, économie sociale et solidaire, é")


def test_expansion_replaces_the_longest_matching_span(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        SearchSynonym.objects.create(terms="QPV, quartier prioritaire")
    expansions = synonyms_expand(sequence=tuple(analyse("jardins en quartiers prioritaires")))
    assert len(expansions) == 1
    assert (expansions[0].start, expansions[0].end) == (1, 3)
    assert ("qpv",) in expansions[0].alternatives


def test_saving_or_deleting_a_line_refreshes_the_cache(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        line = SearchSynonym.objects.create(terms="EPN, espace public numérique")
    assert any("EPN" in group.terms for group in synonym_groups())
    with django_capture_on_commit_callbacks(execute=True):
        line.is_active = False
        line.save()
    assert not any("EPN" in group.terms for group in synonym_groups())
    with django_capture_on_commit_callbacks(execute=True):
        line.is_active = True
        line.save()
    assert synonym_groups()
    with django_capture_on_commit_callbacks(execute=True):
        line.delete()
    assert synonym_groups() == []


def test_a_query_finds_the_documents_using_an_equivalent_term(
    backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        SearchSynonym.objects.create(terms="ESS, économie sociale et solidaire")
    backend.index(
        [
            doc(1, "Le réseau de l'économie sociale et solidaire"),
            doc(2, "Forum ESS de la Creuse"),
            doc(3, "Économie circulaire et solidarité"),
            doc(4, "Forum réservé ESS", visibility=["user:5"]),
        ]
    )
    by_acronym = {h.key for h in backend.search(q(text="ess")).hits}
    assert by_acronym == {"project:1", "project:2"}  # never the private one
    by_words = {h.key for h in backend.search(q(text="économie sociale et solidaire")).hits}
    assert {"project:1", "project:2"} <= by_words
    # A span a synonym matches is one unit: its words are looked for as a phrase.
    assert "project:3" not in by_words


def _editor_with(user, *codenames):
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="search", codename__in=codenames),
    )
    return user


def test_editors_add_synonyms_in_the_admin_with_a_french_error(client, user):
    client.force_login(
        _editor_with(user, "add_searchsynonym", "change_searchsynonym", "view_searchsynonym")
    )
    listing = client.get("/admin/recherche/synonymes/")
    assert listing.status_code == 200
    refused = client.post(
        "/admin/recherche/synonymes/new/", {"terms": "ESS", "note": "", "is_active": "on"}
    )
    assert refused.status_code == 200
    assert "Indiquez au moins deux termes équivalents" in refused.content.decode()
    assert not SearchSynonym.objects.exists()
    saved = client.post(
        "/admin/recherche/synonymes/new/",
        {"terms": "EHPAD ,  maison de retraite", "note": "", "is_active": "on"},
    )
    assert saved.status_code == 302
    assert SearchSynonym.objects.get().terms == "EHPAD, maison de retraite"


def test_the_synonyms_screen_needs_the_permission(client, user):
    client.force_login(_editor_with(user))
    assert client.get("/admin/recherche/synonymes/").status_code in (302, 403)


@pytest.mark.django_db
def test_the_editors_group_may_edit_synonyms():
    from django.contrib.auth.models import Group

    codenames = set(
        Group.objects.get(name="Éditeurs").permissions.values_list("codename", flat=True)
    )
    assert {"add_searchsynonym", "change_searchsynonym", "view_searchsynonym"} <= codenames
