"""Two real server processes share the Redis channel layer: a message sent through
one reaches the readers connected to the other (issue 13, « plusieurs processus »),
for both layers (``pubsub``, the default, and channels-redis ``groups``).

The servers are uvicorn processes serving ``cms.asgi:application`` against the test
database, which they must share with this process: PostgreSQL (CI's second pass). The
test is skipped where Redis is unreachable or the database is SQLite in memory,
except with CARREFOUR_REQUIRE_REDIS=1 (set by .ci/run), where it fails instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.chat.conftest import person
from tests.communities.conftest import add_member
from tests.factories import CommunityFactory

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB_URL = "redis://127.0.0.1:6379/5"

pytestmark = pytest.mark.django_db(transaction=True)


def _unavailable(reason: str):
    if os.environ.get("CARREFOUR_REQUIRE_REDIS") == "1":
        pytest.fail(f"{reason} alors que CARREFOUR_REQUIRE_REDIS=1")
    pytest.skip(reason)


def _redis_url() -> str:
    base = os.environ.get("REDIS_URL") or REDIS_DB_URL
    url = base.rsplit("/", 1)[0] + "/5"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
    except redis.RedisError:
        _unavailable("Redis est injoignable")
    return url


def _database_url() -> str:
    if connection.vendor != "postgresql":
        _unavailable("il faut une base partagée entre processus (PostgreSQL)")
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'] or '')}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def servers(count: int, *, layer: str, redis_url: str, database_url: str):
    """``count`` uvicorn processes, each on its own port; yields their ports."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CARREFOUR_CHANNEL_LAYER": layer,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CARREFOUR_SERVER_NAME", None)
    ports, processes = [_free_port() for _ in range(count)], []
    try:
        for port in ports:
            processes.append(
                subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "cms.asgi:application",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--ws",
                        "websockets",
                        "--lifespan",
                        "off",
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                )
            )
        deadline = time.monotonic() + 60
        for port, process in zip(ports, processes, strict=True):
            while True:
                if process.poll() is not None:
                    raise AssertionError(process.stderr.read().decode()[-2000:])
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"server on {port} did not start") from None
                    time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _frames_until(ws, kind: str, timeout: float = 10, **fields) -> dict:
    end = time.monotonic() + timeout
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), max(0.01, end - time.monotonic())))
        if frame.get("type") == kind and all(frame.get(k) == v for k, v in fields.items()):
            return frame


async def _exchange(ports: list[int], cookies: list[str], channel_id: int) -> dict:
    import websockets

    sockets = []
    hellos = []
    for port, cookie in zip(ports, cookies, strict=True):
        ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/",
            additional_headers={"Cookie": cookie},
            origin=f"http://127.0.0.1:{port}",
            open_timeout=10,
        )
        sockets.append(ws)
        hellos.append(await _frames_until(ws, "hello"))
        await ws.send(json.dumps({"type": "subscribe", "channel": channel_id, "after": 0}))
        await _frames_until(ws, "caught_up", channel=channel_id)
    try:
        sender, reader = sockets
        client_id = str(uuid.uuid4())
        await sender.send(
            json.dumps(
                {
                    "type": "send",
                    "channel": channel_id,
                    "client_id": client_id,
                    "body": "D'un processus à l'autre",
                }
            )
        )
        ack = await _frames_until(sender, "ack", client_id=client_id)
        message = await _frames_until(reader, "message", id=ack["id"])
        return {"servers": [h["server"] for h in hellos], "message": message, "ack": ack}
    finally:
        for ws in sockets:
            await ws.close()


@pytest.mark.parametrize("layer", ["pubsub", "groups"])
def test_a_message_sent_through_one_process_reaches_readers_of_the_other(layer):
    redis_url, database_url = _redis_url(), _database_url()
    from communities.services import default_channel_ensure

    community = CommunityFactory(name="Deux processus", slug="deux-processus")
    lina = add_member(community, user=person("Lina Benali")).user
    hugo = add_member(community, user=person("Hugo Martin")).user
    general = default_channel_ensure(community=community)
    cookies = [_cookie(lina), _cookie(hugo)]
    with servers(2, layer=layer, redis_url=redis_url, database_url=database_url) as ports:
        outcome = asyncio.run(_exchange(ports, cookies, general.pk))
    assert outcome["servers"][0] != outcome["servers"][1]
    assert outcome["message"]["body"] == "D'un processus à l'autre"
    assert outcome["message"]["author"] == {"id": lina.pk, "name": "Lina Benali"}
    assert outcome["message"]["client_id"] == outcome["ack"]["client_id"]
