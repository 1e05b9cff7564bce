"""The doorbell's safety net, once per server process (Zulip's way: one queue per
server process, not one check per connection).

A ring can be lost (channels-redis drops what a full group cannot take; nothing is
delivered while Redis restarts). A consumer notices a lost ring when the next one
arrives (its ``prev`` is ahead), but the last messages before a silence would wait
for the next message. So every ``CARREFOUR_CHAT_WATCH_SECONDS`` (2 s), one query reads
``Channel.last_message_id`` of the channels this process's connections follow. A
message that was already stored at the previous tick and that a connection has not
been sent means its ring was lost: the missing messages are read once per channel
(twice when moderators follow it: they also see hidden ones) and given to every
connection behind.

Why not on each client's ``ping``, as before: at 1,000 connections pinging every few
seconds that is hundreds of queries a second through Django's one sync thread per
process, where the sends wait their turn (benchmarks/realtime.py measured deliveries
seconds late). Here the cost is one query per process and interval, whatever the
number of connections, and nothing when no ring was lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from ..models import Channel
from ..selectors.channels import replay_after
from .frames import message_frame

logger = logging.getLogger(__name__)

REPLAY_PAGE = 200


class Follower(Protocol):
    """What the watch needs of a consumer (communities/realtime/consumer.py)."""

    def last_sent(self, channel_id: int) -> int | None: ...

    def is_moderator(self, channel_id: int) -> bool: ...

    async def deliver(self, channel_id: int, frames: list[dict], up_to: int) -> None: ...


def interval() -> float:
    return float(getattr(settings, "CARREFOUR_CHAT_WATCH_SECONDS", 2.0))


@database_sync_to_async
def _last_ids(channel_ids: list[int]) -> dict[int, int]:
    return dict(Channel.objects.filter(pk__in=channel_ids).values_list("pk", "last_message_id"))


@database_sync_to_async
def _replay(channel_id: int, after: int, up_to: int, moderator: bool) -> list[dict]:
    messages = replay_after(
        channel_id=channel_id,
        after=after,
        up_to=up_to,
        include_hidden=moderator,
        limit=REPLAY_PAGE,
    )
    return [message_frame(m) for m in messages]


class Watch:
    def __init__(self) -> None:
        self.followers: dict[int, set[Follower]] = defaultdict(set)
        # The last id of each followed channel at the previous tick.
        self.previous: dict[int, int] = {}
        self.task: asyncio.Task | None = None

    def follow(self, channel_id: int, follower: Follower) -> None:
        self.followers[channel_id].add(follower)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._run())

    def unfollow(self, channel_id: int, follower: Follower) -> None:
        followers = self.followers.get(channel_id)
        if followers is None:
            return
        followers.discard(follower)
        if not followers:
            del self.followers[channel_id]
            self.previous.pop(channel_id, None)
        if not self.followers and self.task is not None:
            self.task.cancel()
            self.task = None

    async def _run(self) -> None:
        while self.followers:
            await asyncio.sleep(interval())
            try:
                await self.tick()
            except Exception:  # the database away for a moment: try again next tick
                logger.warning("Chat watch tick failed", exc_info=True)

    async def tick(self) -> None:
        if not self.followers:
            return
        latest = await _last_ids(list(self.followers))
        previous, self.previous = self.previous, latest
        for channel_id, last_id in latest.items():
            # Stored at least one interval ago: its ring had the time to arrive.
            settled = min(last_id, previous.get(channel_id, 0))
            if settled:
                await self._heal(channel_id, settled)

    async def _heal(self, channel_id: int, settled: int) -> None:
        behind: dict[bool, list[tuple[Follower, int]]] = {False: [], True: []}
        for follower in list(self.followers.get(channel_id, ())):
            sent = follower.last_sent(channel_id)
            if sent is not None and sent < settled:
                behind[follower.is_moderator(channel_id)].append((follower, sent))
        for moderator, followers in behind.items():
            if not followers:
                continue
            frames = await _replay(
                channel_id, min(sent for _, sent in followers), settled, moderator
            )
            for follower, _sent in followers:
                try:
                    await follower.deliver(channel_id, frames, settled)
                except Exception:  # a connection going away must not stop the others
                    logger.debug("Chat watch delivery failed", exc_info=True)


# One per process (each gunicorn worker has its own event loop and its own watch).
watch = Watch()
