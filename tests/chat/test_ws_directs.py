"""Direct messages over the websocket: the two participants only (an editor reads
nobody else's), refused once the recipient turned them off."""

from __future__ import annotations

import uuid

import pytest

from communities.models import Message
from communities.services import direct_channel_open, direct_messages_set
from tests.chat.conftest import drain, editor, online, run

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


async def test_the_two_participants_talk_live(chat):
    direct = await run(direct_channel_open, user=chat.lina, other=chat.hugo)
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        caught_up, _ = await hugo.subscribe(direct.pk)
        assert caught_up["can_post"] is True
        cid = str(uuid.uuid4())
        await lina.send(type="send", channel=direct.pk, client_id=cid, body="Un café ?")
        ack, _ = await lina.until("ack")
        frame, _ = await hugo.until("message")
    assert frame["id"] == ack["id"] and frame["channel"] == direct.pk
    assert frame["author"]["id"] == chat.lina.pk and frame["body"] == "Un café ?"


async def test_a_third_person_cannot_subscribe_nor_send(chat):
    direct = await run(direct_channel_open, user=chat.lina, other=chat.hugo)
    async with online(chat.moderator) as moderator:
        await moderator.send(type="subscribe", channel=direct.pk, after=0)
        error, _ = await moderator.until("error")
        assert error["code"] == "not_found"
        await moderator.send(
            type="send", channel=direct.pk, client_id=str(uuid.uuid4()), body="Coucou"
        )
        error, _ = await moderator.until("error")
        assert error["code"] == "not_found"
    assert await run(Message.objects.filter(channel=direct).count) == 0


async def test_an_editor_cannot_read_the_direct_messages_of_others(chat):
    direct = await run(direct_channel_open, user=chat.lina, other=chat.hugo)
    boss = await run(editor)
    async with online(boss) as socket:
        await socket.send(type="subscribe", channel=direct.pk, after=0)
        error, _ = await socket.until("error")
        assert error["code"] == "not_found"
        await socket.send(type="read", channel=direct.pk, up_to=0)
        error, _ = await socket.until("error")
        assert error["code"] == "not_found"


async def test_an_editor_reads_their_own_direct_conversation(chat):
    boss = await run(editor)
    direct = await run(direct_channel_open, user=boss, other=chat.hugo)
    async with online(boss) as socket:
        caught_up, _ = await socket.subscribe(direct.pk)
    assert caught_up["can_post"] is True


async def test_once_the_recipient_turns_direct_messages_off_sending_is_refused(chat):
    direct = await run(direct_channel_open, user=chat.lina, other=chat.hugo)
    await run(direct_messages_set, user=chat.hugo, accepted=False)
    async with online(chat.lina) as lina:
        caught_up, _ = await lina.subscribe(direct.pk)
        assert caught_up["can_post"] is False
        assert caught_up["post_refusal"]["code"] == "direct_refused"
        await lina.send(type="send", channel=direct.pk, client_id=str(uuid.uuid4()), body="Allô")
        error, _ = await lina.until("error")
        assert error["code"] == "direct_refused"
        assert "messages directs" in error["message"]
        assert await drain(lina) == []
    assert await run(Message.objects.filter(channel=direct).count) == 0
