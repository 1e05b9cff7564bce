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

from core import page_cache

from .backends import BackendUnavailable, DocumentsRejected, get_backend
from .models import IndexQueue, SearchDeadLetter
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
    adapter = adapters().get(kind)
    if adapter is None or not adapter.frequent:
        # After the index update above (on_commit runs in order): a page rendered
        # in between would be cached under the new generation with the old results.
        # Even when the engine is down the pages change (the database did).
        page_cache.content_changed()


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
        if gone and adapter.frequent:
            page_cache.content_changed()  # a deleted or hidden message leaves cached pages
        retry: dict[str, str] = {}
        try:
            retry = _write(backend, documents=documents, gone=gone, report=report)
        except Exception as exc:  # engine down or refusing: keep the rows, retry later
            report.failed += len(kind_rows)
            report.errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:500])
            _postpone(kind_rows, exc)
            continue
        if retry:
            # The engine failed for these documents only (429, 5xx): the queue's backoff.
            waiting = [row for row in kind_rows if f"{kind}:{row.object_id}" in retry]
            report.failed += len(waiting)
            report.errors.extend(f"{key}: {reason}"[:500] for key, reason in retry.items())
            for row in waiting:
                _postpone([row], DocumentsRejected(written=0, retry={}, rejected={}), retry)
            kind_rows = [row for row in kind_rows if f"{kind}:{row.object_id}" not in retry]
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
    if report.indexed or report.deleted:
        # Deferred updates (bulk imports, search_sync) reach the index here.
        page_cache.content_changed()
    if items is not None and not report.failed:
        # The engine answers: apply what was waiting, a little at a time.
        backlog = IndexQueue.objects.filter(next_attempt_at__lte=now).exclude(
            pk__in=[row.pk for row in rows]
        )
        if backlog.exists():
            process(limit=200)
    return report


def _write(backend, *, documents: list, gone: list[str], report) -> dict[str, str]:
    """Send documents and deletions; record what the engine refused for good in the
    dead-letter list (and clear the list of what it took). Returns the keys the
    engine failed for now (429, 5xx) → reason: they wait in the queue."""
    retry: dict[str, str] = {}
    rejected: dict[str, str] = {}
    try:
        report.indexed += backend.index(documents)
    except DocumentsRejected as exc:
        report.indexed += exc.written
        retry.update(exc.retry)
        rejected.update(exc.rejected)
    try:
        report.deleted += backend.delete(gone)
    except DocumentsRejected as exc:
        report.deleted += exc.written
        retry.update(exc.retry)
        rejected.update(exc.rejected)
    dead_letters_update(
        rejected=rejected,
        written=[d.key for d in documents if d.key not in retry and d.key not in rejected]
        + [key for key in gone if key not in retry and key not in rejected],
    )
    if rejected:
        report.errors.extend(f"{key}: {reason}"[:500] for key, reason in rejected.items())
    return retry


def dead_letters_update(*, rejected: dict[str, str], written: Iterable[str] = ()) -> None:
    """Documents the engine refused as written (mapping, parse: not retried) join the
    dead-letter list with its reason; documents written since leave it."""
    written = list(written)
    for start in range(0, len(written), 500):
        SearchDeadLetter.objects.filter(key__in=written[start : start + 500]).delete()
    now = timezone.now()
    for key, reason in rejected.items():
        kind, _, object_id = key.partition(":")
        logger.error("Search engine refused %s: %s", key, reason)
        updated = SearchDeadLetter.objects.filter(key=key).update(
            reason=reason[:5000], attempts=F("attempts") + 1, last_failed_at=now
        )
        if not updated:
            SearchDeadLetter.objects.create(
                key=key,
                kind=kind,
                object_id=object_id,
                reason=reason[:5000],
                first_failed_at=now,
                last_failed_at=now,
            )


def _postpone(rows: list[IndexQueue], exc: Exception, reasons: dict[str, str] | None = None):
    for row in rows:
        delay = min(timedelta(seconds=30 * 2 ** min(row.attempts, 10)), MAX_BACKOFF)
        error = (reasons or {}).get(f"{row.kind}:{row.object_id}") or f"{type(exc).__name__}: {exc}"
        IndexQueue.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1,
            last_error=error[:1000],
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

    built: list[str] = []

    def tracked():
        for document in documents():
            built.append(document.key)
            yield document

    try:
        written = get_backend().rebuild(
            tracked(),
            kinds=kinds,
            progress=(lambda done: progress(done, total)) if progress else None,
        )
        rejected: dict[str, str] = {}
    except DocumentsRejected as exc:  # the rebuild went through without these
        written, rejected = exc.written, exc.rejected
    dead_letters_update(rejected=rejected, written=[k for k in built if k not in rejected])
    IndexQueue.objects.filter(kind__in=kinds, created_at__lte=started).delete()
    page_cache.content_changed()
    return written


def searchable_count(*, kinds: Iterable[str] | None = None) -> int:
    """How many documents the database gives now (drafts and hidden objects not)."""
    registered = adapters()
    count = 0
    for kind in kinds or registered:
        adapter = registered[kind]
        chunk: list = []
        for obj in adapter.queryset().iterator(chunk_size=500):
            chunk.append(obj)
            if len(chunk) == 500:
                count += sum(1 for _obj, d in adapter.documents(chunk) if d is not None)
                chunk = []
        count += sum(1 for _obj, d in adapter.documents(chunk) if d is not None)
    return count


def index_ensure() -> int | None:
    """Rebuild the index when it is missing, empty, or holds another number of
    documents than the database gives (a new engine, content loaded while the
    engine was elsewhere). Returns how many documents were written, None when the
    index was in step."""
    if get_backend().count() == searchable_count():
        return None
    return reindex()


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
        try:
            report.repaired += backend.index(stale)
            retry, rejected = {}, {}
        except DocumentsRejected as exc:
            report.repaired += exc.written
            retry, rejected = exc.retry, exc.rejected
        dead_letters_update(
            rejected=rejected,
            written=[d.key for d in stale if d.key not in retry and d.key not in rejected],
        )
        for key in retry:  # the engine failed for them now: the queue retries them
            kind, _, object_id = key.partition(":")
            enqueue(kind=kind, object_ids=[object_id], defer=True)
        room = REPORTED_KEYS - len(report.repaired_keys)
        report.repaired_keys.extend(d.key for d in stale[: max(room, 0)])


__all__ = [
    "BackendUnavailable",
    "dead_letters_update",
    "enqueue",
    "index_ensure",
    "pending_count",
    "process",
    "reconcile",
    "reindex",
]
