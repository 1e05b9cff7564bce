"""The server's frames of protocol v1 (docs/realtime.md), built in one place for the
websocket, the HTTP API (same fields) and the doorbell. Names are the contract:
fields may be added, never renamed."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from ..models import Message

PROTOCOL_VERSION = 1


def author_of(user) -> dict:
    if user is None:
        return {"id": None, "name": _("Compte supprimé")}
    return {"id": user.pk, "name": str(user)}


def reactions_of(message: Message) -> dict[str, int]:
    """{emoji: count}; reads the prefetched ``reactions`` when there are."""
    return dict(Counter(reaction.emoji for reaction in message.reactions.all()))


def message_frame(message: Message, *, reactions: dict[str, int] | None = None) -> dict:
    """The ``message`` frame of a visible message (the caller filters hidden and
    deleted ones for those who may not see them)."""
    return {
        "type": "message",
        "id": message.pk,
        "channel": message.channel_id,
        "author": author_of(message.author),
        "body": message.body,
        "html": message.html,
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "reply_to": message.reply_to_id,
        "client_id": str(message.client_id) if message.client_id else None,
        "reactions": reactions if reactions is not None else reactions_of(message),
        "hidden": message.hidden_at is not None,
    }


def edited_frame(message: Message) -> dict:
    return {
        "type": "message.edited",
        "id": message.pk,
        "channel": message.channel_id,
        "body": message.body,
        "html": message.html,
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
    }


def deleted_frame(message: Message, *, hidden: bool = False) -> dict:
    return {
        "type": "message.deleted",
        "id": message.pk,
        "channel": message.channel_id,
        "hidden": hidden,
    }


def error_frame(code: str, message: str, *, client_id=None, **extra) -> dict:
    frame = {"type": "error", "code": code, "message": message, "client_id": client_id}
    frame.update(extra)
    return frame
