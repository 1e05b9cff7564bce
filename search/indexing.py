"""Keeping the search index in step with the database, without losing updates.

Transactional outbox (as in Zulip's « events after commit »): `enqueue` writes an
IndexQueue row in the same transaction as the change, then asks for it to be
processed once the transaction commits. Processing builds the documents, sends
them to the backend and deletes the rows; if the engine is unreachable the rows
stay, with a growing delay, and `manage.py search_sync` (cron) or the next
successful update applies them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .backends import BackendUnavailable, get_backend
from .models import IndexQueue
from .registry import adapters

logger = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class ProcessReport:
    indexed: int = 0
    deleted: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def enqueue(*, kind: str, object_ids: Iterable, defer: bool = False) -> None:
    """Record that these objects' documents must be refreshed; refresh after commit,
    or — ``defer`` — later, by the caller's ``process()`` (bulk writers that index
    once at the end) or by ``search_sync``. Either way the queue row is durable."""
    ids = sorted({str(object_id) for object_id in object_ids})
    if not ids:
        return
    now = timezone.now()
    IndexQueue.objects.bulk_create(
        [IndexQueue(kind=kind, object_id=object_id, created_at=now) for object_id in ids],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["created_at", "next_attempt_at"],
        batch_size=1000,
    )
    if not defer:
        transaction.on_commit(lambda: _process_quietly([(kind, i) for i in ids]))


def _process_quietly(items: list[tuple[str, str]]) -> None:
    try:
        process(items=items)
    except Exception:  # never break the request that changed the data
        logger.exception("Index update failed; it stays queued for search_sync")


def process(*, items: list[tuple[str, str]] | None = None, limit: int = 1000) -> ProcessReport:
    """Apply queued updates: the given ones, or those due. Returns what was done."""
    now = timezone.now()
    queryset = IndexQueue.objects.all()
    if items is not None:
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, object_id in items:
            by_kind[kind].append(object_id)
        rows = [
            row
            for kind, ids in by_kind.items()
            for row in queryset.filter(kind=kind, object_id__in=ids)
        ]
    else:
        rows = list(queryset.filter(next_attempt_at__lte=now).order_by("created_at")[:limit])
    report = ProcessReport()
    if not rows:
        return report
    backend = get_backend()
    registered = adapters()
    grouped: dict[str, list[IndexQueue]] = defaultdict(list)
    for row in rows:
        grouped[row.kind].append(row)
    for kind, kind_rows in grouped.items():
        adapter = registered.get(kind)
        if adapter is None:
            IndexQueue.objects.filter(pk__in=[r.pk for r in kind_rows]).delete()
            continue
        ids = [row.object_id for row in kind_rows]
        found = list(adapter.queryset().filter(pk__in=ids))
        built = {str(obj.pk): document for obj, document in adapter.documents(found)}
        documents, gone = [], []
        for object_id in ids:
            document = built.get(object_id)
            if document is None:
                gone.append(f"{kind}:{object_id}")
            else:
                documents.append(document)
        try:
            report.indexed += backend.index(documents)
            report.deleted += backend.delete(gone)
        except Exception as exc:  # engine down or refusing: keep the rows, retry later
            report.failed += len(kind_rows)
            report.errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:500])
            _postpone(kind_rows, exc)
            continue
        # Delete only rows not re-queued meanwhile (their created_at is unchanged);
        # rows queued together share their created_at: one query per group.
        by_time: dict = defaultdict(list)
        for row in kind_rows:
            by_time[row.created_at].append(row.pk)
        for created_at, pks in by_time.items():
            for start in range(0, len(pks), 500):
                IndexQueue.objects.filter(
                    pk__in=pks[start : start + 500], created_at=created_at
                ).delete()
    if items is not None and not report.failed:
        # The engine answers: apply what was waiting, a little at a time.
        backlog = IndexQueue.objects.filter(next_attempt_at__lte=now).exclude(
            pk__in=[row.pk for row in rows]
        )
        if backlog.exists():
            process(limit=200)
    return report


def _postpone(rows: list[IndexQueue], exc: Exception) -> None:
    for row in rows:
        delay = min(timedelta(seconds=30 * 2 ** min(row.attempts, 10)), MAX_BACKOFF)
        IndexQueue.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:1000],
            next_attempt_at=timezone.now() + delay,
        )


def pending_count() -> int:
    return IndexQueue.objects.count()


def reindex(
    *, kinds: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild the index of ``kinds`` (all by default) from the database, without a
    moment where searches find nothing. Clears the queue of those kinds."""
    registered = adapters()
    kinds = list(kinds or registered)
    unknown = set(kinds) - set(registered)
    if unknown:
        raise ValueError(f"Unknown kinds: {', '.join(sorted(unknown))}")
    total = sum(registered[kind].queryset().count() for kind in kinds)
    started = timezone.now()

    def documents():
        for kind in kinds:
            adapter = registered[kind]
            chunk: list = []
            for obj in adapter.queryset().iterator(chunk_size=500):
                chunk.append(obj)
                if len(chunk) == 500:
                    yield from (d for _obj, d in adapter.documents(chunk) if d is not None)
                    chunk = []
            yield from (d for _obj, d in adapter.documents(chunk) if d is not None)

    written = get_backend().rebuild(
        documents(),
        kinds=kinds,
        progress=(lambda done: progress(done, total)) if progress else None,
    )
    IndexQueue.objects.filter(kind__in=kinds, created_at__lte=started).delete()
    return written


