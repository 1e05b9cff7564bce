"""Checks of the invitations by e-mail."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import CommunityInvitation, Membership, MembershipState
from ..permissions import membership_of, verified_emails
from .conditions import require_active, require_moderator, require_not_banned, require_signed_in


def check_invitation_create(community, actor, target=None, **options) -> None:
    """``target``: the invited e-mail address (optional for the matrix)."""
    require_moderator(community, actor)
    require_active(community)
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


def _require_pending(invitation: CommunityInvitation | None, community) -> None:
    if invitation is None or invitation.community_id != community.pk or invitation.is_used:
        raise ValidationError(_("Cette invitation n'existe pas ou a déjà servi."), code="invalid")
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
    require_signed_in(actor)
    _require_pending(target, community)
    _require_addressee(target, actor)


def check_invitation_revoke(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    if target is None or target.community_id != community.pk or target.is_used:
        raise ValidationError(_("Cette invitation n'existe pas ou a déjà servi."), code="invalid")
