"""/communautes/: the directory (listed communities, secret ones only to their
members), its GET filters, pagination and the map of territorial communities."""

from __future__ import annotations

import json
import re

import pytest

from communities.models import CommunityTerritory
from innovations.models import Territory, Theme
from tests.factories import CommunityFactory, UserFactory

from .conftest import add_member

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="/communautes/([\w-]+)/"')


def listed(response) -> set[str]:
    """The communities linked from the page (the « proposer » link aside)."""
    return set(LINK.findall(response.content.decode())) - {"proposer"}


def place(community, level, code):
    territory = Territory.objects.get(level=level, code=code)
    CommunityTerritory.objects.create(community=community, territory=territory)


@pytest.fixture
def three():
    return {
        v: CommunityFactory(visibility=v, slug=f"c-{v}") for v in ("public", "private", "secret")
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", {"c-public", "c-private"}),
        ("outsider", {"c-public", "c-private"}),
        ("secret-member", {"c-public", "c-private", "c-secret"}),
        ("secret-banned", {"c-public", "c-private"}),
    ],
)
def test_the_directory_lists_secret_communities_to_their_members_only(
    client, three, role, expected
):
    if role != "anonymous":
        user = UserFactory()
        if role == "secret-member":
            add_member(three["secret"], user=user)
        elif role == "secret-banned":
            add_member(three["secret"], user=user, state="banned")
        client.force_login(user)
    response = client.get("/communautes/")
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_url_wins_over_a_page_of_the_tree_with_the_same_slug(client, site_pages):
    CommunityFactory(slug="une-communaute", name="Une communauté")
    response = client.get("/communautes/")
    assert response.templates[0].name == "communities/directory.html"
    assert "une-communaute" in listed(response)


def test_filters_by_kind_theme_territory_policy_and_words(client, territories):
    inclusion = Theme.objects.get(code="numerique.inclusion-numerique")
    creuse = CommunityFactory(
        slug="creuse", name="Numérique en Creuse", kind="territoriale", join_policy="request"
    )
    place(creuse, "departement", "23")
    creuse.themes.add(inclusion)
    regional = CommunityFactory(slug="na", name="Nouvelle-Aquitaine solidaire", kind="territoriale")
    place(regional, "region", "75")
    cantines = CommunityFactory(slug="cantines", name="Cantines bio", kind="thematique")
    cantines.theme_domains.add(inclusion.domain)

    def found(**params):
        return listed(client.get("/communautes/", params))

    assert found() == {"creuse", "na", "cantines"}
    assert found(type="territoriale") == {"creuse", "na"}
    assert found(adhesion="request") == {"creuse"}
    assert found(theme=inclusion.pk) == {"creuse", "cantines"}
    assert found(domaine=inclusion.domain_id) == {"creuse", "cantines"}
    assert found(departement="23") == {"creuse", "na"}
    assert found(region="75") == {"creuse", "na"}
    assert found(q="cantines") == {"cantines"}
    assert found(type="territoriale", q="creuse") == {"creuse"}
    # A stale or forged value is ignored, not an error page.
    response = client.get("/communautes/", {"region": "zz", "theme": "abc", "type": "x"})
    assert response.status_code == 200 and listed(response) == {"creuse", "na", "cantines"}


def test_the_filter_form_is_labelled_and_keeps_its_choices(client, territories):
    response = client.get("/communautes/", {"type": "territoriale", "q": "pain"})
    html = response.content.decode()
    for name in ("q", "type", "domaine", "theme", "region", "departement", "adhesion"):
        assert f'for="filter-{name}"' in html and f'id="filter-{name}"' in html
    assert '<option value="territoriale" selected>' in html
    assert 'value="pain"' in html
    assert "Aucune communauté ne correspond à ces filtres." in html


def test_the_directory_is_paginated(client):
    for n in range(30):
        CommunityFactory(slug=f"c-{n:02d}", name=f"Communauté {n:02d}")
    first = listed(client.get("/communautes/"))
    second = listed(client.get("/communautes/", {"page": 2}))
    assert len(first) == 24 and len(second) == 6 and not first & second
    assert "Page 1 sur 2" in client.get("/communautes/").content.decode()


def test_the_map_shows_the_places_of_territorial_communities(client, territories):
    creuse = CommunityFactory(slug="creuse", name="Numérique en Creuse", kind="territoriale")
    place(creuse, "departement", "23")
    CommunityFactory(slug="cantines", kind="thematique")
    html = client.get("/communautes/").content.decode()
    data = re.search(r'<script id="communities-map-points"[^>]*>(.*?)</script>', html, re.S)
    points = json.loads(data.group(1))
    assert [(p["title"], p["label"], p["url"]) for p in points] == [
        ("Numérique en Creuse", "Creuse", "/communautes/creuse/")
    ]
    assert 'data-map="communities-map-points"' in html and "js/map.js" in html


def test_no_map_without_territorial_communities(client):
    CommunityFactory(kind="thematique")
    html = client.get("/communautes/").content.decode()
    assert "data-map" not in html and "leaflet" not in html


def test_the_propose_link_follows_the_setting(client, settings):
    html = client.get("/communautes/").content.decode()
    assert "/compte/login/?next=/communautes/proposer/" in html
    settings.CARREFOUR_COMMUNITY_PROPOSALS = False
    assert "proposer" not in client.get("/communautes/").content.decode()


def test_anonymous_directory_never_names_a_secret_community(client):
    CommunityFactory(visibility="secret", name="Cercle très discret")
    assert "Cercle très discret" not in client.get("/communautes/").content.decode()
