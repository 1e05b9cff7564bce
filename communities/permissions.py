"""What a viewer may see of a community: the one place that decides, used by the
services, the selectors, the public pages, the API, search and (through
``database_sync_to_async``) the websocket consumers. Every function is synchronous
and takes a community or its id.

- **public**: anyone sees the community and its content (members list, events, feed,
  iCalendar), except the people it banned, who keep the presentation only;
- **private**: listed (anyone sees the presentation), content for active members;
- **secret**: not listed; only active members, invited people and editors see it.
  Invited means: holding an invitation to one of one's verified addresses that is
  neither used nor expired (``is_invited``); a membership marked « invité·e » whose
  invitation expired, was revoked or replaced opens nothing.
- A community that is not active (proposed, archived) is seen by its active members
  and by editors only.
- **Editors** (permission ``communities.change_community``, never a group name) see
  everything.

Channels (issue 13): a community's channels are read by whoever sees its content,
except those « réservés aux animateurs » (moderators and editors); a direct
conversation is read by its two participants only (editors included: nobody reads
other people's direct messages; a reported one reaches the moderation queue with its
text). Posting asks more: see ``channel_post_refusal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import (
    Channel,
    ChannelKind,
    ChannelMember,
    ChatPreference,
    Community,
    CommunityInvitation,
    InspirationRequest,
    InspirationStatus,
    Membership,
    MembershipState,
    Role,
    Status,
    Visibility,
)

EDITOR_PERMISSION = "communities.change_community"
MODERATING_ROLES = (Role.OWNER, Role.MODERATOR)


class CommunityPermissionDenied(PermissionDenied):
    """The user may not perform this action in this community."""


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _community_id(community: Community | int) -> int:
    return community if isinstance(community, int) else community.pk


def is_community_editor(user) -> bool:
    return is_signed_in(user) and user.has_perm(EDITOR_PERMISSION)


def membership_of(*, community: Community | int, user) -> Membership | None:
    if not is_signed_in(user):
        return None
    return Membership.objects.filter(community_id=_community_id(community), user=user).first()


def verified_emails(user) -> list[str]:
    if not is_signed_in(user):
        return []
    return [
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]


def _pending_invitations(user) -> QuerySet[CommunityInvitation]:
    emails = verified_emails(user)
    if not emails:
        return CommunityInvitation.objects.none()
    # invitation_create stores addresses in lower case.
    return CommunityInvitation.objects.filter(
        email__in=emails,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        expires_at__gt=timezone.now(),
    )


def invitations_open_to(*, user) -> QuerySet[CommunityInvitation]:
    """The invitations ``user`` may still accept: to one of their verified addresses,
    neither used nor expired."""
    return _pending_invitations(user)


def is_invited(*, community: Community | int, user) -> bool:
    """Whether ``user`` holds an invitation to ``community`` that still works (sent to
    one of their verified addresses, neither used nor expired): the only definition of
    « invité·e », whatever the membership row says."""
    return _pending_invitations(user).filter(community_id=_community_id(community)).exists()


def community_visible_to(*, user) -> QuerySet[Community]:
    """The communities ``user`` may open (and the directory lists): the only
    definition of « can see a community », ``can_see_community`` reads it."""
    communities = Community.objects.all()
    if is_community_editor(user):
        return communities
    listed = Q(status=Status.ACTIVE, visibility__in=[Visibility.PUBLIC, Visibility.PRIVATE])
    if not is_signed_in(user):
        return communities.filter(listed)
    mine = Membership.objects.filter(user=user)
    active = mine.filter(state=MembershipState.ACTIVE).values("community_id")
    # A membership marked « invité·e » counts only with its invitation (is_invited).
    invited = _pending_invitations(user).values("community_id")
    secret_invited = Q(status=Status.ACTIVE, visibility=Visibility.SECRET, pk__in=invited)
    return communities.filter(listed | Q(pk__in=active) | secret_invited)


def can_see_community(*, community: Community | int, user) -> bool:
    return community_visible_to(user=user).filter(pk=_community_id(community)).exists()


def community_content_visible_to(*, user) -> QuerySet[Community]:
    """The communities whose content (members list, events, feed, projects,
    iCalendar) ``user`` sees: the only definition, ``can_see_content`` reads it."""
    communities = Community.objects.all()
    if is_community_editor(user):
        return communities
    public = Q(status=Status.ACTIVE, visibility=Visibility.PUBLIC)
    if not is_signed_in(user):
        return communities.filter(public)
    mine = Membership.objects.filter(user=user)
    active = mine.filter(state=MembershipState.ACTIVE).values("community_id")
    banned = mine.filter(state=MembershipState.BANNED).values("community_id")
    return communities.filter(public | Q(pk__in=active)).exclude(pk__in=banned)


def can_see_content(*, community: Community | int, user) -> bool:
    return community_content_visible_to(user=user).filter(pk=_community_id(community)).exists()


def community_role(*, community: Community | int, user) -> str | None:
    """The role of an active member (owner, moderator, member), else None."""
    membership = membership_of(community=community, user=user)
    if membership is None or membership.state != MembershipState.ACTIVE:
        return None
    return membership.role


def can_moderate(*, community: Community | int, user) -> bool:
    """Approve requests, invite, remove and ban members, run events, announce."""
    if is_community_editor(user):
        return True
    return community_role(community=community, user=user) in MODERATING_ROLES


def can_manage(*, community: Community | int, user) -> bool:
    """Owners' powers: change roles, hand over the community."""
    if is_community_editor(user):
        return True
    return community_role(community=community, user=user) == Role.OWNER


