"""Running an import: read, map, validate, then write in batches.

- Dry run: everything up to the writes; the run keeps a preview (the first mapped
  projects, what would happen) and every rejected row.
- Identity: (source, key). Unchanged records (same content hash) are not touched;
  new ones are created in bulk; changed ones are updated field by field, never
  overwriting a field edited on the Carrefour unless the mapping's policy says the
  partner wins (otherwise the difference is recorded as a conflict for editors).
- Each batch is one transaction: a crash leaves whole batches only, and the next
  run carries on (what was written is then « unchanged »).
- Records that left a complete feed are unpublished (kept when someone claimed
  the project) and reported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from search.indexing import enqueue, process

from ..models import (
    ImportRowError,
    ImportRun,
    ProjectSourceRecord,
    RunStatus,
    Trust,
)
from ..services.projects import project_index
from .coordinates import in_france
from .duplicates import find_duplicates
from .geocoding import CentroidGeocoder, NoGeocoder, geocoder_from_settings
from .mapping import Mapping
from .pages import Codes, create_projects
from .records import Prepared, ProjectData, Referential, prepare
from .updates import send_to_moderation, unpublish_gone, update_batch

logger = logging.getLogger(__name__)
BATCH = 500
PREVIEW_SIZE = 20
INDEX_CHUNK = 1000


@dataclass
class Outcome:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    unpublished: list[int] = field(default_factory=list)
    kept_claimed: list[int] = field(default_factory=list)
    conflicts: int = 0
    duplicates: int = 0


Progress = Callable[[int, int], None]


def _preview(prepared: Prepared, existing: dict) -> list[dict]:
    preview = []
    for data in prepared.projects[:PREVIEW_SIZE]:
        record = existing.get(data.key)
        if record is None:
            action = "create"
        elif record["content_hash"] == data.content_hash and record["present"]:
            action = "unchanged"
        else:
            action = "update"
        preview.append(
            {
                "key": data.key,
                "rows": data.rows,
                "action": action,
                "title": data.values["title"],
                "summary": data.values["summary"],
                "themes": data.values["themes"],
                "locations": [loc["territory"] for loc in data.locations],
                "website": data.values["website"],
            }
        )
    return preview


def _geocode(projects: list[ProjectData]) -> None:
    """Places with an address but no coordinates: ask the geocoder of the settings
    (the national address service in production, cached and rate-limited). Offline
    (``GEOCODER=centroid``) nothing is asked: such a place is shown at the centre of
    its commune or département, as every place without coordinates."""
    geocoder = geocoder_from_settings(centroid_lookup=lambda code: None)
    if isinstance(geocoder, (NoGeocoder, CentroidGeocoder)):
        return
    for data in projects:
        for location in data.locations:
            if location["latitude"] is not None or not location["address"]:
                continue
            level, _sep, code = location["territory"].partition(":")
            found = geocoder.geocode(
                address=location["address"], citycode=code if level == "commune" else ""
            )
            if found is not None and in_france(found.latitude, found.longitude):
                location["latitude"] = round(found.latitude, 6)
                location["longitude"] = round(found.longitude, 6)


def _raw_hashes(mapping: Mapping, records) -> dict[str, str]:
    """Per record key: a digest of the mapping and of every row with that key."""
    rows: dict[str, list] = {}
    for record in records:
        rows.setdefault(mapping.key_of(record.data), []).append(record.data)
    return {
        key: hashlib.sha256(
            (
                mapping.fingerprint
                + json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
            ).encode()
        ).hexdigest()[:32]
        for key, data in rows.items()
        if key
    }


def _existing(source) -> dict[str, dict]:
    return {
        row["source_identifier"]: row
        for row in ProjectSourceRecord.objects.filter(source=source).values(
            "id", "source_identifier", "project_id", "content_hash", "present"
        )
    }


def execute(
    *,
    run: ImportRun,
    mapping: Mapping,
    records,
    complete_feed: bool = True,
    progress: Progress | None = None,
    fail_after_batches: int | None = None,
) -> Outcome:
    """Import ``records`` (from a reader) into ``run.source`` following ``mapping``.

    ``fail_after_batches`` makes the run crash after that many committed batches
    (tests prove a crash leaves no half-written batch).
    """
    source = run.source
    clock = time.perf_counter()
    existing = _existing(source)
    raw = _raw_hashes(mapping, records)
    # A record whose rows and mapping are those of the last import is unchanged: it
    # is neither mapped nor validated again (re-imports of large feeds stay fast).
    # A dry run reads everything, for its preview.
    skipped = (
        set()
        if run.dry_run
        else {
            key
            for key, digest in raw.items()
            if key in existing
            and existing[key]["present"]
            and existing[key]["content_hash"] == digest
        }
    )
    todo = [r for r in records if mapping.key_of(r.data) not in skipped] if skipped else records
    prepared = prepare(mapping, todo, Referential()) if todo else Prepared()
    if not run.dry_run:
        _geocode(prepared.projects)
    with_errors = {e.key for e in prepared.errors}
    for data in prepared.projects:
        # Some rows of this record were rejected: never skip it, so that they are
        # reported again on the next run.
        data.content_hash = raw[data.key] + ("!" if data.key in with_errors else "")
    timings = run.file_info.setdefault("timings", {})
    timings["prepare"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()
    new = [p for p in prepared.projects if p.key not in existing]
    changed = [
        p
        for p in prepared.projects
        if p.key in existing
        and (existing[p.key]["content_hash"] != p.content_hash or not existing[p.key]["present"])
    ]
    outcome = Outcome(unchanged=len(skipped) + len(prepared.projects) - len(new) - len(changed))
    # A record still in the feed but rejected this time stays online as it was.
    seen = {p.key for p in prepared.projects} | skipped | with_errors
    gone = [r for key, r in existing.items() if r["present"] and key not in seen]
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                run=run, row=e.row, key=e.key[:255], field=e.field[:100], reason=e.reason[:500]
            )
            for e in prepared.errors
        ],
        batch_size=1000,
    )
    run.total = len(new) + len(changed)
    run.rejected = len({e.row for e in prepared.errors})
    run.skipped = prepared.skipped
    run.unchanged = outcome.unchanged
    run.preview = _preview(prepared, existing)
    if run.dry_run:
        run.created, run.updated = len(new), len(changed)
        run.unpublished = len(gone) if complete_feed else 0
        run.save()
        return outcome
    run.save()
    codes = Codes.load()
    index = project_index()
    live = source.trust == Trust.DIRECT
    try:
        for batches, start in enumerate(range(0, len(new), BATCH), start=1):
            batch = new[start : start + BATCH]
            with transaction.atomic():
                pages = create_projects(
                    index=index, source=source, projects=batch, live=live, codes=codes
                )
                if live:
                    enqueue(kind="project", object_ids=[p.pk for p in pages], defer=True)
            if not live:
                send_to_moderation(pages)
            outcome.created.extend(p.pk for p in pages)
            _advance(run, len(batch), created=len(batch), progress=progress)
            if fail_after_batches is not None and batches >= fail_after_batches:
                raise RuntimeError("Panne simulée pendant l'import (test).")
        for start in range(0, len(changed), BATCH):
            batch = changed[start : start + BATCH]
            with transaction.atomic():
                updated, conflicts = update_batch(run, mapping, batch, existing, codes)
                enqueue(kind="project", object_ids=updated, defer=True)
            outcome.updated.extend(updated)
            outcome.conflicts += conflicts
            # Records whose new values were already those of the project (a changed
            # mapping, say) count as unchanged.
            run.unchanged += len(batch) - len(updated)
            outcome.unchanged += len(batch) - len(updated)
            _advance(run, len(batch), updated=len(updated), conflicts=conflicts, progress=progress)
    except BaseException:
        # What the committed batches wrote becomes searchable even if the run stops.
        _index(outcome.created + outcome.updated)
        raise
    if complete_feed and gone:
        unpublish_gone(gone, outcome)
    run.unpublished = len(outcome.unpublished)
    outcome.duplicates = find_duplicates(project_ids=outcome.created)
    run.duplicates = outcome.duplicates
    timings["write"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()
    _index(outcome.created + outcome.updated)
    timings["index"] = round(time.perf_counter() - clock, 3)
    run.save(update_fields=["unpublished", "duplicates", "file_info"])
    return outcome


def _index(project_ids: list[int]) -> None:
    """Index the projects written by the run, in bulk, once every batch is committed.
    Their queue rows were written with each batch: if the engine is down, they stay
    queued and ``search_sync`` applies them later."""
    for start in range(0, len(project_ids), INDEX_CHUNK):
        chunk = project_ids[start : start + INDEX_CHUNK]
        try:
            process(items=[("project", str(pk)) for pk in chunk])
        except Exception:
            logger.exception("Indexing imported projects failed; they stay queued")
            return


def _advance(run: ImportRun, count: int, *, progress, created=0, updated=0, conflicts=0) -> None:
    run.processed += count
    run.created += created
    run.updated += updated
    run.conflicts += conflicts
    ImportRun.objects.filter(pk=run.pk).update(
        processed=run.processed,
        created=run.created,
        updated=run.updated,
        unchanged=run.unchanged,
        conflicts=run.conflicts,
    )
    if progress:
        progress(run.processed, run.total)


def run_import(
    *,
    run: ImportRun,
    mapping: Mapping,
    read: Callable[[], object],
    complete_feed: bool = True,
    progress: Progress | None = None,
    fail_after_batches: int | None = None,
) -> ImportRun:
    """The whole run, with its status and report kept on ``run``."""
    from .readers import ImportFileError

    run.status = RunStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        clock = time.perf_counter()
        result = read()
        run.file_info = {
            "timings": {"read": round(time.perf_counter() - clock, 3)},
            "format": result.format,
            "encoding": result.encoding,
            "delimiter": result.delimiter,
            "columns": result.columns[:100],
            "records": len(result.records),
        }
        execute(
            run=run,
            mapping=mapping,
            records=result.records,
            complete_feed=complete_feed,
            progress=progress,
            fail_after_batches=fail_after_batches,
        )
    except ImportFileError as exc:
        run.status = RunStatus.FAILED
        run.message = str(exc)
    except Exception as exc:
        logger.exception("Import %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.message = _(
            "L'import s'est arrêté : %(error)s. Les lots déjà écrits sont complets ; "
            "relancez l'import pour terminer."
        ) % {"error": exc}
    else:
        run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save()
    return run
