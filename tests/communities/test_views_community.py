"""The page of a community (/communautes/<slug>/) for every kind of visitor, and the
actions it offers: join, ask, leave, answer an invitation, announce, attach and
detach a project. Every action is a POST form; its outcome a French message."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.contrib.auth.models import AnonymousUser

from communities.models import (
    Announcement,
    CommunityProject,
    Membership,
    MembershipState,
)
from tests.factories import CommunityFactory, EventFactory, UserFactory

from .conftest import add_member, invite

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "moderator", "banned"]


def as_role(client, community, role):
    """Sign ``client`` in as a person with ``role`` in ``community``."""
    if role == "anonymous":
        return AnonymousUser()
    user = UserFactory()
    if role == "member":
        add_member(community, user=user)
    elif role == "moderator":
        add_member(community, user=user, role="moderator")
    elif role == "banned":
        add_member(community, user=user, state="banned")
    client.force_login(user)
    return user


def h1(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", text(response), re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()


def page(client, community, **kwargs):
    return client.get(f"/communautes/{community.slug}/", **kwargs)


def text(response) -> str:
    """The page as a reader sees its characters (entities decoded)."""
    return html_lib.unescape(response.content.decode())


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- who sees what ------------------------------------------------------------------

EXPECTED = {
    # visibility: {role: (status, content visible)}
    "public": {
        "anonymous": (200, True),
        "outsider": (200, True),
        "member": (200, True),
        "moderator": (200, True),
        "banned": (200, False),
    },
    "private": {
        "anonymous": (200, False),
        "outsider": (200, False),
        "member": (200, True),
        "moderator": (200, True),
        "banned": (200, False),
    },
    "secret": {
        "anonymous": (404, False),
        "outsider": (404, False),
        "member": (200, True),
        "moderator": (200, True),
        "banned": (404, False),
    },
}


@pytest.mark.parametrize("visibility", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_the_page_answers_each_role_as_the_rules_say(client, visibility, role):
    community = CommunityFactory(name="Numérique & inclusif", visibility=visibility)
    add_member(community, role="owner")
    EventFactory(community=community, title="Atelier numérique")
    as_role(client, community, role)
    status, content = EXPECTED[visibility][role]
    response = page(client, community)
    assert response.status_code == status
    if status == 404:
        assert "Atelier numérique" not in text(response)
        return
    html = text(response)
    assert h1(response) == "Numérique & inclusif"
    assert ("Atelier numérique" in html) is content
    assert ("Le contenu de cette communauté" in html) is (not content and role != "banned")
    ics = re.findall(r'href="([^"]+\.ics[^"]*)"', html)
    assert bool(ics) is content
    if content:
        assert ics[0].startswith(f"/communautes/{community.slug}/evenements.ics")


def test_a_public_page_links_its_calendar_and_atom_feed_a_private_one_no_feed(client):
    public = CommunityFactory(visibility="public")
    private = CommunityFactory(visibility="private")
    html = page(client, public).content.decode()
    assert f'href="/communautes/{public.slug}/evenements.ics"' in html
    assert f'href="/communautes/{public.slug}/flux.atom"' in html
    member = add_member(private).user
    client.force_login(member)
    html = page(client, private).content.decode()
    assert "flux.atom" not in html
    assert f"/communautes/{private.slug}/evenements.ics?jeton=" in html


def test_the_page_shows_kind_themes_territories_hosts_contact_and_member_count(client, territories):
    from communities.models import CommunityTerritory
    from innovations.models import Territory, Theme

    community = CommunityFactory(
        kind="territoriale", contact_email="animation@exemple.org", presentation="<p>Bonjour</p>"
    )
    theme = Theme.objects.get(code="numerique.inclusion-numerique")
    community.themes.add(theme)
    creuse = Territory.objects.get(level="departement", code="23")
    CommunityTerritory.objects.create(community=community, territory=creuse)
    host = add_member(community, role="owner").user
    add_member(community)
    html = text(page(client, community))
    for shown in ("Territoriale", theme.label, "Creuse", str(host), "animation@exemple.org"):
        assert shown in html
    assert "2 membres" in html
    assert "<p>Bonjour</p>" in html


def test_the_feed_is_paginated_with_a_cursor(client, community):
    from communities.models import FeedItem

    for n in range(25):
        Announcement.objects.create(community=community, title=f"Annonce {n}", body="Texte")
        FeedItem.objects.create(
            community=community,
            kind="announcement",
            announcement=Announcement.objects.latest("pk"),
        )

    def feed(response) -> str:  # the feed section (the latest announcements show above)
        return text(response).split('id="fil"', 1)[1]

    html = feed(page(client, community))
    assert "Annonce 24" in html and "Annonce 4<" not in html
    cursor = re.search(r"\?avant=(\d+)", html).group(1)
    older = feed(client.get(f"/communautes/{community.slug}/?avant={cursor}"))
    assert "Annonce 4<" in older and "Annonce 24" not in older


# --- joining ------------------------------------------------------------------------


def test_joining_an_open_community_requires_the_charter(client, community):
    community.charter = "Respecter chacun."
    community.save()
    person = UserFactory()
    client.force_login(person)
    response = client.post(f"/communautes/{community.slug}/rejoindre/", {})
    assert response.status_code == 200
    assert "Acceptez la charte de la communauté pour la rejoindre." in text(response)
    assert not Membership.objects.filter(community=community, user=person).exists()
    response = client.post(
        f"/communautes/{community.slug}/rejoindre/", {"charter": "on"}, follow=True
    )
    assert "Bienvenue dans la communauté « Numérique inclusif » !" in messages_of(response)
    membership = Membership.objects.get(community=community, user=person)
    assert membership.state == MembershipState.ACTIVE and membership.charter_accepted_at


def test_anonymous_visitors_are_sent_to_log_in_to_join(client, community):
    html = page(client, community).content.decode()
    assert f"/compte/login/?next=/communautes/{community.slug}/" in html
    response = client.post(f"/communautes/{community.slug}/rejoindre/", {"charter": "on"})
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
    assert community.memberships.count() == 1


def test_a_refused_join_is_a_french_message_not_an_error_page(client, community):
    banned = add_member(community, state="banned").user
    client.force_login(banned)
    response = client.post(f"/communautes/{community.slug}/rejoindre/", {}, follow=True)
    assert response.status_code == 200
    assert "Vous avez été exclu·e de cette communauté." in messages_of(response)
    assert Membership.objects.get(user=banned).state == MembershipState.BANNED


def test_a_request_needs_a_message_and_then_waits_for_the_moderators(client):
    community = CommunityFactory(join_policy="request", charter="Être bienveillant.")
    add_member(community, role="owner")
    person = UserFactory()
    client.force_login(person)
    html = page(client, community).content.decode()
    assert "Demander à rejoindre" in html and "Rejoindre la communauté" not in html
    response = client.post(
        f"/communautes/{community.slug}/demander/", {"message": "  ", "charter": "on"}
    )
    assert "Dites en quelques mots pourquoi" in text(response)
    assert not Membership.objects.filter(user=person).exists()
    response = client.post(f"/communautes/{community.slug}/demander/", {"message": "Bonjour"})
    assert "Acceptez la charte" in text(response)
    assert not Membership.objects.filter(user=person).exists()
    response = client.post(
        f"/communautes/{community.slug}/demander/",
        {"message": "Je travaille sur ce sujet.", "charter": "on"},
        follow=True,
    )
    assert "Votre demande est envoyée" in messages_of(response)
    membership = Membership.objects.get(user=person)
    assert membership.state == MembershipState.REQUESTED
    assert membership.request_message == "Je travaille sur ce sujet."
    assert "Retirer ma demande" in text(response)
    response = client.post(f"/communautes/{community.slug}/demande/annuler/", follow=True)
    assert "Votre demande d'adhésion est retirée." in messages_of(response)
    assert Membership.objects.get(user=person).state == MembershipState.LEFT


def test_an_invitation_only_community_offers_no_join_button(client):
    community = CommunityFactory(join_policy="invitation")
    client.force_login(UserFactory())
    html = page(client, community).content.decode()
    assert "sur invitation" in html
    assert "Rejoindre la communauté" not in html and "Demander à rejoindre" not in html


def test_a_member_leaves_but_the_last_owner_is_told_to_hand_over(client, community):
    member = add_member(community).user
    client.force_login(member)
    response = client.post(f"/communautes/{community.slug}/quitter/", follow=True)
    assert "Vous avez quitté la communauté « Numérique inclusif »." in messages_of(response)
    assert Membership.objects.get(user=member).state == MembershipState.LEFT
    client.force_login(community.owner_user)
    assert "transmettez-la à un autre membre" in text(page(client, community))
    response = client.post(f"/communautes/{community.slug}/quitter/", follow=True)
    assert "Une communauté garde toujours un propriétaire" in messages_of(response)
    assert Membership.objects.get(user=community.owner_user).state == MembershipState.ACTIVE


def test_an_invited_person_accepts_or_declines_from_the_page(client):
    community = CommunityFactory(visibility="secret", charter="La charte.")
    owner = add_member(community, role="owner").user
    person, other = UserFactory(), UserFactory()
    for who in (person, other):
        add_member(community, user=who, state="invited")
        invite(community, email=who.email, inviter=owner)
    client.force_login(person)
    assert "Accepter l'invitation" in text(page(client, community))
    response = client.post(f"/communautes/{community.slug}/invitation/accepter/", {})
    assert "Acceptez la charte" in text(response)
    assert Membership.objects.get(user=person).state == MembershipState.INVITED
    response = client.post(
        f"/communautes/{community.slug}/invitation/accepter/",
        {"invitation-charter": "on"},
        follow=True,
    )
    assert "Bienvenue dans la communauté" in messages_of(response)
    assert Membership.objects.get(user=person).state == MembershipState.ACTIVE
    client.force_login(other)
    response = client.post(f"/communautes/{community.slug}/invitation/refuser/", follow=True)
    assert response.redirect_chain[-1][0] == "/mes-communautes/"
    assert "Invitation déclinée." in messages_of(response)
    assert page(client, community).status_code == 404


# --- announcements and projects -----------------------------------------------------


def test_moderators_announce_and_bad_input_writes_nothing(client, community):
    moderator = add_member(community, role="moderator").user
    client.force_login(moderator)
    response = client.post(f"/communautes/{community.slug}/annonces/", {"title": "", "body": ""})
    assert "Donnez un titre à l'annonce." in text(response)
    assert not Announcement.objects.exists()
    response = client.post(
        f"/communautes/{community.slug}/annonces/",
        {"title": "Assemblée", "body": "Le 12 mars."},
        follow=True,
    )
    assert "Annonce publiée" in messages_of(response)
    assert "Assemblée" in text(response)


def test_a_plain_member_cannot_announce(client, community):
    member = add_member(community).user
    client.force_login(member)
    assert "Publier une annonce" not in page(client, community).content.decode()
    response = client.post(
        f"/communautes/{community.slug}/annonces/", {"title": "Hop", "body": "Là"}, follow=True
    )
    assert "Seuls les modérateurs" in messages_of(response)
    assert not Announcement.objects.exists()


def test_a_team_member_attaches_a_project_and_a_moderator_detaches_it(
    client, community, make_project, owner
):
    add_member(community, user=owner)
    project = make_project(owner=owner, title="Le Bus numérique")
    client.force_login(owner)
    assert "Rattacher un de mes projets" in page(client, community).content.decode()
    response = client.post(f"/communautes/{community.slug}/projets/", {"project": ""})
    assert "Choisissez le projet à rattacher." in text(response)
    assert not CommunityProject.objects.exists()
    response = client.post(
        f"/communautes/{community.slug}/projets/", {"project": project.pk}, follow=True
    )
    assert "Le projet « Le Bus numérique » est rattaché" in messages_of(response)
    assert f'href="{project.url}"' in text(response)
    outsider = UserFactory()
    client.force_login(outsider)
    response = client.post(
        f"/communautes/{community.slug}/projets/{project.pk}/detacher/", follow=True
    )
    assert "Seuls l'équipe du projet et les modérateurs" in messages_of(response)
    assert CommunityProject.objects.exists()
    client.force_login(community.owner_user)
    response = client.post(
        f"/communautes/{community.slug}/projets/{project.pk}/detacher/",
        {"message": "Hors sujet"},
        follow=True,
    )
    assert "est détaché de la communauté" in messages_of(response)
    assert not CommunityProject.objects.exists()


def test_actions_on_a_secret_community_answer_404_to_outsiders(client):
    community = CommunityFactory(visibility="secret")
    add_member(community, role="owner")
    client.force_login(UserFactory())
    for action in ("rejoindre", "demander", "quitter", "annonces", "projets"):
        response = client.post(f"/communautes/{community.slug}/{action}/", {"charter": "on"})
        assert response.status_code == 404, action
    assert community.memberships.count() == 1


def test_a_private_profile_is_not_named_to_visitors_of_a_public_feed(client):
    """The feed of a public community names a newcomer whose profile is private only
    to the community's members: anonymous visitors see a neutral mention."""
    from communities.services import membership_join
    from tests.factories import CommunityFactory, UserFactory

    community = CommunityFactory(join_policy="open", visibility="public")
    newcomer = UserFactory(first_name="Zéphyrine", last_name="Discrète")
    newcomer.profile.is_public = False
    newcomer.profile.save()
    membership_join(community=community, user=newcomer, charter_accepted=True)
    anonymous = client.get(f"/communautes/{community.slug}/").content.decode()
    assert "Zéphyrine" not in anonymous
    assert "profil privé" in anonymous
