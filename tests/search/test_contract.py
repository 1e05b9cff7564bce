"""The contract every search backend fulfils, on documents written for it."""

from __future__ import annotations

import datetime

import pytest

from search.documents import PUBLIC, SearchDocument
from search.query import GeoFilter, SearchQuery
from tests.search.documents import project_document

pytestmark = pytest.mark.django_db

PUBLIC_ONLY = frozenset({PUBLIC})
NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)


def doc(object_id, title, **fields) -> SearchDocument:
    fields.setdefault("published_at", NOW - datetime.timedelta(days=int(object_id)))
    return project_document(
        kind=fields.pop("kind", "project"),
        object_id=str(object_id),
        url=f"/projets/{object_id}/",
        title=title,
        **fields,
    )


CORPUS = [
    doc(
        1,
        "Le jardin partagé des Lilas",
        summary="Un jardin cultivé par les habitants.",
        domains=["alimentation"],
        themes=["alimentation.jardins"],
        regions=["11"],
        departements=["93"],
        points=[(48.8796, 2.4165)],
        publics=["familles"],
        year=2015,
    ),
    doc(
        2,
        "Épicerie d'économie solidaire",
        summary="L'économie sociale et solidaire au quotidien.",
        domains=["solidarites"],
        themes=["solidarites.aide-alimentaire"],
        regions=["75"],
        departements=["23"],
        points=[(46.1716, 1.8719)],
        year=2020,
    ),
    doc(
        3,
        "Atelier vélo solidaire",
        summary="Réparer son vélo, apprendre l'économie du réemploi ; une démarche sociale.",
        domains=["mobilite"],
        themes=["mobilite.velo"],
        regions=["75"],
        departements=["87"],
        points=[(45.8336, 1.2611)],
        year=2020,
    ),
    doc(
        4,
        "Jardins d'insertion du Limousin",
        summary="Maraîchage et insertion.",
        domains=["alimentation", "emploi"],
        themes=["alimentation.jardins", "emploi.iae"],
        regions=["75"],
        departements=["87"],
        points=[(45.85, 1.25)],
        year=2011,
    ),
    doc(
        5,
        "Tiers-lieu numérique de Brest",
        summary="Médiation numérique et fablab.",
        domains=["numerique"],
        themes=["numerique.inclusion"],
        regions=["53"],
        departements=["29"],
        points=[(48.3904, -4.4861)],
        year=2018,
    ),
    doc(
        6,
        "Projet confidentiel sur les jardins",
        summary="Un brouillon privé.",
        domains=["alimentation"],
        themes=["alimentation.jardins"],
        regions=["11"],
        visibility=["user:42"],
    ),
    doc(
        7,
        "Guide de l'économie sociale",
        kind="page",
        summary="Comprendre l'ESS.",
        visibility=[PUBLIC],
    ),
]


@pytest.fixture
def indexed(backend):
    backend.index(CORPUS)
    return backend


def titles(results):
    return [hit.title for hit in results.hits]


def keys(results):
    return {hit.key for hit in results.hits}


def q(**kwargs) -> SearchQuery:
    kwargs.setdefault("principals", PUBLIC_ONLY)
    return SearchQuery(**kwargs)


def test_health_answers(indexed):
    assert indexed.health()


def test_accents_and_plurals_do_not_matter(indexed):
    assert "project:2" in keys(indexed.search(q(text="economie solidaire")))
    found = keys(indexed.search(q(text="jardins partages")))
    assert "project:1" in found  # « jardin partagé »


def test_documents_with_all_words_rank_before_those_with_some(indexed):
    # The OR rule (search/interpret.py): every document holding a word is found, those
    # holding all of them first.
    results = indexed.search(q(text="jardin insertion"))
    assert results.hits[0].key == "project:4"  # « Jardins d'insertion »: both words
    assert "project:1" in keys(results)  # « jardin » only, after it
    assert [h.key for h in results.hits].index("project:1") > 0


def test_a_query_where_only_some_words_match_still_finds(indexed):
    results = indexed.search(q(text="jardin introuvablexyz"))
    assert {"project:1", "project:4"} <= keys(results)


def test_phrase_search_in_quotes(indexed):
    phrase = keys(indexed.search(q(text='"économie sociale"')))
    assert "project:2" in phrase and "page:7" in phrase
    assert "project:3" not in phrase  # « économie du réemploi ; une démarche sociale »


def test_title_matches_rank_first(indexed):
    results = indexed.search(q(text="jardin"))
    assert results.hits[0].key in {"project:1", "project:4"}


def test_private_documents_never_leak(indexed):
    for results in (
        indexed.search(q(text="jardins")),
        indexed.search(q(filters={"domain": ("alimentation",)})),
        indexed.search(q()),
    ):
        assert "project:6" not in keys(results)
        counts = {f.value: f.count for f in results.facets["domain"]}
        assert counts.get("alimentation", 0) <= 2
    assert all(
        "confidentiel" not in t
        for t, _url in indexed.suggest_titles("proj", principals=PUBLIC_ONLY)
    )
    assert "project:6" not in {h.key for h in indexed.similar("project:1", principals=PUBLIC_ONLY)}


def test_private_documents_are_found_by_who_may_see_them(indexed):
    results = indexed.search(q(text="jardins", principals=frozenset({PUBLIC, "user:42"})))
    assert "project:6" in keys(results)


