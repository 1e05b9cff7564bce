"""Writing in channels: send, edit, delete, react, read markers (issue 13).

Every write follows the same order: check (``permissions.channel_post_refusal``),
then in one transaction lock the channel row, write, move ``last_message_id``; the
doorbell (communities/realtime/doorbell.py), the notifications and the search index
hear of it after the commit. Refusals are ``ChatRefused`` (a ValidationError whose
``code`` is the protocol's error code, with a French sentence).
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ..markup import render
from ..models import (
    BODY_MAX_LENGTH,
    REACTIONS,
    Channel,
    ChannelMember,
    Message,
    MessageRevision,
    Reaction,
)
from ..notify import chat as chat_notify
from ..permissions import (
    Refusal,
    can_moderate_channel,
    can_read_channel,
    channel_post_refusal,
    is_signed_in,
)
from ..realtime import doorbell
from ..realtime.frames import deleted_frame, edited_frame, message_frame
from ..selectors.channels import mentionable_people

logger = logging.getLogger(__name__)


class ChatRefused(ValidationError):
    """A refused chat action: ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message, code=code)
        self.refusal_code = code
        self.extra = params


def refuse(refusal: Refusal) -> ChatRefused:
    return ChatRefused(refusal.code, refusal.message)


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool  # False: this client id was already stored (a resent frame)


def _rate_limit() -> tuple[int, int]:
    count, seconds = getattr(settings, "CARREFOUR_CHAT_RATE_LIMIT", (30, 30))
    return int(count), int(seconds)


def _check_rate(user) -> None:
    """A fixed window per person in the cache (Redis in production: shared by every
    server process; ``incr`` is atomic there)."""
    count, seconds = _rate_limit()
    if count <= 0:
        return
    now = timezone.now().timestamp()
    window = int(now // seconds)
    key = f"chat:rate:{user.pk}:{window}"
    try:
        cache.add(key, 0, timeout=seconds * 2)
        try:
            sent = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds * 2)
            sent = 1
    except Exception:  # the cache (Redis) is down: messages still go, unlimited meanwhile
        logger.warning("Chat rate limit not checked (cache unavailable)", exc_info=True)
        return
    if sent > count:
        wait = max(1, math.ceil((window + 1) * seconds - now))
        raise ChatRefused(
            "rate_limited",
            _("Vous envoyez trop de messages : réessayez dans %(n)d secondes.") % {"n": wait},
            retry_after=wait,
        )


def clean_body(body) -> str:
    if not isinstance(body, str):
        raise ChatRefused("invalid", _("Le message doit être du texte."))
    body = body.replace("\r\n", "\n").strip()
    if "\x00" in body:
        raise ChatRefused("invalid", _("Le message contient un caractère interdit."))
    if not body:
        raise ChatRefused("empty", _("Le message est vide."))
    if len(body) > BODY_MAX_LENGTH:
        raise ChatRefused(
            "too_long",
            _("Le message est trop long : %(n)d caractères au plus (il en a %(len)d).")
            % {"n": BODY_MAX_LENGTH, "len": len(body)},
        )
    return body


def clean_client_id(client_id) -> uuid.UUID | None:
    if client_id in (None, ""):
        return None
    try:
        return uuid.UUID(str(client_id))
    except (ValueError, AttributeError, TypeError):
        raise ChatRefused("invalid", _("« client_id » doit être un identifiant UUID.")) from None


def lock_channel(channel: Channel | int) -> Channel:
    channel_id = channel if isinstance(channel, int) else channel.pk
    locked = Channel.objects.select_for_update().filter(pk=channel_id).first()
    if locked is None:
        raise ChatRefused("not_found", _("Ce salon n'existe pas ou ne vous est pas ouvert."))
    return locked


