"""Conditions shared by the checks of communities/rules/."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Community, Event, Membership, MembershipState, Role, Status
from ..permissions import (
    CommunityPermissionDenied,
    can_manage,
    can_moderate,
    is_signed_in,
    membership_of,
)


def require_signed_in(actor) -> None:
    if not is_signed_in(actor):
        raise CommunityPermissionDenied(_("Connectez-vous pour continuer."))


def require_active(community: Community) -> None:
    if community.status != Status.ACTIVE:
        raise ValidationError(_("Cette communauté n'est pas active."), code="inactive")


def require_moderator(community: Community, actor) -> None:
    require_signed_in(actor)
    if not can_moderate(community=community, user=actor):
        raise CommunityPermissionDenied(
            _("Seuls les modérateurs de la communauté peuvent faire cela.")
        )


def require_manager(community: Community, actor) -> None:
    require_signed_in(actor)
    if not can_manage(community=community, user=actor):
        raise CommunityPermissionDenied(
            _("Seuls les propriétaires de la communauté peuvent faire cela.")
        )


def require_not_banned(membership: Membership | None) -> None:
    if membership is not None and membership.state == MembershipState.BANNED:
        raise ValidationError(_("Vous avez été exclu·e de cette communauté."), code="banned")


def require_active_member(community: Community, actor, message: str) -> Membership:
    require_signed_in(actor)
    membership = membership_of(community=community, user=actor)
    require_not_banned(membership)
    if membership is None or membership.state != MembershipState.ACTIVE:
        raise CommunityPermissionDenied(message)
    return membership


def target_member(community: Community, target) -> Membership:
    membership = membership_of(community=community, user=target) if target else None
    if membership is None or membership.state != MembershipState.ACTIVE:
        raise ValidationError(
            _("Cette personne n'est pas membre de la communauté."), code="not_member"
        )
    return membership


def not_self(actor, target) -> None:
    if target is not None and actor.pk == target.pk:
        raise ValidationError(
            _("Vous ne pouvez pas faire cela sur votre propre adhésion."), code="self"
        )


def is_last_owner(membership: Membership) -> bool:
    """No other owner who can act: a deactivated account owns nothing in practice."""
    if membership.role != Role.OWNER or membership.state != MembershipState.ACTIVE:
        return False
    others = Membership.objects.filter(
        community_id=membership.community_id,
        role=Role.OWNER,
        state=MembershipState.ACTIVE,
        user__is_active=True,
    ).exclude(pk=membership.pk)
    return not others.exists()


def refuse_last_owner(membership: Membership) -> None:
    if is_last_owner(membership):
        raise ValidationError(
            _(
                "Une communauté garde toujours un propriétaire : transmettez-la d'abord "
                "à un autre membre."
            ),
            code="last_owner",
        )


def require_outranks(community: Community, actor, target: Membership) -> None:
    """Moderators act on members; owners and editors on moderators and owners too."""
    outranked = target.state == MembershipState.ACTIVE and target.role in (
        Role.OWNER,
        Role.MODERATOR,
    )
    if outranked and not can_manage(community=community, user=actor):
        raise CommunityPermissionDenied(
            _("Seuls les propriétaires peuvent retirer ou exclure un modérateur.")
        )


def own_event(community: Community, event: Event) -> None:
    if event is None or event.community_id != community.pk:
        raise CommunityPermissionDenied(_("Cet événement n'appartient pas à cette communauté."))
