"""The websocket at ``/ws/``: protocol v1 (docs/realtime.md).

One connection per browser tab, authenticated by the session cookie (Channels'
AuthMiddlewareStack), its ``Origin`` checked against ALLOWED_HOSTS (cms/asgi.py).
The consumer holds no truth: every frame goes to the services (which check
membership, mutes, bans, slow mode and rate limits in their transaction), every
replay to the selectors, and what it knows of a subscription is only the last
message id it sent (``last_sent``), so that a doorbell rung twice is sent once and a
doorbell missed is noticed (the next one's ``prev`` is ahead) and read from the
database. The process's watch (watch.py) also compares every subscription with
``Channel.last_message_id`` and sends what a lost ring did not announce.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
from dataclasses import dataclass, field

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from ..models import Channel, ChannelMember, MembershipState
from ..permissions import (
    can_moderate_channel,
    channel_post_refusal,
    channel_read_refusal,
    community_role,
    is_signed_in,
    membership_of,
)
from ..selectors.channels import channel_get_readable, replay_after
from ..services import messages as message_services
from ..services.chat_moderation import message_report
from ..services.messages import ChatRefused
from . import doorbell
from .frames import PROTOCOL_VERSION, error_frame, message_frame
from .protocol import ProtocolError, int_field, parse
from .watch import REPLAY_PAGE, watch

logger = logging.getLogger(__name__)

# A fresh client (``after`` 0) gets the latest messages, not the whole history: older
# pages come from GET /api/v1/channels/<id>/messages?before=.
FRESH_WINDOW = 50
MAX_SUBSCRIPTIONS = 100
TYPING_INTERVAL = 3.0
# Frames a connection may send: a burst, then so many a second (token bucket).
FRAME_BURST = 60
FRAME_RATE = 20.0
AUTH_FAILED = 4401
# Which server process answers (the benchmark checks clients are spread over both).
SERVER_NAME = getattr(settings, "CARREFOUR_SERVER_NAME", "") or (
    f"{socket.gethostname()}:{os.getpid()}"
)


@dataclass
class Subscription:
    channel_id: int
    community_id: int | None
    last_sent: int
    moderator: bool
    # An active member of the channel's community (always, in a direct conversation):
    # one who stops being one is cut off even from a channel the public may read.
    member: bool = False
    typing_at: float = 0.0
    extra: dict = field(default_factory=dict)


# --- what the consumer asks the database (in Django's thread) -------------------


@database_sync_to_async
def _user_name(user) -> str:
    return str(user)


def _is_member(channel: Channel, user) -> bool:
    return (
        channel.community_id is None
        or community_role(community=channel.community_id, user=user) is not None
    )


@database_sync_to_async
def _open(user, channel_id: int) -> dict:
    """What a subscription starts from, or ``{"refusal": …}`` when ``user`` may not
    read the channel (« banned » for those a community excluded, else « not_found »)."""
    channel = channel_get_readable(channel_id=channel_id, user=user)
    if channel is None:
        existing = Channel.objects.filter(pk=channel_id).first()
        refusal = channel_read_refusal(channel=existing, user=user) if existing else None
        return {"channel": None, "refusal": refusal}
    marker = (
        ChannelMember.objects.filter(channel=channel, user=user)
        .values_list("last_read_id", flat=True)
        .first()
    )
    refusal = channel_post_refusal(channel=channel, user=user)
    return {
        "channel": channel,
        "moderator": can_moderate_channel(channel=channel, user=user),
        "member": _is_member(channel, user),
        "last_read": marker or 0,
        "can_post": refusal is None,
        "refusal": refusal,
    }


@database_sync_to_async
def _replay(channel_id: int, after: int, up_to: int | None, moderator: bool, limit: int):
    messages = replay_after(
        channel_id=channel_id,
        after=after,
        up_to=up_to,
        include_hidden=moderator,
        limit=limit,
    )
    return [message_frame(m) for m in messages]


@database_sync_to_async
def _fresh_start(channel: Channel, moderator: bool) -> int:
    """For ``after`` 0: the id before the latest FRESH_WINDOW messages this reader
    sees (hidden ones count for moderators only, as in the replay)."""
    from ..models import Message

    visible = Message.objects.filter(channel=channel, deleted_at__isnull=True)
    if not moderator:
        visible = visible.filter(hidden_at__isnull=True)
    ids = list(visible.order_by("-pk").values_list("pk", flat=True)[: FRESH_WINDOW + 1])
    return ids[FRESH_WINDOW] if len(ids) > FRESH_WINDOW else 0


@database_sync_to_async
def _last_ids(channel_ids: list[int]) -> dict[int, int]:
    return dict(Channel.objects.filter(pk__in=channel_ids).values_list("pk", "last_message_id"))


@database_sync_to_async
def _still_readable(user, channel_id: int) -> dict:
    """A subscription checked again: ``readable``, ``member`` (see Subscription),
    ``refusal`` (why they may not post: {code, message} or None), and for one who may
    no longer read it the ``code`` and ``message`` of the error that ends it."""
    channel = channel_get_readable(channel_id=channel_id, user=user)
    if channel is not None:
        refusal = channel_post_refusal(channel=channel, user=user)
        return {
            "readable": True,
            "member": _is_member(channel, user),
            "refusal": {"code": refusal.code, "message": refusal.message} if refusal else None,
        }
    community_id = (
        Channel.objects.filter(pk=channel_id).values_list("community_id", flat=True).first()
    )
    membership = (
        membership_of(community=community_id, user=user) if community_id is not None else None
    )
    if membership is not None and membership.state == MembershipState.BANNED:
        code, message = "banned", _("Vous avez été exclu·e de cette communauté.")
    else:
        code = "not_member"
        message = _("Vous n'avez plus accès à ce salon : votre abonnement est terminé.")
    return {"readable": False, "member": False, "refusal": None, "code": code, "message": message}


def _sync(function):
    return database_sync_to_async(function)


class ChatConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message):
        """Channels 4 runs ``close_old_connections`` in Django's one sync thread before
        every handler: for a doorbell delivered to 1,000 readers that is 1,000 thread
        hops that do nothing (the doorbell handlers touch no database unless a gap
        is found, and every database call here goes through
        ``database_sync_to_async``, which closes stale connections itself)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.user = self.scope.get("user")
        self.gone = False  # the socket is closed: nothing more to send
        self.subscriptions: dict[int, Subscription] = {}
        self.tokens, self.tokens_at = float(FRAME_BURST), time.monotonic()
        # Messages reach this connection from its handlers (rings, subscribe's replay)
        # and from the process's watch: one at a time, in id order.
        self.delivering = asyncio.Lock()
        await self.accept()
        if not is_signed_in(self.user):
            await self._send(
                error_frame(
                    "unauthenticated",
                    _("Connectez-vous pour utiliser les salons : la connexion est refusée."),
                )
            )
            await self.close(code=AUTH_FAILED)
            self.gone = True
            return
        self.user_id = self.user.pk
        self.user_name = await _user_name(self.user)
        await self.channel_layer.group_add(doorbell.user_group(self.user_id), self.channel_name)
        await self._send(
            {
                "type": "hello",
                "protocol": PROTOCOL_VERSION,
                "user": {"id": self.user_id, "name": self.user_name},
                "server": SERVER_NAME,
            }
        )

    async def disconnect(self, code):
        self.gone = True
        if not hasattr(self, "user_id"):
            return
        for channel_id in list(self.subscriptions):
            await self._end(channel_id, announce=True)
        await self.channel_layer.group_discard(doorbell.user_group(self.user_id), self.channel_name)

    # --- frames from the client ------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if not hasattr(self, "user_id"):
            return
        frame: dict = {}
        try:
            frame = parse(text_data, bytes_data)
            if not self._take_token():
                raise ProtocolError(
                    "rate_limited",
                    _("Trop de trames envoyées : ralentissez."),
                    frame.get("client_id"),
                )
            await getattr(self, "on_" + frame["type"])(frame)
        except ProtocolError as error:
            await self._send(
                error_frame(
                    error.code, error.message, client_id=error.client_id, **self._context(frame)
                )
            )
        except ChatRefused as refused:
            await self._send(
                error_frame(
                    refused.refusal_code,
                    refused.messages[0],
                    client_id=self._client_id(frame),
                    **self._context(frame),
                    **refused.extra,
                )
            )
        except Exception:  # one bad frame never closes the socket
            logger.exception("Websocket frame failed")
            # With the frame's client_id: the client sends it again a little later
            # (the same client_id: stored once), e.g. when the database restarted.
            await self._send(
                error_frame(
                    "server_error",
                    _("Une erreur est survenue de notre côté : réessayez dans un instant."),
                    client_id=self._client_id(frame),
                )
            )

    @staticmethod
    def _client_id(frame: dict):
        value = frame.get("client_id")
        return value if isinstance(value, str) else None

    @staticmethod
    def _context(frame: dict) -> dict:
        return {k: frame[k] for k in ("channel", "id") if isinstance(frame.get(k), int)}

    def _take_token(self) -> bool:
        now = time.monotonic()
        self.tokens = min(FRAME_BURST, self.tokens + (now - self.tokens_at) * FRAME_RATE)
        self.tokens_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def on_ping(self, frame):
        # Only an answer: the doorbell's safety net is the process's watch (watch.py),
        # one query per process rather than one per ping.
        await self._send({"type": "pong", "t": frame.get("t")})

    async def on_subscribe(self, frame):
        channel_id = int_field(frame, "channel", minimum=1)
        after = int_field(frame, "after", required=False) or 0
        if channel_id not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            raise ProtocolError(
                "invalid",
                _("Trop de salons suivis sur cette connexion (%(n)d au plus).")
                % {"n": MAX_SUBSCRIPTIONS},
            )
        opened = await _open(self.user, channel_id)
        channel = opened["channel"]
        if channel is None:
            refusal = opened["refusal"]
            if refusal is not None and refusal.code == "banned":
                raise ProtocolError(refusal.code, refusal.message)
            raise ProtocolError("not_found", _("Ce salon n'existe pas ou ne vous est pas ouvert."))
        # Join the group first, then read: a message committed meanwhile is either in
        # the replay or rings after it (and is sent once, thanks to last_sent).
        await self.channel_layer.group_add(doorbell.channel_group(channel_id), self.channel_name)
        async with self.delivering:
            await self._subscribed(channel_id, channel, opened, after)

    async def _subscribed(self, channel_id: int, channel: Channel, opened: dict, after: int):
        fresh = after == 0
        start = await _fresh_start(channel, opened["moderator"]) if fresh else after
        sub = Subscription(
            channel_id=channel_id,
            community_id=channel.community_id,
            last_sent=start,
            moderator=opened["moderator"],
            member=opened["member"],
        )
        new = channel_id not in self.subscriptions
        self.subscriptions[channel_id] = sub
        watch.follow(channel_id, self)
        latest = (await _last_ids([channel_id])).get(channel_id, 0)
        await self._catch_up(sub, latest)
        sub.last_sent = max(sub.last_sent, latest)
        caught_up = {
            "type": "caught_up",
            "channel": channel_id,
            "last_id": sub.last_sent,
            "last_read": opened["last_read"],
            "can_post": opened["can_post"],
            "has_more_before": fresh and start > 0,
        }
        if opened["refusal"] is not None:
            caught_up["post_refusal"] = {
                "code": opened["refusal"].code,
                "message": opened["refusal"].message,
            }
        await self._send(caught_up)
        if new:
            self._presence(channel_id, "online")

    async def _catch_up(self, sub: Subscription, up_to: int) -> None:
        """Send what is stored after ``sub.last_sent`` up to ``up_to``, page by page."""
        while sub.last_sent < up_to:
            frames = await _replay(sub.channel_id, sub.last_sent, up_to, sub.moderator, REPLAY_PAGE)
            if not frames:
                sub.last_sent = up_to
                break
            for frame in frames:
                await self._send(frame)
            sub.last_sent = frames[-1]["id"]
            if len(frames) < REPLAY_PAGE:
                sub.last_sent = max(sub.last_sent, up_to)
                break

    async def on_unsubscribe(self, frame):
        channel_id = int_field(frame, "channel", minimum=1)
        await self._end(channel_id, announce=True)
        await self._send({"type": "unsubscribed", "channel": channel_id})

    async def _end(self, channel_id: int, *, announce: bool) -> None:
        if self.subscriptions.pop(channel_id, None) is None:
            return
        watch.unfollow(channel_id, self)
        await self.channel_layer.group_discard(
            doorbell.channel_group(channel_id), self.channel_name
        )
        if announce:
            self._presence(channel_id, "offline")

    def _presence(self, channel_id: int, status: str) -> None:
        if not getattr(settings, "CARREFOUR_CHAT_PRESENCE", True):
            return
        frame = {
            "type": "presence",
            "channel": channel_id,
            "user": {"id": self.user_id, "name": self.user_name},
            "status": status,
        }
        # Rung without waiting (a presence is not worth delaying a frame for).
        self._spawn(
            self.channel_layer.group_send(
                doorbell.channel_group(channel_id),
                {
                    "type": "chat.event",
                    "channel": channel_id,
                    "frame": frame,
                    "skip_user": self.user_id,
                },
            )
        )

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def on_send(self, frame):
        channel_id = int_field(frame, "channel", minimum=1)
        client_id = frame.get("client_id")
        reply_to = int_field(frame, "reply_to", required=False, minimum=1)
        result = await _sync(message_services.message_send)(
            channel=channel_id,
            author=self.user,
            body=frame.get("body"),
            client_id=client_id,
            reply_to=reply_to,
        )
        await self._send(
            {
                "type": "ack",
                "client_id": str(result.message.client_id) if result.message.client_id else None,
                "id": result.message.pk,
                "channel": result.message.channel_id,
                "duplicate": not result.created,
            }
        )

    async def _ack(self, frame, op: str, message_id: int, **extra):
        await self._send(
            {"type": "ack", "op": op, "id": message_id, "client_id": self._client_id(frame)} | extra
        )

    async def on_edit(self, frame):
        message_id = int_field(frame, "id", minimum=1)
        message = await _sync(message_services.message_edit)(
            message_id=message_id, actor=self.user, body=frame.get("body")
        )
        await self._ack(frame, "edit", message.pk)

    async def on_delete(self, frame):
        message_id = int_field(frame, "id", minimum=1)
        message = await _sync(message_services.message_delete)(
            message_id=message_id, actor=self.user
        )
        await self._ack(frame, "delete", message.pk)

    async def on_react(self, frame):
        message_id = int_field(frame, "id", minimum=1)
        message, counts = await _sync(message_services.reaction_toggle)(
            message_id=message_id, user=self.user, emoji=frame.get("emoji")
        )
        await self._ack(frame, "react", message.pk, reactions=counts)

    async def on_report(self, frame):
        message_id = int_field(frame, "id", minimum=1)
        await _sync(message_report)(
            message_id=message_id, reporter=self.user, reason=frame.get("reason") or ""
        )
        await self._ack(frame, "report", message_id)

    async def on_read(self, frame):
        channel_id = int_field(frame, "channel", minimum=1)
        up_to = int_field(frame, "up_to")
        await _sync(message_services.channel_read)(channel=channel_id, user=self.user, up_to=up_to)

    async def on_typing(self, frame):
        channel_id = int_field(frame, "channel", minimum=1)
        sub = self.subscriptions.get(channel_id)
        if sub is None:
            raise ProtocolError(
                "not_subscribed", _("Abonnez-vous au salon avant d'y signaler votre frappe.")
            )
        now = time.monotonic()
        if now - sub.typing_at < TYPING_INTERVAL:
            return  # quietly coalesced: a typing frame every keystroke is normal
        sub.typing_at = now
        self._spawn(
            self.channel_layer.group_send(
                doorbell.channel_group(channel_id),
                {
                    "type": "chat.event",
                    "channel": channel_id,
                    "frame": {
                        "type": "typing",
                        "channel": channel_id,
                        "user": {"id": self.user_id, "name": self.user_name},
                    },
                    "skip_user": self.user_id,
                },
            )
        )

    # --- doorbells (channel layer events) --------------------------------------

    async def chat_message(self, event):
        sub = self.subscriptions.get(event["channel"])
        if sub is None or event["id"] <= sub.last_sent:
            return
        async with self.delivering:
            # Read again under the lock: a resubscription meanwhile has its own replay.
            sub = self.subscriptions.get(event["channel"])
            if sub is None or event["id"] <= sub.last_sent:
                return
            if event.get("prev", 0) > sub.last_sent:
                # A ring was lost (full group, Redis restarted): read what is missing.
                await self._catch_up(sub, event["id"] - 1)
            if event["id"] > sub.last_sent:
                await self._send_text(event["text"])
                sub.last_sent = event["id"]

    # --- the process's watch (watch.py) ----------------------------------------------

    def last_sent(self, channel_id: int) -> int | None:
        sub = self.subscriptions.get(channel_id)
        return sub.last_sent if sub is not None else None

    def is_moderator(self, channel_id: int) -> bool:
        sub = self.subscriptions.get(channel_id)
        return sub is not None and sub.moderator

    async def deliver(self, channel_id: int, frames: list[dict], up_to: int) -> None:
        """Messages whose ring was lost, read once for every connection behind."""
        async with self.delivering:
            sub = self.subscriptions.get(channel_id)
            if sub is None:
                return
            for frame in frames:
                if frame["id"] > sub.last_sent:
                    await self._send(frame)
                    sub.last_sent = frame["id"]
            if len(frames) < REPLAY_PAGE:
                sub.last_sent = max(sub.last_sent, up_to)
            else:
                await self._catch_up(sub, up_to)

    async def chat_event(self, event):
        if event["channel"] not in self.subscriptions:
            return
        if event.get("skip_user") == self.user_id:
            return
        await self._send(event["frame"])

    async def chat_recheck(self, event):
        await self._recheck([event["channel"]])

    async def chat_access(self, event):
        community = event.get("community")
        ids = [
            channel_id
            for channel_id, sub in self.subscriptions.items()
            if community is None or sub.community_id == community
        ]
        await self._recheck(ids)

    async def _recheck(self, channel_ids: list[int]) -> None:
        for channel_id in channel_ids:
            if channel_id not in self.subscriptions:
                continue
            sub = self.subscriptions[channel_id]
            state = await _still_readable(self.user, channel_id)
            if not state["readable"] or (sub.member and not state["member"]):
                # Removed, banned, left, or the channel closed to them: cut off now,
                # even from a channel the public may read (they may subscribe again).
                code = state.get("code", "not_member")
                message = state.get("message") or _(
                    "Vous ne faites plus partie de cette communauté : "
                    "votre abonnement à ce salon est terminé."
                )
                await self._end(channel_id, announce=False)
                await self._send(error_frame(code, message, channel=channel_id, unsubscribed=True))
                continue
            sub.member = state["member"]
            refusal = state["refusal"]
            if refusal is not None and refusal["code"] == "muted":
                await self._send(
                    error_frame(refusal["code"], refusal["message"], channel=channel_id)
                    | {"can_post": False}
                )
            else:
                access = {"type": "access", "channel": channel_id, "can_post": refusal is None}
                if refusal is not None:
                    access["post_refusal"] = refusal
                await self._send(access)

    async def chat_user(self, event):
        await self._send(event["frame"])

    async def _send(self, frame: dict) -> None:
        await self._send_text(json.dumps(frame, ensure_ascii=False))

    async def _send_text(self, text: str) -> None:
        if self.gone:
            return
        try:
            await self.send(text_data=text)
        except OSError:  # uvicorn's ClientDisconnected: the reader left mid-answer
            self.gone = True
