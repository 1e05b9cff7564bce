"""/communautes/<slug>/membres/: the directory for those who may see it (404 to the
others), and the moderators' management: requests, invitations, roles, exclusions,
journal. Each POST goes through its service and ends in a French message."""

from __future__ import annotations

import html as html_lib

import pytest

from communities.models import AuditEntry, CommunityInvitation, Membership, MembershipState, Role
from tests.factories import CommunityFactory, UserFactory

from .conftest import add_member, invite
from .test_views_community import ROLES, as_role

pytestmark = pytest.mark.django_db

# visibility: {role: status}; the management forms show to moderators only.
EXPECTED = {
    "public": {"anonymous": 200, "outsider": 200, "member": 200, "moderator": 200, "banned": 404},
    "private": {"anonymous": 404, "outsider": 404, "member": 200, "moderator": 200, "banned": 404},
    "secret": {"anonymous": 404, "outsider": 404, "member": 200, "moderator": 200, "banned": 404},
}


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def url(community, rest: str = "") -> str:
    return f"/communautes/{community.slug}/membres/{rest}"


@pytest.mark.parametrize("visibility", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_the_members_page_answers_each_role(client, visibility, role):
    community = CommunityFactory(visibility=visibility)
    owner = add_member(community, role="owner").user
    add_member(community, state="requested")
    as_role(client, community, role)
    response = client.get(url(community))
    assert response.status_code == EXPECTED[visibility][role]
    if response.status_code == 200:
        page = text(response)
        assert str(owner) in page
        assert ("Demandes d'adhésion" in page) is (role == "moderator")
        assert ("Journal de la communauté" in page) is (role == "moderator")
        assert ("Envoyer l'invitation" in page) is (role == "moderator")


def test_an_editor_manages_any_community(client, editor):
    community = CommunityFactory(visibility="secret")
    add_member(community, role="owner")
    client.force_login(editor)
    assert "Journal de la communauté" in text(client.get(url(community)))


@pytest.fixture
def moderated(client, community):
    moderator = add_member(community, role="moderator").user
    client.force_login(moderator)
    community.moderator_user = moderator
    return community


def test_a_moderator_approves_a_request_with_a_message(client, moderated):
    requester = add_member(moderated, state="requested", request_message="Coucou").user
    page = text(client.get(url(moderated)))
    assert "Coucou" in page
    membership = Membership.objects.get(user=requester)
    response = client.post(
        url(moderated, f"demandes/{membership.pk}/"),
        {"decision": "approve", "message": "Bienvenue"},
        follow=True,
    )
    assert f"{requester} est maintenant membre de la communauté." in messages_of(response)
    membership.refresh_from_db()
    assert membership.state == MembershipState.ACTIVE
    assert AuditEntry.objects.filter(action="membership_approved", message="Bienvenue").exists()


def test_a_moderator_refuses_a_request_and_a_stale_one_is_a_message(client, moderated):
    requester = add_member(moderated, state="requested").user
    membership = Membership.objects.get(user=requester)
    response = client.post(
        url(moderated, f"demandes/{membership.pk}/"), {"decision": "refuse"}, follow=True
    )
    assert f"La demande de {requester} est refusée." in messages_of(response)
    assert Membership.objects.get(user=requester).state == MembershipState.LEFT
    response = client.post(
        url(moderated, f"demandes/{membership.pk}/"), {"decision": "approve"}, follow=True
    )
    assert "Cette demande n'existe pas ou a déjà reçu une réponse." in messages_of(response)
    assert Membership.objects.get(user=requester).state == MembershipState.LEFT


def test_a_plain_member_cannot_approve(client, community):
    requester = add_member(community, state="requested").user
    member = add_member(community).user
    client.force_login(member)
    membership = Membership.objects.get(user=requester)
    response = client.post(
        url(community, f"demandes/{membership.pk}/"), {"decision": "approve"}, follow=True
    )
    assert "Seuls les modérateurs de la communauté peuvent faire cela." in messages_of(response)
    assert Membership.objects.get(user=requester).state == MembershipState.REQUESTED


def test_inviting_checks_the_address_then_sends_and_lists_the_invitation(client, moderated):
    response = client.post(url(moderated, "invitations/"), {"email": "pas-une-adresse"})
    assert response.status_code == 200
    assert "Saisissez une adresse e-mail valide." in text(response)
    assert not CommunityInvitation.objects.exists()
    response = client.post(
        url(moderated, "invitations/"), {"email": "Claire@Exemple.fr", "message": "Viens !"}
    )
    assert response.status_code == 302
    response = client.get(url(moderated))
    assert "Invitation envoyée à claire@exemple.fr." in messages_of(response)
    assert "claire@exemple.fr" in text(response)
    invitation = CommunityInvitation.objects.get()
    response = client.post(url(moderated, f"invitations/{invitation.pk}/revoquer/"), follow=True)
    assert "L'invitation à claire@exemple.fr est annulée." in messages_of(response)
    assert not CommunityInvitation.objects.exists()


def test_inviting_a_member_is_refused_on_the_form(client, moderated):
    member = add_member(moderated).user
    response = client.post(url(moderated, "invitations/"), {"email": member.email})
    assert "Cette personne est déjà membre de la communauté." in text(response)
    assert not CommunityInvitation.objects.exists()


def test_a_member_cannot_invite_nor_revoke(client, community):
    member = add_member(community).user
    invitation = invite(community, email="x@exemple.fr")
    client.force_login(member)
    response = client.post(url(community, "invitations/"), {"email": "y@exemple.fr"}, follow=True)
    assert "Seuls les modérateurs" in messages_of(response)
    response = client.post(url(community, f"invitations/{invitation.pk}/revoquer/"), follow=True)
    assert "Seuls les modérateurs" in messages_of(response)
    assert list(CommunityInvitation.objects.all()) == [invitation]


def test_the_owner_promotes_demotes_and_hands_over(client, community):
    member = add_member(community).user
    client.force_login(community.owner_user)
    response = client.post(url(community, f"{member.pk}/"), {"action": "promote"}, follow=True)
    assert f"{member} est maintenant modérateur ou modératrice." in messages_of(response)
    assert Membership.objects.get(user=member).role == Role.MODERATOR
    response = client.post(url(community, f"{member.pk}/"), {"action": "demote"}, follow=True)
    assert f"Le rôle de {member} est réduit." in messages_of(response)
    assert Membership.objects.get(user=member).role == Role.MEMBER
    response = client.post(url(community, f"{member.pk}/"), {"action": "transfer"}, follow=True)
    assert f"{member} est maintenant propriétaire de la communauté." in messages_of(response)
    assert Membership.objects.get(user=member).role == Role.OWNER
    assert Membership.objects.get(user=community.owner_user).role == Role.MODERATOR


def test_a_moderator_cannot_change_roles_and_is_told_in_french(client, moderated):
    member = add_member(moderated).user
    page = text(client.get(url(moderated)))
    assert "Nommer modérateur·rice" not in page and "Exclure" in page
    response = client.post(url(moderated, f"{member.pk}/"), {"action": "promote"}, follow=True)
    assert "Seuls les propriétaires de la communauté peuvent faire cela." in messages_of(response)
    assert Membership.objects.get(user=member).role == Role.MEMBER


def test_a_moderator_removes_bans_and_unbans(client, moderated):
    member, other = add_member(moderated).user, add_member(moderated).user
    response = client.post(url(moderated, f"{member.pk}/"), {"action": "remove"}, follow=True)
    assert f"{member} ne fait plus partie de la communauté." in messages_of(response)
    assert Membership.objects.get(user=member).state == MembershipState.LEFT
    response = client.post(
        url(moderated, f"{other.pk}/"), {"action": "ban", "message": "Spam"}, follow=True
    )
    assert f"{other} est exclu·e de la communauté." in messages_of(response)
    assert Membership.objects.get(user=other).state == MembershipState.BANNED
    assert "Lever l'exclusion" in text(response)
    response = client.post(url(moderated, f"{other.pk}/"), {"action": "unban"}, follow=True)
    assert f"L'exclusion de {other} est levée." in messages_of(response)
    assert Membership.objects.get(user=other).state == MembershipState.LEFT


def test_bad_member_actions_are_messages_and_write_nothing(client, moderated):
    member = add_member(moderated).user
    response = client.post(url(moderated, f"{member.pk}/"), {"action": "pirater"}, follow=True)
    assert "Action inconnue." in messages_of(response)
    stranger = UserFactory()
    response = client.post(url(moderated, f"{stranger.pk}/"), {"action": "ban"}, follow=True)
    assert "Cette personne n'est pas membre de la communauté." in messages_of(response)
    response = client.post(
        url(moderated, f"{member.pk}/"), {"action": "remove", "message": "x" * 2001}, follow=True
    )
    assert "2000" in messages_of(response)
    assert Membership.objects.get(user=member).state == MembershipState.ACTIVE
    assert not Membership.objects.filter(user=stranger).exists()


def test_the_journal_shows_who_did_what(client, moderated):
    member = add_member(moderated).user
    client.post(url(moderated, f"{member.pk}/"), {"action": "remove", "message": "Au revoir"})
    page = text(client.get(url(moderated)))
    assert "Membre retiré" in page and "Au revoir" in page and str(moderated.moderator_user) in page


def test_management_posts_on_a_hidden_community_answer_404(client):
    community = CommunityFactory(visibility="private")
    owner = add_member(community, role="owner").user
    client.force_login(UserFactory())
    for rest in (f"{owner.pk}/", "invitations/", "demandes/1/", "invitations/1/revoquer/"):
        assert client.post(url(community, rest), {"action": "ban"}).status_code == 404, rest
    assert Membership.objects.get(user=owner).state == MembershipState.ACTIVE
