"""Running an import: read, map, validate, plan, then write in batches.

- Dry run: everything up to the writes; the run keeps a preview (the first mapped
  projects with labels, what would happen), its plan (plan.py: the projects it
  would unpublish, the records it would hold, the keys that fold several
  projects) and every rejected row and warning.
- A mapping that names a column the file lacks stops the run before anything
  (the message lists the file's columns).
- Identity: (source, key). Unchanged records (same content hash) are not touched;
  new ones are created in bulk; changed ones are updated field by field, never
  overwriting a field edited on the Carrefour unless the mapping's policy says the
  partner wins (otherwise the difference is recorded as a conflict for editors);
  a record that no longer describes the project its key points to is held.
- Only a complete list (``run.complete``: feeds, or a file marked complete)
  unpublishes the projects it lacks; past the configured share of the source's
  projects the run stops before writing until an editor confirms.
- Each batch is one transaction: a crash leaves whole batches only, and the next
  run carries on (what was written is then « unchanged »).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.services import JobCancelled
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
from .plan import make_plan, preview, reused_identifiers
from .readers import ImportFileError
from .records import WARNING, Prepared, ProjectData, Referential, prepare
from .replication import lineage_for_run, sheet_items, write_sheets
from .updates import hold_records, send_to_moderation, unpublish_gone, update_batch

logger = logging.getLogger(__name__)
BATCH = 500
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
    held: int = 0


Progress = Callable[[int, int], None]


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


def _raw_rows(mapping: Mapping, records) -> dict[str, list]:
    """Per record key: the rows (their data) with that key."""
    rows: dict[str, list] = {}
    for record in records:
        rows.setdefault(mapping.key_of(record.data), []).append(record.data)
    rows.pop("", None)
    return rows


def _digest(mapping: Mapping, rows: list) -> str:
    """Of the mapping and of every row with one key."""
    return hashlib.sha256(
        (
            mapping.fingerprint + json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
        ).encode()
    ).hexdigest()[:32]


def _existing(source) -> dict[str, dict]:
    return {
        row["source_identifier"]: row
        for row in ProjectSourceRecord.objects.filter(source=source).values(
            "id", "source_identifier", "project_id", "content_hash", "present"
        )
    }


def check_columns(mapping: Mapping, records, columns: list[str] | None = None) -> None:
    """A mapping naming a column the file lacks would silently give empty values
    (« titre manquant » on every row): stop, and say which columns the file has."""
    if not records:
        return
    available = set(columns or [])
    for record in records:
        available.update(record.data)
    missing = mapping.missing_columns(available)
    if missing:
        shown = sorted(c for c in available if not c.startswith("__"))
        raise ImportFileError(
            _(
                "La correspondance nomme des colonnes absentes du fichier : %(missing)s. "
                "Colonnes du fichier : %(columns)s. Corrigez la correspondance (ou le "
                "fichier) : rien n'a été importé."
            )
            % {
                "missing": ", ".join(f"« {c} »" for c in missing),
                "columns": ", ".join(f"« {c} »" for c in shown[:200]),
            }
        )


def execute(
    *,
    run: ImportRun,
    mapping: Mapping,
    records,
    columns: list[str] | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Import ``records`` (from a reader) into ``run.source`` following ``mapping``."""
    source = run.source
    clock = time.perf_counter()
    check_columns(mapping, records, columns)
    existing = _existing(source)
    rows = _raw_rows(mapping, records)
    raw = {key: _digest(mapping, data) for key, data in rows.items()}
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
    # The territories (35 000 communes) are read only when some record is.
    ref = Referential() if todo else None
    prepared = prepare(mapping, todo, ref) if todo else Prepared()
    # The rows of the records not read again, for the run's figures.
    for key in skipped:
        kept_rows = [data for data in rows[key] if not mapping.skips(data)]
        prepared.skipped += len(rows[key]) - len(kept_rows)
        prepared.merged += max(len(kept_rows) - 1, 0)
    flagged = prepared.error_keys
    for data in prepared.projects:
        # Some rows of this record were rejected: never skip it, so that they are
        # reported again on the next run. (Warnings are not: a record read again
        # only for them would slow every re-import; a dry run reads everything.)
        data.content_hash = raw[data.key] + ("!" if data.key in flagged else "")
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
    reused = reused_identifiers(changed, existing)
    held = [p for p in changed if p.key in reused]
    changed = [p for p in changed if p.key not in reused]
    # A record still in the feed but rejected this time stays online as it was.
    seen = {p.key for p in prepared.projects} | skipped | prepared.error_keys
    gone = [r for key, r in existing.items() if r["present"] and key not in seen]
    plan = make_plan(
        prepared=prepared, existing=existing, gone=gone, reused=reused, complete=run.complete
    )
    outcome = Outcome(
        unchanged=len(skipped) + len(prepared.projects) - len(new) - len(changed) - len(held)
    )
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                run=run,
                row=e.row,
                key=e.key[:255],
                field=e.field[:100],
                reason=e.reason[:500],
                severity=e.severity,
            )
            for e in prepared.errors
        ],
        batch_size=1000,
    )
    run.records_read = len(records)
    run.total = len(new) + len(changed)
    run.rejected = len(prepared.rejected_rows)
    run.warnings = sum(1 for e in prepared.errors if e.severity == WARNING)
    run.skipped = prepared.skipped
    run.merged = prepared.merged
    run.unchanged = outcome.unchanged
    run.held = len(held)
    run.plan = plan.as_json()
    run.preview = (
        preview(prepared=prepared, existing=existing, reused=reused, ref=ref)
        if prepared.projects
        else []
    )
    stop = plan.needs_confirmation and not run.confirmed
    if run.dry_run or stop:
        run.created, run.updated = len(new), len(changed)
        run.unpublished = len(plan.unpublish)
        if stop and not run.dry_run:
            run.status = RunStatus.CONFIRM
            run.message = _(
                "Import arrêté avant toute écriture : il toucherait %(changes)s des "
                "%(base)s projets de la source (%(share)s %%, au-delà de %(limit)s %%). "
                "Vérifiez la liste ci-dessous, puis confirmez."
            ) % {
                "changes": plan.changes,
                "base": plan.base,
                "share": run.plan["share_percent"],
                "limit": run.plan["limit_percent"],
            }
        run.save()
        return outcome
    run.save()
    _geocode(prepared.projects)
    codes = Codes.load()
    index = project_index()
    live = source.trust == Trust.DIRECT
    refreshed: list[int] = []
    try:
        for start in range(0, len(new), BATCH):
            batch = new[start : start + BATCH]
            with transaction.atomic():
                pages = create_projects(
                    index=index, source=source, projects=batch, live=live, codes=codes
                )
                write_sheets(
                    items=[
                        (page.pk, data.values.get("replication"))
                        for page, data in zip(pages, batch, strict=True)
                    ]
                )
                if live:
                    enqueue(kind="project", object_ids=[p.pk for p in pages], defer=True)
            if not live:
                send_to_moderation(pages)
            outcome.created.extend(p.pk for p in pages)
            _advance(run, len(batch), created=len(batch), progress=progress)
        for start in range(0, len(changed), BATCH):
            batch = changed[start : start + BATCH]
            with transaction.atomic():
                updated, conflicts = update_batch(
                    source=source, run=run, mapping=mapping, batch=batch, codes=codes
                )
                # A sheet changed alone is no update of the page (the figures say
                # so), but its document must follow (the readiness is a facet).
                sheets = write_sheets(items=sheet_items(source, batch))
                refreshed.extend(pk for pk in sheets if pk not in updated)
                enqueue(kind="project", object_ids=[*updated, *sheets], defer=True)
            outcome.updated.extend(updated)
            outcome.conflicts += conflicts
            # Records whose new values were already those of the project (a changed
            # mapping, say) count as unchanged.
            run.unchanged += len(batch) - len(updated)
            outcome.unchanged += len(batch) - len(updated)
            _advance(run, len(batch), updated=len(updated), conflicts=conflicts, progress=progress)
    except BaseException:
        # What the committed batches wrote becomes searchable even if the run stops.
        _index(outcome.created + outcome.updated + refreshed)
        raise
    lineage_for_run(run, prepared.projects)
    outcome.held = hold_records(run=run, held=held, reused=reused)
    if run.complete and gone:
        unpublish_gone(gone, outcome)
    run.unpublished = len(outcome.unpublished)
    outcome.duplicates = find_duplicates(project_ids=outcome.created)
    run.duplicates = outcome.duplicates
    timings["write"] = round(time.perf_counter() - clock, 3)
    clock = time.perf_counter()
    _index(outcome.created + outcome.updated + refreshed)
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
    progress: Progress | None = None,
    resumable: bool = False,
) -> ImportRun:
    """The whole run, with its status and report kept on ``run``. ``resumable`` (the
    background job): the database going away is not a failure of the run — it stays
    « running » and the error goes up, for the job to be resumed once the database
    answers (jobs/services.py); the batches written are whole transactions."""
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
            columns=result.columns,
            progress=progress,
        )
    except ImportFileError as exc:
        run.status = RunStatus.FAILED
        run.message = str(exc)
    except JobCancelled:
        run.status = RunStatus.CANCELLED
        run.message = _(
            "Import annulé : les lots déjà écrits sont complets (%(count)s enregistrements), "
            "les suivants n'ont pas été lus. Relancez l'import pour terminer."
        ) % {"count": run.processed}
        run.finished_at = timezone.now()
        run.save()
        raise
    except Exception as exc:
        if resumable and isinstance(exc, OperationalError | InterfaceError):
            raise
        logger.exception("Import %s failed", run.pk)
        run.status = RunStatus.FAILED
        run.message = _(
            "L'import s'est arrêté : %(error)s. Les lots déjà écrits sont complets ; "
            "relancez l'import pour terminer."
        ) % {"error": exc}
    else:
        if run.status == RunStatus.RUNNING:
            run.status = RunStatus.DONE
    run.finished_at = timezone.now()
    run.save()
    return run
