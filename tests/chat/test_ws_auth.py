"""Who may open the websocket (issue 13): the session cookie says who, the Origin
must be one of ALLOWED_HOSTS; through the real stack (cms.asgi.application)."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from tests.chat.conftest import connected, online, run, session_cookie

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.asyncio,
]


async def assert_refused_for_authentication(socket) -> None:
    frame = await socket.receive()
    assert frame["type"] == "error"
    assert frame["code"] == "unauthenticated"
    assert "Connectez-vous" in frame["message"]
    closing = await socket.communicator.receive_output(timeout=3)
    assert closing == {"type": "websocket.close", "code": 4401}


async def test_without_a_cookie_the_socket_says_unauthenticated_and_closes_4401(chat):
    async with connected() as socket:
        await assert_refused_for_authentication(socket)


async def test_a_forged_session_cookie_is_unauthenticated(chat):
    cookie = f"{settings.SESSION_COOKIE_NAME}=not-a-real-session-key-at-all"
    async with connected(cookie=cookie) as socket:
        await assert_refused_for_authentication(socket)


async def test_the_cookie_of_a_deactivated_account_is_unauthenticated(chat):
    cookie = await run(session_cookie, chat.hugo)

    def deactivate():
        chat.hugo.is_active = False
        chat.hugo.save(update_fields=["is_active"])

    await run(deactivate)
    async with connected(cookie=cookie) as socket:
        await assert_refused_for_authentication(socket)


async def test_frames_after_the_refusal_get_nothing(chat):
    async with connected() as socket:
        await assert_refused_for_authentication(socket)
        await socket.send(type="subscribe", channel=chat.general.pk, after=0)
        assert await socket.nothing()


async def test_a_foreign_origin_is_refused_at_the_handshake(chat):
    async with connected(chat.lina, origin=b"http://evil.example") as socket:
        assert socket.accepted is False


async def test_no_origin_at_all_is_refused_at_the_handshake(chat):
    from cms.asgi import application

    cookie = await run(session_cookie, chat.lina)
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"cookie", cookie.encode())]
    )
    accepted, _code = await communicator.connect()
    assert accepted is False


async def test_a_good_cookie_and_origin_get_hello_with_who_and_which_server(chat):
    async with online(chat.lina) as socket:
        assert socket.accepted is True
        assert socket.hello["protocol"] == 1
        assert socket.hello["user"] == {"id": chat.lina.pk, "name": "Lina Benali"}
        assert socket.hello["server"]


async def test_localhost_origin_with_a_port_is_one_of_the_allowed_hosts(chat):
    async with online(chat.lina, origin=b"http://localhost:8000") as socket:
        assert socket.hello["user"]["id"] == chat.lina.pk
