"""What the engine never shows to someone who may not see it: private, draft and
restricted content stays out of results, facet counts, suggestions as you type,
« did you mean » and similar projects."""

from __future__ import annotations

import pytest
from wagtail.models import PageViewRestriction

from search.documents import PUBLIC, SearchDocument
from search.indexing import reindex
from search.query import SearchQuery
from tests.search.documents import project_document

pytestmark = [pytest.mark.elasticsearch, pytest.mark.django_db]

ANYONE = frozenset({PUBLIC})
MEMBER = frozenset({PUBLIC, "user:42"})


def doc(object_id, title, **fields) -> SearchDocument:
    return project_document(
        kind="project", object_id=str(object_id), url=f"/p/{object_id}/", title=title, **fields
    )


@pytest.fixture
def corpus(engine):
    engine.index(
        [
            doc(1, "Jardin partagé des Lilas", domains=["alimentation"], departements=["93"]),
            doc(2, "Jardin d'insertion", domains=["alimentation"], departements=["93"]),
            # A word that exists only in a private document: « zythologie ».
            doc(
                3,
                "Atelier de zythologie confidentiel",
                domains=["alimentation"],
                departements=["93"],
                visibility=["user:42"],
            ),
        ]
    )
    return engine


def test_private_documents_are_out_of_results_and_counts(corpus):
    results = corpus.search(SearchQuery(principals=ANYONE))
    assert "project:3" not in {hit.key for hit in results.hits}
    counts = {f.value: f.count for f in results.facets["domain"]}
    assert counts == {"alimentation": 2}
    member = corpus.search(SearchQuery(text="zythologie", principals=MEMBER))
    assert [hit.key for hit in member.hits] == ["project:3"]


def test_did_you_mean_never_suggests_a_word_only_private_documents_have(corpus):
    assert corpus.vocabulary_suggestion("zythologi", principals=ANYONE) == ""
    assert corpus.vocabulary_suggestion("zythologi", principals=MEMBER) == "zythologie"
    results = corpus.search(SearchQuery(text="zythologi", principals=ANYONE))
    assert results.total == 0 and results.suggestion == ""
    # A public word is suggested to everyone.
    assert corpus.vocabulary_suggestion("jardim", principals=ANYONE).startswith("jardin")


def test_suggestions_and_similar_keep_private_documents_out(corpus):
    assert corpus.suggest_titles("atel", principals=ANYONE) == []
    assert [t for t, _u in corpus.suggest_titles("atel", principals=MEMBER)] == [
        "Atelier de zythologie confidentiel"
    ]
    assert "project:3" not in {h.key for h in corpus.similar("project:1", principals=ANYONE)}
    # The private document's own « similar » list is nobody's business but its viewers'.
    assert corpus.similar("project:3", principals=ANYONE) == []
    assert corpus.similar("project:3", principals=MEMBER)


def test_drafts_and_restricted_pages_never_reach_the_engine_for_anyone(
    engine, make_project, client, django_capture_on_commit_callbacks
):
    draft = make_project(title="Brouillon de conserverie", live=False)
    live = make_project(title="Conserverie ouverte")
    reindex()
    engine.refresh()
    indexed = engine.keys()
    assert f"project:{draft.pk}" not in indexed and f"project:{live.pk}" in indexed
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=live, restriction_type=PageViewRestriction.LOGIN)
    engine.refresh()
    for url in (
        "/api/v1/search?q=conserverie",
        "/recherche/suggestions?q=conserv",
        "/recherche/?q=conserverie",
    ):
        body = client.get(url).content.decode()
        assert "Conserverie ouverte" not in body and "Brouillon de conserverie" not in body
