"""Notifications of channels: mentions, replies, direct messages, reports to moderate.

In-app at once (the notifications centre; each recipient's open tabs hear of it
through the doorbell), by e-mail according to each person's preference for the kind
(« résumé quotidien » by default). Never for a channel the recipient muted, never to
the author, never to someone who may no longer read the channel."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..models import ChannelKind, ChannelMember, Message
from ..paths import message_path
from ..permissions import can_read_channel
from ._core import _french, community_scope, moderators_of, notify

EXCERPT = 140


def _send(
    *, recipients: list, kind: str, title: str, body: str, url: str, actor, scope: str, channel: int
):
    """``notify`` (after the commit), then a ``notification`` frame to each
    recipient's open tabs, so that the header's badge moves without a reload."""
    from ..realtime import doorbell

    notify(
        recipients=recipients, kind=kind, title=title, body=body, url=url, actor=actor, scope=scope
    )
    for person in recipients:
        if actor is not None and person.pk == actor.pk:
            continue
        doorbell.ring_user(
            user_id=person.pk,
            frame={
                "type": "notification",
                "kind": kind,
                "title": str(title),
                "url": url,
                "channel": channel,
            },
        )


def _scope(message: Message) -> str:
    if message.channel.community_id is not None:
        return community_scope(message.channel.community_id)
    return f"channel:{message.channel_id}"


def _recipients(message: Message, user_ids: set[int]) -> list:
    """The people among ``user_ids`` who still read the channel and did not mute it."""
    if not user_ids:
        return []
    from django.contrib.auth import get_user_model

    muted = set(
        ChannelMember.objects.filter(
            channel_id=message.channel_id, user_id__in=user_ids, muted=True
        ).values_list("user_id", flat=True)
    )
    people = get_user_model().objects.filter(pk__in=user_ids - muted, is_active=True)
    return [p for p in people if can_read_channel(channel=message.channel_id, user=p)]


def _where(message: Message) -> str:
    channel = message.channel
    if channel.kind == ChannelKind.DIRECT:
        return _("en message direct")
    return _("dans #%(channel)s (%(community)s)") % {
        "channel": channel.name,
        "community": channel.community.name,
    }


def message_sent(*, message: Message, mentioned_ids: set[int], edited: bool = False) -> None:
    """Called in the sending transaction: who hears of ``message`` after the commit."""
    author = message.author
    excerpt = Truncator(message.body).chars(EXCERPT)
    url = message_path(message)
    scope = _scope(message)
    taken: set[int] = {author.pk}
    with _french():
        where = _where(message)
        if message.channel.kind == ChannelKind.DIRECT and not edited:
            others = set(
                ChannelMember.objects.filter(channel_id=message.channel_id)
                .exclude(user=author)
                .values_list("user_id", flat=True)
            )
            _send(
                recipients=_recipients(message, others - taken),
                kind="community.chat_direct",
                title=_("%(name)s vous a écrit") % {"name": author},
                body=excerpt,
                url=url,
                actor=author,
                scope=scope,
                channel=message.channel_id,
            )
            taken |= others
        mentioned = set(mentioned_ids) - taken
        _send(
            recipients=_recipients(message, mentioned),
            kind="community.chat_mention",
            title=_("%(name)s vous a mentionné·e %(where)s") % {"name": author, "where": where},
            body=excerpt,
            url=url,
            actor=author,
            scope=scope,
            channel=message.channel_id,
        )
        taken |= mentioned
        parent_author = message.reply_to.author_id if message.reply_to_id and not edited else None
        if parent_author and parent_author not in taken:
            _send(
                recipients=_recipients(message, {parent_author}),
                kind="community.chat_reply",
                title=_("%(name)s a répondu à votre message %(where)s")
                % {"name": author, "where": where},
                body=excerpt,
                url=url,
                actor=author,
                scope=scope,
                channel=message.channel_id,
            )


def _withdraw_about(url: str) -> None:
    try:
        from notifications.services import notifications_withdraw_about
    except ImportError:  # the notifications centre is not installed
        return
    notifications_withdraw_about(url=url)


def message_withdrawn(*, message: Message) -> None:
    """A message deleted or hidden: its notifications (and their excerpt) go."""
    url = message_path(message)
    transaction.on_commit(lambda: _withdraw_about(url), robust=True)


def message_reported(*, message: Message, reporter, hidden: bool) -> None:
    """The moderators of the community (editors for a direct message) have a report to
    settle; ``hidden``: the message was just hidden by the reports."""
    from ._core import editors

    community = message.channel.community
    recipients = moderators_of(community) if community is not None else editors()
    with _french():
        title = (
            _("Un message a été masqué après plusieurs signalements %(where)s")
            if hidden
            else _("Un message a été signalé %(where)s")
        ) % {"where": _where(message)}
        _send(
            recipients=recipients,
            kind="community.chat_report",
            title=title,
            body=Truncator(message.body).chars(EXCERPT),
            url=message_path(message),
            actor=reporter,
            scope=_scope(message),
            channel=message.channel_id,
        )