def community_principals(user) -> set[str]:
    """Search principals of ``user``: ``community:<id>`` per active membership. A
    banned or removed member loses it at once (read from the database each time)."""
    if not is_signed_in(user):
        return set()
    ids = Membership.objects.filter(user=user, state=MembershipState.ACTIVE).values_list(
        "community_id", flat=True
    )
    return {f"community:{pk}" for pk in ids}


def communities_moderated_by(*, user) -> QuerySet[Community]:
    """The communities where ``user`` is an active owner or moderator (all for editors)."""
    if is_community_editor(user):
        return Community.objects.all()
    if not is_signed_in(user):
        return Community.objects.none()
    return Community.objects.filter(
        pk__in=Membership.objects.filter(
            user=user, state=MembershipState.ACTIVE, role__in=MODERATING_ROLES
        ).values("community_id")
    )


def channels_readable_by(*, user) -> QuerySet[Channel]:
    """The channels ``user`` may read: the only definition (pages, API, websocket
    subscriptions, search of messages all read it)."""
    community_channels = Q(
        kind=ChannelKind.COMMUNITY,
        community__in=community_content_visible_to(user=user),
    ) & (Q(moderators_only=False) | Q(community__in=communities_moderated_by(user=user)))
    if not is_signed_in(user):
        return Channel.objects.filter(community_channels)
    direct = Q(
        kind=ChannelKind.DIRECT,
        pk__in=ChannelMember.objects.filter(user=user).values("channel_id"),
    )
    return Channel.objects.filter(community_channels | direct)


def _channel_id(channel: Channel | int) -> int:
    return channel if isinstance(channel, int) else channel.pk


def can_read_channel(*, channel: Channel | int, user) -> bool:
    return channels_readable_by(user=user).filter(pk=_channel_id(channel)).exists()


def can_moderate_channel(*, channel: Channel, user) -> bool:
    """Hide, delete others' messages, mute, settle reports: the community's moderators
    and editors. Direct conversations have no moderator (reports go to editors)."""
    if channel.community_id is None:
        return False
    return can_moderate(community=channel.community_id, user=user)


@dataclass(frozen=True)
class Refusal:
    """Why someone may not post: a stable ``code`` (the protocol's error codes) and a
    French sentence for them."""

    code: str
    message: str


def direct_messages_accepted(user) -> bool:
    preference = ChatPreference.objects.filter(user=user).first()
    return preference is None or preference.direct_messages


def _inspiration_accepted_between(user, other) -> bool:
    """An accepted « S'en inspirer » request between the two, either way round: the
    requester asked to talk, the team member who accepted agreed to."""
    return InspirationRequest.objects.filter(
        Q(requester=user, decided_by=other) | Q(requester=other, decided_by=user),
        status=InspirationStatus.ACCEPTED,
    ).exists()


