"""Membership is checked on subscribe and on every send; a member removed or banned
while subscribed is cut off at once (an ``error`` with ``unsubscribed: true``, then
nothing more of the channel)."""

from __future__ import annotations

import uuid

import pytest

from communities.models import Message
from communities.services import (
    ChannelInput,
    channel_create,
    channel_update,
    default_channel_ensure,
    membership_ban,
    membership_leave,
    membership_refuse,
    membership_remove,
    membership_request,
)
from tests.chat.conftest import add_member, drain, editor, online, run, say
from tests.factories import CommunityFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


async def assert_cut_off(socket, channel_id: int, code: str) -> None:
    error, _ = await socket.until("error", channel=channel_id)
    assert error["code"] == code
    assert error["unsubscribed"] is True
    assert error["message"]


async def assert_nothing_more_of(socket, channel, author) -> None:
    await run(say, channel, author, "Vous m'entendez ?")
    frames = await drain(socket)
    assert [f for f in frames if f.get("channel") == channel.pk] == []
    await socket.send(type="ping")
    await socket.until("pong")


async def test_a_member_removed_while_subscribed_is_cut_off_at_once(chat):
    async with online(chat.hugo) as hugo:
        await hugo.subscribe(chat.general.pk)
        await run(membership_remove, community=chat.community, actor=chat.owner, user=chat.hugo)
        await assert_cut_off(hugo, chat.general.pk, "not_member")
        await assert_nothing_more_of(hugo, chat.general, chat.lina)
        await hugo.send(
            type="send", channel=chat.general.pk, client_id=str(uuid.uuid4()), body="Et moi ?"
        )
        error, _ = await hugo.until("error")
        assert error["code"] == "not_member"
    assert await run(Message.objects.filter(author=chat.hugo).count) == 0


async def test_a_member_banned_while_subscribed_is_cut_off_at_once(chat):
    async with online(chat.hugo) as hugo, online(chat.hugo) as other_tab:
        await hugo.subscribe(chat.general.pk)
        await other_tab.subscribe(chat.general.pk)
        await run(membership_ban, community=chat.community, actor=chat.owner, user=chat.hugo)
        await assert_cut_off(hugo, chat.general.pk, "banned")
        await assert_cut_off(other_tab, chat.general.pk, "banned")
        await assert_nothing_more_of(hugo, chat.general, chat.lina)
        await hugo.send(type="subscribe", channel=chat.general.pk, after=0)
        error, _ = await hugo.until("error")
        assert error["code"] == "banned"


async def test_a_member_who_leaves_is_cut_off_in_that_community_only(chat):
    other_community = await run(CommunityFactory)
    await run(add_member, other_community, user=chat.hugo)
    elsewhere = await run(default_channel_ensure, community=other_community)
    side = await run(
        channel_create, community=chat.community, actor=chat.owner, data=ChannelInput(name="Fêtes")
    )
    async with online(chat.hugo) as hugo:
        for channel in (chat.general, side, elsewhere):
            await hugo.subscribe(channel.pk)
        await run(membership_leave, community=chat.community, user=chat.hugo)
        frames = await drain(hugo)
        cut = {f["channel"] for f in frames if f["type"] == "error" and f.get("unsubscribed")}
        assert cut == {chat.general.pk, side.pk}
        # the other community's channel is still followed
        owner_there = await run(add_member, other_community)
        await run(say, elsewhere, owner_there.user, "Toujours abonné")
        frame, _ = await hugo.until("message", channel=elsewhere.pk)
        assert frame["body"] == "Toujours abonné"


async def test_the_others_keep_their_subscription_when_someone_is_removed(chat):
    async with online(chat.hugo) as hugo, online(chat.lina) as lina:
        await hugo.subscribe(chat.general.pk)
        await lina.subscribe(chat.general.pk)
        await run(membership_remove, community=chat.community, actor=chat.owner, user=chat.hugo)
        await assert_cut_off(hugo, chat.general.pk, "not_member")
        assert [f for f in await drain(lina) if f["type"] == "error"] == []
        await run(say, chat.general, chat.owner, "On continue")
        frame, _ = await lina.until("message")
        assert frame["body"] == "On continue"