def test_facets_and_within_or_across(indexed):
    both = indexed.search(q(filters={"departement": ("23", "87")}))
    assert keys(both) == {"project:2", "project:3", "project:4"}
    anded = indexed.search(q(filters={"departement": ("23", "87"), "domain": ("alimentation",)}))
    assert keys(anded) == {"project:4"}


def test_facet_counts_are_disjunctive(indexed):
    results = indexed.search(q(filters={"region": ("75",)}))
    region_counts = {f.value: f.count for f in results.facets["region"]}
    # The region facet ignores its own selection: other regions keep their counts.
    assert region_counts == {"75": 3, "11": 1, "53": 1}
    assert [f.value for f in results.facets["region"] if f.selected] == ["75"]
    # Other facets are counted within the selection.
    domain_counts = {f.value: f.count for f in results.facets["domain"]}
    assert domain_counts == {"solidarites": 1, "mobilite": 1, "alimentation": 1, "emploi": 1}


def test_no_count_leads_to_zero_results(indexed):
    results = indexed.search(q(text="solidaire", filters={"departement": ("87",)}))
    for facet, items in results.facets.items():
        for item in items:
            if item.count and not item.selected:
                values = (*results.query.filters.get(facet, ()), item.value)
                narrowed = q(text="solidaire", filters={**results.query.filters, facet: values})
                assert indexed.search(narrowed).total > 0, (facet, item.value)


def test_proximity_filters_and_sorts_by_distance(indexed):
    limoges = GeoFilter(45.8336, 1.2611, 50)
    results = indexed.search(q(geo=limoges, sort="distance"))
    assert [h.key for h in results.hits] == ["project:3", "project:4"]
    assert results.hits[0].distance_km == 0.0
    assert 1 < results.hits[1].distance_km < 5
    wider = indexed.search(q(geo=GeoFilter(45.8336, 1.2611, 100), sort="distance"))
    assert [h.key for h in wider.hits] == ["project:3", "project:4", "project:2"]


def test_sorts_recent_and_alphabetical(indexed):
    recent = indexed.search(q(filters={"kind": ("project",)}, sort="recents"))
    assert [h.key for h in recent.hits][:3] == ["project:1", "project:2", "project:3"]
    alpha = indexed.search(q(filters={"kind": ("project",)}, sort="alpha"))
    assert titles(alpha)[:2] == ["Atelier vélo solidaire", "Épicerie d'économie solidaire"]


def test_pagination(indexed):
    first = indexed.search(q(filters={"kind": ("project",)}, per_page=2, page=1))
    second = indexed.search(q(filters={"kind": ("project",)}, per_page=2, page=2))
    assert first.total == 5 and first.pages == 3
    assert not keys(first) & keys(second)


def test_highlights_mark_the_matching_words(indexed):
    hit = indexed.search(q(text="économie")).hits[0]
    assert "<mark>" in hit.highlights.get("title", "") + hit.highlights.get("summary", "")


def test_filter_only_order_varies_by_day_but_is_stable_within_a_day(indexed):
    def order(seed):
        return [h.key for h in indexed.search(q(filters={"kind": ("project",)}, seed=seed)).hits]

    assert order(11) == order(11)
    orders = {tuple(order(seed)) for seed in range(1, 30)}
    assert len(orders) > 1


def test_suggestions_by_title_prefix(indexed):
    suggestions = indexed.suggest_titles("jard", principals=PUBLIC_ONLY)
    assert {title for title, _url in suggestions} == {
        "Le jardin partagé des Lilas",
        "Jardins d'insertion du Limousin",
    }


def test_similar_documents_share_themes_or_territory(indexed):
    similar = indexed.similar("project:1", principals=PUBLIC_ONLY, limit=2)
    assert similar[0].key == "project:4"


def test_typos_are_tolerated_or_corrected(indexed):
    results = indexed.search(q(text="jardim"))
    suggestion = indexed.vocabulary_suggestion("jardim", principals=PUBLIC_ONLY)
    assert results.total > 0 or suggestion == "jardin"


def test_delete_and_replace(indexed):
    indexed.delete(["project:5"])
    assert indexed.search(q(text="numérique")).total == 0
    updated = doc(3, "Atelier vélo solidaire", summary="Désormais un atelier de couture.")
    indexed.index([updated])
    assert indexed.search(q(text="couture")).total == 1
    assert indexed.search(q(text="réparer")).total == 0  # only in the old summary


def test_rebuild_drops_what_is_gone(indexed):
    indexed.rebuild(iter(CORPUS[:2]), kinds=["project", "page"])
    assert indexed.keys() == {"project:1", "project:2"}


def test_published_after_keeps_only_newer_documents(indexed):
    # Documents are published 1, 2, 3… days ago (doc()): after 2.5 days ago, 1 and 2.
    since = NOW - datetime.timedelta(days=2, hours=12)
    found = indexed.search(q(filters={"kind": ("project",)}, published_after=since))
    assert keys(found) == {"project:1", "project:2"}
    assert found.total == 2


def test_month_of_publication_is_a_facet_of_every_document(indexed):
    from search.documents import publication_month

    results = indexed.search(q(filters={"kind": ("project",)}))
    months = {item.value: item.count for item in results.facets["month"]}
    expected: dict[str, int] = {}
    for document in CORPUS:
        if document.kind == "project" and PUBLIC in document.visibility:
            month = publication_month(document.published_at)
            expected[month] = expected.get(month, 0) + 1
    assert months == expected
    one = next(iter(expected))
    assert indexed.search(q(filters={"kind": ("project",), "month": (one,)})).total == expected[one]
