"""Every refusal is an ``error`` frame with a code and a French sentence, and the
socket stays open afterwards (a ``ping`` still gets its ``pong``): not a member,
banned, muted, slow mode, too long, rate limited, malformed frames."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Channel, Message
from communities.services import (
    ChannelInput,
    channel_archive,
    channel_create,
    default_channel_ensure,
    member_mute,
)
from tests.chat.conftest import add_member, drain, online, run, say
from tests.factories import CommunityFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


async def still_open(socket) -> None:
    await socket.send(type="ping", t=7)
    pong, _ = await socket.until("pong")
    assert pong["t"] == 7


async def send(socket, channel, body="Bonjour", **fields) -> str:
    client_id = fields.pop("client_id", None) or str(uuid.uuid4())
    await socket.send(type="send", channel=channel, client_id=client_id, body=body, **fields)
    return client_id


async def refused(socket, code: str, fragment: str = "") -> dict:
    error, _ = await socket.until("error")
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    assert fragment in error["message"], error["message"]
    await still_open(socket)
    return error


def private_community_channel():
    community = CommunityFactory(visibility="private", join_policy="request")
    add_member(community, role="owner")
    return community, default_channel_ensure(community=community)


# --- who may post ------------------------------------------------------------------


async def test_an_outsider_of_a_private_community_can_neither_subscribe_nor_send(chat):
    _community, channel = await run(private_community_channel)
    async with online(chat.lina) as lina:
        await lina.send(type="subscribe", channel=channel.pk, after=0)
        error = await refused(lina, "not_found", "n'existe pas")
        assert error["channel"] == channel.pk
        client_id = await send(lina, channel.pk)
        error = await refused(lina, "not_found")
        assert error["client_id"] == client_id
    assert await run(Message.objects.count) == 0


async def test_a_non_member_reads_a_public_channel_but_may_not_post(chat):
    outsider = (await run(add_member, chat.community, state="left")).user
    async with online(outsider) as socket:
        await socket.subscribe(chat.general.pk)
        await send(socket, chat.general.pk)
        await refused(socket, "not_member", "Rejoignez")


async def test_a_banned_person_is_told_they_were_banned(chat):
    banned = (await run(add_member, chat.community, state="banned")).user
    async with online(banned) as socket:
        client_id = await send(socket, chat.general.pk)
        error = await refused(socket, "banned", "exclu")
        assert error["client_id"] == client_id and error["channel"] == chat.general.pk
        await socket.send(type="subscribe", channel=chat.general.pk, after=0)
        await refused(socket, "banned")
    assert await run(Message.objects.count) == 0


async def test_a_banned_person_learns_nothing_of_a_moderators_channel(chat):
    reserved = await run(
        channel_create,
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="Animation", moderators_only=True),
    )
    banned = (await run(add_member, chat.community, state="banned")).user
    async with online(banned) as socket:
        await send(socket, reserved.pk)
        await refused(socket, "not_found")


async def test_muted_member_is_refused_and_told_live_on_the_open_subscription(chat):
    async with online(chat.hugo) as hugo:
        await hugo.subscribe(chat.general.pk)
        await run(
            member_mute,
            community=chat.community,
            actor=chat.moderator,
            user=chat.hugo,
            until=timezone.now() + timedelta(hours=2),
        )
        pushed, _ = await hugo.until("error")
        assert pushed["code"] == "muted" and pushed["channel"] == chat.general.pk
        assert pushed["can_post"] is False and "silence" in pushed["message"]
        await send(hugo, chat.general.pk)
        error = await refused(hugo, "muted", "silence")
        assert "unsubscribed" not in error
        # still a reader: the others' messages keep coming
        await run(say, chat.general, chat.lina, "Toujours là")
        frame, _ = await hugo.until("message")
        assert frame["body"] == "Toujours là"
    assert await run(Message.objects.filter(author=chat.hugo).count) == 0


async def test_a_mute_that_ended_lets_the_member_post_again(chat):
    def mute_in_the_past():
        from communities.models import Membership

        Membership.objects.filter(community=chat.community, user=chat.hugo).update(
            muted_until=timezone.now() - timedelta(minutes=1)
        )

    await run(mute_in_the_past)
    async with online(chat.hugo) as hugo:
        await send(hugo, chat.general.pk)
        ack, _ = await hugo.until("ack")
    assert ack["duplicate"] is False


async def test_announcements_are_for_moderators_only(chat):
    announcements = await run(
        channel_create,
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="Annonces", read_only=True),
    )
    async with online(chat.hugo) as hugo, online(chat.moderator) as moderator:
        caught_up, _ = await hugo.subscribe(announcements.pk)
        assert caught_up["can_post"] is False
        assert caught_up["post_refusal"]["code"] == "read_only"
        await send(hugo, announcements.pk)
        await refused(hugo, "read_only", "annonces")
        await send(moderator, announcements.pk, "Réunion lundi")
        await moderator.until("ack")


async def test_an_archived_channel_takes_no_more_messages(chat):
    channel = await run(
        channel_create, community=chat.community, actor=chat.owner, data=ChannelInput(name="Vieux")
    )
    await run(channel_archive, channel=channel, actor=chat.owner)
    async with online(chat.hugo) as hugo:
        await send(hugo, channel.pk)
        await refused(hugo, "archived", "archivé")


# --- slow mode, length, rate ---------------------------------------------------------


async def test_slow_mode_refuses_with_retry_after_moderators_exempt(chat):
    def slow():
        Channel.objects.filter(pk=chat.general.pk).update(slow_mode_seconds=30)

    await run(slow)
    async with online(chat.hugo) as hugo, online(chat.moderator) as moderator:
        await send(hugo, chat.general.pk, "Un")
        await hugo.until("ack")
        await send(hugo, chat.general.pk, "Deux")
        error = await refused(hugo, "slow_mode", "Mode lent")
        assert 0 < error["retry_after"] <= 30
        for body in ("Un", "Deux"):
            await send(moderator, chat.general.pk, body)
            await moderator.until("ack")
    assert await run(Message.objects.filter(author=chat.hugo).count) == 1


async def test_a_body_of_4001_characters_is_too_long_4000_goes(chat):
    async with online(chat.hugo) as hugo:
        client_id = await send(hugo, chat.general.pk, "a" * 4001)
        error = await refused(hugo, "too_long", "4000")
        assert error["client_id"] == client_id
        await send(hugo, chat.general.pk, "a" * 4000)
        await hugo.until("ack")
    assert await run(Message.objects.count) == 1


def wait_for_a_fresh_window(seconds: int) -> None:
    """The limit counts in fixed windows: start far from a window's end."""
    left = seconds - time.time() % seconds
    if left < 5:
        time.sleep(left + 0.1)


