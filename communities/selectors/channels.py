"""Reads of channels and messages: lists with unread counts, history pages, catch-up,
mention candidates. What a viewer may read is asked of communities/permissions.py."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..markup import mention_handle, mentioned_handles
from ..models import (
    Channel,
    ChannelKind,
    ChannelMember,
    Community,
    Membership,
    MembershipState,
    Message,
    Reaction,
)
from ..permissions import (
    MODERATING_ROLES,
    can_moderate_channel,
    channels_readable_by,
    is_signed_in,
)

HISTORY_PAGE = 50
HISTORY_MAX = 200


def _unread_annotations(user) -> dict:
    marker = Coalesce(
        Subquery(
            ChannelMember.objects.filter(channel=OuterRef("pk"), user=user).values("last_read_id")[
                :1
            ]
        ),
        0,
        output_field=IntegerField(),
    )
    unread = Coalesce(
        Subquery(
            Message.objects.filter(
                channel=OuterRef("pk"),
                pk__gt=OuterRef("read_marker"),
                deleted_at__isnull=True,
                hidden_at__isnull=True,
            )
            .exclude(author=user)
            .order_by()
            .values("channel")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
        output_field=IntegerField(),
    )
    return {"read_marker": marker, "unread": unread}


def _muted(user) -> Subquery:
    return Subquery(
        ChannelMember.objects.filter(channel=OuterRef("pk"), user=user).values("muted")[:1]
    )


def channels_of_community(*, community: Community, user) -> list[Channel]:
    """The channels of ``community`` that ``user`` may read, « général » first, each
    with ``unread`` (0 for those who are not members) and ``muted``."""
    channels = channels_readable_by(user=user).filter(community=community, archived_at__isnull=True)
    member = is_signed_in(user) and (
        Membership.objects.filter(
            community=community, user=user, state=MembershipState.ACTIVE
        ).exists()
    )
    if member:
        channels = channels.annotate(**_unread_annotations(user), muted_flag=_muted(user))
    result = list(channels.order_by("-is_default", "name", "pk"))
    for channel in result:
        if not member:
            channel.unread, channel.muted_flag = 0, False
        channel.muted_flag = bool(channel.muted_flag)
    return result


def _member_channels(user) -> QuerySet[Channel]:
    """Channels that count in ``user``'s unread total: those of communities they are an
    active member of, and their direct conversations."""
    communities = Membership.objects.filter(user=user, state=MembershipState.ACTIVE).values(
        "community_id"
    )
    return channels_readable_by(user=user).filter(
        Q(community__in=communities) | Q(kind=ChannelKind.DIRECT), archived_at__isnull=True
    )


def unread_total(*, user) -> int:
    """The header's badge: unread messages in the channels one belongs to, muted
    channels left out."""
    if not is_signed_in(user):
        return 0
    channels = (
        _member_channels(user)
        .annotate(**_unread_annotations(user), muted_flag=_muted(user))
        .filter(Q(muted_flag=False) | Q(muted_flag__isnull=True), last_message_id__gt=0)
    )
    return sum(channels.values_list("unread", flat=True))


@dataclass(frozen=True)
class DirectConversation:
    channel: Channel
    other: object  # the other participant (a user), or None if their account is gone
    unread: int


def direct_conversations(*, user) -> list[DirectConversation]:
    """``user``'s direct conversations, the latest first."""
    if not is_signed_in(user):
        return []
    channels = (
        channels_readable_by(user=user)
        .filter(kind=ChannelKind.DIRECT)
        .annotate(**_unread_annotations(user))
        .prefetch_related(
            Prefetch(
                "members",
                queryset=ChannelMember.objects.exclude(user=user).select_related("user__profile"),
                to_attr="others",
            )
        )
        .order_by("-last_message_id", "-pk")
    )
    return [
        DirectConversation(channel=c, other=c.others[0].user if c.others else None, unread=c.unread)
        for c in channels
    ]


def channel_get_readable(*, channel_id, user) -> Channel | None:
    """The channel if ``user`` may read it (None otherwise: the caller answers 404)."""
    if isinstance(channel_id, bool) or not isinstance(channel_id, int):
        return None
    return channels_readable_by(user=user).select_related("community").filter(pk=channel_id).first()


