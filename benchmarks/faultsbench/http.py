"""HTTP clients that note what each visitor saw: status (or the transport error),
latency, whether an error page spoke French, whether the page cache answered.

Each client is a keep-alive connection sending its next request after a short
pause (a visitor, not a flood: the faults, not the load, are measured). A request
is timed from its first byte written to its last byte read; one without an answer
after ``timeout`` counts as « Timeout » — a hang is what these scenarios look for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass, field

from benchmarks.loadgen import read_response

FRENCH_MARKERS = ("momentanément indisponible", "réessayez")


@dataclass(frozen=True)
class Hit:
    at: float  # time.time() when sent
    seconds: float
    outcome: str  # "200", "503", or the transport error's name
    kind: str  # the client's label (« anonyme », « connecté »…)
    french: bool  # an error answer (≥ 500) that says in French what happened
    cached: bool  # served by the anonymous page cache (X-Cache: hit)

    @property
    def failed(self) -> bool:
        return not self.outcome.isdigit() or int(self.outcome) >= 500


@dataclass
class Visitor:
    """One client: its label, paths, optional cookie, pause between requests."""

    kind: str
    paths: list[str]
    cookie: str = ""
    pause: float = 0.2
    headers: dict[str, str] = field(default_factory=dict)


def speaks_french(headers: dict[str, str], body: bytes) -> bool:
    text = body.decode("utf-8", "replace")
    if headers.get("content-type", "").startswith("application/json"):
        with contextlib.suppress(ValueError):
            text = json.dumps(json.loads(text), ensure_ascii=False)
    text = text.lower()
    return any(marker in text for marker in FRENCH_MARKERS)


async def visit(
    visitor: Visitor, *, port: int, stop: asyncio.Event, hits: list[Hit], timeout: float = 15.0
) -> None:
    """Send the visitor's requests until ``stop``, noting each one in ``hits``."""
    host = "127.0.0.1"
    reader = writer = None
    rng = random.Random()
    extra = "".join(f"{k}: {v}\r\n" for k, v in visitor.headers.items())
    cookie = f"Cookie: {visitor.cookie}\r\n" if visitor.cookie else ""
    while not stop.is_set():
        path = rng.choice(visitor.paths)
        at, started = time.time(), time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout
                )
            request = (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Accept: text/html,application/json\r\nUser-Agent: carrefour-faults\r\n"
                f"{cookie}{extra}\r\n"
            )
            writer.write(request.encode())
            await writer.drain()
            status, headers, body = await asyncio.wait_for(read_response(reader), timeout)
            hits.append(
                Hit(
                    at=at,
                    seconds=time.monotonic() - started,
                    outcome=str(status),
                    kind=visitor.kind,
                    french=status >= 500 and speaks_french(headers, body),
                    cached=headers.get("x-cache") == "hit",
                )
            )
            if headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            name = "Timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
            hits.append(Hit(at, time.monotonic() - started, name, visitor.kind, False, False))
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.2)  # a refused connection would otherwise spin
        await asyncio.sleep(visitor.pause * rng.uniform(0.5, 1.5))
    if writer is not None:
        writer.close()


class Visitors:
    """Several visitors at once, started and stopped from the main thread."""

    def __init__(self, loop, visitors: list[Visitor], *, port: int, timeout: float = 15.0):
        self.loop, self.visitors, self.port, self.timeout = loop, visitors, port, timeout
        self.hits: list[Hit] = []
        self._stop: asyncio.Event | None = None
        self._done = None

    def start(self) -> None:
        async def make_event() -> asyncio.Event:
            return asyncio.Event()

        self._stop = self.loop.call(make_event())

        async def run_all() -> None:
            await asyncio.gather(
                *(
                    visit(v, port=self.port, stop=self._stop, hits=self.hits, timeout=self.timeout)
                    for v in self.visitors
                )
            )

        self._done = self.loop.submit(run_all())

    def stop(self) -> list[Hit]:
        if self._stop is not None:
            self.loop.loop.call_soon_threadsafe(self._stop.set)
        if self._done is not None:
            self._done.result(self.timeout + 30)
        return self.hits
