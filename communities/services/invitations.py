"""Invitations by e-mail, for people with or without an account.

The link (``/communautes/invitation/<token>/``) carries a random token stored with
the invitation (``secrets``, not a signature: an invitation can be revoked or
replaced). Someone without an account opens it, the public view keeps the token in
the session while allauth signs them up, then calls ``invitation_accept``: the
invitation is accepted by an account that has its address as a verified e-mail
(the view can ask allauth to trust the address the link was sent to with
``get_adapter(request).stash_verified_email(request, invitation.email)``).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notify
from ..models import (
    INVITATION_VALIDITY,
    AuditAction,
    Community,
    CommunityInvitation,
    Membership,
    MembershipState,
    Role,
)
from ..rules import users_with_email
from ._common import audit, check, clean_message, lock, membership_for_update, require_charter
from .membership import activate_membership


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("Saisissez une adresse e-mail valide."), code="invalid_email"
        ) from None
    return email


def invitation_create(
    *, community: Community, inviter, email: str, message: str = ""
) -> CommunityInvitation:
    """Invite ``email``; a new invitation replaces a pending one to the same address.
    An account that already owns the address is marked « invité·e » (it then sees a
    secret community) and told in the notifications centre; the e-mail goes out in
    any case."""
    with transaction.atomic():
        community = lock(community)
        check("invitation_create", community=community, actor=inviter, target=email)
        email = _normalise_email(email)
        message = clean_message(message)
        community.invitations.filter(
            email=email, accepted_at__isnull=True, declined_at__isnull=True
        ).delete()
        now = timezone.now()
        invitation = CommunityInvitation.objects.create(
            community=community,
            email=email,
            token=secrets.token_urlsafe(32),
            message=message,
            invited_by=inviter,
            created_at=now,
            expires_at=now + INVITATION_VALIDITY,
        )
        user = users_with_email(email).first()
        if user is not None:
            membership = membership_for_update(community=community, user=user)
            if membership is None:
                membership = Membership(community=community, user=user)
            if membership.state != MembershipState.ACTIVE:
                membership.state = MembershipState.INVITED
                membership.role = Role.MEMBER
                membership.invited_by = inviter
                membership.save()
        audit(
            community=community,
            actor=inviter,
            action=AuditAction.INVITED,
            target_user=user,
            message=email,
        )
        notify.invitation_sent(invitation=invitation, user=user)
    return invitation


def _invitation_locked(token: str) -> tuple[Community, CommunityInvitation]:
    """The invitation of ``token`` and its community, locked in the order of every
    community service: read the invitation (no lock) to find its community, lock the
    community, then lock the invitation and re-read it (revoked or replaced
    meanwhile: a French ValidationError)."""
    found = CommunityInvitation.objects.filter(token=token or "").only("community_id").first()
    if found is None:
        raise ValidationError(_("Cette invitation n'existe pas ou a déjà servi."), code="invalid")
    community = lock(Community(pk=found.community_id))
    invitation = (
        CommunityInvitation.objects.select_for_update(of=("self",))
        .select_related("invited_by")
        .filter(pk=found.pk, token=token)
        .first()
    )
    if invitation is None:
        raise ValidationError(_("Cette invitation n'existe pas ou a déjà servi."), code="invalid")
    invitation.community = community
    return community, invitation


def invitation_accept(*, token: str, user, charter_accepted: bool = False) -> Membership:
    """Accept with an account whose verified e-mail is the invited address."""
    with transaction.atomic():
        community, invitation = _invitation_locked(token)
        check("invitation_accept", community=community, actor=user, target=invitation)
        require_charter(community, charter_accepted)
        membership = activate_membership(
            community=community,
            user=user,
            charter_accepted=charter_accepted,
            invited_by=invitation.invited_by,
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit(
            community=community,
            actor=user,
            action=AuditAction.INVITATION_ACCEPTED,
            target_user=user,
            message=invitation.email,
        )
        notify.invitation_accepted(invitation=invitation, user=user)
    return membership


def invitation_decline(*, token: str, user) -> CommunityInvitation:
    """Say no (an expired invitation too): the « invité·e » mark goes with it."""
    with transaction.atomic():
        community, invitation = _invitation_locked(token)
        check("invitation_decline", community=community, actor=user, target=invitation)
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])
        Membership.objects.filter(
            community=community, user=user, state=MembershipState.INVITED
        ).delete()
        audit(
            community=community,
            actor=user,
            action=AuditAction.INVITATION_DECLINED,
            target_user=user,
            message=invitation.email,
        )
    return invitation


def invitation_revoke(*, invitation: CommunityInvitation, actor) -> None:
    """A moderator withdraws a pending invitation: its link stops working."""
    with transaction.atomic():
        community = lock(Community(pk=invitation.community_id))
        # Gone meanwhile (revoked twice, replaced): ``check`` refuses None in French.
        invitation = (
            CommunityInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
        )
        check("invitation_revoke", community=community, actor=actor, target=invitation)
        Membership.objects.filter(
            community=community,
            user__in=users_with_email(invitation.email),
            state=MembershipState.INVITED,
        ).delete()
        audit(
            community=community,
            actor=actor,
            action=AuditAction.INVITATION_REVOKED,
            message=invitation.email,
        )
        invitation.delete()
