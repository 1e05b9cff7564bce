"""The production stack for benchmarks/pages.py and benchmarks/faults.py: `make
serve` (gunicorn + uvicorn workers and the background worker) on PostgreSQL, Redis
and the local OpenSearch cluster (`make search-engine`), each started here when the
scenario needs one of its own to stop.

- ``own_postgres(port)``: a PostgreSQL server of its own (initdb in var/, run as
  the ``postgres`` system user), so that restarting it disturbs nothing else;
- ``own_redis(port)``: a Redis of its own, same reason;
- ``Stack``: the site, installed (migrate + demo) and served by `make serve`.
"""

# ruff: noqa: S603, S607 — runs our own interpreter and the system's pg_ctl, redis, make, pgrep
from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def _pg_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
    return str(versions[-1] / "bin" / name)


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + args, check=True, capture_output=True, text=True, **kwargs)


class OwnPostgres:
    def __init__(self, port: int):
        self.port = port
        self.data = ROOT / "var" / f"bench-pg-{port}"
        self.log = ROOT / "var" / f"bench-pg-{port}.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/carrefour"

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            shutil.chown(self.data, "postgres", "postgres") if os.geteuid() == 0 else None
            _as_postgres([_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"])
        if self.log.exists() and os.geteuid() == 0:
            shutil.chown(self.log, "postgres", "postgres")
        elif os.geteuid() == 0:
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
        _as_postgres(
            [
                _pg_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-o",
                f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 "
                "-c fsync=off -c shared_buffers=256MB",
                "start",
            ]
        )

    def stop(self, mode: str = "fast") -> None:
        _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_database(self) -> None:
        import psycopg

        admin = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute('DROP DATABASE IF EXISTS "carrefour" WITH (FORCE)')
            connection.execute('CREATE DATABASE "carrefour"')


class OwnRedis:
    def __init__(self, port: int):
        self.port = port

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=True,
            capture_output=True,
        )
        for _ in range(50):
            if self.up():
                return
            time.sleep(0.1)
        raise RuntimeError(f"Redis ne démarre pas sur le port {self.port}")

    def up(self) -> bool:
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"],
            capture_output=True,
            text=True,
        )
        return "PONG" in done.stdout

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"],
            capture_output=True,
        )
        for _ in range(50):
            if not self.up():
                return
            time.sleep(0.1)


class Stack:
    """`make serve` with production settings on the given services."""

    def __init__(
        self,
        *,
        port: int,
        database_url: str,
        redis_url: str,
        engine_url: str = "",
        workers: int = 2,
        prefix: str = "bench",
        extra: dict | None = None,
    ):
        self.port = port
        self.log = ROOT / "var" / f"{prefix}-serve-{port}.log"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"ELASTICSEARCH_URL", "PYTEST_ADDOPTS", "CARREFOUR_SERVER_NAME"}
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="cms.settings.production",
            SECRET_KEY=secrets.token_urlsafe(60),
            DEBUG="false",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CHANNELS_PREFIX=prefix,
            CACHE_KEY_PREFIX=prefix,
            SEARCH_INDEX_PREFIX=prefix,
            LOG_LEVEL="WARNING",
            REQUEST_LOG="false",
            HOST="127.0.0.1",
            PORT=str(port),
            WORKERS=str(workers),
            METRICS_DIR=f"var/{prefix}-prometheus",
            CARREFOUR_CHAT_RATE_COUNT="0",
        )
        if engine_url:
            self.env["ELASTICSEARCH_URL"] = engine_url
        self.env.update(extra or {})
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str, timeout: float = 1800, check: bool = True) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} : {done.stderr[-2000:]}")
        return done.stdout

    def python(self, code: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [PYTHON, "-c", "import django; django.setup()\n" + code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout

    def install(self, *, demo: bool = True) -> None:
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("setup_carrefour", *([] if demo else ["--no-demo"]), "-v", "0")

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("make serve ne répond pas :\n" + self.log.read_text()[-3000:])
            time.sleep(0.5)

    def answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status in (200, 503)
        except OSError:
            return False
        finally:
            connection.close()

    def pids(self, pattern: str) -> list[int]:
        done = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
        return [int(p) for p in done.stdout.split()]

    def web_workers(self) -> list[int]:
        """The gunicorn worker processes (children of the gunicorn master)."""
        masters = [
            p for p in self.pids("gunicorn cms.asgi:application") if self._parent_is_supervisor(p)
        ]
        workers = []
        for master in masters:
            done = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
            workers += [int(p) for p in done.stdout.split()]
        return workers

    def _parent_is_supervisor(self, pid: int) -> bool:
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().split()[3])
            return "supervise.py" in Path(f"/proc/{parent}/cmdline").read_text()
        except (OSError, ValueError):
            return False

    def stop(self) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        supervisor = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)],
            capture_output=True,
            text=True,
        ).stdout.split()
        for pid in supervisor:
            os.kill(int(pid), signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait()


@contextmanager
def running(stack: Stack):
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    print()
