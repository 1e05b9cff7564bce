"""Nothing is lost (issue 13): the database is the mailbox, the channel layer only a
doorbell. A reader who reconnects with the last id it saw gets exactly what it
missed; a lost ring is noticed (the next one's ``prev``) or healed by the process's
watch (communities/realtime/watch.py)."""

from __future__ import annotations

import pytest

from communities.models import Channel, Message
from communities.realtime import consumer as consumer_module
from communities.services import message_delete
from tests.chat.conftest import drain, online, run, say

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


def ids_of(frames: list[dict], channel: int | None = None) -> list[int]:
    return [
        f["id"]
        for f in frames
        if f["type"] == "message" and (channel is None or f["channel"] == channel)
    ]


async def test_a_reader_who_reconnects_gets_exactly_the_missing_messages_once(chat):
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        seen = await run(say, chat.general, chat.hugo, "Avant la coupure")
        frame, _ = await lina.until("message")
        assert frame["id"] == seen.pk
    missed = [(await run(say, chat.general, chat.hugo, f"Pendant {n}")).pk for n in range(3)]
    async with online(chat.lina) as lina:
        caught_up, frames = await lina.subscribe(chat.general.pk, after=seen.pk)
        assert ids_of(frames) == missed
        assert frames[-1] is caught_up and caught_up["last_id"] == missed[-1]
        assert await drain(lina) == []
        later = await run(say, chat.general, chat.hugo, "Après")
        frame, _ = await lina.until("message")
        assert frame["id"] == later.pk


async def test_catch_up_leaves_out_what_was_deleted_or_hidden_meanwhile(chat):
    seen = await run(say, chat.general, chat.hugo, "Vu")
    kept = await run(say, chat.general, chat.hugo, "Gardé")
    deleted = await run(say, chat.general, chat.hugo, "Supprimé")
    hidden = await run(say, chat.general, chat.hugo, "Masqué")
    await run(message_delete, message_id=deleted.pk, actor=chat.hugo)
    await run(lambda: Message.objects.filter(pk=hidden.pk).update(hidden_at="2026-12-01T10:00:00Z"))
    async with online(chat.lina) as lina:
        caught_up, frames = await lina.subscribe(chat.general.pk, after=seen.pk)
    assert ids_of(frames) == [kept.pk]
    assert caught_up["last_id"] == hidden.pk


async def test_a_long_absence_is_replayed_whole_in_order(chat, settings):
    settings.CARREFOUR_CHAT_RATE_LIMIT = (0, 30)
    seen = await run(say, chat.general, chat.hugo, "Vu")

    def many():
        return [say(chat.general, chat.hugo, f"n°{n}").pk for n in range(230)]

    missed = await run(many)
    async with online(chat.lina) as lina:
        _, frames = await lina.subscribe(chat.general.pk, after=seen.pk)
    assert ids_of(frames) == missed


async def test_a_lost_doorbell_is_noticed_by_the_next_one_and_read_from_the_database(
    chat, drop_rings
):
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        dropped = drop_rings(1)
        lost = await run(say, chat.general, chat.hugo, "Perdu en route")
        assert [e["id"] for e in dropped] == [lost.pk]
        assert await drain(lina) == []
        following = await run(say, chat.general, chat.hugo, "Le suivant")
        frames = await drain(lina)
    assert ids_of(frames) == [lost.pk, following.pk]
    assert [f["body"] for f in frames] == ["Perdu en route", "Le suivant"]


async def test_several_lost_doorbells_are_all_recovered_in_order(chat, drop_rings):
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        drop_rings(3)
        lost = [(await run(say, chat.general, chat.hugo, f"Perdu {n}")).pk for n in range(3)]
        following = await run(say, chat.general, chat.hugo, "Le suivant")
        frames = await drain(lina)
    assert ids_of(frames) == [*lost, following.pk]


@pytest.fixture
def fast_watch(settings):
    settings.CARREFOUR_CHAT_WATCH_SECONDS = 0.2