REPORTED_KEYS = 200  # keys listed in a reconciliation report (its counts are complete)


@dataclass
class ReconcileReport:
    checked: int = 0  # documents built from the database
    repaired: int = 0  # written again: missing from the index, or different there
    removed: int = 0  # in the index but no longer in the database (or now hidden)
    repaired_keys: list[str] = field(default_factory=list)
    removed_keys: list[str] = field(default_factory=list)


def reconcile(
    *, kinds: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None
) -> ReconcileReport:
    """Compare every document the database gives with what the index holds (by
    fingerprint: content and visibility) and repair each difference. The periodic
    safety net (``search_sync --full``, nightly cron) behind the queue: whatever a
    missed signal, a raw SQL write or a restored backup left behind is healed."""
    registered = adapters()
    kinds = list(kinds or registered)
    backend = get_backend()
    report = ReconcileReport()
    total = sum(registered[kind].queryset().count() for kind in kinds)
    done = 0
    for kind in kinds:
        adapter = registered[kind]
        indexed = backend.fingerprints(kind)
        seen: set[str] = set()
        chunk: list = []
        for obj in adapter.queryset().iterator(chunk_size=500):
            chunk.append(obj)
            if len(chunk) == 500:
                _repair(backend, adapter, chunk, indexed, seen, report)
                done += len(chunk)
                chunk = []
                if progress:
                    progress(done, total)
        _repair(backend, adapter, chunk, indexed, seen, report)
        done += len(chunk)
        extra = sorted(set(indexed) - seen)
        if extra:
            report.removed += backend.delete(extra)
            report.removed_keys.extend(extra[:REPORTED_KEYS])
    if progress:
        progress(done, total)
    if report.repaired or report.removed:
        logger.warning(
            "Search reconciliation repaired %s and removed %s documents (e.g. %s)",
            report.repaired,
            report.removed,
            ", ".join((report.repaired_keys + report.removed_keys)[:10]),
        )
    return report


def _repair(backend, adapter, objects, indexed, seen, report: ReconcileReport) -> None:
    """Build the documents of ``objects`` and write again those the index lacks or
    holds differently."""
    stale = []
    for _obj, document in adapter.documents(objects):
        if document is None:
            continue
        report.checked += 1
        seen.add(document.key)
        if indexed.get(document.key) != document.fingerprint():
            stale.append(document)
    if stale:
        backend.index(stale)
        report.repaired += len(stale)
        room = REPORTED_KEYS - len(report.repaired_keys)
        report.repaired_keys.extend(d.key for d in stale[: max(room, 0)])


__all__ = [
    "BackendUnavailable",
    "enqueue",
    "pending_count",
    "process",
    "reconcile",
    "reindex",
]
