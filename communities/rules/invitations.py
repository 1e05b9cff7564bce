"""Checks of the invitations by e-mail."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import AuditAction, AuditEntry, CommunityInvitation, Membership, MembershipState
from ..permissions import membership_of, verified_emails
from .conditions import require_active, require_moderator, require_not_banned, require_signed_in

# Invitations leave by e-mail to any address: a moderator (or a stolen account)
# could flood strangers' inboxes. At most ``CARREFOUR_COMMUNITY_INVITATIONS_PER_DAY``
# per inviter and community in 24 hours, and one per address per hour.
INVITATIONS_PER_DAY = 50
RESEND_DELAY = timedelta(hours=1)


def invitations_per_day() -> int:
    return int(getattr(settings, "CARREFOUR_COMMUNITY_INVITATIONS_PER_DAY", INVITATIONS_PER_DAY))


def _refuse_flood(community, actor, email: str) -> None:
    now = timezone.now()
    # Counted from the audit trail: a revoked or replaced invitation is deleted,
    # its entry stays.
    sent_today = AuditEntry.objects.filter(
        community=community,
        actor=actor,
        action=AuditAction.INVITED,
        created_at__gt=now - timedelta(days=1),
    ).count()
    if sent_today >= invitations_per_day():
        raise ValidationError(
            _(
                "Vous avez envoyé %(count)d invitations pour cette communauté en 24 heures : "
                "c'est le maximum. Réessayez demain."
            )
            % {"count": sent_today},
            code="too_many_invitations",
        )
    if (
        email
        and community.invitations.filter(email=email, created_at__gt=now - RESEND_DELAY).exists()
    ):
        raise ValidationError(
            _(
                "Une invitation a été envoyée à cette adresse il y a moins d'une heure : "
                "attendez avant de la renvoyer."
            ),
            code="recently_invited",
        )


def check_invitation_create(community, actor, target=None, **options) -> None:
    """``target``: the invited e-mail address (optional for the matrix)."""
    require_moderator(community, actor)
    require_active(community)
    _refuse_flood(community, actor, str(target or "").strip().lower())
    if not target:
        return
    existing = Membership.objects.filter(
        community=community, user__in=users_with_email(str(target))
    ).first()
    if existing is not None and existing.state == MembershipState.ACTIVE:
        raise ValidationError(
            _("Cette personne est déjà membre de la communauté."), code="already_member"
        )
    if existing is not None and existing.state == MembershipState.BANNED:
        raise ValidationError(
            _("Cette personne est exclue de la communauté : levez d'abord l'exclusion."),
            code="banned",
        )


def users_with_email(email: str):
    """Accounts that own ``email`` as a verified address (allauth's EmailAddress)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        emailaddress__email__iexact=email.strip(), emailaddress__verified=True, is_active=True
    )


def _require_unused(invitation: CommunityInvitation | None, community) -> None:
    if invitation is None or invitation.community_id != community.pk or invitation.is_used:
        raise ValidationError(_("Cette invitation n'existe pas ou a déjà servi."), code="invalid")


def _require_pending(invitation: CommunityInvitation | None, community) -> None:
    _require_unused(invitation, community)
    if invitation.is_expired():
        raise ValidationError(
            _("Cette invitation a expiré : demandez-en une nouvelle."), code="expired"
        )


def _require_addressee(invitation: CommunityInvitation, actor) -> None:
    if invitation.email.lower() not in verified_emails(actor):
        raise ValidationError(
            _(
                "Cette invitation est adressée à %(email)s : connectez-vous avec ce compte "
                "(ou confirmez cette adresse dans votre compte)."
            )
            % {"email": invitation.email},
            code="wrong_email",
        )


def check_invitation_accept(community, actor, target=None, **options) -> None:
    """``target``: the invitation."""
    require_signed_in(actor)
    require_active(community)
    _require_pending(target, community)
    _require_addressee(target, actor)
    membership = membership_of(community=community, user=actor)
    require_not_banned(membership)
    if membership is not None and membership.state == MembershipState.ACTIVE:
        raise ValidationError(
            _("Vous êtes déjà membre de cette communauté."), code="already_member"
        )


def check_invitation_decline(community, actor, target=None, **options) -> None:
    """An expired invitation may still be declined: it says « non merci » and clears
    the « invité·e » mark it left."""
    require_signed_in(actor)
    _require_unused(target, community)
    _require_addressee(target, actor)


def check_invitation_revoke(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    if target is None or target.community_id != community.pk or target.is_used:
        raise ValidationError(_("Cette invitation n'existe pas ou a déjà servi."), code="invalid")