def _slow_mode(channel: Channel, author, now) -> None:
    if channel.slow_mode_seconds <= 0 or can_moderate_channel(channel=channel, user=author):
        return
    last = (
        Message.objects.filter(channel=channel, author=author)
        .order_by("-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is None:
        return
    wait = channel.slow_mode_seconds - (now - last).total_seconds()
    if wait > 0:
        raise ChatRefused(
            "slow_mode",
            _(
                "Mode lent : un message toutes les %(n)d secondes dans ce salon ; "
                "attendez encore %(w)d s."
            )
            % {"n": channel.slow_mode_seconds, "w": math.ceil(wait)},
            retry_after=math.ceil(wait),
        )


def _existing(author, client_id: uuid.UUID | None, channel_id: int) -> Message | None:
    if client_id is None:
        return None
    existing = Message.objects.filter(author=author, client_id=client_id).first()
    if existing is not None and existing.channel_id != channel_id:
        raise ChatRefused("invalid", _("Ce « client_id » a déjà servi pour un autre message."))
    return existing


def read_marker_advance(*, channel: Channel, user, up_to: int) -> ChannelMember:
    """Move ``user``'s read marker forward (never back) up to ``up_to``, bounded by
    the channel's newest message. The caller checked that ``user`` reads it."""
    up_to = max(0, min(int(up_to), channel.last_message_id))
    member, _created = ChannelMember.objects.get_or_create(channel=channel, user=user)
    if up_to > member.last_read_id:
        ChannelMember.objects.filter(pk=member.pk, last_read_id__lt=up_to).update(
            last_read_id=up_to
        )
        member.last_read_id = up_to
    return member


def message_send(
    *,
    channel: Channel | int,
    author,
    body,
    client_id=None,
    reply_to: int | None = None,
) -> SendResult:
    """Store a message, then (after the commit) ring the channel, notify mentions,
    replies and direct messages, index it. A ``client_id`` already stored by this
    author returns that message (``created`` False) and stores nothing."""
    if not is_signed_in(author):
        raise ChatRefused("unauthenticated", _("Connectez-vous pour écrire."))
    client_uuid = clean_client_id(client_id)
    channel_id = channel if isinstance(channel, int) else channel.pk
    existing = _existing(author, client_uuid, channel_id)
    if existing is not None:
        return SendResult(existing, created=False)
    body = clean_body(body)
    if reply_to not in (None, "") and not isinstance(reply_to, int):
        raise ChatRefused("invalid", _("« reply_to » doit être l'identifiant d'un message."))
    try:
        with transaction.atomic():
            bell = doorbell.Bell()  # readers hear before the search index is refreshed
            locked = lock_channel(channel_id)
            refusal = channel_post_refusal(channel=locked, user=author)
            if refusal is not None:
                raise refuse(refusal)
            _check_rate(author)
            now = timezone.now()
            _slow_mode(locked, author, now)
            parent = None
            if reply_to:
                parent = Message.objects.filter(
                    pk=reply_to, channel=locked, deleted_at__isnull=True
                ).first()
                if parent is None:
                    raise ChatRefused(
                        "invalid", _("Le message auquel vous répondez n'existe plus.")
                    )
            people = mentionable_people(channel=locked, body=body) if "@" in body else []
            rendered = render(body, people=people)
            message = Message.objects.create(
                channel=locked,
                author=author,
                body=body,
                html=rendered.html,
                reply_to=parent,
                client_id=client_uuid,
                created_at=now,
            )
            mentioned = set(rendered.mentioned_ids) - {author.pk}
            if mentioned:
                message.mentions.set(mentioned)
            previous = locked.last_message_id
            Channel.objects.filter(pk=locked.pk).update(last_message_id=message.pk)
            locked.last_message_id = message.pk
            read_marker_advance(channel=locked, user=author, up_to=message.pk)
            message.channel = locked
            doorbell.ring_message(
                channel_id=locked.pk,
                message_id=message.pk,
                previous_id=previous,
                frame=message_frame(message, reactions={}),
                bell=bell,
            )
            chat_notify.message_sent(message=message, mentioned_ids=mentioned)
    except IntegrityError:
        # The same client id sent twice at once (two tabs, a retry racing the first):
        # the other insert won; answer with its message.
        existing = _existing(author, client_uuid, channel_id)
        if existing is None:
            raise
        return SendResult(existing, created=False)
    return SendResult(message, created=True)


def _visible_message(message_id, user) -> Message:
    message = (
        Message.objects.select_related("channel", "author")
        .filter(pk=message_id if isinstance(message_id, int) else -1)
        .first()
    )
    if message is None or not can_read_channel(channel=message.channel_id, user=user):
        raise ChatRefused("not_found", _("Ce message n'existe pas ou ne vous est pas ouvert."))
    return message


def message_edit(*, message_id: int, actor, body) -> Message:
    """The author rewrites their message; the previous text is kept for moderators."""
    body = clean_body(body)
    message = _visible_message(message_id, actor)
    if message.author_id != actor.pk:
        raise ChatRefused("forbidden", _("Vous ne pouvez modifier que vos propres messages."))
    if not message.is_visible:
        raise ChatRefused("not_found", _("Ce message a été supprimé ou masqué."))
    with transaction.atomic():
        channel = lock_channel(message.channel_id)
        refusal = channel_post_refusal(channel=channel, user=actor)
        if refusal is not None:
            raise refuse(refusal)
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.body == body:
            return message
        MessageRevision.objects.create(message=message, body=message.body)
        people = mentionable_people(channel=channel, body=body) if "@" in body else []
        rendered = render(body, people=people)
        message.body, message.html, message.edited_at = body, rendered.html, timezone.now()
        message.save(update_fields=["body", "html", "edited_at"])
        new_mentions = set(rendered.mentioned_ids) - {actor.pk}
        before = set(message.mentions.values_list("pk", flat=True))
        message.mentions.set(new_mentions)
        doorbell.ring_channel(channel_id=channel.pk, frame=edited_frame(message))
        chat_notify.message_sent(message=message, mentioned_ids=new_mentions - before, edited=True)
    return message


def message_delete(*, message_id: int, actor) -> Message:
    """The author, or a moderator of the community, deletes a message: it disappears
    for everyone (its text stays for moderators, in the moderation queue)."""
    message = _visible_message(message_id, actor)
    if message.author_id != actor.pk and not can_moderate_channel(
        channel=message.channel, user=actor
    ):
        raise ChatRefused("forbidden", _("Vous ne pouvez supprimer que vos propres messages."))
    if message.deleted_at is not None:
        return message
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        message.deleted_at, message.deleted_by = timezone.now(), actor
        message.save(update_fields=["deleted_at", "deleted_by"])
        doorbell.ring_channel(channel_id=message.channel_id, frame=deleted_frame(message))
        chat_notify.message_withdrawn(message=message)
    return message


def reaction_toggle(*, message_id: int, user, emoji) -> tuple[Message, dict[str, int]]:
    """Add ``emoji`` to a message, or take it back when already there. Only the fixed
    set; anyone who may post in the channel reacts."""
    if emoji not in REACTIONS:
        raise ChatRefused(
            "invalid",
            _("Réaction inconnue : choisissez parmi %(set)s.") % {"set": " ".join(REACTIONS)},
        )
    message = _visible_message(message_id, user)
    if not message.is_visible:
        raise ChatRefused("not_found", _("Ce message a été supprimé ou masqué."))
    refusal = channel_post_refusal(channel=message.channel, user=user)
    if refusal is not None:
        raise refuse(refusal)
    with transaction.atomic():
        removed, _count = Reaction.objects.filter(message=message, user=user, emoji=emoji).delete()
        if not removed:
            Reaction.objects.get_or_create(message=message, user=user, emoji=emoji)
        counts = {
            row["emoji"]: row["n"]
            for row in Reaction.objects.filter(message=message)
            .values("emoji")
            .annotate(n=Count("pk"))
        }
        doorbell.ring_channel(
            channel_id=message.channel_id,
            frame={
                "type": "reaction",
                "id": message.pk,
                "channel": message.channel_id,
                "emoji": emoji,
                "user": {"id": user.pk, "name": str(user)},
                "added": not removed,
                "reactions": counts,
            },
        )
    return message, counts


def channel_read(*, channel: Channel | int, user, up_to) -> ChannelMember:
    """Mark ``channel`` read up to ``up_to``; the reader's other tabs hear of it."""
    channel_id = channel if isinstance(channel, int) else channel.pk
    if not isinstance(up_to, int) or isinstance(up_to, bool) or up_to < 0:
        raise ChatRefused("invalid", _("« up_to » doit être l'identifiant d'un message."))
    if not can_read_channel(channel=channel_id, user=user):
        raise ChatRefused("not_found", _("Ce salon n'existe pas ou ne vous est pas ouvert."))
    with transaction.atomic():
        locked = Channel.objects.get(pk=channel_id)
        member = read_marker_advance(channel=locked, user=user, up_to=up_to)
        doorbell.ring_user(
            user_id=user.pk,
            frame={"type": "read", "channel": channel_id, "up_to": member.last_read_id},
        )
    return member
