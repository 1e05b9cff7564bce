"""A small asyncio HTTP/1.1 load generator: N keep-alive clients, each sending its
next request as soon as the previous answer is read, for a fixed time.

Latency accounting: each request is timed from just before its first byte is
written to just after its last byte is read (status line, headers, whole body —
Content-Length or chunked); a failed request (refused, reset, timed out) counts as
an error *and* its time counts in the latencies, so that a stalled server cannot
look fast by failing. Closed loop on purpose (the issue's « N concurrent
clients »): requests/s is what the server sustains at that concurrency.

Why our own rather than Locust: Locust's gevent workers cost more CPU per request
than the server we measure on this 2-core machine (the load generator shares it),
and its statistics round latencies into buckets; ~150 lines here are exact.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Result:
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    cache: Counter = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    def percentile(self, share: float, values: list[float] | None = None) -> float:
        values = sorted(self.latencies if values is None else values)
        if not values:
            return 0.0
        return 1000 * values[min(len(values) - 1, int(len(values) * share))]

    def summary(self) -> dict:
        failures = sum(self.errors.values()) + sum(
            n for status, n in self.statuses.items() if status >= 500
        )
        return {
            "clients": self.clients,
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0,
            "p50_ms": round(self.percentile(0.50), 1),
            "p95_ms": round(self.percentile(0.95), 1),
            "p99_ms": round(self.percentile(0.99), 1),
            "max_ms": round(1000 * max(self.latencies, default=0), 1),
            "errors": failures,
            "statuses": dict(sorted(self.statuses.items())),
            "transport_errors": dict(self.errors),
            "cache": dict(self.cache),
        }

    def line(self, label: str) -> str:
        s = self.summary()
        return (
            f"{label:<34} {s['clients']:>4} clients  {s['rps']:>7.1f} req/s  "
            f"p50 {s['p50_ms']:>7.1f} ms  p95 {s['p95_ms']:>7.1f} ms  p99 {s['p99_ms']:>7.1f} ms  "
            f"erreurs {s['errors']}"
        )


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response off a keep-alive connection: status, headers (lower-case
    names), body. ``connection: close`` is set when the body ran until the close."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("connexion fermée")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            chunks.append((await reader.readexactly(size + 2))[:-2])
            if size == 0:
                break
        body = b"".join(chunks)
    elif status not in (204, 304):
        body = await reader.read()  # until close
        headers["connection"] = "close"
    return status, headers, body


async def _client(host, port, stop_at, choose: Callable[[], str], result: Result, timeout) -> None:
    reader = writer = None
    while time.monotonic() < stop_at:
        path = choose()
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout
                )
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Accept: text/html,application/json\r\nUser-Agent: carrefour-bench\r\n\r\n".encode()
            )
            await writer.drain()
            status, headers, _body = await asyncio.wait_for(read_response(reader), timeout)
            result.statuses[status] += 1
            result.cache[headers.get("x-cache", "none")] += 1
            if headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            result.errors[type(exc).__name__] += 1
            if writer is not None:
                writer.close()
            writer = None
        elapsed = time.monotonic() - started
        result.latencies.append(elapsed)
        result.by_path.setdefault(path.split("?")[0], []).append(elapsed)
    if writer is not None:
        writer.close()


async def _run(host, port, clients, seconds, choose, timeout) -> Result:
    result = Result(clients=clients, seconds=seconds)
    started = time.monotonic()
    stop_at = started + seconds
    await asyncio.gather(
        *(_client(host, port, stop_at, choose, result, timeout) for _ in range(clients))
    )
    result.seconds = time.monotonic() - started
    return result


def load(
    *,
    port: int,
    clients: int,
    seconds: float,
    paths: list[tuple[str, float]] | list[str],
    host: str = "127.0.0.1",
    timeout: float = 30.0,
    seed: int = 42,
) -> Result:
    """Drive the mix (paths, or (path, weight) pairs) for ``seconds``."""
    rng = random.Random(seed)
    weighted = [p if isinstance(p, tuple) else (p, 1.0) for p in paths]
    population = [p for p, _ in weighted]
    weights = [w for _, w in weighted]

    def choose() -> str:
        return rng.choices(population, weights)[0]

    return asyncio.run(_run(host, port, clients, seconds, choose, timeout))