async def test_the_watch_sends_what_a_lost_doorbell_did_not_announce(chat, drop_rings, fast_watch):
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        drop_rings(1)
        lost = await run(say, chat.general, chat.hugo, "Perdu en route")
        frames = await drain(lina, timeout=1.0)
        assert [f["type"] for f in frames] == ["message"]
        assert ids_of(frames) == [lost.pk]
        # nothing twice: the next ticks find nothing new; a ping is only answered
        await lina.send(type="ping")
        assert [f["type"] for f in await drain(lina, timeout=1.0)] == ["pong"]


async def test_the_watch_reads_once_for_every_reader_behind(
    chat, drop_rings, fast_watch, monkeypatch
):
    from communities.realtime import watch as watch_module

    reads = []
    original = watch_module._replay

    async def counted(*args):
        reads.append(args)
        return await original(*args)

    monkeypatch.setattr(watch_module, "_replay", counted)
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await lina.subscribe(chat.general.pk)
        await hugo.subscribe(chat.general.pk)
        drop_rings(1)
        lost = await run(say, chat.general, chat.owner, "Perdu pour deux")
        assert ids_of(await drain(lina, timeout=1.0)) == [lost.pk]
        assert ids_of(await drain(hugo, timeout=0.5)) == [lost.pk]
    assert len(reads) == 1, reads


async def test_a_doorbell_rung_twice_is_sent_once(chat, monkeypatch):
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    real = layer.group_send

    async def twice(group, event):
        await real(group, event)
        if event["type"] == "chat.message":
            await real(group, event)

    monkeypatch.setattr(layer, "group_send", twice)
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        message = await run(say, chat.general, chat.hugo, "Une fois")
        frames = await drain(lina)
    assert ids_of(frames) == [message.pk]


async def test_a_message_stored_during_the_replay_arrives_once(chat, monkeypatch):
    before = await run(say, chat.general, chat.hugo, "Déjà là")
    real = consumer_module.replay_after
    stored = []

    def replay_while_someone_writes(**kwargs):
        result = real(**kwargs)
        if not stored:
            stored.append(say(chat.general, chat.hugo, "Pendant la relecture").pk)
        return result

    monkeypatch.setattr(consumer_module, "replay_after", replay_while_someone_writes)
    async with online(chat.lina) as lina:
        await lina.send(type="subscribe", channel=chat.general.pk, after=0)
        frames = await drain(lina)
    assert ids_of(frames) == [before.pk, stored[0]]
    assert [f["type"] for f in frames].count("caught_up") == 1


async def test_a_message_stored_between_joining_and_reading_arrives_once(chat, monkeypatch):
    real = consumer_module._last_ids
    stored = []

    async def latest_after_a_write(channel_ids):
        if not stored:
            stored.append((await run(say, chat.general, chat.hugo, "Juste à temps")).pk)
        return await real(channel_ids)

    monkeypatch.setattr(consumer_module, "_last_ids", latest_after_a_write)
    async with online(chat.lina) as lina:
        await lina.send(type="subscribe", channel=chat.general.pk, after=0)
        frames = await drain(lina)
    assert ids_of(frames) == stored


async def test_a_reader_subscribed_to_two_channels_gets_each_in_its_channel(
    chat, drop_rings, fast_watch
):
    from communities.services import ChannelInput, channel_create

    side = await run(
        channel_create, community=chat.community, actor=chat.owner, data=ChannelInput(name="Fêtes")
    )
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        await lina.subscribe(side.pk)
        drop_rings(1)
        lost = await run(say, chat.general, chat.hugo, "Perdu")
        other = await run(say, side, chat.hugo, "Ailleurs")
        frames = await drain(lina, timeout=1.0)
    # another channel's ring says nothing of it: the watch sends it, in its channel
    assert ids_of(frames, side.pk) == [other.pk]
    assert ids_of(frames, chat.general.pk) == [lost.pk]
    assert frames.index(next(f for f in frames if f.get("id") == other.pk)) < frames.index(
        next(f for f in frames if f.get("id") == lost.pk)
    )
    assert await run(lambda: Channel.objects.get(pk=chat.general.pk).last_message_id) == lost.pk
