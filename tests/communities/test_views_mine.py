"""/mes-communautes/ (my communities, requests, invitations, suggestions, « Mon
fil ») and /communautes/proposer/ (a member proposes a community to the editors)."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from communities.models import Announcement, Community, FeedItem, Membership
from tests.factories import CommunityFactory, UserFactory

from .conftest import add_member, invite

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def announce(community, title):
    announcement = Announcement.objects.create(community=community, title=title, body="Texte")
    FeedItem.objects.create(community=community, kind="announcement", announcement=announcement)


def test_my_communities_needs_an_account(client):
    response = client.get("/mes-communautes/")
    assert response.status_code == 302 and "/compte/login/" in response["Location"]


def test_my_communities_lists_roles_requests_and_invitations(client):
    me = UserFactory()
    owned = CommunityFactory(name="Cantines bio")
    add_member(owned, user=me, role="owner")
    asked = CommunityFactory(name="Tiers-lieux")
    add_member(asked, user=me, state="requested")
    secret = CommunityFactory(name="Cercle discret", visibility="secret")
    invitation = invite(secret, email=me.email)
    elsewhere = CommunityFactory(name="Autre communauté")
    client.force_login(me)
    response = client.get("/mes-communautes/")
    page = text(response)
    assert "Cantines bio" in page and "(propriétaire)" in page
    assert "Tiers-lieux" in page and "Mes demandes en attente" in page
    assert (
        f'href="/communautes/invitation/{invitation.token}/"' in page and "Cercle discret" in page
    )
    assert elsewhere.name not in page
    assert 'href="/mes-communautes/" aria-current="page"' in response.content.decode()


def test_mon_fil_merges_my_communities_and_is_paginated(client):
    me = UserFactory()
    first, second, other = CommunityFactory(), CommunityFactory(), CommunityFactory()
    for community in (first, second):
        add_member(community, user=me)
    for n in range(15):
        announce(first, f"Première {n}")
        announce(second, f"Seconde {n}")
    announce(other, "Ailleurs")
    client.force_login(me)
    page = text(client.get("/mes-communautes/"))
    feed = page.split('id="fil"', 1)[1]
    assert "Seconde 14" in feed and "Première 14" in feed and "Ailleurs" not in feed
    assert first.name in feed  # each item names its community
    cursor = re.search(r"\?avant=(\d+)", feed).group(1)
    older = text(client.get(f"/mes-communautes/?avant={cursor}")).split('id="fil"', 1)[1]
    assert "Première 0" in older and "Seconde 14" not in older


def test_suggestions_come_from_my_interests(client):
    from innovations.models import Theme

    me = UserFactory()
    theme = Theme.objects.get(code="numerique.inclusion-numerique")
    me.profile.interests.add(theme)
    match = CommunityFactory(name="Inclusion numérique")
    match.themes.add(theme)
    CommunityFactory(name="Sans rapport")
    client.force_login(me)
    aside = text(client.get("/mes-communautes/")).split('id="mine-suggestions"', 1)[1]
    assert "Inclusion numérique" in aside and "Sans rapport" not in aside


# --- proposals ----------------------------------------------------------------------


def test_proposing_needs_an_account_and_open_proposals(client, settings):
    response = client.get("/communautes/proposer/")
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
    client.force_login(UserFactory())
    assert "l'équipe éditoriale" in text(client.get("/communautes/proposer/"))
    settings.CARREFOUR_COMMUNITY_PROPOSALS = False
    assert client.get("/communautes/proposer/").status_code == 404


def test_a_proposal_waits_for_the_editors_and_bad_input_writes_nothing(client, territories):
    me = UserFactory()
    client.force_login(me)
    response = client.post(
        "/communautes/proposer/", {"name": "", "short_description": "", "kind": "thematique"}
    )
    page = text(response)
    assert "Donnez un nom à la communauté." in page
    assert "Décrivez la communauté en une ou deux phrases." in page
    response = client.post(
        "/communautes/proposer/",
        {
            "name": "Jardins partagés",
            "short_description": "Des jardins en ville.",
            "kind": "territoriale",
            "visibility": "public",
            "join_policy": "open",
            "contact_email": "pas-une-adresse",
            "territory": "Creuse (département 23)",
        },
    )
    assert "Saisissez une adresse e-mail valide." in text(response)
    assert not Community.objects.exists()
    response = client.post(
        "/communautes/proposer/",
        {
            "name": "Jardins partagés",
            "short_description": "Des jardins en ville.",
            "kind": "territoriale",
            "visibility": "public",
            "join_policy": "open",
            "territory": "Creuse (département 23)",
        },
        follow=True,
    )
    assert "est envoyée à l'équipe éditoriale" in messages_of(response)
    community = Community.objects.get()
    assert community.status == "proposed"
    assert [t.code for t in community.territories.all()] == ["23"]
    assert Membership.objects.get(community=community, user=me).role == "owner"
    assert "proposée : l'équipe éditoriale doit la valider" in text(response)
    client.force_login(UserFactory())
    assert client.get(f"/communautes/{community.slug}/").status_code == 404
