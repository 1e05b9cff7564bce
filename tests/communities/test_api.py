"""/api/v1/communities and /api/v1/communities/<slug>: the pages' visibility rules,
as JSON, documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from communities.models import CommunityTerritory
from tests.communities.conftest import add_member
from tests.factories import CommunityFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(db):
    """A public, a private and a secret community, each with an owner and a member."""
    made = {}
    for visibility in ("public", "private", "secret"):
        community = CommunityFactory(
            name=f"Communauté {visibility}", slug=f"communaute-{visibility}", visibility=visibility
        )
        community.owner_user = add_member(community, role="owner").user
        community.member_user = add_member(community).user
        made[visibility] = community
    return made


def _slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def test_anonymous_list_shows_public_and_private_but_not_secret(client, three):
    response = client.get("/api/v1/communities")
    assert response.status_code == 200
    data = response.json()
    assert _slugs(response) == ["communaute-private", "communaute-public"]
    assert data["count"] == 2 and data["page"] == 1 and data["pages"] == 1
    by_slug = {item["slug"]: item for item in data["results"]}
    assert by_slug["communaute-private"]["visibility"] == "private"
    public = by_slug["communaute-public"]
    assert public["member_count"] == 2
    assert public["url"].endswith("/communautes/communaute-public/")
    assert public["events_url"].endswith("/communautes/communaute-public/evenements/")
    assert public["ics_url"].endswith("/communautes/communaute-public/evenements.ics")
    assert public["atom_url"].endswith("/communautes/communaute-public/flux.atom")
    # A private community's events are for its members: no calendar, no feed.
    assert by_slug["communaute-private"]["ics_url"] is None
    assert by_slug["communaute-private"]["atom_url"] is None
    assert response["Vary"] == "Cookie"


def test_a_secret_community_is_listed_to_its_members_only(client, three):
    secret = three["secret"]
    client.force_login(secret.member_user)
    items = {item["slug"]: item for item in client.get("/api/v1/communities").json()["results"]}
    assert items["communaute-secret"]["visibility"] == "secret"
    # Their personal calendar address.
    assert "?jeton=" in items["communaute-secret"]["ics_url"]
    client.force_login(three["public"].member_user)
    assert "communaute-secret" not in _slugs(client.get("/api/v1/communities"))


def test_the_list_is_paginated_with_links(client, three):
    response = client.get("/api/v1/communities", {"par_page": 1, "page": 2})
    data = response.json()
    assert data["count"] == 2 and data["pages"] == 2
    assert _slugs(response) == ["communaute-public"]
    assert data["next"] is None
    assert data["previous"] == "/api/v1/communities?par_page=1&page=1"


def test_the_list_filters_by_kind_and_policy_and_text(client, three):
    CommunityFactory(name="Mobilités du Limousin", kind="territoriale", join_policy="request")
    by_kind = client.get("/api/v1/communities", {"type_communaute": "territoriale"}).json()
    assert [c["name"] for c in by_kind["results"]] == ["Mobilités du Limousin"]
    by_policy = client.get("/api/v1/communities", {"adhesion": "request"}).json()["results"]
    assert [c["name"] for c in by_policy] == ["Mobilités du Limousin"]
    by_text = client.get("/api/v1/communities", {"q": "limousin"}).json()["results"]
    assert [c["name"] for c in by_text] == ["Mobilités du Limousin"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"type_communaute": "nationale"}, "Type de communauté inconnu"),
        ({"adhesion": "libre"}, "Adhésion inconnue"),
        ({"par_page": 500}, "« par_page » va de 1 à 100"),
        ({"page": 0}, "« page » va de 1"),
        ({"q": "x" * 200}, "« q » : 120 caractères au plus"),
    ],
)
def test_bad_filters_are_a_400_in_french(client, three, params, fragment):
    response = client.get("/api/v1/communities", params)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_detail_of_a_hidden_community_is_404_in_french(client, three):
    for slug in ("communaute-secret", "inconnue"):
        response = client.get(f"/api/v1/communities/{slug}")
        assert response.status_code == 404
        assert response.json() == {"detail": "Communauté introuvable."}


def test_detail_gives_upcoming_events_with_their_counts(client, three):
    community = three["public"]
    community.presentation = "<p>Une <b>présentation</b>.</p>"
    community.save()
    full = EventFactory(
        community=community,
        title="Atelier complet",
        start=timezone.now().replace(microsecond=0) + timedelta(days=3),
        capacity=2,
        online_url="https://visio.test/a",
    )
    for answer, waitlisted in (
        ("going", False),
        ("going", False),
        ("going", True),
        ("maybe", False),
    ):
        full.rsvps.create(
            user=UserFactory(), answer=answer, waitlisted=waitlisted, waitlisted_at=timezone.now()
        )
    EventFactory(community=community, title="Passé", start=timezone.now() - timedelta(days=3))
    data = client.get("/api/v1/communities/communaute-public").json()
    assert data["content_visible"] is True
    assert data["presentation"] == "<p>Une <b>présentation</b>.</p>"
    [event] = data["events"]
    assert event["title"] == "Atelier complet"
    assert (event["going_count"], event["maybe_count"], event["waiting_count"]) == (2, 1, 1)
    assert event["capacity"] == 2 and event["places_left"] == 0
    assert event["online_url"] == "https://visio.test/a"
    assert event["place"] == {"address": "Salle des fêtes", "commune": None}
    start = datetime.fromisoformat(event["start"])
    assert start.tzinfo is not None and start == full.start
    assert event["url"].endswith(f"/evenements/{full.pk}/")
    assert event["ics_url"].endswith(f"/evenements/{full.pk}.ics")


def test_a_private_community_gives_its_events_to_members_only(client, three):
    community = three["private"]
    EventFactory(
        community=community, title="Réunion des membres", online_url="https://visio.test/p"
    )
    data = client.get("/api/v1/communities/communaute-private").json()
    assert data["content_visible"] is False
    assert data["events"] == [] and data["projects"] == [] and data["ics_url"] is None
    assert data["short_description"]  # the presentation is listed
    client.force_login(community.member_user)
    data = client.get("/api/v1/communities/communaute-private").json()
    assert data["content_visible"] is True
    assert [e["online_url"] for e in data["events"]] == ["https://visio.test/p"]
    assert "?jeton=" in data["ics_url"] and "?jeton=" in data["events"][0]["ics_url"]


def test_a_banned_member_loses_the_events_of_a_public_community(client, three):
    community = three["public"]
    EventFactory(community=community)
    banned = add_member(community, state="banned").user
    client.force_login(banned)
    data = client.get("/api/v1/communities/communaute-public").json()
    assert data["content_visible"] is False and data["events"] == []


def test_attached_projects_are_listed(client, three, make_project):
    from communities.models import CommunityProject

    project = make_project(title="Repair café de Guéret")
    CommunityProject.objects.create(community=three["public"], project=project)
    data = client.get("/api/v1/communities/communaute-public").json()
    assert [p["title"] for p in data["projects"]] == ["Repair café de Guéret"]
    assert data["projects"][0]["url"].endswith(project.url)


def test_the_openapi_schema_documents_both_endpoints_under_communautes(client):
    schema = client.get("/api/v1/openapi.json").json()
    listing = schema["paths"]["/api/v1/communities"]["get"]
    detail = schema["paths"]["/api/v1/communities/{slug}"]["get"]
    assert listing["tags"] == ["Communautés"] and detail["tags"] == ["Communautés"]
    assert {"200", "400", "429"} <= set(listing["responses"])
    assert {"200", "404"} <= set(detail["responses"])
    params = {p["name"] for p in listing["parameters"]}
    assert params >= {"q", "type_communaute", "adhesion", "page", "par_page"}


# --- the schema, checked by schemathesis on communities that exist -------------------
# (tests/test_openapi_schemathesis.py checks every endpoint, on an empty directory.)

communities_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler()).include(
    tag="Communautés"
)


@pytest.fixture
def _test_connection_kept():
    # As tests/test_openapi_schemathesis.py: the WSGI handler must not close the
    # connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def directory(three, territories):
    from innovations.models import Territory

    creuse = Territory.objects.get(level="departement", code="23")
    community = three["public"]
    CommunityTerritory.objects.create(community=community, territory=creuse)
    EventFactory(community=community, capacity=3, online_url="https://visio.test/e")
    EventFactory(community=community, commune=Territory.objects.filter(level="commune").first())
    return three


@communities_schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_communities_api_conforms_to_its_schema(case, directory, _test_connection_kept):
    cache.clear()  # the rate limit is real; each generated call starts afresh
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    case.call_and_validate(checks=checks)
    if case.path_parameters:
        # The same call on a real community, so that full answers are checked too.
        case.path_parameters = {**case.path_parameters, "slug": "communaute-public"}
        case.call_and_validate(checks=checks)
