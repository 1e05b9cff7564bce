"""Communities and events in the search: found by whoever may see them, with their
facets; a banned member loses them at once; changes re-index after the commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import CommunityTerritory
from communities.search_documents import CommunityAdapter, EventAdapter
from communities.services import (
    EventInput,
    event_cancel,
    event_create,
    membership_ban,
    membership_leave,
)
from search import registry
from search.documents import PUBLIC
from search.indexing import reindex
from tests.communities.conftest import add_member
from tests.factories import CommunityFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def _found(client, q: str, **params) -> dict[str, str]:
    """title → url of what the search finds for whoever ``client`` is."""
    response = client.get("/api/v1/search", {"q": q, **params})
    assert response.status_code == 200, response.content
    return {hit["title"]: hit["url"] for hit in response.json()["results"]}


@pytest.fixture
def world(db):
    public = CommunityFactory(name="Alimentation durable", slug="alimentation-durable")
    private = CommunityFactory(name="Habitat partagé", slug="habitat", visibility="private")
    secret = CommunityFactory(name="Cercle des financeurs", slug="cercle", visibility="secret")
    communities = {"public": public, "private": private, "secret": secret}
    for community in communities.values():
        community.owner_user = add_member(community, role="owner").user
        community.member_user = add_member(community).user
    EventFactory(community=public, title="Visite du potager solidaire")
    EventFactory(community=private, title="Visite de la maison commune")
    EventFactory(community=secret, title="Comité d'engagement solidaire")
    reindex(kinds=["community", "event"])
    return communities


def test_searching_a_community_name_finds_it_under_communautes(client, world):
    found = _found(client, "Alimentation durable")
    assert found["Alimentation durable"] == "/communautes/alimentation-durable/"
    hit = client.get("/api/v1/search", {"q": "Alimentation durable"}).json()["results"][0]
    assert hit["kind"] == "community" and hit["url"].startswith("/communautes/")


def test_a_private_community_is_listed_but_its_events_are_for_members(client, world):
    assert "Habitat partagé" in _found(client, "habitat")
    assert "Visite de la maison commune" not in _found(client, "visite maison commune")
    client.force_login(UserFactory())
    assert "Visite de la maison commune" not in _found(client, "visite maison commune")
    client.force_login(world["private"].member_user)
    found = _found(client, "visite maison commune")
    assert found["Visite de la maison commune"].startswith("/evenements/")


def test_a_secret_community_and_its_events_are_found_by_members_only(client, world):
    assert _found(client, "cercle financeurs") == {}
    assert "Comité d'engagement solidaire" not in _found(client, "comité engagement")
    client.force_login(UserFactory())
    assert _found(client, "cercle financeurs") == {}
    client.force_login(world["secret"].member_user)
    assert "Cercle des financeurs" in _found(client, "cercle financeurs")
    assert "Comité d'engagement solidaire" in _found(client, "comité engagement")


def test_editors_find_everything(client, world):
    client.force_login(UserFactory(groups=["Éditeurs"]))
    assert "Cercle des financeurs" in _found(client, "cercle financeurs")
    assert "Visite de la maison commune" in _found(client, "visite maison commune")


def test_a_banned_or_departed_member_loses_private_content_at_once(client, world):
    private, secret = world["private"], world["secret"]
    client.force_login(private.member_user)
    assert "Visite de la maison commune" in _found(client, "visite maison commune")
    membership_ban(community=private, actor=private.owner_user, user=private.member_user)
    # No re-indexing: the principals are read from the memberships at each search.
    assert "Visite de la maison commune" not in _found(client, "visite maison commune")
    client.force_login(secret.member_user)
    membership_leave(community=secret, user=secret.member_user)
    assert _found(client, "cercle financeurs") == {}


def test_events_created_and_cancelled_are_reindexed_after_the_commit(client, world, commit):
    public = world["public"]
    start = timezone.now() + timedelta(days=5)
    with commit():
        event = event_create(
            community=public,
            actor=public.owner_user,
            data=EventInput(
                title="Grainothèque partagée",
                start=start,
                end=start + timedelta(hours=2),
                address="Ici",
            ),
        )
    assert _found(client, "grainothèque")["Grainothèque partagée"] == f"/evenements/{event.pk}/"
    with commit():
        event_cancel(event=event, actor=public.owner_user)
    assert _found(client, "grainothèque") == {}


def test_a_community_made_private_hides_its_events_after_the_commit(client, world, commit):
    public = world["public"]
    assert "Visite du potager solidaire" in _found(client, "potager")
    with commit():
        public.visibility = "private"
        public.save()
    assert "Visite du potager solidaire" not in _found(client, "potager")
    assert "Alimentation durable" in _found(client, "alimentation durable")  # still listed


def test_proposed_communities_are_not_searchable(world):
    proposed = CommunityFactory(name="Proposée", status="proposed")
    assert CommunityAdapter().document(proposed) is None
    event = EventFactory(community=proposed)
    assert EventAdapter().document(event) is None


def test_community_facets_filter_and_are_labelled(client, world):
    CommunityFactory(name="Mobilités rurales", kind="territoriale", join_policy="request")
    reindex(kinds=["community"])
    data = client.get("/api/v1/search", {"type": "community"}).json()
    params = data["facet_parameters"]
    assert params["community_kind"] == "type_communaute"
    assert params["join_policy"] == "adhesion"
    kinds = {f["value"]: f["label"] for f in data["facets"]["community_kind"]}
    assert kinds["territoriale"] == "Territoriale" and kinds["thematique"] == "Thématique"
    policies = {f["value"]: f["label"] for f in data["facets"]["join_policy"]}
    assert policies["request"] == "Sur demande"
    kind_labels = {f["value"]: f["label"] for f in data["facets"]["kind"]}
    assert kind_labels["community"] == "Communauté"
    filtered = client.get("/api/v1/search", {"type_communaute": "territoriale"}).json()
    assert [hit["title"] for hit in filtered["results"]] == ["Mobilités rurales"]
    filtered = client.get("/api/v1/search", {"adhesion": "request"}).json()
    assert [hit["title"] for hit in filtered["results"]] == ["Mobilités rurales"]


def test_themes_and_territories_share_the_projects_facets(client, territories):
    from innovations.models import Territory, Theme

    theme = Theme.objects.select_related("domain").get(code="numerique.inclusion-numerique")
    creuse = Territory.objects.get(level="departement", code="23")
    community = CommunityFactory(name="Numérique en Creuse", kind="mixte")
    community.themes.add(theme)
    CommunityTerritory.objects.create(community=community, territory=creuse)
    event = EventFactory(community=community, title="Atelier tablette")
    document = CommunityAdapter().document(CommunityAdapter().queryset().get(pk=community.pk))
    assert document.facets["domain"] == ["numerique"]
    assert document.facets["theme"] == ["numerique.inclusion-numerique"]
    assert document.facets["departement"] == ["23"]
    assert document.facets["region"] == ["75"]
    assert document.visibility == [PUBLIC]
    # Territorial communities show on the map, at the centre of their place.
    assert document.points == [(creuse.latitude, creuse.longitude)]
    event_document = EventAdapter().document(EventAdapter().queryset().get(pk=event.pk))
    assert event_document.facets["departement"] == ["23"]
    assert event_document.facets["domain"] == ["numerique"]
    reindex(kinds=["community", "event"])
    found = client.get("/api/v1/search", {"domaine": "numerique", "departement": "23"}).json()
    assert {hit["kind"] for hit in found["results"]} == {"community", "event"}


def test_the_shared_facets_are_declared_once_by_the_projects():
    # Communities fill « domain », « theme », « region », « departement » without
    # declaring them again (innovations/search_facets.py owns their parameters).
    params = registry.facet_params()
    assert params["domain"] == "domaine" and params["departement"] == "departement"
    assert set(registry.adapters()) >= {"project", "community", "event"}
