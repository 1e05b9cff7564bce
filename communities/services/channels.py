"""Channels themselves: the default « général », channels created by moderators,
direct conversations, a reader's « couper les notifications »."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..models import Channel, ChannelKind, ChannelMember, ChatPreference, Community
from ..models.chat import CHANNEL_NAME_MAX_LENGTH
from ..permissions import can_moderate, can_read_channel, direct_message_refusal
from ..realtime import doorbell
from ._common import audit, lock
from .messages import ChatRefused, refuse

DEFAULT_CHANNEL_NAME = "général"
SLOW_MODE_MAX = 3600


def default_channel_ensure(*, community: Community) -> Channel:
    """« général », created with the community (and for communities made before
    channels existed). Idempotent."""
    channel = Channel.objects.filter(community=community, is_default=True).first()
    if channel is not None:
        return channel
    try:
        with transaction.atomic():
            return Channel.objects.create(
                community=community,
                name=DEFAULT_CHANNEL_NAME,
                slug="general",
                topic=_("Les échanges de la communauté."),
                is_default=True,
            )
    except IntegrityError:
        return Channel.objects.get(community=community, slug="general")


@dataclass(frozen=True)
class ChannelInput:
    name: str
    topic: str = ""
    read_only: bool = False
    moderators_only: bool = False
    slow_mode_seconds: int = 0


def _clean(data: ChannelInput) -> ChannelInput:
    name = " ".join((data.name or "").split())
    if not name:
        raise ChatRefused("invalid", _("Donnez un nom au salon."))
    if len(name) > CHANNEL_NAME_MAX_LENGTH:
        raise ChatRefused(
            "invalid",
            _("Le nom du salon est trop long (%(n)d caractères au plus).")
            % {"n": CHANNEL_NAME_MAX_LENGTH},
        )
    if not slugify(name):
        raise ChatRefused(
            "invalid", _("Le nom du salon doit contenir des lettres ou des chiffres.")
        )
    slow = int(data.slow_mode_seconds or 0)
    if not 0 <= slow <= SLOW_MODE_MAX:
        raise ChatRefused(
            "invalid",
            _("Le mode lent va de 0 à %(n)d secondes.") % {"n": SLOW_MODE_MAX},
        )
    return ChannelInput(
        name=name,
        topic=(data.topic or "").strip()[:300],
        read_only=bool(data.read_only),
        moderators_only=bool(data.moderators_only),
        slow_mode_seconds=slow,
    )


def _check_moderator(community: Community, actor) -> None:
    if not can_moderate(community=community, user=actor):
        raise ChatRefused("forbidden", _("Seuls les animateurs et modérateurs gèrent les salons."))


def channel_create(*, community: Community, actor, data: ChannelInput) -> Channel:
    data = _clean(data)
    with transaction.atomic():
        community = lock(community)
        _check_moderator(community, actor)
        slug = slugify(data.name)[:CHANNEL_NAME_MAX_LENGTH]
        if Channel.objects.filter(community=community, slug=slug).exists():
            raise ChatRefused("invalid", _("Un salon porte déjà ce nom dans la communauté."))
        channel = Channel.objects.create(
            community=community,
            name=data.name,
            slug=slug,
            topic=data.topic,
            read_only=data.read_only,
            moderators_only=data.moderators_only,
            slow_mode_seconds=data.slow_mode_seconds,
            created_by=actor,
        )
        audit(community=community, actor=actor, action="channel_created", message=data.name)
    return channel


def channel_update(*, channel: Channel, actor, data: ChannelInput) -> Channel:
    """Rename (the address stays), change the topic, announcements, reserved, slow
    mode. Readers who lose access (now reserved to moderators) are cut off at once."""
    data = _clean(data)
    with transaction.atomic():
        community = lock(channel.community)
        _check_moderator(community, actor)
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        closing = data.moderators_only and not channel.moderators_only
        for field in ("name", "topic", "read_only", "moderators_only", "slow_mode_seconds"):
            setattr(channel, field, getattr(data, field))
        channel.save()
        audit(community=community, actor=actor, action="channel_updated", message=data.name)
        doorbell.ring_channel(
            channel_id=channel.pk,
            frame={
                "type": "channel.updated",
                "channel": channel.pk,
                "name": channel.name,
                "topic": channel.topic,
                "read_only": channel.read_only,
                "slow_mode_seconds": channel.slow_mode_seconds,
            },
        )
        if closing:
            doorbell.ring_recheck(channel_id=channel.pk)
    return channel


def channel_archive(*, channel: Channel, actor) -> Channel:
    """Archive a channel (not « général »): history stays readable, nobody posts."""
    with transaction.atomic():
        community = lock(channel.community)
        _check_moderator(community, actor)
        if channel.is_default:
            raise ChatRefused("invalid", _("Le salon « général » ne s'archive pas."))
        channel = Channel.objects.select_for_update().get(pk=channel.pk)
        channel.archived_at = timezone.now()
        channel.save(update_fields=["archived_at"])
        audit(community=community, actor=actor, action="channel_archived", message=channel.name)
    return channel


def direct_channel_open(*, user, other) -> Channel:
    """The direct conversation between ``user`` and ``other`` (created the first
    time): both must share a community (or one be an editor), and ``other`` accept
    direct messages."""
    refusal = direct_message_refusal(user=user, other=other)
    if refusal is not None:
        raise refuse(refusal)
    low, high = sorted([user.pk, other.pk])
    key = f"{low}:{high}"
    channel = Channel.objects.filter(direct_key=key).first()
    if channel is not None:
        return channel
    try:
        with transaction.atomic():
            channel = Channel.objects.create(
                kind=ChannelKind.DIRECT,
                name=_("Message direct"),
                direct_key=key,
                created_by=user,
            )
            ChannelMember.objects.bulk_create(
                [
                    ChannelMember(channel=channel, user=user),
                    ChannelMember(channel=channel, user=other),
                ]
            )
    except IntegrityError:
        channel = Channel.objects.get(direct_key=key)
    return channel


def channel_mute_set(*, channel: Channel, user, muted: bool) -> ChannelMember:
    """Mute (no notification from this channel, left out of the header's count) or
    unmute."""
    if not can_read_channel(channel=channel, user=user):
        raise ChatRefused("not_found", _("Ce salon n'existe pas ou ne vous est pas ouvert."))
    member, _created = ChannelMember.objects.get_or_create(channel=channel, user=user)
    if member.muted != muted:
        member.muted = muted
        member.save(update_fields=["muted"])
    return member


def direct_messages_set(*, user, accepted: bool) -> ChatPreference:
    preference, _created = ChatPreference.objects.get_or_create(user=user)
    if preference.direct_messages != accepted:
        preference.direct_messages = accepted
        preference.save(update_fields=["direct_messages"])
    return preference
