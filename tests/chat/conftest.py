"""Fixtures of the channels tests (issue 13): a community with its « général », its
members, websocket clients logged in with their session cookie."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from tests.communities.conftest import add_member, commit, refused, sent  # noqa: F401
from tests.factories import CommunityFactory, UserFactory

ORIGIN = b"http://testserver"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Each test starts with empty rate-limit windows (the cache outlives tests)."""
    from django.core.cache import cache

    cache.clear()
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    yield
    cache.clear()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Socket:
    """A websocket client of protocol v1 over Channels' WebsocketCommunicator."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.communicator = communicator

    async def send(self, **frame):
        await self.communicator.send_to(text_data=json.dumps(frame))

    async def send_raw(self, text=None, binary=None):
        await self.communicator.send_to(text_data=text, bytes_data=binary)

    async def receive(self, timeout: float = 3) -> dict:
        return json.loads(await self.communicator.receive_from(timeout=timeout))

    async def until(self, type_: str, timeout: float = 3, **fields) -> tuple[dict, list[dict]]:
        """Frames up to the first of ``type_`` (with ``fields``): (that frame, all)."""
        seen = []
        while True:
            frame = await self.receive(timeout)
            seen.append(frame)
            if frame.get("type") == type_ and all(frame.get(k) == v for k, v in fields.items()):
                return frame, seen

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def subscribe(self, channel: int, after: int = 0) -> tuple[dict, list[dict]]:
        await self.send(type="subscribe", channel=channel, after=after)
        return await self.until("caught_up", channel=channel)


@asynccontextmanager
async def connected(user=None, *, origin: bytes = ORIGIN, cookie: str | None = None):
    from cms.asgi import application

    headers = [(b"origin", origin)]
    if cookie is None and user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    ok, _code = await communicator.connect()
    socket = Socket(communicator)
    socket.accepted = ok
    try:
        yield socket
    finally:
        await communicator.disconnect()


def person(name: str, **fields):
    """A user whose public name is ``name`` (their handle: ``mention_handle(name)``)."""
    user = UserFactory(**fields)
    user.profile.display_name = name
    user.profile.save(update_fields=["display_name"])
    return user


@pytest.fixture
def chat(db):
    """A public community, its « général », its owner, a moderator and two members."""
    from communities.services import default_channel_ensure

    community = CommunityFactory(name="Tiers-lieux ruraux", slug="tiers-lieux")
    owner = add_member(community, role="owner").user
    moderator = add_member(community, role="moderator").user
    lina = add_member(community, user=person("Lina Benali")).user
    hugo = add_member(community, user=person("Hugo Martin")).user
    general = default_channel_ensure(community=community)

    class Chat:
        pass

    chat = Chat()
    chat.community, chat.general = community, general
    chat.owner, chat.moderator, chat.lina, chat.hugo = owner, moderator, lina, hugo
    return chat


# --- helpers of the websocket and service tests (appended; the above is shared) -----


async def run(function, /, *args, **kwargs):
    """Call a synchronous (database) function from an async test."""
    return await database_sync_to_async(function)(*args, **kwargs)


def say(channel, author, body: str = "Bonjour", **kwargs):
    """A message sent through the service (the websocket's rules), its Message."""
    from communities.services import message_send

    return message_send(channel=channel, author=author, body=body, **kwargs).message


def editor(**fields):
    """A platform editor (the permission itself: the « Éditeurs » group of the data
    migrations does not survive the flush of transactional tests)."""
    from django.contrib.auth.models import Permission

    user = UserFactory(**fields)
    user.user_permissions.add(
        Permission.objects.get(codename="change_community", content_type__app_label="communities")
    )
    return user


async def drain(socket: Socket, timeout: float = 0.3, ignore=("presence",)) -> list[dict]:
    """Every frame that arrives until the socket is quiet for ``timeout`` seconds,
    those of ``ignore`` types left out."""
    frames = []
    while not await socket.nothing(timeout):
        frame = await socket.receive()
        if frame.get("type") not in ignore:
            frames.append(frame)
    return frames


class _Hello:
    def __init__(self, user, kwargs):
        self.manager = connected(user, **kwargs)

    async def __aenter__(self) -> Socket:
        socket = await self.manager.__aenter__()
        frame = await socket.receive()
        assert frame["type"] == "hello", frame
        socket.hello = frame
        return socket

    async def __aexit__(self, *exc):
        return await self.manager.__aexit__(*exc)


def online(user, **kwargs) -> _Hello:
    """``async with online(user) as socket``: connected, ``hello`` read."""
    return _Hello(user, kwargs)


@pytest.fixture
def drop_rings(monkeypatch):
    """``drop_rings(n, type="chat.message")``: the channel layer loses the next ``n``
    doorbells of that type (a full group, a Redis restart)."""
    from channels.layers import get_channel_layer

    def arm(n: int = 1, type: str = "chat.message") -> list[dict]:
        layer = get_channel_layer()
        real = layer.group_send
        dropped: list[dict] = []

        async def lossy(group, event):
            if event.get("type") == type and len(dropped) < n:
                dropped.append(event)
                return None
            return await real(group, event)

        monkeypatch.setattr(layer, "group_send", lossy)
        return dropped

    return arm
