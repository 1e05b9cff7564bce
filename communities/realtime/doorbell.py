"""Rung after the commit: tells the websocket consumers that something changed.

The channel layer is only a doorbell (Zulip's lesson): channels-redis drops what a
full group cannot take, and forgets everything when Redis restarts. Nothing relies on
it: every message is in the database before the bell rings, each ``chat.message``
carries the channel's previous message id (``prev``) so that a consumer that missed a
ring sees the gap and reads the missing messages from the database, and each server
process compares its connections with ``Channel.last_message_id`` every two seconds
(watch.py, one query per process). A ring that
fails (Redis down) is logged and dropped: the messages are safe, readers catch up.

Groups: ``chat.channel.<id>`` (every consumer subscribed to the channel) and
``chat.user.<id>`` (every tab of a person: access changes, read markers). With
``RedisPubSubChannelLayer`` (production default) each server process subscribes once
per group and fans out to its own connections (benchmarks/realtime.py measures it
against one channels-redis group membership per connection).
"""

from __future__ import annotations

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def channel_group(channel_id: int) -> str:
    return f"chat.channel.{channel_id}"


def user_group(user_id: int) -> str:
    return f"chat.user.{user_id}"


def _send(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:
        logger.warning("Doorbell %s not rung (channel layer unavailable)", group, exc_info=True)


def _after_commit(group: str, event: dict) -> None:
    transaction.on_commit(lambda: _send(group, event), robust=True)


class Bell:
    """A place at the head of the commit hooks, taken before the writes: their save
    signals queue other hooks (the search index refresh, some 20 ms for a message),
    and the readers should not wait for those. Rings given to it leave first."""

    def __init__(self) -> None:
        self.rings: list[tuple[str, dict]] = []
        transaction.on_commit(self._ring, robust=True)

    def add(self, group: str, event: dict) -> None:
        self.rings.append((group, event))

    def _ring(self) -> None:
        for group, event in self.rings:
            _send(group, event)


def ring_message(
    *, channel_id: int, message_id: int, previous_id: int, frame: dict, bell: Bell | None = None
) -> None:
    """A new message: the frame is serialised once here, not once per reader."""
    group = channel_group(channel_id)
    event = {
        "type": "chat.message",
        "channel": channel_id,
        "id": message_id,
        "prev": previous_id,
        "text": json.dumps(frame, ensure_ascii=False),
    }
    if bell is not None:
        bell.add(group, event)
    else:
        _after_commit(group, event)


def ring_channel(*, channel_id: int, frame: dict, skip_user: int | None = None) -> None:
    """A change readers see as is (edit, deletion, reaction, typing, presence)."""
    event = {"type": "chat.event", "channel": channel_id, "frame": frame}
    if skip_user is not None:
        event["skip_user"] = skip_user
    _after_commit(channel_group(channel_id), event)


def ring_channel_now(*, channel_id: int, frame: dict, skip_user: int | None = None) -> None:
    """Outside any write (typing, presence): no transaction to wait for."""
    event = {"type": "chat.event", "channel": channel_id, "frame": frame}
    if skip_user is not None:
        event["skip_user"] = skip_user
    _send(channel_group(channel_id), event)


def ring_recheck(*, channel_id: int) -> None:
    """The channel's rules changed: each subscribed consumer checks its reader again."""
    _after_commit(channel_group(channel_id), {"type": "chat.recheck", "channel": channel_id})


def ring_access(*, user_id: int, community_id: int | None = None) -> None:
    """``user`` may have lost (or gained) access: their consumers check again."""
    _after_commit(user_group(user_id), {"type": "chat.access", "community": community_id})


def ring_user(*, user_id: int, frame: dict) -> None:
    """A frame for every tab of one person (their read marker moved elsewhere)."""
    _after_commit(user_group(user_id), {"type": "chat.user", "frame": frame})
