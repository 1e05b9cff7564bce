"""The shared OpenSearch cluster: its lock (/tmp/opensearch.lock) and the few
HTTP calls made to it directly (the bench prefix's indices)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import time
import urllib.request
from collections.abc import Iterator

from .common import ENGINE_NODE, LOCK, PREFIX


@contextlib.contextmanager
def engine_lock(label: str) -> Iterator[None]:
    """Exclusive use of the shared OpenSearch cluster for a phase. Not reentrant (a
    second flock in the same process would wait for the first): phases don't nest."""
    with LOCK.open("a") as handle:
        started = time.perf_counter()
        fcntl.flock(handle, fcntl.LOCK_EX)
        waited = time.perf_counter() - started
        if waited > 1:
            print(f"  (verrou OpenSearch attendu {waited:.0f} s : {label})", flush=True)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def engine_get(path: str) -> object:
    with urllib.request.urlopen(f"{ENGINE_NODE}{path}", timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def engine_indices() -> list[dict]:
    """The bench prefix's indices (name, documents, sizes in bytes)."""
    return engine_get(f"/_cat/indices/{PREFIX}-*?format=json&bytes=b") or []


def engine_drop_indices() -> None:
    for index in engine_indices():
        url = f"{ENGINE_NODE}/{index['index']}"
        request = urllib.request.Request(url, method="DELETE")  # noqa: S310
        urllib.request.urlopen(request, timeout=60).close()  # noqa: S310