async def test_the_fourth_message_in_the_window_is_rate_limited(chat, settings):
    settings.CARREFOUR_CHAT_RATE_LIMIT = (3, 30)
    wait_for_a_fresh_window(30)
    async with online(chat.hugo) as hugo:
        for n in range(3):
            await send(hugo, chat.general.pk, f"Message {n}")
            await hugo.until("ack")
        client_id = await send(hugo, chat.general.pk, "Encore un")
        error = await refused(hugo, "rate_limited", "trop de messages")
        assert error["client_id"] == client_id
        assert 0 < error["retry_after"] <= 30
    assert await run(Message.objects.count) == 3


async def test_the_rate_limit_is_per_person_not_per_socket(chat, settings):
    settings.CARREFOUR_CHAT_RATE_LIMIT = (3, 30)
    wait_for_a_fresh_window(30)
    async with online(chat.hugo) as tab, online(chat.hugo) as other_tab, online(chat.lina) as lina:
        for n in range(3):
            await send(tab if n % 2 else other_tab, chat.general.pk, f"Message {n}")
            await (tab if n % 2 else other_tab).until("ack")
        await send(other_tab, chat.general.pk, "Encore")
        await refused(other_tab, "rate_limited")
        await send(lina, chat.general.pk, "Moi je peux")
        await lina.until("ack")


async def test_a_socket_flooding_frames_is_slowed_down_not_closed(chat):
    async with online(chat.hugo) as hugo:
        for _ in range(80):
            await hugo.send_raw(text=json.dumps({"type": "ping"}))
        frames = await drain(hugo)
        codes = [f.get("code") for f in frames if f["type"] == "error"]
        assert "rate_limited" in codes
        assert [f["type"] for f in frames].count("pong") < 80
        time.sleep(0.2)
        await still_open(hugo)


