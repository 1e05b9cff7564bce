"""Processes of the benchmark: CPU and memory read from /proc, the Redis server of
its own, the gunicorn line of ``make serve``."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parents[2]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kb(pid: int) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("VmRSS:")), 0)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


class RedisServer:
    """A redis-server of the benchmark's own, started as .ci/services starts one (no
    persistence), in the foreground so that its pid is known; the shared one is left
    alone (other people's tests use it)."""

    def __init__(self, port: int, directory: Path):
        self.port, self.directory, self.process = port, directory, None

    def _cli(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 — fixed arguments
            ["redis-cli", "-p", str(self.port), *args],  # noqa: S607 — Debian's redis-tools
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout

    def ping(self) -> bool:
        return "PONG" in self._cli("ping")

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 — fixed arguments
            [  # noqa: S607 — Debian's redis-server
                "redis-server",
                *("--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
        )
        while not self.ping():
            time.sleep(0.05)

    def shutdown(self) -> None:
        """``redis-cli shutdown nosave``: everything Redis held is gone."""
        self._cli("shutdown", "nosave")
        if self.process is not None:
            self.process.wait(timeout=10)


def start_servers(
    env: dict, port: int, workers: int, log: Path, worker_class: str = "cms.serving.CarrefourWorker"
) -> subprocess.Popen:
    """The gunicorn line of ``make serve`` (its access log aside)."""
    return subprocess.Popen(  # noqa: S603 — our own interpreter and arguments
        [
            *(sys.executable, "-m", "gunicorn", "cms.asgi:application"),
            *("-k", worker_class, "-w", str(workers), "-b", f"127.0.0.1:{port}"),
            *("--graceful-timeout", "20", "--timeout", "60"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )


def wait_ready(port: int, master: subprocess.Popen, log: Path) -> None:
    """Until a worker answers HTTP (the shared socket accepts before they boot)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if master.poll() is not None:
            raise SystemExit(f"gunicorn s'est arrêté :\n{log.read_text()[-3000:]}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
        finally:
            connection.close()
    raise SystemExit("gunicorn ne répond pas")
