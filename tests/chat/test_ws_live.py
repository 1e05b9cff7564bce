"""What the server pushes without being asked: notifications to the recipient's tabs,
channel changes, moderation (hide, restore, unmute) as it happens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.paths import message_path
from communities.services import (
    ChannelInput,
    channel_update,
    direct_channel_open,
    member_mute,
    member_unmute,
    message_hide,
    message_restore,
)
from tests.chat.conftest import drain, online, run, say

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


async def test_a_mention_reaches_every_open_tab_of_the_person_as_a_notification(chat):
    async with online(chat.hugo) as hugo, online(chat.hugo) as other_tab, online(chat.lina) as lina:
        message = await run(say, chat.general, chat.lina, "@hugo.martin les clés ?")
        for tab in (hugo, other_tab):
            frame, _ = await tab.until("notification")
            assert frame == {
                "type": "notification",
                "kind": "community.chat_mention",
                "title": "Lina Benali vous a mentionné·e dans #général (Tiers-lieux ruraux)",
                "url": message_path(message),
                "channel": chat.general.pk,
            }
        assert [f for f in await drain(lina) if f["type"] == "notification"] == []


async def test_a_direct_message_notifies_the_recipient_s_tabs(chat):
    direct = await run(direct_channel_open, user=chat.lina, other=chat.hugo)
    async with online(chat.hugo) as hugo:
        await run(say, direct, chat.lina, "Un café ?")
        frame, _ = await hugo.until("notification")
    assert frame["kind"] == "community.chat_direct"
    assert frame["title"] == "Lina Benali vous a écrit"


async def test_a_channel_s_new_settings_reach_its_readers(chat):
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        await run(
            channel_update,
            channel=chat.general,
            actor=chat.owner,
            data=ChannelInput(name="général", topic="On se dit tout", slow_mode_seconds=5),
        )
        updated, _ = await lina.until("channel.updated")
    assert updated == {
        "type": "channel.updated",
        "channel": chat.general.pk,
        "name": "général",
        "topic": "On se dit tout",
        "read_only": False,
        "slow_mode_seconds": 5,
    }


async def test_a_moderator_hides_then_restores_live(chat):
    message = await run(say, chat.general, chat.hugo, "Limite")
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        await run(message_hide, message_id=message.pk, actor=chat.moderator)
        hidden, _ = await lina.until("message.deleted")
        assert hidden["id"] == message.pk and hidden["hidden"] is True
        await run(message_restore, message_id=message.pk, actor=chat.moderator)
        back, _ = await lina.until("message")
    assert back["id"] == message.pk and back["restored"] is True and back["hidden"] is False


async def test_an_unmuted_member_is_told_they_may_post_again(chat):
    await run(
        member_mute,
        community=chat.community,
        actor=chat.owner,
        user=chat.hugo,
        until=timezone.now() + timedelta(hours=1),
    )
    async with online(chat.hugo) as hugo:
        caught_up, _ = await hugo.subscribe(chat.general.pk)
        assert caught_up["can_post"] is False
        assert caught_up["post_refusal"]["code"] == "muted"
        await run(member_unmute, community=chat.community, actor=chat.owner, user=chat.hugo)
        access, _ = await hugo.until("access")
    assert access == {"type": "access", "channel": chat.general.pk, "can_post": True}