def community_channel_get(*, community: Community, slug: str, user) -> Channel | None:
    return (
        channels_readable_by(user=user)
        .select_related("community")
        .filter(community=community, slug=slug)
        .first()
    )


def _messages(channel: Channel, *, include_hidden: bool) -> QuerySet[Message]:
    messages = (
        Message.objects.filter(channel=channel, deleted_at__isnull=True)
        .select_related("author__profile")
        .prefetch_related(Prefetch("reactions", queryset=Reaction.objects.only("message", "emoji")))
    )
    if not include_hidden:
        messages = messages.filter(hidden_at__isnull=True)
    return messages


def shows_hidden(*, channel: Channel, user) -> bool:
    """Moderators see messages hidden after reports (flagged), to decide."""
    return can_moderate_channel(channel=channel, user=user)


def messages_page(
    *,
    channel: Channel,
    user,
    after: int | None = None,
    before: int | None = None,
    limit: int = HISTORY_PAGE,
) -> list[Message]:
    """A page of history, oldest first: after ``after`` (the oldest ones after it),
    before ``before`` (the newest ones before it), or the latest ``limit``."""
    limit = max(1, min(int(limit), HISTORY_MAX))
    messages = _messages(channel, include_hidden=shows_hidden(channel=channel, user=user))
    if after is not None:
        return list(messages.filter(pk__gt=after).order_by("pk")[:limit])
    if before is not None:
        messages = messages.filter(pk__lt=before)
    return list(reversed(messages.order_by("-pk")[:limit]))


def replay_after(
    *, channel_id: int, after: int, up_to: int | None = None, include_hidden: bool, limit: int
) -> list[Message]:
    """What a consumer sends after ``after`` (catch-up), oldest first."""
    messages = _messages(Channel(pk=channel_id), include_hidden=include_hidden).filter(pk__gt=after)
    if up_to is not None:
        messages = messages.filter(pk__lte=up_to)
    return list(messages.order_by("pk")[:limit])


def channel_readers(channel: Channel) -> QuerySet:
    """The people who may be mentioned in ``channel``: its community's active members
    (moderators only in a channel reserved to them), or the two participants."""
    User = get_user_model()
    if channel.kind == ChannelKind.DIRECT:
        return User.objects.filter(
            is_active=True,
            pk__in=ChannelMember.objects.filter(channel=channel).values("user_id"),
        )
    memberships = Membership.objects.filter(
        community_id=channel.community_id, state=MembershipState.ACTIVE
    )
    if channel.moderators_only:
        memberships = memberships.filter(role__in=MODERATING_ROLES)
    return User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))


def _handles(users) -> list[tuple[int, str, str]]:
    rows = users.values_list("pk", "profile__display_name", "email")
    out = []
    for pk, display_name, email in rows:
        name = display_name or email.split("@", 1)[0]
        out.append((pk, mention_handle(name), name))
    return out


def mentionable_people(*, channel: Channel, body: str) -> list[tuple[int, str]]:
    """(user id, handle) of the readers whose handle ``body`` writes."""
    wanted = mentioned_handles(body)
    if not wanted:
        return []
    return [
        (pk, handle) for pk, handle, _name in _handles(channel_readers(channel)) if handle in wanted
    ]


def mention_candidates(*, channel: Channel, prefix: str, limit: int = 8) -> list[dict]:
    """For the completion of ``@…``: readers whose handle or name starts with
    ``prefix`` (case and accents ignored)."""
    wanted = mention_handle(prefix.lstrip("@")) if prefix.strip("@ ") else ""
    found = []
    for pk, handle, name in _handles(channel_readers(channel)):
        if (
            not wanted
            or handle.startswith(wanted)
            or any(part.startswith(wanted) for part in handle.split("."))
        ):
            found.append({"id": pk, "handle": handle, "name": name})
    found.sort(key=lambda row: (not row["handle"].startswith(wanted), row["handle"]))
    return found[:limit]
