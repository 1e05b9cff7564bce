"""What every scenario shares: the services of its own, the stack built on them,
the visitors' paths, and small waiting helpers."""

from __future__ import annotations

import secrets
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from benchmarks.stack import ROOT, OwnPostgres, OwnRedis, Stack

from .http import Visitor
from .loop import BackgroundLoop

WEB_PORT = 8820
PREFIX = "bench-faults"
ENGINE = "http://127.0.0.1:9201,http://127.0.0.1:9202,http://127.0.0.1:9203"
CLUSTER = ROOT / "ops" / "opensearch" / "cluster"
SEARCH_WORDS = ["emploi", "insertion", "numérique", "alimentation", "mobilité", "jardin"]
SEARCH_WORDS += ["solidaire", "tiers-lieux", "culture", "santé", "logement", "énergie"]


@dataclass
class Context:
    seconds: float
    readers: int
    records: int
    postgres: OwnPostgres
    redis: OwnRedis
    loop: BackgroundLoop
    # One SECRET_KEY for every stack of the run: the members' sessions stay valid.
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(60))
    cookies: list[str] = field(default_factory=list)  # members' sessions
    paths: dict = field(default_factory=dict)  # sample project and community pages

    def stack(self, *, engine: bool = False, extra: dict | None = None) -> Stack:
        return Stack(
            port=WEB_PORT,
            database_url=self.postgres.url,
            redis_url=self.redis.url,
            engine_url=ENGINE if engine else "",
            workers=2,
            prefix=PREFIX,
            extra={"SECRET_KEY": self.secret, "GEOCODER": "centroid", **(extra or {})},
        )

    def page_paths(self) -> list[str]:
        return [
            "/",
            "/projets/",
            "/communautes/",
            *self.paths["projects"],
            *self.paths["communities"],
        ]

    def search_paths(self, *, api: bool) -> list[str]:
        words = [f"{a}+{b}" for a in SEARCH_WORDS for b in SEARCH_WORDS if a < b]
        base = "/api/v1/search?q=" if api else "/recherche/?q="
        return [base + quote(w, safe="+") for w in words]

    def page_visitors(self, *, anonymous: int = 3, signed_in: int = 2) -> list[Visitor]:
        pages = self.page_paths()
        visitors = [Visitor("pages anonymes", pages) for _ in range(anonymous)]
        visitors += [
            Visitor("pages connectées", [*pages, "/mes-communautes/"], cookie=self.cookies[-1 - i])
            for i in range(signed_in)
        ]
        return visitors


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def ensure_postgres(postgres: OwnPostgres) -> None:
    if not port_open(postgres.port):
        postgres.start()


def ensure_redis(redis: OwnRedis) -> None:
    if not redis.up():
        redis.start()


def cluster(*args: str, timeout: float = 400) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        ["bash", str(CLUSTER), *args],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def supervisor_restarts(log: Path) -> list[str]:
    """The lines where ops/supervise.py says it started a process again."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return []
    return [line for line in text.splitlines() if "s'est arrêté (code" in line]


def children(pid: int) -> list[int]:
    done = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)  # noqa: S603, S607
    return [int(p) for p in done.stdout.split()]


def background_workers(stack: Stack) -> list[int]:
    """The `manage.py carrefour_worker` processes of this stack (children of its
    supervisor, itself the only child of make)."""
    if stack.process is None:
        return []
    found = []
    for supervisor in children(stack.process.pid):
        for pid in children(supervisor):
            try:
                if b"carrefour_worker" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                continue
    return found


def web_workers(stack: Stack) -> list[int]:
    """The gunicorn worker processes of this stack."""
    if stack.process is None:
        return []
    found = []
    for supervisor in children(stack.process.pid):
        for master in children(supervisor):
            try:
                if b"gunicorn" not in Path(f"/proc/{master}/cmdline").read_bytes():
                    continue
            except OSError:
                continue
            found += children(master)
    return found