async def test_a_refused_request_does_not_cut_a_public_reader_off(chat):
    reader = (await run(add_member, chat.community, state="left")).user

    def ask():
        chat.community.join_policy = "request"
        chat.community.save(update_fields=["join_policy"])
        membership_request(community=chat.community, user=reader, message="J'habite à côté.")

    await run(ask)
    async with online(reader) as socket:
        await socket.subscribe(chat.general.pk)
        await run(membership_refuse, community=chat.community, actor=chat.owner, user=reader)
        frames = await drain(socket)
        assert [f for f in frames if f.get("unsubscribed")] == []
        assert {"type": "access", "channel": chat.general.pk}.items() <= frames[-1].items()
        assert frames[-1]["can_post"] is False
        await run(say, chat.general, chat.lina, "Public")
        frame, _ = await socket.until("message")
        assert frame["body"] == "Public"


async def test_a_private_community_s_channel_is_not_found_for_an_outsider(chat):
    def private():
        community = CommunityFactory(visibility="private", join_policy="request")
        add_member(community, role="owner")
        return default_channel_ensure(community=community)

    channel = await run(private)
    requested = (await run(add_member, channel.community, state="requested")).user
    for person in (chat.lina, requested):
        async with online(person) as socket:
            await socket.send(type="subscribe", channel=channel.pk, after=0)
            error, _ = await socket.until("error")
            assert error["code"] == "not_found" and error["channel"] == channel.pk


async def test_a_channel_that_does_not_exist_is_not_found(chat):
    async with online(chat.lina) as lina:
        await lina.send(type="subscribe", channel=987654, after=0)
        error, _ = await lina.until("error")
    assert error["code"] == "not_found"


async def test_a_moderators_channel_is_not_found_for_a_plain_member(chat):
    reserved = await run(
        channel_create,
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="Animation", moderators_only=True),
    )
    async with online(chat.hugo) as hugo, online(chat.moderator) as moderator:
        await hugo.send(type="subscribe", channel=reserved.pk, after=0)
        error, _ = await hugo.until("error")
        assert error["code"] == "not_found"
        await hugo.send(
            type="send", channel=reserved.pk, client_id=str(uuid.uuid4()), body="Coucou"
        )
        error, _ = await hugo.until("error")
        assert error["code"] == "not_found"
        caught_up, _ = await moderator.subscribe(reserved.pk)
        assert caught_up["can_post"] is True
    boss = await run(editor)
    async with online(boss) as socket:
        caught_up, _ = await socket.subscribe(reserved.pk)
        assert caught_up["can_post"] is True


async def test_a_channel_reserved_to_moderators_afterwards_cuts_plain_members_off(chat):
    side = await run(
        channel_create, community=chat.community, actor=chat.owner, data=ChannelInput(name="Fêtes")
    )
    async with online(chat.hugo) as hugo, online(chat.moderator) as moderator:
        await hugo.subscribe(side.pk)
        await moderator.subscribe(side.pk)
        await run(
            channel_update,
            channel=side,
            actor=chat.owner,
            data=ChannelInput(name="Fêtes", moderators_only=True),
        )
        await assert_cut_off(hugo, side.pk, "not_member")
        await assert_nothing_more_of(hugo, side, chat.owner)
        assert [f for f in await drain(moderator) if f.get("unsubscribed")] == []


async def test_a_removed_moderator_loses_the_moderators_channel(chat):
    reserved = await run(
        channel_create,
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="Animation", moderators_only=True),
    )
    async with online(chat.moderator) as moderator:
        await moderator.subscribe(reserved.pk)
        await run(
            membership_remove, community=chat.community, actor=chat.owner, user=chat.moderator
        )
        await assert_cut_off(moderator, reserved.pk, "not_member")
        await assert_nothing_more_of(moderator, reserved, chat.owner)
