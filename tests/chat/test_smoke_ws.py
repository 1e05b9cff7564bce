import uuid

import pytest

from tests.chat.conftest import connected

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_two_members_talk_and_catch_up(chat):
    async with connected(chat.lina) as lina, connected(chat.hugo) as hugo:
        hello = await lina.receive()
        assert hello["type"] == "hello"
        await hugo.receive()
        await lina.subscribe(chat.general.pk)
        await hugo.subscribe(chat.general.pk)
        cid = str(uuid.uuid4())
        await lina.send(
            type="send", channel=chat.general.pk, client_id=cid, body="Bonjour **tous**"
        )
        ack, _ = await lina.until("ack")
        assert ack["client_id"] == cid
        message, _ = await hugo.until("message")
        assert message["html"] == "<p>Bonjour <strong>tous</strong></p>"
        assert message["id"] == ack["id"]
        # resend: same ack, nothing stored twice
        await lina.send(
            type="send", channel=chat.general.pk, client_id=cid, body="Bonjour **tous**"
        )
        ack2, _ = await lina.until("ack")
        assert ack2["id"] == ack["id"] and ack2["duplicate"] is True
        assert await hugo.nothing()
