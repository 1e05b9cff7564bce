"""Joining, leaving and running a community's membership.

Each service: lock the community row, check (communities/rules/), write, audit,
and queue its notifications (sent after the commit, communities/notify/).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import notify
from ..models import (
    AuditAction,
    Community,
    CommunityInvitation,
    FeedKind,
    Membership,
    MembershipState,
    Role,
)
from ..permissions import membership_of, verified_emails
from ..realtime import doorbell
from ..rules import is_last_owner
from ._common import (
    audit,
    check,
    clean_message,
    feed_add,
    feed_forget_member,
    lock,
    membership_for_update,
    require_charter,
)
from .rsvp import rsvps_release_for_member


def _activate(membership: Membership, *, charter_accepted: bool, invited_by=None) -> Membership:
    now = timezone.now()
    membership.state = MembershipState.ACTIVE
    membership.role = Role.MEMBER
    membership.joined_at = now
    if charter_accepted:
        membership.charter_accepted_at = membership.charter_accepted_at or now
    if invited_by is not None:
        membership.invited_by = invited_by
    membership.save()
    feed_add(
        community=membership.community,
        kind=FeedKind.MEMBER_JOINED,
        actor=membership.user,
        member=membership.user,
    )
    return membership


def activate_membership(*, community: Community, user, charter_accepted: bool, invited_by=None):
    """Make ``user`` an active member (the community is locked by the caller)."""
    membership = membership_for_update(community=community, user=user)
    if membership is None:
        membership = Membership(community=community, user=user)
    return _activate(membership, charter_accepted=charter_accepted, invited_by=invited_by)


def _leave(membership: Membership, state: str = MembershipState.LEFT) -> None:
    was_active = membership.state == MembershipState.ACTIVE
    membership.state = state
    membership.role = Role.MEMBER
    membership.save()
    # Their open channel subscriptions end at once (an ``error`` frame).
    doorbell.ring_access(user_id=membership.user_id, community_id=membership.community_id)
    if was_active:
        feed_forget_member(community=membership.community, user=membership.user)
        rsvps_release_for_member(community=membership.community, user=membership.user)


def membership_request(
    *, community: Community, user, message: str = "", charter_accepted: bool = False
) -> Membership:
    """Ask to join a community whose policy is « sur demande », with a message."""
    with transaction.atomic():
        community = lock(community)
        check("membership_request", community=community, actor=user)
        message = clean_message(
            message,
            required_message=_(
                "Dites en quelques mots pourquoi vous souhaitez rejoindre la communauté."
            ),
        )
        require_charter(community, charter_accepted)
        membership = membership_for_update(community=community, user=user)
        if membership is None:
            membership = Membership(community=community, user=user)
        membership.state = MembershipState.REQUESTED
        membership.role = Role.MEMBER
        membership.request_message = message
        membership.charter_accepted_at = timezone.now() if charter_accepted else None
        membership.save()
        audit(
            community=community,
            actor=user,
            action=AuditAction.REQUESTED,
            target_user=user,
            message=message,
        )
        notify.request_created(membership=membership)
    return membership


def membership_approve(*, community: Community, actor, user, message: str = "") -> Membership:
    with transaction.atomic():
        community = lock(community)
        check("membership_approve", community=community, actor=actor, target=user)
        message = clean_message(message)
        membership = membership_for_update(community=community, user=user)
        _activate(membership, charter_accepted=membership.charter_accepted_at is not None)
        audit(
            community=community,
            actor=actor,
            action=AuditAction.APPROVED,
            target_user=user,
            message=message,
        )
        notify.request_decided(membership=membership, approved=True, actor=actor, message=message)
    return membership


def membership_refuse(*, community: Community, actor, user, message: str = "") -> Membership:
    with transaction.atomic():
        community = lock(community)
        check("membership_refuse", community=community, actor=actor, target=user)
        message = clean_message(message)
        membership = membership_for_update(community=community, user=user)
        _leave(membership)
        audit(
            community=community,
            actor=actor,
            action=AuditAction.REFUSED,
            target_user=user,
            message=message,
        )
        notify.request_decided(membership=membership, approved=False, actor=actor, message=message)
    return membership


def membership_join(*, community: Community, user, charter_accepted: bool = False) -> Membership:
    """Join an open community (its charter accepted)."""
    with transaction.atomic():
        community = lock(community)
        check("membership_join", community=community, actor=user)
        require_charter(community, charter_accepted)
        membership = activate_membership(
            community=community, user=user, charter_accepted=charter_accepted
        )
        audit(community=community, actor=user, action=AuditAction.JOINED, target_user=user)
    return membership


def membership_leave(*, community: Community, user) -> Membership:
    """Leave (or withdraw a pending request). The last owner hands over first."""
    with transaction.atomic():
        community = lock(community)
        check("membership_leave", community=community, actor=user)
        membership = membership_for_update(community=community, user=user)
        _leave(membership)
        audit(community=community, actor=user, action=AuditAction.LEFT, target_user=user)
    return membership


def membership_promote(
    *, community: Community, actor, user, role: str = Role.MODERATOR
) -> Membership:
    with transaction.atomic():
        community = lock(community)
        check("membership_promote", community=community, actor=actor, target=user, role=role)
        membership = membership_for_update(community=community, user=user)
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        audit(
            community=community,
            actor=actor,
            action=AuditAction.PROMOTED,
            target_user=user,
            message=membership.get_role_display(),
        )
        notify.role_changed(membership=membership, actor=actor)
    return membership


def membership_demote(*, community: Community, actor, user) -> Membership:
    """Owner → moderator, moderator → member (never the last owner)."""
    with transaction.atomic():
        community = lock(community)
        check("membership_demote", community=community, actor=actor, target=user)
        membership = membership_for_update(community=community, user=user)
        membership.role = Role.MODERATOR if membership.role == Role.OWNER else Role.MEMBER
        membership.save(update_fields=["role", "updated_at"])
        audit(
            community=community,
            actor=actor,
            action=AuditAction.DEMOTED,
            target_user=user,
            message=membership.get_role_display(),
        )
        notify.role_changed(membership=membership, actor=actor)
    return membership


def ownership_transfer(*, community: Community, actor, user) -> Membership:
    """``user`` becomes owner; the owner who hands over becomes moderator (an editor
    handing over makes every current owner a moderator)."""
    with transaction.atomic():
        community = lock(community)
        check("ownership_transfer", community=community, actor=actor, target=user)
        mine = membership_of(community=community, user=actor)
        if mine is not None and mine.state == MembershipState.ACTIVE and mine.role == Role.OWNER:
            previous = Membership.objects.filter(pk=mine.pk)
        else:
            previous = Membership.objects.filter(
                community=community, role=Role.OWNER, state=MembershipState.ACTIVE
            )
        demoted = list(previous.select_for_update(of=("self",)).select_related("user", "community"))
        for old in demoted:
            old.role = Role.MODERATOR
            old.save(update_fields=["role", "updated_at"])
        membership = membership_for_update(community=community, user=user)
        membership.role = Role.OWNER
        membership.save(update_fields=["role", "updated_at"])
        audit(community=community, actor=actor, action=AuditAction.OWNERSHIP, target_user=user)
        notify.role_changed(membership=membership, actor=actor)
        for old in demoted:
            notify.role_changed(membership=old, actor=actor)
    return membership


def membership_remove(*, community: Community, actor, user, message: str = "") -> Membership:
    with transaction.atomic():
        community = lock(community)
        check("membership_remove", community=community, actor=actor, target=user)
        message = clean_message(message)
        membership = membership_for_update(community=community, user=user)
        _leave(membership)
        audit(
            community=community,
            actor=actor,
            action=AuditAction.REMOVED,
            target_user=user,
            message=message,
        )
        notify.member_removed(membership=membership, actor=actor, banned=False, message=message)
        notify.withdraw(user=user, community=community)
    return membership


def membership_ban(*, community: Community, actor, user, message: str = "") -> Membership:
    """Exclude ``user``: no content, no request, no rejoining, invitations revoked."""
    with transaction.atomic():
        community = lock(community)
        check("membership_ban", community=community, actor=actor, target=user)
        message = clean_message(message)
        membership = membership_for_update(community=community, user=user)
        had_membership = membership is not None and membership.state != MembershipState.LEFT
        if membership is None:
            membership = Membership(community=community, user=user)
        _leave(membership, state=MembershipState.BANNED)
        CommunityInvitation.objects.filter(
            community=community,
            email__in=[*verified_emails(user), user.email.lower()],
            accepted_at__isnull=True,
        ).delete()
        audit(
            community=community,
            actor=actor,
            action=AuditAction.BANNED,
            target_user=user,
            message=message,
        )
        if had_membership:
            notify.member_removed(membership=membership, actor=actor, banned=True, message=message)
        notify.withdraw(user=user, community=community)
    return membership


def membership_unban(*, community: Community, actor, user) -> Membership:
    """Lift an exclusion: the person may ask or join again (not a member again)."""
    with transaction.atomic():
        community = lock(community)
        check("membership_unban", community=community, actor=actor, target=user)
        membership = membership_for_update(community=community, user=user)
        membership.state = MembershipState.LEFT
        membership.save(update_fields=["state", "updated_at"])
        audit(community=community, actor=actor, action=AuditAction.UNBANNED, target_user=user)
    return membership


# --- account deletion ---------------------------------------------------------------


def _successor(community: Community, user) -> Membership | None:
    """The longest-standing moderator, else the longest-standing member, among the
    active members whose account is active."""
    rank = Case(
        When(role=Role.MODERATOR, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Membership.objects.select_for_update(of=("self",))
        .filter(community=community, state=MembershipState.ACTIVE, user__is_active=True)
        .exclude(user=user)
        .select_related("user", "community")
        .annotate(rank=rank)
        .order_by("rank", "joined_at", "pk")
        .first()
    )


def ownership_succession(*, user) -> list[Membership]:
    """Before ``user``'s account is deleted (accounts' anonymiser): in each of their
    communities, locked one after the other in id order, give up their answers to
    upcoming events (their places go to the waiting lists) and, where they are the
    last owner, hand the community to ``_successor``, audited and told. A community
    with nobody else keeps no owner (editors see it in the admin). Returns the new
    owners' memberships. No permission check: the account's owner (or an editor)
    is deleting it, ``account_delete`` decided."""
    community_ids = list(
        Membership.objects.filter(user=user)
        .order_by("community_id")
        .values_list("community_id", flat=True)
    )
    successors = []
    with transaction.atomic():
        for community_id in community_ids:
            community = Community.objects.select_for_update().filter(pk=community_id).first()
            if community is None:  # deleted meanwhile
                continue
            rsvps_release_for_member(community=community, user=user)
            membership = membership_for_update(community=community, user=user)
            if membership is None or not is_last_owner(membership):
                continue
            successor = _successor(community, user)
            if successor is None:
                continue
            successor.role = Role.OWNER
            successor.save(update_fields=["role", "updated_at"])
            with translation.override(settings.LANGUAGE_CODE):
                message = _("Le compte du dernier propriétaire a été supprimé.")
            audit(
                community=community,
                actor=None,
                action=AuditAction.OWNERSHIP,
                target_user=successor.user,
                message=message,
            )
            notify.ownership_inherited(membership=successor)
            successors.append(successor)
    return successors
