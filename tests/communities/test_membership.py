"""Joining, asking, approving, leaving, roles, removal and bans: every membership
service, its happy path and each refusal with its French message."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from communities import services
from communities.models import AuditAction, AuditEntry, FeedItem, Membership
from communities.permissions import (
    CommunityPermissionDenied,
    can_see_content,
    community_principals,
)
from tests.factories import CommunityFactory, EventFactory, UserFactory

from .conftest import add_member, invite, refused

pytestmark = pytest.mark.django_db


def _state(community, user):
    return Membership.objects.get(community=community, user=user)


# --- request, approve, refuse -----------------------------------------------------


@pytest.fixture
def on_request(community):
    community.join_policy = "request"
    community.charter = "Bienveillance et entraide."
    community.save()
    return community


def test_a_request_waits_for_the_moderators_who_are_told(on_request, user, sent, commit):
    moderator = add_member(on_request, role="moderator").user
    with commit():
        membership = services.membership_request(
            community=on_request,
            user=user,
            message="Je coordonne un tiers-lieu numérique.",
            charter_accepted=True,
        )
    assert membership.state == "requested"
    assert membership.charter_accepted_at is not None
    entry = AuditEntry.objects.get(community=on_request, action=AuditAction.REQUESTED)
    assert entry.actor == user and "tiers-lieu" in entry.message
    (notice,) = [s for s in sent if s.kind == "community.request"]
    assert notice.recipients == sorted([moderator.email, on_request.owner_user.email])
    assert notice.url == "/communautes/numerique-inclusif/membres/"


@pytest.mark.parametrize(
    ("kwargs", "fragment", "code"),
    [
        ({"message": "", "charter_accepted": True}, "Dites en quelques mots", "message_required"),
        ({"message": "Bonjour", "charter_accepted": False}, "Acceptez la charte", "charter"),
        ({"message": "x" * 2001, "charter_accepted": True}, "trop long", "too_long"),
    ],
)
def test_a_request_needs_a_message_and_the_charter(on_request, user, kwargs, fragment, code):
    with refused(ValidationError, fragment, code):
        services.membership_request(community=on_request, user=user, **kwargs)
    assert not Membership.objects.filter(community=on_request, user=user).exists()


@pytest.mark.parametrize(
    ("policy", "fragment", "code"),
    [
        ("open", "rejoignez-la directement", "open"),
        ("invitation", "que sur invitation", "invitation_only"),
    ],
)
def test_a_request_is_refused_where_the_policy_is_not_on_request(
    community, user, policy, fragment, code
):
    community.join_policy = policy
    community.save()
    with refused(ValidationError, fragment, code):
        services.membership_request(community=community, user=user, message="Bonjour")


def test_a_second_request_and_a_members_request_are_refused(on_request, user):
    services.membership_request(
        community=on_request, user=user, message="Bonjour", charter_accepted=True
    )
    with refused(ValidationError, "déjà en attente", "already_requested"):
        services.membership_request(
            community=on_request, user=user, message="Encore", charter_accepted=True
        )
    with refused(ValidationError, "déjà membre", "already_member"):
        services.membership_request(
            community=on_request, user=on_request.owner_user, message="?", charter_accepted=True
        )


def test_an_anonymous_visitor_is_asked_to_sign_in(on_request):
    from django.contrib.auth.models import AnonymousUser

    with refused(CommunityPermissionDenied, "Connectez-vous"):
        services.membership_request(community=on_request, user=AnonymousUser(), message="x")


def test_a_moderator_approves_a_request_with_a_message(on_request, user, sent, commit):
    moderator = add_member(on_request, role="moderator").user
    services.membership_request(
        community=on_request, user=user, message="Bonjour", charter_accepted=True
    )
    with commit():
        membership = services.membership_approve(
            community=on_request, actor=moderator, user=user, message="Bienvenue à vous !"
        )
    assert membership.state == "active" and membership.joined_at is not None
    assert FeedItem.objects.filter(community=on_request, kind="member_joined", member=user).exists()
    (notice,) = [s for s in sent if s.kind == "community.request_decided"]
    assert notice.recipients == [user.email]
    assert "Bienvenue dans « Numérique inclusif »" in notice.title
    assert notice.body == "Bienvenue à vous !"
    assert community_principals(user) == {f"community:{on_request.pk}"}


def test_a_refused_request_tells_why_and_may_be_made_again(on_request, user, sent, commit):
    services.membership_request(
        community=on_request, user=user, message="Bonjour", charter_accepted=True
    )
    with commit():
        services.membership_refuse(
            community=on_request, actor=on_request.owner_user, user=user, message="Complet."
        )
    assert _state(on_request, user).state == "left"
    (notice,) = [s for s in sent if s.kind == "community.request_decided"]
    assert "n'a pas été acceptée" in notice.title and notice.body == "Complet."
    services.membership_request(
        community=on_request, user=user, message="Nouvelle demande", charter_accepted=True
    )
    assert _state(on_request, user).state == "requested"


def test_approving_without_a_request_is_refused(on_request, user):
    with refused(ValidationError, "Aucune demande", "no_request"):
        services.membership_approve(community=on_request, actor=on_request.owner_user, user=user)


def test_a_member_cannot_approve(on_request, user):
    member = add_member(on_request).user
    services.membership_request(
        community=on_request, user=user, message="Bonjour", charter_accepted=True
    )
    with refused(CommunityPermissionDenied, "Seuls les modérateurs"):
        services.membership_approve(community=on_request, actor=member, user=user)


# --- join and leave -----------------------------------------------------------------


def test_joining_an_open_community_with_its_charter(community, user):
    community.charter = "Respect."
    community.save()
    with refused(ValidationError, "Acceptez la charte", "charter"):
        services.membership_join(community=community, user=user)
    membership = services.membership_join(community=community, user=user, charter_accepted=True)
    assert membership.state == "active" and membership.charter_accepted_at
    assert AuditEntry.objects.filter(action=AuditAction.JOINED, target_user=user).exists()
    with refused(ValidationError, "déjà membre", "already_member"):
        services.membership_join(community=community, user=user, charter_accepted=True)


def test_joining_on_request_or_secret_is_refused(community, user):
    community.join_policy = "request"
    community.save()
    with refused(ValidationError, "envoyez une demande", "request_required"):
        services.membership_join(community=community, user=user)
    community.join_policy, community.visibility = "open", "secret"
    community.save()
    with refused(CommunityPermissionDenied, "que sur invitation"):
        services.membership_join(community=community, user=user)


def test_leaving_removes_the_arrival_from_the_feed_and_frees_event_places(community, user):
    services.membership_join(community=community, user=user)
    event = EventFactory(community=community, capacity=1)
    services.rsvp_set(event=event, user=user, answer="going")
    waiting = add_member(community).user
    assert services.rsvp_set(event=event, user=waiting, answer="going").waitlisted
    services.membership_leave(community=community, user=user)
    assert _state(community, user).state == "left"
    assert not FeedItem.objects.filter(member=user).exists()
    assert not event.rsvps.filter(user=user).exists()
    assert not event.rsvps.get(user=waiting).waitlisted
    assert community_principals(user) == set()
    # and may come back
    assert services.membership_join(community=community, user=user).state == "active"


def test_a_pending_request_can_be_withdrawn(community, user):
    community.join_policy = "request"
    community.save()
    services.membership_request(community=community, user=user, message="Bonjour")
    services.membership_leave(community=community, user=user)
    assert _state(community, user).state == "left"


def test_leaving_a_community_one_is_not_in_is_refused(community, user):
    with refused(ValidationError, "pas membre", "not_member"):
        services.membership_leave(community=community, user=user)


def test_the_last_owner_cannot_leave_until_another_owner_exists(community):
    owner = community.owner_user
    with refused(ValidationError, "garde toujours un propriétaire", "last_owner"):
        services.membership_leave(community=community, user=owner)
    add_member(community, role="owner")
    services.membership_leave(community=community, user=owner)
    assert _state(community, owner).state == "left"


# --- roles --------------------------------------------------------------------------


def test_an_owner_promotes_and_demotes_and_the_person_is_told(community, sent, commit):
    member = add_member(community).user
    owner = community.owner_user
    with commit():
        services.membership_promote(community=community, actor=owner, user=member)
    assert _state(community, member).role == "moderator"
    assert any(s.kind == "community.membership" and member.email in s.recipients for s in sent)
    with refused(ValidationError, "déjà ce rôle", "already_role"):
        services.membership_promote(community=community, actor=owner, user=member)
    services.membership_promote(community=community, actor=owner, user=member, role="owner")
    assert _state(community, member).role == "owner"
    services.membership_demote(community=community, actor=owner, user=member)
    assert _state(community, member).role == "moderator"
    services.membership_demote(community=community, actor=owner, user=member)
    assert _state(community, member).role == "member"
    with refused(ValidationError, "pas de rôle", "no_role"):
        services.membership_demote(community=community, actor=owner, user=member)
    assert AuditEntry.objects.filter(action=AuditAction.DEMOTED).count() == 2


def test_a_moderator_cannot_change_roles(community):
    moderator = add_member(community, role="moderator").user
    member = add_member(community).user
    with refused(CommunityPermissionDenied, "Seuls les propriétaires"):
        services.membership_promote(community=community, actor=moderator, user=member)


def test_the_last_owner_cannot_be_demoted(community, editor):
    with refused(ValidationError, "garde toujours un propriétaire", "last_owner"):
        services.membership_demote(community=community, actor=editor, user=community.owner_user)


def test_promoting_a_non_member_is_refused(community, user):
    with refused(ValidationError, "pas membre", "not_member"):
        services.membership_promote(community=community, actor=community.owner_user, user=user)


def test_handing_over_makes_the_old_owner_a_moderator(community, sent, commit):
    owner = community.owner_user
    heir = add_member(community).user
    with commit():
        services.ownership_transfer(community=community, actor=owner, user=heir)
    assert _state(community, heir).role == "owner"
    assert _state(community, owner).role == "moderator"
    told = {e for s in sent if s.kind == "community.membership" for e in s.recipients}
    assert told == {heir.email}  # never the actor
    # now the old owner may leave
    services.membership_leave(community=community, user=owner)


def test_an_editor_hands_over_for_every_current_owner(community, editor):
    second = add_member(community, role="owner").user
    heir = add_member(community).user
    services.ownership_transfer(community=community, actor=editor, user=heir)
    assert _state(community, heir).role == "owner"
    assert _state(community, community.owner_user).role == "moderator"
    assert _state(community, second).role == "moderator"


def test_handing_over_to_an_outsider_or_oneself_is_refused(community, user):
    owner = community.owner_user
    with refused(ValidationError, "pas membre", "not_member"):
        services.ownership_transfer(community=community, actor=owner, user=user)
    with refused(ValidationError, "propre adhésion", "self"):
        services.ownership_transfer(community=community, actor=owner, user=owner)


# --- removal and bans -----------------------------------------------------------------


def test_a_moderator_removes_a_member_who_is_told(community, sent, commit):
    moderator = add_member(community, role="moderator").user
    member = add_member(community).user
    with commit():
        services.membership_remove(
            community=community, actor=moderator, user=member, message="Hors sujet."
        )
    assert _state(community, member).state == "left"
    (notice,) = [s for s in sent if s.kind == "community.membership"]
    assert notice.recipients == [member.email] and notice.body == "Hors sujet."
    assert AuditEntry.objects.get(action=AuditAction.REMOVED).message == "Hors sujet."


def test_a_moderator_cannot_remove_a_moderator_nor_themselves(community):
    moderator = add_member(community, role="moderator").user
    other = add_member(community, role="moderator").user
    with refused(CommunityPermissionDenied, "Seuls les propriétaires peuvent retirer"):
        services.membership_remove(community=community, actor=moderator, user=other)
    with refused(ValidationError, "propre adhésion", "self"):
        services.membership_remove(community=community, actor=moderator, user=moderator)
    services.membership_remove(community=community, actor=community.owner_user, user=other)


def test_the_last_owner_cannot_be_removed_even_by_an_editor(community, editor):
    with refused(ValidationError, "garde toujours un propriétaire", "last_owner"):
        services.membership_remove(community=community, actor=editor, user=community.owner_user)


def test_a_banned_member_loses_content_and_cannot_rejoin_or_ask(community, sent, commit):
    community.visibility = "private"
    community.save()
    member = add_member(community).user
    invite(community, email=member.email)
    with commit():
        services.membership_ban(
            community=community, actor=community.owner_user, user=member, message="Insultes."
        )
    assert _state(community, member).state == "banned"
    assert not can_see_content(community=community, user=member)
    assert community_principals(member) == set()
    assert not community.invitations.filter(email=member.email).exists()
    assert any("exclu" in s.title for s in sent if s.recipients == [member.email])
    with refused(ValidationError, "exclu·e de cette communauté", "banned"):
        services.membership_join(community=community, user=member)
    community.join_policy = "request"
    community.save()
    with refused(ValidationError, "exclu·e de cette communauté", "banned"):
        services.membership_request(community=community, user=member, message="Pardon")
    with refused(ValidationError, "déjà exclue", "already_banned"):
        services.membership_ban(community=community, actor=community.owner_user, user=member)


def test_an_outsider_can_be_banned_before_joining(community, user):
    services.membership_ban(community=community, actor=community.owner_user, user=user)
    with refused(ValidationError, "exclu·e", "banned"):
        services.membership_join(community=community, user=user)


def test_unbanning_lets_the_person_join_again(community, user):
    owner = community.owner_user
    services.membership_ban(community=community, actor=owner, user=user)
    services.membership_unban(community=community, actor=owner, user=user)
    assert _state(community, user).state == "left"
    assert services.membership_join(community=community, user=user).state == "active"
    with refused(ValidationError, "pas exclue", "not_banned"):
        services.membership_unban(community=community, actor=owner, user=user)


def test_an_archived_community_accepts_no_new_member(user):
    community = CommunityFactory(status="archived")
    with refused(ValidationError, "pas active", "inactive"):
        services.membership_join(community=community, user=user)


def test_a_half_done_change_leaves_nothing_behind(community, user, monkeypatch):
    """The audit entry fails: the membership is not written either."""

    def broken(**kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr("communities.services.membership.audit", broken)
    with pytest.raises(RuntimeError):
        services.membership_join(community=community, user=user)
    assert not Membership.objects.filter(community=community, user=user).exists()
    assert not FeedItem.objects.filter(member=user).exists()


def test_two_people_in_the_same_state_do_not_mix(community):
    first, second = UserFactory(), UserFactory()
    services.membership_join(community=community, user=first)
    services.membership_join(community=community, user=second)
    services.membership_leave(community=community, user=first)
    assert _state(community, second).state == "active"


def test_an_invited_person_is_asked_to_accept_rather_than_request(on_request, user):
    add_member(on_request, user=user, state="invited")
    invite(on_request, email=user.email)
    with refused(ValidationError, "acceptez l'invitation", "invited"):
        services.membership_request(
            community=on_request, user=user, message="Bonjour", charter_accepted=True
        )
