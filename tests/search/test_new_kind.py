"""A new searchable kind is declared from its own app alone: its adapter, its own
facet (label, URL parameter, value labels) and its visibility — and search/, the
page, the API, the facet counts and the index (database or engine) serve it with
no change to search/. Here the « app » is this test module: it registers a kind
over Django's Group model, as communities/ will register communities and events."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.db.models import QuerySet

from search import registry
from search.documents import PUBLIC, Facet, SearchDocument
from search.indexing import reindex
from search.registry import DocumentAdapter

pytestmark = pytest.mark.django_db

FORMATS = {"presentiel": "En présentiel", "distanciel": "À distance"}


class WorkshopAdapter(DocumentAdapter):
    kind = "atelier"
    label = "Atelier"
    model = Group

    def queryset(self) -> QuerySet[Group]:
        return Group.objects.filter(name__startswith="Atelier")

    def document(self, obj: Group) -> SearchDocument | None:
        if not obj.name.startswith("Atelier"):
            return None
        remote = "distance" in obj.name
        return SearchDocument(
            kind=self.kind,
            object_id=str(obj.pk),
            url=f"/ateliers/{obj.pk}/",
            title=obj.name,
            summary="Un atelier de fabrication collective.",
            keywords=["Réemploi"],
            facets={"format": ["distanciel" if remote else "presentiel"]},
            # « Secret » workshops are for the members of their group only.
            visibility=[f"group:{obj.pk}"] if "secret" in obj.name else [PUBLIC],
            display={"labels": ["Réemploi"]},
        )


@pytest.fixture
def workshops(use_backend):
    registry.register_adapter(WorkshopAdapter())
    registry.register_facet(
        Facet("format", "Format", "format_atelier", order=90),
        lambda values: {v: FORMATS.get(v, v) for v in values},
    )
    try:
        Group.objects.create(name="Atelier vélo partagé")
        Group.objects.create(name="Atelier vélo à distance")
        Group.objects.create(name="Atelier vélo secret")
        reindex(kinds=["atelier"])
        yield use_backend
    finally:
        registry.unregister_adapter("atelier")
        registry.unregister_facet("format")


def test_the_new_kind_is_found_with_its_own_facet_and_labels(client, workshops):
    data = client.get("/api/v1/search", {"q": "atelier vélo"}).json()
    titles = sorted(hit["title"] for hit in data["results"])
    # The secret one is for its group's members only.
    assert titles == ["Atelier vélo partagé", "Atelier vélo à distance"]
    assert {hit["kind"] for hit in data["results"]} == {"atelier"}
    assert data["results"][0]["themes"] == ["Réemploi"]
    assert data["facet_parameters"]["format"] == "format_atelier"
    counts = {item["value"]: (item["label"], item["count"]) for item in data["facets"]["format"]}
    assert counts == {"presentiel": ("En présentiel", 1), "distanciel": ("À distance", 1)}
    kinds = {item["value"]: item["label"] for item in data["facets"]["kind"]}
    assert kinds["atelier"] == "Atelier"


def test_its_url_parameter_filters_on_the_page_and_the_api(client, workshops):
    data = client.get("/api/v1/search", {"q": "atelier", "format_atelier": "distanciel"}).json()
    assert [hit["title"] for hit in data["results"]] == ["Atelier vélo à distance"]
    assert data["warnings"] == []  # a registered parameter is known
    page = client.get("/recherche/", {"q": "atelier", "format_atelier": "distanciel"})
    html = re.sub(r"<[^>]+>", "", page.content.decode())  # titles are highlighted
    assert "Atelier vélo à distance" in html and "Atelier vélo partagé" not in html
    # The facet is offered on the page under its label, with its values' labels.
    assert "Format" in html and "En présentiel" in html


def test_its_visibility_rule_is_applied_to_whoever_searches(client, workshops):
    from tests.factories import UserFactory

    secret = Group.objects.get(name="Atelier vélo secret")
    member = UserFactory()
    member.groups.add(secret)
    client.force_login(member)
    data = client.get("/api/v1/search", {"q": "atelier vélo"}).json()
    assert "Atelier vélo secret" in [hit["title"] for hit in data["results"]]


def test_once_unregistered_its_parameter_is_unknown_again(client, workshops):
    registry.unregister_facet("format")
    data = client.get("/api/v1/search", {"format_atelier": "distanciel"}).json()
    assert any("format_atelier" in warning for warning in data["warnings"])