# --- malformed frames ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bonjour", "malformed"),
        ("{'type': 'ping'}", "malformed"),
        ('[{"type": "ping"}]', "malformed"),
        ('"ping"', "malformed"),
        ('{"channel": 1}', "malformed"),
        ('{"type": 3}', "malformed"),
        ('{"type": "shout"}', "unknown_type"),
        ('{"type": "subscribe", "channel": "1"}', "invalid"),
        ('{"type": "subscribe", "channel": true}', "invalid"),
        ('{"type": "subscribe", "channel": -4}', "invalid"),
        ('{"type": "subscribe"}', "invalid"),
        ('{"type": "read", "channel": 1, "up_to": "tout"}', "invalid"),
        ('{"type": "edit", "id": null, "body": "x"}', "invalid"),
    ],
)
async def test_a_malformed_text_frame_is_refused_and_the_socket_stays_open(chat, text, code):
    async with online(chat.lina) as lina:
        await lina.send_raw(text=text)
        error = await refused(lina, code, "Trame refusée")
        assert error["type"] == "error"


async def test_a_binary_frame_is_refused(chat):
    async with online(chat.lina) as lina:
        await lina.send_raw(binary=json.dumps({"type": "ping"}).encode())
        await refused(lina, "malformed", "texte JSON")


async def test_a_frame_over_64_kb_is_refused_before_reading_it(chat):
    async with online(chat.lina) as lina:
        body = "é" * (33 * 1024)  # 66 kB once encoded
        await lina.send(
            type="send", channel=chat.general.pk, client_id=str(uuid.uuid4()), body=body
        )
        await refused(lina, "frame_too_large", "64 ko")
    assert await run(Message.objects.count) == 0


async def test_a_frame_just_under_64_kb_is_read(chat):
    async with online(chat.lina) as lina:
        padding = "x" * (60 * 1024)
        await lina.send(type="ping", t=padding)
        pong, _ = await lina.until("pong")
    assert pong["t"] == padding


async def test_a_channel_given_as_a_string_in_a_send_is_invalid(chat):
    async with online(chat.lina) as lina:
        client_id = await send(lina, str(chat.general.pk))
        error = await refused(lina, "invalid", "channel")
        assert error["client_id"] == client_id
    assert await run(Message.objects.count) == 0


async def test_a_client_id_that_is_not_a_uuid_is_invalid(chat):
    async with online(chat.lina) as lina:
        await send(lina, chat.general.pk, client_id="abc")
        await refused(lina, "invalid", "UUID")


async def test_a_body_that_is_not_text_is_invalid(chat):
    async with online(chat.lina) as lina:
        await send(lina, chat.general.pk, body={"html": "<b>x</b>"})
        await refused(lina, "invalid", "texte")


async def test_reply_to_a_message_of_another_channel_is_invalid(chat):
    other = await run(
        channel_create, community=chat.community, actor=chat.owner, data=ChannelInput(name="Autre")
    )
    elsewhere = await run(say, other, chat.hugo, "Ailleurs")
    async with online(chat.lina) as lina:
        await send(lina, chat.general.pk, "Réponse", reply_to=elsewhere.pk)
        await refused(lina, "invalid", "répondez")
        await send(lina, chat.general.pk, "Réponse", reply_to="12")
        await refused(lina, "invalid", "reply_to")
    assert await run(Message.objects.filter(author=chat.lina).count) == 0


async def test_reply_to_a_deleted_message_is_invalid(chat):
    parent = await run(say, chat.general, chat.hugo, "Bientôt supprimé")
    from communities.services import message_delete

    await run(message_delete, message_id=parent.pk, actor=chat.hugo)
    async with online(chat.lina) as lina:
        await send(lina, chat.general.pk, "Réponse", reply_to=parent.pk)
        await refused(lina, "invalid")


async def test_edit_delete_react_report_of_an_unknown_message_are_not_found(chat):
    async with online(chat.lina) as lina:
        for frame in (
            {"type": "edit", "id": 999999, "body": "x"},
            {"type": "delete", "id": 999999},
            {"type": "react", "id": 999999, "emoji": "👍"},
            {"type": "report", "id": 999999, "reason": "Spam"},
        ):
            await lina.send(**frame)
            error = await refused(lina, "not_found")
            assert error["id"] == 999999
