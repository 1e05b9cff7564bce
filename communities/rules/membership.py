"""Checks of joining, leaving and the roles of a community."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Community, JoinPolicy, Membership, MembershipState, Role, Visibility
from ..permissions import CommunityPermissionDenied, is_invited, membership_of
from .conditions import (
    not_self,
    refuse_last_owner,
    require_active,
    require_manager,
    require_moderator,
    require_not_banned,
    require_outranks,
    require_signed_in,
    target_member,
)

# --- joining ------------------------------------------------------------------------


def _refuse_existing(membership: Membership | None) -> None:
    require_not_banned(membership)
    state = membership.state if membership else None
    if state == MembershipState.ACTIVE:
        raise ValidationError(
            _("Vous êtes déjà membre de cette communauté."), code="already_member"
        )
    if state == MembershipState.REQUESTED:
        raise ValidationError(
            _("Votre demande d'adhésion est déjà en attente."), code="already_requested"
        )


def _refuse_invitation_only(community: Community, actor) -> None:
    # Invited while the invitation works: a membership left « invité·e » by an
    # expired, revoked or replaced invitation opens no secret community.
    if community.visibility == Visibility.SECRET and not is_invited(
        community=community, user=actor
    ):
        raise CommunityPermissionDenied(
            _("Cette communauté n'accueille de nouveaux membres que sur invitation.")
        )
    if community.join_policy == JoinPolicy.INVITATION:
        raise ValidationError(
            _("Cette communauté n'accueille de nouveaux membres que sur invitation."),
            code="invitation_only",
        )


def check_membership_request(community, actor, target=None, **options) -> None:
    require_signed_in(actor)
    require_active(community)
    membership = membership_of(community=community, user=actor)
    _refuse_existing(membership)
    if is_invited(community=community, user=actor):
        raise ValidationError(
            _("Vous êtes invité·e : acceptez l'invitation pour rejoindre la communauté."),
            code="invited",
        )
    _refuse_invitation_only(community, actor)
    if community.join_policy == JoinPolicy.OPEN:
        raise ValidationError(
            _("Cette communauté est ouverte : rejoignez-la directement."), code="open"
        )


def check_membership_join(community, actor, target=None, **options) -> None:
    require_signed_in(actor)
    require_active(community)
    membership = membership_of(community=community, user=actor)
    require_not_banned(membership)
    if membership is not None and membership.state == MembershipState.ACTIVE:
        raise ValidationError(
            _("Vous êtes déjà membre de cette communauté."), code="already_member"
        )
    _refuse_invitation_only(community, actor)
    if community.join_policy == JoinPolicy.REQUEST:
        raise ValidationError(
            _("Cette communauté accueille sur demande : envoyez une demande d'adhésion."),
            code="request_required",
        )


def check_membership_leave(community, actor, target=None, **options) -> None:
    require_signed_in(actor)
    membership = membership_of(community=community, user=actor)
    leaving = (MembershipState.ACTIVE, MembershipState.REQUESTED)
    if membership is None or membership.state not in leaving:
        raise ValidationError(_("Vous n'êtes pas membre de cette communauté."), code="not_member")
    refuse_last_owner(membership)


def _require_request(community, target) -> None:
    membership = membership_of(community=community, user=target) if target else None
    if membership is None or membership.state != MembershipState.REQUESTED:
        raise ValidationError(
            _("Aucune demande d'adhésion en attente pour cette personne."), code="no_request"
        )


def check_membership_approve(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    require_active(community)
    _require_request(community, target)


def check_membership_refuse(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    _require_request(community, target)


# --- roles --------------------------------------------------------------------------


def check_membership_promote(community, actor, target=None, role=Role.MODERATOR, **options):
    require_manager(community, actor)
    require_active(community)
    membership = target_member(community, target)
    if role == Role.MODERATOR and membership.role != Role.MEMBER:
        raise ValidationError(
            _("Cette personne a déjà ce rôle ou un rôle plus élevé."), code="already_role"
        )
    if role == Role.OWNER and membership.role == Role.OWNER:
        raise ValidationError(_("Cette personne est déjà propriétaire."), code="already_role")
    if role not in (Role.MODERATOR, Role.OWNER):
        raise ValidationError(_("Rôle inconnu."), code="invalid_role")


def check_membership_demote(community, actor, target=None, **options) -> None:
    require_manager(community, actor)
    membership = target_member(community, target)
    if membership.role == Role.MEMBER:
        raise ValidationError(_("Cette personne n'a pas de rôle à retirer."), code="no_role")
    refuse_last_owner(membership)


def check_ownership_transfer(community, actor, target=None, **options) -> None:
    require_manager(community, actor)
    require_active(community)
    not_self(actor, target)
    membership = target_member(community, target)
    if membership.role == Role.OWNER:
        raise ValidationError(_("Cette personne est déjà propriétaire."), code="already_role")


def check_membership_remove(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    not_self(actor, target)
    membership = target_member(community, target)
    require_outranks(community, actor, membership)
    refuse_last_owner(membership)


def check_membership_ban(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    if target is None:
        raise ValidationError(_("Personne à exclure inconnue."), code="not_member")
    not_self(actor, target)
    membership = membership_of(community=community, user=target)
    if membership is not None:
        if membership.state == MembershipState.BANNED:
            raise ValidationError(_("Cette personne est déjà exclue."), code="already_banned")
        require_outranks(community, actor, membership)
        refuse_last_owner(membership)


def check_membership_unban(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    membership = membership_of(community=community, user=target) if target else None
    if membership is None or membership.state != MembershipState.BANNED:
        raise ValidationError(_("Cette personne n'est pas exclue."), code="not_banned")
