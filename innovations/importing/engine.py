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
    ImportConflict,
    ImportRowError,
    ImportRun,
    ProjectPage,
    ProjectSourceRecord,
    RunStatus,
    Trust,
)
from ..services.projects import description_to_blocks, project_index
from .coordinates import in_france
from .duplicates import find_duplicates
from .geocoding import CentroidGeocoder, NoGeocoder, geocoder_from_settings
from .mapping import Mapping
from .pages import Codes, comparable_values, create_projects, imported_values, replace_relations
from .records import Prepared, ProjectData, Referential, prepare

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
    seen = {p.key for p in prepared.projects} | skipped
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
    for batches, start in enumerate(range(0, len(new), BATCH), start=1):
        batch = new[start : start + BATCH]
        with transaction.atomic():
            pages = create_projects(
                index=index, source=source, projects=batch, live=live, codes=codes
            )
            if live:
                enqueue(kind="project", object_ids=[p.pk for p in pages], defer=True)
        if not live:
            _send_to_moderation(pages)
        outcome.created.extend(p.pk for p in pages)
        _advance(run, len(batch), created=len(batch), progress=progress)
        if fail_after_batches is not None and batches >= fail_after_batches:
            raise RuntimeError("Panne simulée pendant l'import (test).")
    for start in range(0, len(changed), BATCH):
        batch = changed[start : start + BATCH]
        with transaction.atomic():
            updated, conflicts = _update(run, mapping, batch, existing, codes)
            enqueue(kind="project", object_ids=updated, defer=True)
        outcome.updated.extend(updated)
        outcome.conflicts += conflicts
        # Records whose new values were already those of the project (a changed
        # mapping, say) count as unchanged.
        run.unchanged += len(batch) - len(updated)
        outcome.unchanged += len(batch) - len(updated)
        _advance(run, len(batch), updated=len(updated), conflicts=conflicts, progress=progress)
    if complete_feed and gone:
        _unpublish(gone, outcome)
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


def _send_to_moderation(pages: list[ProjectPage]) -> None:
    """Projects of a source that is not trusted wait for a moderator, like a proposal."""
    for page in pages:
        with transaction.atomic():
            page = ProjectPage.objects.get(pk=page.pk)
            page.save_revision(clean=False, log_action=False)
            workflow = page.get_workflow()
            if workflow is not None:
                workflow.start(page, None)


def _update(run, mapping: Mapping, batch: list[ProjectData], existing: dict, codes: Codes):
    records = {
        r.source_identifier: r
        for r in ProjectSourceRecord.objects.filter(
            source=run.source, source_identifier__in=[d.key for d in batch]
        )
    }
    pages = ProjectPage.objects.filter(
        pk__in=[r.project_id for r in records.values()]
    ).prefetch_related(
        "themes", "publics", "methods", "tagged_items__tag", "links", "locations__territory"
    )
    by_id = {page.pk: page for page in pages}
    now = timezone.now()
    updated, conflicts = [], 0
    for data in batch:
        record = records[data.key]
        page = by_id.get(record.project_id)
        new_values = imported_values(data)
        if page is None:
            continue
        current = comparable_values(page)
        last = record.imported_values or {}
        apply_fields, kept = set(), {}
        for name, new in new_values.items():
            if name in last and new == last[name]:
                continue  # the partner did not change this field
            if current.get(name) == new:
                continue  # already so
            locally_edited = name in last and current.get(name) != last[name]
            if locally_edited and mapping.policy(name) == "local":
                kept[name] = new  # never silently overwritten: an editor decides
                continue
            apply_fields.add(name)
        for name, partner_value in kept.items():
            ImportConflict.objects.create(
                project=page,
                source=run.source,
                run=run,
                field=name,
                local_value=current.get(name),
                partner_value=partner_value,
            )
        conflicts += len(kept)
        if apply_fields:
            apply_partner_values(page, data, apply_fields, codes, now)
            updated.append(page.pk)
        if not record.present and not page.live and page.first_published_at:
            # Back in the feed after an import unpublished it: online again.
            revision = page.latest_revision or page.save_revision(clean=False, log_action=False)
            revision.publish(log_action=False, skip_permission_checks=True)
            if page.pk not in updated:
                updated.append(page.pk)
        record.content_hash = data.content_hash
        record.imported_values = new_values
        record.present = True
        record.last_seen_at = now
        if data.values.get("source_url"):
            record.source_url = data.values["source_url"]
        record.save(
            update_fields=[
                "content_hash",
                "imported_values",
                "present",
                "last_seen_at",
                "source_url",
            ]
        )
    return updated, conflicts


def apply_partner_values(
    page: ProjectPage, data: ProjectData, fields: set[str], codes: Codes, now
) -> None:
    """Write the partner's new values of ``fields`` on the live project."""
    from .pages import SCALAR_FIELDS

    changed = []
    for name in SCALAR_FIELDS:
        if name in fields:
            setattr(page, name, data.values[name] if data.values[name] is not None else None)
            changed.append(name)
    if "title" in fields:
        page.draft_title = page.title
        changed.append("draft_title")
    if "description" in fields:
        page.body = description_to_blocks(data.values["description"])
        changed.append("body")
    page.last_published_at = now
    changed.append("last_published_at")
    # A queryset update, not page.save(): no per-page signals (Wagtail's admin index
    # and reference index tasks cost more than the update); the Carrefour's search
    # index is refreshed in bulk by the run.
    ProjectPage.objects.filter(pk=page.pk).update(**{name: getattr(page, name) for name in changed})
    replace_relations(page, data, fields, codes)
    if page.latest_revision_id:
        # Keep the latest revision in step, or a later edit would start from an
        # older version and undo the partner's update.
        revision = page.save_revision(clean=False, log_action=False)
        ProjectPage.objects.filter(pk=page.pk).update(live_revision=revision)


def _unpublish(gone: list[dict], outcome: Outcome) -> None:
    ids = [r["project_id"] for r in gone]
    ProjectSourceRecord.objects.filter(pk__in=[r["id"] for r in gone]).update(present=False)
    for page in ProjectPage.objects.filter(pk__in=ids, live=True):
        still_listed = page.source_records.filter(present=True).exists()
        if page.owner_id is not None or still_listed:
            # Claimed by its team, or still listed by another partner: stays online.
            outcome.kept_claimed.append(page.pk)
            continue
        page.unpublish(log_action=False)
        outcome.unpublished.append(page.pk)


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
