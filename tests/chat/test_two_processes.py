"""Two real server processes share the Redis channel layer: a message sent through
one reaches the readers connected to the other (issue 13, « plusieurs processus »),
for both layers (``pubsub``, the default, and channels-redis ``groups``).

Served as ``make serve`` serves: gunicorn with ``cms.serving.CarrefourWorker``
(uvicorn, uvloop, websockets) and the production settings, one process per port so
that each client knows which process it talks to (the ``hello`` frame's ``server``).
The installation is its own: a throwaway database migrated for the module
(``carrefour_twoproc_<pid>`` on the PostgreSQL server of DATABASE_URL, or a SQLite
file when the suite runs on the embedded default), Redis database 5 flushed first.
Members and sessions are written by a ``python -c`` under the servers' settings
(their SECRET_KEY signs the session), not by the test process.

Skipped only where Redis is unreachable, and failed instead with
CARREFOUR_REQUIRE_REDIS=1 (.ci/run).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 5
START_TIMEOUT = 60.0

# Run by the servers' interpreter and settings: two members of one community, its
# « général », and a session for each (what the login form would leave behind).
SETUP = """
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from accounts.models import Profile
from communities.models import Community, Membership
from communities.services import default_channel_ensure

community = Community.objects.create(
    name="Deux processus", slug="deux-processus", short_description="Un test.",
    kind="thematique", visibility="public", join_policy="open", status="active",
)
people = []
for name, email in (("Lina Benali", "lina@deux.test"), ("Hugo Martin", "hugo@deux.test")):
    user = get_user_model().objects.create_user(email=email)
    Profile.objects.update_or_create(user=user, defaults={"display_name": name})
    Membership.objects.create(
        community=community, user=user, role="member", state="active",
        joined_at=timezone.now(),
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    people.append({"id": user.pk, "name": name, "session": session.session_key})
channel = default_channel_ensure(community=community)
print(json.dumps({"channel": channel.pk, "people": people}))
"""


def _unavailable(reason: str):
    if os.environ.get("CARREFOUR_REQUIRE_REDIS") == "1":
        pytest.fail(f"{reason} alors que CARREFOUR_REQUIRE_REDIS=1")
    pytest.skip(reason)


def _redis_url() -> str:
    """REDIS_URL's server (or the local one) on database 5, flushed."""
    import redis

    parts = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    url = urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", parts.query, ""))
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
    except redis.RedisError:
        _unavailable(f"Redis est injoignable ({parts.netloc or '127.0.0.1:6379'})")
    return url


@contextmanager
def _throwaway_database(name: str = ""):
    """A database URL for the servers: PostgreSQL when the suite runs on it (a fresh
    database on the same server, dropped afterwards), else a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = name or f"carrefour_twoproc_{os.getpid()}"
        parts = urlsplit(url)
        admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
        finally:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    directory = tempfile.mkdtemp(prefix="carrefour-twoproc-")
    try:
        yield f"sqlite:///{directory}/carrefour.sqlite3"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(  # noqa: S603 — our own interpreter and arguments
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def installation():
    """The servers' environment (production settings) and what SETUP wrote."""
    redis_url = _redis_url()
    with _throwaway_database() as database_url:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"CARREFOUR_SERVER_NAME", "ELASTICSEARCH_URL", "PYTEST_ADDOPTS"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="cms.settings.production",
            SECRET_KEY=secrets.token_urlsafe(50),
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CHANNELS_PREFIX=f"twoproc{os.getpid()}",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        _run(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        data = json.loads(_run(["-c", SETUP], env).strip().splitlines()[-1])
        yield env, data


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    """The worker is up once it answers HTTP (gunicorn's socket accepts earlier)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def servers(count: int, *, env: dict, layer: str):
    """``count`` gunicorn masters with one CarrefourWorker each; yields their ports."""
    env = {**env, "CARREFOUR_CHANNEL_LAYER": layer}
    logs = Path(tempfile.mkdtemp(prefix="carrefour-twoproc-logs-"))
    ports, processes = [_free_port() for _ in range(count)], []
    try:
        for port in ports:
            processes.append(
                subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "cms.asgi:application",
                        "-k",
                        "cms.serving.CarrefourWorker",
                        "-w",
                        "1",
                        "-b",
                        f"127.0.0.1:{port}",
                        "--graceful-timeout",
                        "5",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=(logs / f"{port}.log").open("w"),
                )
            )
        deadline = time.monotonic() + START_TIMEOUT
        for port, process in zip(ports, processes, strict=True):
            while not _answers(port):
                log = (logs / f"{port}.log").read_text()[-3000:]
                assert process.poll() is None, f"le serveur {port} s'est arrêté :\n{log}"
                assert time.monotonic() < deadline, f"le serveur {port} ne répond pas :\n{log}"
                time.sleep(0.3)
        yield ports
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(logs, ignore_errors=True)


async def _until(ws, kind: str, timeout: float = 10, **fields) -> dict:
    end = time.monotonic() + timeout
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), max(0.01, end - time.monotonic())))
        if frame.get("type") == kind and all(frame.get(k) == v for k, v in fields.items()):
            return frame


async def _exchange(ports: list[int], data: dict) -> dict:
    """Each member on their own process; each sends once, the other must receive it."""
    import websockets

    channel = data["channel"]
    sockets, hellos = [], []
    try:
        for port, member in zip(ports, data["people"], strict=True):
            ws = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/",
                additional_headers={"Cookie": f"sessionid={member['session']}"},
                origin=f"http://127.0.0.1:{port}",
                open_timeout=20,
            )
            sockets.append(ws)
            hellos.append(await _until(ws, "hello"))
            await ws.send(json.dumps({"type": "subscribe", "channel": channel, "after": 0}))
            await _until(ws, "caught_up", channel=channel)
        received = []
        for sender, reader, body in (
            (sockets[0], sockets[1], "D'un processus à l'autre"),
            (sockets[1], sockets[0], "Et retour"),
        ):
            client_id = str(uuid.uuid4())
            await sender.send(
                json.dumps(
                    {"type": "send", "channel": channel, "client_id": client_id, "body": body}
                )
            )
            ack = await _until(sender, "ack", client_id=client_id)
            received.append((ack, await _until(reader, "message", id=ack["id"])))
        return {"hellos": hellos, "received": received}
    finally:
        for ws in sockets:
            await ws.close()


@pytest.mark.parametrize("layer", ["pubsub", "groups"])
def test_a_message_sent_through_one_process_reaches_readers_of_the_other(installation, layer):
    env, data = installation
    lina, hugo = data["people"]
    with servers(2, env=env, layer=layer) as ports:
        outcome = asyncio.run(_exchange(ports, data))

    first, second = outcome["hellos"]
    assert first["user"]["id"] == lina["id"] and second["user"]["id"] == hugo["id"]
    assert first["server"] != second["server"]
    (ack_a, on_b), (ack_b, on_a) = outcome["received"]
    assert on_b["body"] == "D'un processus à l'autre"
    assert on_b["author"] == {"id": lina["id"], "name": "Lina Benali"}
    assert on_b["client_id"] == ack_a["client_id"]
    assert on_a["body"] == "Et retour"
    assert on_a["author"] == {"id": hugo["id"], "name": "Hugo Martin"}
    assert ack_b["id"] > ack_a["id"]
