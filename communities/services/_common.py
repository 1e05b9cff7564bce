"""What every community service does the same way: lock, check, audit, feed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import AuditEntry, Community, Event, FeedItem, FeedKind, Membership
from ..rules import ACTIONS

MESSAGE_MAX_LENGTH = 2000


def lock(community: Community) -> Community:
    """Re-read the community with its row locked until the transaction ends: every
    change to its memberships is serialised (two moderators, two clicks), so the
    check that follows reads a state nobody can change before the write. A community
    deleted meanwhile is a French ValidationError, never a DoesNotExist (a 500)."""
    locked = Community.objects.select_for_update().filter(pk=community.pk).first()
    if locked is None:
        raise ValidationError(_("Cette communauté n'existe plus."), code="invalid")
    return locked


def lock_event(event: Event) -> Event:
    """Lock the event's community, then the event, in the order every service takes
    them (community first, as the membership services do, whose departures free
    places): re-read, with its community, or a French ValidationError if it was
    deleted meanwhile."""
    lock(Community(pk=event.community_id))
    locked = (
        Event.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(pk=event.pk)
        .first()
    )
    if locked is None:
        raise ValidationError(_("Cet événement n'existe plus."), code="invalid")
    return locked


def check(action: str, *, community, actor, target=None, **options) -> None:
    ACTIONS[action](community, actor, target, **options)


def real_user(actor):
    return actor if actor is not None and actor.is_authenticated else None


def audit(
    *,
    community: Community,
    actor,
    action: str,
    target_user=None,
    target_project=None,
    message: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        community=community,
        actor=real_user(actor),
        action=action,
        target_user=target_user,
        target_project=target_project,
        message=message,
    )


def feed_add(*, community: Community, kind: str, actor=None, **targets) -> FeedItem:
    return FeedItem.objects.create(
        community=community, kind=kind, actor=real_user(actor), **targets
    )


def feed_forget_member(*, community: Community, user) -> None:
    """A person who left, was removed or banned no longer shows as « a rejoint »."""
    FeedItem.objects.filter(community=community, kind=FeedKind.MEMBER_JOINED, member=user).delete()


def clean_message(message: str, *, required_message: str = "") -> str:
    """Strip and bound a free-text message; ``required_message`` makes it mandatory."""
    message = (message or "").strip()
    if required_message and not message:
        raise ValidationError(required_message, code="message_required")
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            _("Le message est trop long (%(max)d caractères au plus).")
            % {"max": MESSAGE_MAX_LENGTH},
            code="too_long",
        )
    return message


def require_charter(community: Community, accepted: bool) -> None:
    if community.charter.strip() and not accepted:
        raise ValidationError(
            _("Acceptez la charte de la communauté pour la rejoindre."), code="charter"
        )


def membership_for_update(*, community: Community, user) -> Membership | None:
    return Membership.objects.select_for_update().filter(community=community, user=user).first()
