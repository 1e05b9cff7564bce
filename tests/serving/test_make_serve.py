"""`make serve` as production runs it (issue 15): several gunicorn + uvicorn worker
processes and the background worker, on PostgreSQL (psycopg pool) and Redis.

- 50 concurrent clients: no request fails, and the PostgreSQL connections the site
  holds (pg_stat_activity, by application name) never exceed the pools' total;
- websockets through several workers: a message crosses from one to the other;
- a background job started from the command line is run by the worker;
- SIGHUP: a rolling restart (new web workers and background worker), no request
  failed meanwhile;
- SIGTERM: open websockets are closed with 1001 (« going away »), every process
  exits and ``make serve`` exits 0.

On the search engine too when ELASTICSEARCH_URL is set (CI). Needs PostgreSQL
(DATABASE_URL) and Redis; skipped without them, failed instead
with CARREFOUR_REQUIRE_REDIS=1 (.ci/run).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.chat.test_two_processes import (
    SETUP,
    _exchange,
    _free_port,
    _redis_url,
    _run,
    _throwaway_database,
    _unavailable,
)

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2
POOL_MAX = 4
APPLICATION = f"carrefour-serve-test-{os.getpid()}"
CLIENTS = 50
BACKEND_NAME = (
    "import django; django.setup()\n"
    "from search.backends import get_backend\n"
    "print(get_backend().name)\n"
)
CLEAR_INDEXES = (
    "import django; django.setup()\n"
    "from search.backends import get_backend\n"
    "get_backend().clear()\n"
)
SECONDS = 8.0


@pytest.fixture(scope="module")
def stack():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        _unavailable("make serve se teste sur PostgreSQL (DATABASE_URL)")
    redis_url = _redis_url()
    with _throwaway_database() as database_url:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"CARREFOUR_SERVER_NAME", "PYTEST_ADDOPTS", "SEARCH_INDEX_PREFIX"}
        }
        # On the search engine when there is one (CI: the 3-node cluster), under an
        # index prefix of its own, removed afterwards.
        env["SEARCH_INDEX_PREFIX"] = f"serve-test-{os.getpid()}"
        port = _free_port()
        env.update(
            DJANGO_SETTINGS_MODULE="cms.settings.production",
            SECRET_KEY="serve-" + os.urandom(24).hex(),
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            DATABASE_URL=database_url,
            DATABASE_POOL_MAX=str(POOL_MAX),
            DATABASE_POOL_MIN="1",
            DATABASE_APPLICATION_NAME=APPLICATION,
            REDIS_URL=redis_url,
            CHANNELS_PREFIX=f"serve{os.getpid()}",
            LOG_LEVEL="WARNING",
            REQUEST_LOG="false",
            HOST="127.0.0.1",
            PORT=str(port),
            WORKERS=str(WORKERS),
        )
        _run(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        _run(["manage.py", "setup_carrefour", "--no-demo", "-v", "0"], env)
        data = json.loads(_run(["-c", SETUP], env).strip().splitlines()[-1])
        _run(["manage.py", "search_reindex", "-v", "0"], env)
        if env.get("ELASTICSEARCH_URL"):
            assert _run(["-c", BACKEND_NAME], env).split()[-1] != "database"
        log = (ROOT / "var" / f"serve-test-{os.getpid()}.log").open("w+")
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],  # noqa: S607
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while not _answers(port):
                assert process.poll() is None, _tail(log)
                assert time.monotonic() < deadline, _tail(log)
                time.sleep(0.5)
            yield {"port": port, "env": env, "data": data, "process": process, "log": log}
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if env.get("ELASTICSEARCH_URL"):
                _run(["-c", CLEAR_INDEXES], env)
            log.close()
            Path(log.name).unlink(missing_ok=True)


def _tail(log) -> str:
    log.flush()
    return Path(log.name).read_text()[-3000:]


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _connections_in_use(env) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APPLICATION]
        ).fetchone()[0]


def test_fifty_clients_at_once_within_the_pools_and_without_a_failure(stack):
    port = stack["port"]
    paths = [
        "/",
        "/recherche/?q=emploi",
        "/recherche/",
        "/api/v1/search?q=insertion",
        "/healthz",
        "/projets/",
        "/communautes/",
    ]
    # (Not the open-data /api/v1/projects: 120 requests a minute per address by
    # design, and every client here is 127.0.0.1.)
    failures: list[str] = []
    done = [0]
    peak = [0]
    stop = time.monotonic() + SECONDS
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            path = random.choice(paths)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    with lock:
                        failures.append(f"{path}: {response.status}")
            except OSError as exc:
                with lock:
                    failures.append(f"{path}: {exc}")
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                done[0] += 1

    def watch() -> None:
        while time.monotonic() < stop + 1:
            peak[0] = max(peak[0], _connections_in_use(stack["env"]))
            time.sleep(0.1)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)] + [
        threading.Thread(target=watch)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [], failures[:10]
    assert done[0] > CLIENTS
    # Each web worker and the background worker hold at most POOL_MAX connections.
    assert 0 < peak[0] <= (WORKERS + 1) * POOL_MAX, peak[0]


def test_websockets_through_several_workers(stack):
    """Members connect until they sit on two different worker processes (the kernel
    spreads connections), and a message crosses from one to the other."""
    port = stack["port"]
    outcome = asyncio.run(_exchange([port, port], stack["data"]))
    (ack_a, on_b), (ack_b, on_a) = outcome["received"]
    assert on_b["id"] == ack_a["id"] and on_a["id"] == ack_b["id"]
    servers = {hello["server"] for hello in outcome["hellos"]}
    assert servers  # names the worker process; several when they land apart


def test_a_background_job_is_run_by_the_worker(stack):
    out = _run(["manage.py", "search_reindex", "--fond"], stack["env"])
    assert "confiée au worker" in out
    check = (
        "import django; django.setup()\n"
        "from jobs.models import Job\n"
        "print(Job.objects.filter(kind='search_reindex').latest('pk').status)"
    )
    deadline = time.monotonic() + 60
    while True:
        status = _run(["-c", check], stack["env"]).strip().splitlines()[-1]
        if status in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert status == "done", _tail(stack["log"])


def _children(pid: int) -> list[int]:
    found = subprocess.run(  # noqa: S603
        ["pgrep", "-P", str(pid)],  # noqa: S607
        capture_output=True,
        text=True,
    ).stdout.split()
    return [int(child) for child in found]


def _processes(stack) -> dict[str, set[int]]:
    """The background worker and the gunicorn workers under ops/supervise.py."""
    (supervisor,) = _children(stack["process"].pid)
    found: dict[str, set[int]] = {"worker": set(), "web": set()}
    for child in _children(supervisor):
        command = Path(f"/proc/{child}/cmdline").read_text()
        if "gunicorn" in command:
            found["web"] |= set(_children(child))
        else:
            found["worker"].add(child)
    return found


def test_sighup_is_a_rolling_restart_without_a_failed_request(stack):
    """An upgrade's restart (docs/deploiement.md): SIGHUP to make serve's supervisor
    replaces every web worker and the background worker, while requests go on."""
    port = stack["port"]
    (supervisor,) = _children(stack["process"].pid)
    before = _processes(stack)
    assert len(before["web"]) == WORKERS and len(before["worker"]) == 1, before
    failures: list[str] = []
    done = [0]
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", "/recherche/?q=emploi")
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(str(response.status))
            except OSError as exc:
                failures.append(repr(exc))
            finally:
                connection.close()
            done[0] += 1

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        os.kill(supervisor, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while True:
            after = _processes(stack)
            replaced = not (after["web"] & before["web"]) and not (
                after["worker"] & before["worker"]
            )
            if replaced and len(after["web"]) == WORKERS and len(after["worker"]) == 1:
                break
            assert time.monotonic() < deadline, (before, after, _tail(stack["log"]))
            time.sleep(0.5)
        time.sleep(1)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == [], failures[:10]
    assert done[0] > 10
    assert _children(stack["process"].pid) == [supervisor]  # the same service


def test_sigterm_closes_websockets_with_going_away_and_exits_zero(stack):
    import websockets

    port, data = stack["port"], stack["data"]
    member = data["people"][0]

    async def wait_for_close() -> int | None:
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/",
            additional_headers={"Cookie": f"sessionid={member['session']}"},
            origin=f"http://127.0.0.1:{port}",
        ) as ws:
            await ws.recv()  # hello
            # As systemd stops the service: SIGTERM to its main process (make's
            # recipe execs ops/supervise.py, make's only child).
            supervisor = subprocess.run(  # noqa: S603
                ["pgrep", "-P", str(stack["process"].pid)],  # noqa: S607
                capture_output=True,
                text=True,
            ).stdout.split()
            assert len(supervisor) == 1, supervisor
            os.kill(int(supervisor[0]), signal.SIGTERM)
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 20)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None

    code = asyncio.run(wait_for_close())
    assert code == 1001
    assert stack["process"].wait(timeout=40) == 0, _tail(stack["log"])
