"""Invitations by e-mail: to people with or without an account, accepted with the
invited address only, valid 30 days, declined or revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from communities import services
from communities.models import AuditAction, AuditEntry, CommunityInvitation, Membership
from communities.permissions import CommunityPermissionDenied, can_see_community
from communities.selectors import invitation_pending_by_token
from tests.factories import UserFactory

from .conftest import add_member, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(community):
    community.visibility, community.join_policy = "secret", "invitation"
    community.save()
    return community


def test_an_invitation_is_e_mailed_with_its_link_after_the_commit(secret, commit):
    with commit():
        invitation = services.invitation_create(
            community=secret,
            inviter=secret.owner_user,
            email="  Nouvelle.Personne@Exemple.org ",
            message="Rejoignez-nous pour le forum de mars.",
        )
    assert invitation.email == "nouvelle.personne@exemple.org"
    assert invitation.expires_at - invitation.created_at == timedelta(days=30)
    (message,) = mail.outbox
    assert message.to == ["nouvelle.personne@exemple.org"]
    assert "« Numérique inclusif »" in message.subject
    assert f"/communautes/invitation/{invitation.token}/" in message.body
    assert "forum de mars" in message.body
    assert AuditEntry.objects.get(action=AuditAction.INVITED).message == invitation.email


def test_nothing_leaves_when_the_transaction_rolls_back(secret, commit):
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        services.invitation_create(community=secret, inviter=secret.owner_user, email="a@b.org")
        raise RuntimeError("plus loin, une erreur")
    assert mail.outbox == []
    assert not CommunityInvitation.objects.exists()


def test_an_existing_account_is_marked_invited_sees_the_secret_community_and_is_told(
    secret, user, sent, commit
):
    assert not can_see_community(community=secret, user=user)
    with commit():
        invitation = services.invitation_create(
            community=secret, inviter=secret.owner_user, email=user.email
        )
    membership = Membership.objects.get(community=secret, user=user)
    assert membership.state == "invited" and membership.invited_by == secret.owner_user
    assert can_see_community(community=secret, user=user)
    (notice,) = [s for s in sent if s.kind == "community.invitation"]
    assert notice.recipients == [user.email]
    assert notice.url == f"/communautes/invitation/{invitation.token}/"


def test_a_new_invitation_replaces_the_pending_one(secret):
    first = services.invitation_create(community=secret, inviter=secret.owner_user, email="a@b.org")
    # Sent again later than the hour a re-send waits (test_review_fixes).
    CommunityInvitation.objects.filter(pk=first.pk).update(
        created_at=first.created_at - timedelta(hours=2)
    )
    second = services.invitation_create(
        community=secret, inviter=secret.owner_user, email="a@b.org"
    )
    assert list(secret.invitations.all()) == [second]
    assert invitation_pending_by_token(token=first.token) is None


@pytest.mark.parametrize(
    ("email", "exc", "fragment", "code"),
    [
        ("pas-une-adresse", ValidationError, "adresse e-mail valide", "invalid_email"),
        ("member", ValidationError, "déjà membre", "already_member"),
        ("banned", ValidationError, "levez d'abord l'exclusion", "banned"),
    ],
)
def test_bad_invitations_are_refused(secret, email, exc, fragment, code):
    if email in {"member", "banned"}:
        email = add_member(secret, state="active" if email == "member" else "banned").user.email
    with refused(exc, fragment, code):
        services.invitation_create(community=secret, inviter=secret.owner_user, email=email)
    assert not CommunityInvitation.objects.exists()


def test_a_plain_member_cannot_invite(secret):
    member = add_member(secret).user
    with refused(CommunityPermissionDenied, "Seuls les modérateurs"):
        services.invitation_create(community=secret, inviter=member, email="a@b.org")


def test_an_invitation_survives_sign_up_and_lands_the_person_in_the_community(secret, sent, commit):
    """Invited before the account exists; the account is created later with the
    invited address, then the (session-kept) token is accepted."""
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email="camille@exemple.org"
    )
    assert invitation_pending_by_token(token=invitation.token) == invitation
    camille = UserFactory(email="camille@exemple.org")
    with commit():
        membership = services.invitation_accept(token=invitation.token, user=camille)
    assert membership.state == "active" and membership.invited_by == secret.owner_user
    invitation.refresh_from_db()
    assert invitation.accepted_by == camille and invitation.accepted_at
    assert invitation_pending_by_token(token=invitation.token) is None
    assert any(s.recipients == [secret.owner_user.email] for s in sent)
    with refused(ValidationError, "n'existe pas ou a déjà servi", "invalid"):
        services.invitation_accept(token=invitation.token, user=camille)


def test_an_invitation_is_accepted_with_the_invited_address_only(secret, user):
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email="camille@exemple.org"
    )
    with refused(ValidationError, "adressée à camille@exemple.org", "wrong_email"):
        services.invitation_accept(token=invitation.token, user=user)
    # an unverified second address is not enough
    EmailAddress.objects.create(user=user, email="camille@exemple.org", verified=False)
    with refused(ValidationError, "adressée à camille@exemple.org", "wrong_email"):
        services.invitation_accept(token=invitation.token, user=user)
    EmailAddress.objects.filter(user=user, email="camille@exemple.org").update(verified=True)
    assert services.invitation_accept(token=invitation.token, user=user).state == "active"


def test_an_expired_invitation_says_so(secret, user):
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email=user.email
    )
    CommunityInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    pending = invitation_pending_by_token(token=invitation.token)
    assert pending is not None and pending.is_expired()
    with refused(ValidationError, "a expiré", "expired"):
        services.invitation_accept(token=invitation.token, user=user)


def test_an_unknown_token_is_refused(user):
    with refused(ValidationError, "n'existe pas", "invalid"):
        services.invitation_accept(token="pas-un-jeton", user=user)
    assert invitation_pending_by_token(token="") is None


def test_accepting_needs_the_charter(secret, user):
    secret.charter = "Confidentialité des échanges."
    secret.save()
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email=user.email
    )
    with refused(ValidationError, "Acceptez la charte", "charter"):
        services.invitation_accept(token=invitation.token, user=user)
    membership = services.invitation_accept(
        token=invitation.token, user=user, charter_accepted=True
    )
    assert membership.charter_accepted_at is not None


def test_a_banned_person_cannot_use_an_old_invitation(secret, user):
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email=user.email
    )
    token = invitation.token
    services.membership_ban(community=secret, actor=secret.owner_user, user=user)
    with refused(ValidationError, "n'existe pas", "invalid"):
        services.invitation_accept(token=token, user=user)


def test_declining_forgets_the_invitation(secret, user):
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email=user.email
    )
    services.invitation_decline(token=invitation.token, user=user)
    assert not Membership.objects.filter(community=secret, user=user).exists()
    assert not can_see_community(community=secret, user=user)
    assert invitation_pending_by_token(token=invitation.token) is None
    with refused(ValidationError, "a déjà servi", "invalid"):
        services.invitation_accept(token=invitation.token, user=user)


def test_someone_else_cannot_decline(secret, user, other_user):
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email=user.email
    )
    with refused(ValidationError, "adressée à", "wrong_email"):
        services.invitation_decline(token=invitation.token, user=other_user)


def test_a_moderator_revokes_an_invitation(secret, user):
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email=user.email
    )
    moderator = add_member(secret, role="moderator").user
    services.invitation_revoke(invitation=invitation, actor=moderator)
    assert not CommunityInvitation.objects.exists()
    assert not Membership.objects.filter(community=secret, user=user).exists()
    assert AuditEntry.objects.filter(action=AuditAction.INVITATION_REVOKED).exists()
    with refused(ValidationError, "n'existe pas", "invalid"):
        services.invitation_accept(token=invitation.token, user=user)


def test_a_member_cannot_accept_an_invitation_twice_over(secret, user):
    invitation = services.invitation_create(
        community=secret, inviter=secret.owner_user, email="autre@exemple.org"
    )
    EmailAddress.objects.create(user=user, email="autre@exemple.org", verified=True)
    add_member(secret, user=user)
    with refused(ValidationError, "déjà membre", "already_member"):
        services.invitation_accept(token=invitation.token, user=user)
