"""Bulk writes, with the engine's answer read document by document.

A bulk request succeeds as a whole while items inside it fail: each item's status
says what to do. 2xx, a delete of a missing document (404) and a version conflict
(409: a newer write is already there, see index.GC_DELETES) are done; 429 and 5xx
are worth another try later; any other 4xx (mapping, parse) will fail again as it
is. Writes never wait for a refresh.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from ..base import DocumentsRejected
from .client import is_retryable

logger = logging.getLogger(__name__)

BATCH = 1000  # documents per bulk request
_clock_lock = threading.Lock()
_last_version = 0


def next_version() -> int:
    """A strictly increasing external version: microseconds since the epoch."""
    global _last_version
    with _clock_lock:
        _last_version = max(time.time_ns() // 1000, _last_version + 1)
        return _last_version


@dataclass
class BulkOutcome:
    written: int = 0
    retry: dict[str, str] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)

    def add(self, other: BulkOutcome) -> None:
        self.written += other.written
        self.retry.update(other.retry)
        self.rejected.update(other.rejected)

    def raise_for_failures(self) -> None:
        if self.retry or self.rejected:
            raise DocumentsRejected(written=self.written, retry=self.retry, rejected=self.rejected)


def index_action(*, index: str, key: str, source: dict, version: int) -> list[dict]:
    meta = {"_index": index, "_id": key, "version": version, "version_type": "external"}
    return [{"index": meta}, source]


def delete_action(*, index: str, key: str, version: int) -> list[dict]:
    meta = {"_index": index, "_id": key, "version": version, "version_type": "external"}
    return [{"delete": meta}]


def _reason(error) -> str:
    if isinstance(error, dict):
        reason = f"{error.get('type', '')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            reason += f" ({cause.get('type', '')}: {cause.get('reason', '')})"
        return reason[:1000]
    return str(error)[:1000]


def send(client, operations: list[dict], *, keys: list[str]) -> BulkOutcome:
    """One bulk request; ``keys`` are the documents it is about (several targets per
    key when a rebuild dual-writes). A key is written when every target took it."""
    outcome = BulkOutcome()
    if not operations:
        return outcome
    response = client.bulk(operations)
    failed: dict[str, tuple[bool, str]] = {}
    for item in response.get("items", []):
        op, result = next(iter(item.items()))
        status = int(result.get("status", 0))
        key = str(result.get("_id", ""))
        if 200 <= status < 300 or status == 409 or (op == "delete" and status == 404):
            continue
        reason = f"{status} {_reason(result.get('error'))}"
        retryable = is_retryable(status)
        logger.warning(
            "Search engine %s %s on %s of %s (%s): %s",
            "deferred" if retryable else "refused",
            op,
            result.get("_index"),
            key,
            status,
            reason,
        )
        previous = failed.get(key)
        # A refusal (mapping error) wins over a retryable failure on another target.
        if previous is None or (previous[0] and not retryable):
            failed[key] = (retryable, reason)
    for key, (retryable, reason) in failed.items():
        (outcome.retry if retryable else outcome.rejected)[key] = reason
    outcome.written = len(set(keys) - set(failed))
    return outcome