def direct_message_refusal(*, user, other) -> Refusal | None:
    """Whether ``user`` may open (or go on with) a direct conversation with ``other``:
    both active, sharing an active community, or one of them an editor; and ``other``
    accepts direct messages (editors write anyway: they answer for the platform).

    An accepted « S'en inspirer » request between them (issue 16: one asked, the
    other accepted) is consent on both sides: it stands in for the shared community
    and for the « messages directs » preference. Asked only when the usual rules
    refuse, so that ordinary conversations cost no extra query."""
    if not is_signed_in(user):
        return Refusal("unauthenticated", _("Connectez-vous pour écrire."))
    if other is None or not other.is_active or other.pk == user.pk:
        return Refusal("direct_refused", _("Cette conversation n'est pas possible."))
    refusal = _direct_usual_refusal(user=user, other=other)
    if refusal is not None and _inspiration_accepted_between(user, other):
        return None
    return refusal


def _direct_usual_refusal(*, user, other) -> Refusal | None:
    editor = is_community_editor(user) or is_community_editor(other)
    if not editor:
        shared = (
            Membership.objects.filter(user=user, state=MembershipState.ACTIVE)
            .filter(
                community__in=Membership.objects.filter(
                    user=other, state=MembershipState.ACTIVE
                ).values("community_id"),
                community__status=Status.ACTIVE,
            )
            .exists()
        )
        if not shared:
            return Refusal(
                "direct_refused",
                _("Vous ne pouvez écrire qu'aux membres d'une communauté que vous partagez."),
            )
    if not is_community_editor(user) and not direct_messages_accepted(other):
        return Refusal("direct_refused", _("Cette personne ne reçoit pas de messages directs."))
    return None


def channel_read_refusal(*, channel: Channel, user) -> Refusal | None:
    """Why ``user`` may not read ``channel``, or None. Someone a community banned is
    told so (« banned ») for its channels open to every member, which they knew;
    anything else they may not read is « not_found », as if it did not exist."""
    if can_read_channel(channel=channel, user=user):
        return None
    if (
        is_signed_in(user)
        and channel.kind == ChannelKind.COMMUNITY
        and not channel.moderators_only
        and Membership.objects.filter(
            community_id=channel.community_id, user=user, state=MembershipState.BANNED
        ).exists()
    ):
        return Refusal("banned", _("Vous avez été exclu·e de cette communauté."))
    return Refusal("not_found", _("Ce salon n'existe pas ou ne vous est pas ouvert."))


def channel_post_refusal(*, channel: Channel, user, now: datetime | None = None) -> Refusal | None:
    """Why ``user`` may not post in ``channel`` now, or None: checked on every send
    (the websocket's too), inside the sending transaction."""
    if not is_signed_in(user):
        return Refusal("unauthenticated", _("Connectez-vous pour écrire."))
    unreadable = channel_read_refusal(channel=channel, user=user)
    if unreadable is not None:
        return unreadable
    if channel.archived_at is not None:
        return Refusal("archived", _("Ce salon est archivé : on ne peut plus y écrire."))
    if channel.kind == ChannelKind.DIRECT:
        other = (
            ChannelMember.objects.filter(channel=channel)
            .exclude(user=user)
            .select_related("user")
            .first()
        )
        return direct_message_refusal(user=user, other=other.user if other else None)
    if is_community_editor(user):
        return None
    membership = membership_of(community=channel.community_id, user=user)
    if membership is not None and membership.state == MembershipState.BANNED:
        return Refusal("banned", _("Vous avez été exclu·e de cette communauté."))
    if membership is None or membership.state != MembershipState.ACTIVE:
        return Refusal("not_member", _("Rejoignez la communauté pour écrire dans ce salon."))
    if Community.objects.filter(pk=channel.community_id).exclude(status=Status.ACTIVE).exists():
        return Refusal(
            "archived", _("Cette communauté n'est pas active : on ne peut pas y écrire.")
        )
    now = now or timezone.now()
    if membership.muted_until is not None and membership.muted_until > now:
        until = formats.date_format(timezone.localtime(membership.muted_until), "DATETIME_FORMAT")
        return Refusal(
            "muted",
            _("Un modérateur vous a réduit·e au silence jusqu'au %(until)s.") % {"until": until},
        )
    if channel.read_only and membership.role not in MODERATING_ROLES:
        return Refusal("read_only", _("Seuls les animateurs écrivent dans ce salon d'annonces."))
    return None


# What a viewer may see, by surface: the permission-matrix test is generated from it
# (beside ``rules.ACTIONS`` for what a user may do).
SURFACES = {
    "community": can_see_community,
    "content": can_see_content,
    "moderation": can_moderate,
    "management": can_manage,
}
