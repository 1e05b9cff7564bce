"""Sends are idempotent (issue 13): a ``send`` whose ``client_id`` is already stored
answers the same ``ack`` and stores nothing, so a client may retry without
duplicates."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from communities.models import Message
from communities.services import ChannelInput, channel_create
from tests.chat.conftest import drain, online, run

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


async def test_two_members_talk_and_a_resend_is_acked_again_without_a_copy(chat):
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await lina.subscribe(chat.general.pk)
        await hugo.subscribe(chat.general.pk)
        cid = str(uuid.uuid4())
        frame = {
            "type": "send",
            "channel": chat.general.pk,
            "client_id": cid,
            "body": "Bonjour **tous**",
        }
        await lina.send(**frame)
        ack, _ = await lina.until("ack")
        assert ack["client_id"] == cid and ack["duplicate"] is False
        message, _ = await hugo.until("message")
        assert message["html"] == "<p>Bonjour <strong>tous</strong></p>"
        assert message["id"] == ack["id"]
        await drain(lina)
        await lina.send(**frame)
        again, _ = await lina.until("ack")
        assert again == ack | {"duplicate": True}
        assert await drain(hugo) == []  # nobody hears it twice
        assert await drain(lina) == []
    assert await run(Message.objects.filter(client_id=cid).count) == 1


async def test_a_resend_with_another_body_returns_the_stored_message_unchanged(chat):
    cid = str(uuid.uuid4())
    async with online(chat.lina) as lina:
        await lina.send(type="send", channel=chat.general.pk, client_id=cid, body="Premier")
        first, _ = await lina.until("ack")
        await lina.send(type="send", channel=chat.general.pk, client_id=cid, body="Autre")
        again, _ = await lina.until("ack")
    assert again["id"] == first["id"] and again["duplicate"] is True
    assert (await run(Message.objects.get, client_id=cid)).body == "Premier"


async def test_the_same_client_id_from_two_tabs_at_once_is_stored_once(chat):
    cid = str(uuid.uuid4())
    frame = {"type": "send", "channel": chat.general.pk, "client_id": cid, "body": "Deux onglets"}
    async with online(chat.lina) as tab, online(chat.lina) as other_tab:
        await asyncio.gather(tab.send(**frame), other_tab.send(**frame))
        (ack, _), (other_ack, _) = await asyncio.gather(tab.until("ack"), other_tab.until("ack"))
    assert ack["id"] == other_ack["id"]
    assert sorted([ack["duplicate"], other_ack["duplicate"]]) == [False, True]
    assert await run(Message.objects.filter(client_id=cid).count) == 1


async def test_a_client_id_reused_in_another_channel_is_invalid(chat):
    side = await run(
        channel_create, community=chat.community, actor=chat.owner, data=ChannelInput(name="Fêtes")
    )
    cid = str(uuid.uuid4())
    async with online(chat.lina) as lina:
        await lina.send(type="send", channel=chat.general.pk, client_id=cid, body="Ici")
        await lina.until("ack")
        await lina.send(type="send", channel=side.pk, client_id=cid, body="Là")
        error, _ = await lina.until("error")
        assert error["code"] == "invalid" and error["client_id"] == cid
        assert error["channel"] == side.pk
        await lina.send(type="ping")
        await lina.until("pong")
    assert await run(Message.objects.filter(channel=side).count) == 0


async def test_two_people_may_happen_to_use_the_same_client_id(chat):
    cid = str(uuid.uuid4())
    async with online(chat.lina) as lina, online(chat.hugo) as hugo:
        await lina.send(type="send", channel=chat.general.pk, client_id=cid, body="De Lina")
        lina_ack, _ = await lina.until("ack")
        await hugo.send(type="send", channel=chat.general.pk, client_id=cid, body="De Hugo")
        hugo_ack, _ = await hugo.until("ack")
    assert lina_ack["id"] != hugo_ack["id"] and hugo_ack["duplicate"] is False
    assert await run(Message.objects.filter(client_id=cid).count) == 2


async def test_a_client_id_in_upper_case_is_the_same_id(chat):
    cid = uuid.uuid4()
    async with online(chat.lina) as lina:
        await lina.send(type="send", channel=chat.general.pk, client_id=str(cid), body="Un")
        first, _ = await lina.until("ack")
        await lina.send(type="send", channel=chat.general.pk, client_id=str(cid).upper(), body="Un")
        again, _ = await lina.until("ack")
    assert again["id"] == first["id"] and again["duplicate"] is True


async def test_a_send_failing_on_our_side_names_its_client_id_and_is_stored_on_retry(
    chat, monkeypatch
):
    """The database restarting under a send: the error frame carries the send's
    client_id, so the client sends it again later (chat.js, benchmarks/faults.py)."""
    from django.db import OperationalError

    from communities.realtime import consumer

    real = consumer.message_services.message_send
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database system is starting up")
        return real(**kwargs)

    monkeypatch.setattr(consumer.message_services, "message_send", flaky)
    cid = str(uuid.uuid4())
    frame = {"type": "send", "channel": chat.general.pk, "client_id": cid, "body": "Tenace"}
    async with online(chat.lina) as lina:
        await lina.send(**frame)
        error, _ = await lina.until("error")
        assert error["code"] == "server_error" and error["client_id"] == cid
        await lina.send(**frame)
        ack, _ = await lina.until("ack")
        assert ack["client_id"] == cid and ack["duplicate"] is False
    assert await run(Message.objects.filter(client_id=cid).count) == 1
