"""Each client frame of protocol v1 (docs/realtime.md) and what the server answers,
through the real stack (cms.asgi.application): subscribe, unsubscribe, send, edit,
delete, react, typing, read, report, ping."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import pytest

from communities.models import Channel, Message, MessageRevision
from communities.realtime import consumer as consumer_module
from communities.selectors.channels import channels_of_community, messages_page, unread_total
from tests.chat.conftest import add_member, drain, online, run, say

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


def fill(channel, author, n: int) -> list[int]:
    """``n`` stored messages (straight to the table: no rate limit), their ids."""
    Message.objects.bulk_create(
        [
            Message(channel=channel, author=author, body=f"n°{i}", html=f"<p>n°{i}</p>")
            for i in range(n)
        ]
    )
    ids = list(Message.objects.filter(channel=channel).order_by("pk").values_list("pk", flat=True))
    Channel.objects.filter(pk=channel.pk).update(last_message_id=ids[-1])
    return ids


def messages(frames: list[dict]) -> list[int]:
    return [f["id"] for f in frames if f["type"] == "message"]


# --- subscribe -----------------------------------------------------------------------


async def test_subscribe_with_after_0_replays_the_latest_50_then_caught_up(chat):
    ids = await run(fill, chat.general, chat.hugo, 60)
    async with online(chat.lina) as lina:
        caught_up, frames = await lina.subscribe(chat.general.pk, after=0)
    assert messages(frames) == ids[-50:]
    assert caught_up == {
        "type": "caught_up",
        "channel": chat.general.pk,
        "last_id": ids[-1],
        "last_read": 0,
        "can_post": True,
        "has_more_before": True,
    }


async def test_subscribe_to_a_short_channel_has_nothing_more_before(chat):
    ids = await run(fill, chat.general, chat.hugo, 3)
    async with online(chat.lina) as lina:
        caught_up, frames = await lina.subscribe(chat.general.pk)
    assert messages(frames) == ids
    assert caught_up["has_more_before"] is False


async def test_subscribe_to_an_empty_channel_is_caught_up_at_0(chat):
    async with online(chat.lina) as lina:
        caught_up, frames = await lina.subscribe(chat.general.pk)
    assert frames == [caught_up]
    assert caught_up["last_id"] == 0 and caught_up["has_more_before"] is False


async def test_subscribe_after_n_replays_exactly_what_follows_n_page_by_page(chat, monkeypatch):
    ids = await run(fill, chat.general, chat.hugo, 450)
    limits = []
    real = consumer_module.replay_after

    def spy(**kwargs):
        limits.append(kwargs["limit"])
        return real(**kwargs)

    monkeypatch.setattr(consumer_module, "replay_after", spy)
    async with online(chat.lina) as lina:
        caught_up, frames = await lina.subscribe(chat.general.pk, after=ids[9])
        assert await lina.nothing()
    assert messages(frames) == ids[10:]
    assert caught_up["last_id"] == ids[-1] and caught_up["has_more_before"] is False
    assert len(limits) >= 3 and max(limits) <= 200


async def test_the_fresh_window_counts_only_what_the_reader_sees(chat):
    ids = await run(fill, chat.general, chat.hugo, 55)

    def hide_latest(n):
        Message.objects.filter(pk__in=ids[-n:]).update(hidden_at="2026-12-01T10:00:00Z")

    await run(hide_latest, 5)
    async with online(chat.lina) as lina:
        caught_up, frames = await lina.subscribe(chat.general.pk)
    assert messages(frames) == ids[:50]
    assert caught_up["has_more_before"] is False


async def test_caught_up_of_a_reader_who_may_not_post_says_why(chat):
    outsider = await run(add_member, chat.community, state="requested")
    async with online(outsider.user) as socket:
        caught_up, _ = await socket.subscribe(chat.general.pk)
    assert caught_up["can_post"] is False
    assert caught_up["post_refusal"]["code"] == "not_member"
    assert "Rejoignez" in caught_up["post_refusal"]["message"]


async def test_caught_up_carries_the_read_marker(chat):
    first = await run(say, chat.general, chat.hugo, "Un")
    await run(say, chat.general, chat.hugo, "Deux")

    from communities.services import channel_read

    await run(channel_read, channel=chat.general, user=chat.lina, up_to=first.pk)
    async with online(chat.lina) as lina:
        caught_up, _ = await lina.subscribe(chat.general.pk)
    assert caught_up["last_read"] == first.pk


async def test_subscribing_is_announced_to_the_others_as_presence(chat):
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await lina.subscribe(chat.general.pk)
        await hugo.subscribe(chat.general.pk)
        presence, _ = await lina.until("presence")
        assert presence == {
            "type": "presence",
            "channel": chat.general.pk,
            "user": {"id": chat.hugo.pk, "name": "Hugo Martin"},
            "status": "online",
        }
        # hugo's own subscription is not announced to himself
        assert not [f for f in await drain(hugo, ignore=()) if f["type"] == "presence"]
        await hugo.send(type="unsubscribe", channel=chat.general.pk)
        offline, _ = await lina.until("presence")
        assert offline["status"] == "offline" and offline["user"]["id"] == chat.hugo.pk


# --- unsubscribe ---------------------------------------------------------------------


async def test_after_unsubscribe_no_more_frames_of_that_channel(chat):
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        await lina.send(type="unsubscribe", channel=chat.general.pk)
        unsubscribed, _ = await lina.until("unsubscribed")
        assert unsubscribed == {"type": "unsubscribed", "channel": chat.general.pk}
        await run(say, chat.general, chat.hugo, "Vous êtes là ?")
        assert await drain(lina) == []


# --- send ----------------------------------------------------------------------------


async def test_send_acks_the_sender_and_delivers_every_field_to_the_other(chat):
    parent = await run(say, chat.general, chat.hugo, "Qui vient jeudi ?")
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await lina.subscribe(chat.general.pk)
        await hugo.subscribe(chat.general.pk)
        cid = str(uuid.uuid4())
        await lina.send(
            type="send",
            channel=chat.general.pk,
            client_id=cid,
            body="Moi, avec *deux* voisins",
            reply_to=parent.pk,
        )
        ack, _ = await lina.until("ack")
        frame, _ = await hugo.until("message")
    stored = await run(Message.objects.get, client_id=cid)
    assert ack == {
        "type": "ack",
        "client_id": cid,
        "id": stored.pk,
        "channel": chat.general.pk,
        "duplicate": False,
    }
    assert frame["id"] == stored.pk
    assert frame["channel"] == chat.general.pk
    assert frame["author"] == {"id": chat.lina.pk, "name": "Lina Benali"}
    assert frame["body"] == "Moi, avec *deux* voisins"
    assert frame["html"] == "<p>Moi, avec <em>deux</em> voisins</p>"
    assert frame["reply_to"] == parent.pk
    assert frame["client_id"] == cid
    created = datetime.fromisoformat(frame["created_at"])
    assert created.tzinfo is not None and created == stored.created_at


async def test_a_send_without_client_id_is_stored_and_acked_with_null(chat):
    async with online(chat.lina) as lina:
        await lina.send(type="send", channel=chat.general.pk, body="Sans identifiant")
        ack, _ = await lina.until("ack")
    assert ack["client_id"] is None and ack["duplicate"] is False
    assert await run(Message.objects.filter(pk=ack["id"], body="Sans identifiant").exists)


async def test_the_sender_reads_its_own_message_once_on_its_subscription(chat):
    async with online(chat.lina) as lina:
        await lina.subscribe(chat.general.pk)
        await lina.send(
            type="send", channel=chat.general.pk, client_id=str(uuid.uuid4()), body="Hop"
        )
        frames = await drain(lina)
    assert [f["type"] for f in frames].count("message") == 1
    assert [f["type"] for f in frames].count("ack") == 1


async def test_an_empty_body_is_refused(chat):
    async with online(chat.lina) as lina:
        await lina.send(
            type="send", channel=chat.general.pk, client_id=str(uuid.uuid4()), body="  "
        )
        error, _ = await lina.until("error")
    assert error["code"] == "empty"
    assert await run(Message.objects.count) == 0


# --- edit ----------------------------------------------------------------------------


async def test_edit_reaches_the_others_and_keeps_the_previous_text(chat):
    message = await run(say, chat.general, chat.lina, "Rendez-vous à 18h")
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await hugo.subscribe(chat.general.pk)
        await lina.send(type="edit", id=message.pk, body="Rendez-vous à **19h**")
        ack, _ = await lina.until("ack")
        edited, _ = await hugo.until("message.edited")
    assert ack["op"] == "edit" and ack["id"] == message.pk
    assert edited["id"] == message.pk and edited["channel"] == chat.general.pk
    assert edited["body"] == "Rendez-vous à **19h**"
    assert edited["html"] == "<p>Rendez-vous à <strong>19h</strong></p>"
    assert datetime.fromisoformat(edited["edited_at"]).tzinfo is not None
    revisions = await run(lambda: list(MessageRevision.objects.filter(message=message)))
    assert [r.body for r in revisions] == ["Rendez-vous à 18h"]


async def test_only_the_author_edits_and_the_socket_stays_open(chat):
    message = await run(say, chat.general, chat.lina, "Mon message")
    async with online(chat.hugo) as hugo:
        await hugo.send(type="edit", id=message.pk, body="Plus le tien")
        error, _ = await hugo.until("error")
        assert error["code"] == "forbidden" and error["id"] == message.pk
        await hugo.send(type="ping")
        await hugo.until("pong")
    assert (await run(Message.objects.get, pk=message.pk)).body == "Mon message"


async def test_a_moderator_may_not_rewrite_someone_else_s_message(chat):
    message = await run(say, chat.general, chat.lina, "Mon message")
    async with online(chat.moderator) as moderator:
        await moderator.send(type="edit", id=message.pk, body="Réécrit")
        error, _ = await moderator.until("error")
    assert error["code"] == "forbidden"


# --- delete --------------------------------------------------------------------------


async def test_the_author_deletes_and_readers_see_it_go(chat):
    message = await run(say, chat.general, chat.lina, "Oups")
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await hugo.subscribe(chat.general.pk)
        await lina.send(type="delete", id=message.pk)
        ack, _ = await lina.until("ack")
        deleted, _ = await hugo.until("message.deleted")
        assert ack["op"] == "delete" and ack["id"] == message.pk
        assert deleted == {
            "type": "message.deleted",
            "id": message.pk,
            "channel": chat.general.pk,
            "hidden": False,
        }
        _, frames = await hugo.subscribe(chat.general.pk, after=0)
    assert messages(frames) == []


async def test_a_moderator_deletes_someone_else_s_message(chat):
    message = await run(say, chat.general, chat.lina, "Hors sujet")
    async with online(chat.moderator) as moderator, online(chat.hugo) as hugo:
        await hugo.subscribe(chat.general.pk)
        await moderator.send(type="delete", id=message.pk)
        await moderator.until("ack", op="delete")
        await hugo.until("message.deleted", id=message.pk)
    stored = await run(Message.objects.get, pk=message.pk)
    assert stored.deleted_at is not None and stored.deleted_by_id == chat.moderator.pk


async def test_a_plain_member_may_not_delete_someone_else_s_message(chat):
    message = await run(say, chat.general, chat.lina, "À moi")
    async with online(chat.hugo) as hugo:
        await hugo.send(type="delete", id=message.pk)
        error, _ = await hugo.until("error")
        assert error["code"] == "forbidden"
        await hugo.send(type="ping")
        await hugo.until("pong")
    assert (await run(Message.objects.get, pk=message.pk)).deleted_at is None


# --- react ---------------------------------------------------------------------------


async def test_react_counts_live_and_toggles_off(chat):
    message = await run(say, chat.general, chat.lina, "On le fait ?")
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await lina.subscribe(chat.general.pk)
        await hugo.send(type="react", id=message.pk, emoji="👍")
        ack, _ = await hugo.until("ack")
        added, _ = await lina.until("reaction")
        assert ack["op"] == "react" and ack["reactions"] == {"👍": 1}
        assert added == {
            "type": "reaction",
            "id": message.pk,
            "channel": chat.general.pk,
            "emoji": "👍",
            "user": {"id": chat.hugo.pk, "name": "Hugo Martin"},
            "added": True,
            "reactions": {"👍": 1},
        }
        await lina.send(type="react", id=message.pk, emoji="👍")
        both, _ = await lina.until("reaction")
        assert both["reactions"] == {"👍": 2}
        await hugo.send(type="react", id=message.pk, emoji="👍")
        removed, _ = await lina.until("reaction")
    assert removed["added"] is False and removed["reactions"] == {"👍": 1}


async def test_an_emoji_outside_the_set_is_invalid(chat):
    message = await run(say, chat.general, chat.lina, "On le fait ?")
    async with online(chat.hugo) as hugo:
        await hugo.send(type="react", id=message.pk, emoji="🍆")
        error, _ = await hugo.until("error")
        assert error["code"] == "invalid" and "Réaction inconnue" in error["message"]
        await hugo.send(type="ping")
        await hugo.until("pong")


async def test_the_message_frame_of_a_replay_carries_its_reactions(chat):
    message = await run(say, chat.general, chat.lina, "On le fait ?")
    from communities.services import reaction_toggle

    await run(reaction_toggle, message_id=message.pk, user=chat.hugo, emoji="🎉")
    async with online(chat.lina) as lina:
        _, frames = await lina.subscribe(chat.general.pk)
    assert frames[0]["reactions"] == {"🎉": 1}


# --- typing --------------------------------------------------------------------------


async def test_typing_reaches_the_others_not_the_sender_and_is_coalesced(chat, monkeypatch):
    monkeypatch.setattr(consumer_module, "TYPING_INTERVAL", 0.5)
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await lina.subscribe(chat.general.pk)
        await hugo.subscribe(chat.general.pk)
        await drain(lina)
        for _ in range(4):
            await hugo.send(type="typing", channel=chat.general.pk)
        frames = await drain(lina)
        assert frames == [
            {
                "type": "typing",
                "channel": chat.general.pk,
                "user": {"id": chat.hugo.pk, "name": "Hugo Martin"},
            }
        ]
        assert await drain(hugo) == []
        await asyncio.sleep(0.6)
        await hugo.send(type="typing", channel=chat.general.pk)
        assert [f["type"] for f in await drain(lina)] == ["typing"]


async def test_the_default_typing_interval_is_three_seconds(chat):
    assert consumer_module.TYPING_INTERVAL == 3.0


async def test_typing_without_a_subscription_is_refused(chat):
    async with online(chat.hugo) as hugo:
        await hugo.send(type="typing", channel=chat.general.pk)
        error, _ = await hugo.until("error")
    assert error["code"] == "not_subscribed"


# --- read ----------------------------------------------------------------------------


async def test_read_moves_the_marker_tells_the_other_tab_and_the_unread_counts(chat):
    await run(say, chat.general, chat.hugo, "Un")
    last = await run(say, chat.general, chat.hugo, "Deux")

    def counts():
        listed = channels_of_community(community=chat.community, user=chat.lina)
        return listed[0].unread, unread_total(user=chat.lina)

    assert await run(counts) == (2, 2)
    async with online(chat.lina) as tab, online(chat.lina) as other_tab:
        await tab.send(type="read", channel=chat.general.pk, up_to=last.pk)
        read, _ = await other_tab.until("read")
    assert read == {"type": "read", "channel": chat.general.pk, "up_to": last.pk}
    assert await run(counts) == (0, 0)


async def test_read_never_moves_the_marker_back_nor_past_the_newest(chat):
    first = await run(say, chat.general, chat.hugo, "Un")
    last = await run(say, chat.general, chat.hugo, "Deux")
    async with online(chat.lina) as tab, online(chat.lina) as other_tab:
        await tab.send(type="read", channel=chat.general.pk, up_to=last.pk + 1000)
        read, _ = await other_tab.until("read")
        assert read["up_to"] == last.pk
        await tab.send(type="read", channel=chat.general.pk, up_to=first.pk)
        back, _ = await other_tab.until("read")
        assert back["up_to"] == last.pk


# --- report --------------------------------------------------------------------------


async def test_three_reports_hide_the_message_live_moderators_still_see_it(chat):
    message = await run(say, chat.general, chat.hugo, "Achetez mes montres")
    third = (await run(add_member, chat.community)).user
    async with online(chat.lina) as lina, online(chat.owner) as owner, online(third) as other:
        await lina.subscribe(chat.general.pk)
        await lina.send(type="report", id=message.pk, reason="Publicité")
        ack, _ = await lina.until("ack")
        assert ack["op"] == "report" and ack["id"] == message.pk
        await owner.send(type="report", id=message.pk, reason="Spam")
        await owner.until("ack")
        assert await drain(lina) == []  # two reports: still shown
        await other.send(type="report", id=message.pk, reason="Arnaque")
        await other.until("ack")
        hidden, _ = await lina.until("message.deleted")
    assert hidden == {
        "type": "message.deleted",
        "id": message.pk,
        "channel": chat.general.pk,
        "hidden": True,
    }

    def pages():
        general = Channel.objects.get(pk=chat.general.pk)
        return (
            [m.pk for m in messages_page(channel=general, user=chat.moderator)],
            [m.pk for m in messages_page(channel=general, user=chat.lina)],
        )

    seen_by_moderator, seen_by_member = await run(pages)
    assert seen_by_moderator == [message.pk] and seen_by_member == []


async def test_a_moderator_s_replay_keeps_a_hidden_message_flagged(chat):
    message = await run(say, chat.general, chat.hugo, "Limite")
    from communities.services import message_hide

    await run(message_hide, message_id=message.pk, actor=chat.owner)
    async with online(chat.moderator) as moderator, online(chat.lina) as lina:
        _, frames = await moderator.subscribe(chat.general.pk)
        _, member_frames = await lina.subscribe(chat.general.pk)
    assert [(f["id"], f["hidden"]) for f in frames if f["type"] == "message"] == [
        (message.pk, True)
    ]
    assert messages(member_frames) == []


async def test_reporting_twice_or_without_a_reason_is_refused(chat):
    message = await run(say, chat.general, chat.hugo, "Bof")
    async with online(chat.lina) as lina:
        await lina.send(type="report", id=message.pk, reason="  ")
        error, _ = await lina.until("error")
        assert error["code"] == "invalid"
        await lina.send(type="report", id=message.pk, reason="Agressif")
        await lina.until("ack")
        await lina.send(type="report", id=message.pk, reason="Encore")
        again, _ = await lina.until("error")
        assert again["code"] == "already_reported"


# --- ping ----------------------------------------------------------------------------


async def test_ping_gets_pong_with_its_timestamp(chat):
    async with online(chat.lina) as lina:
        await lina.send(type="ping", t=1234)
        pong, frames = await lina.until("pong")
    assert pong == {"type": "pong", "t": 1234}
    assert frames == [pong]
