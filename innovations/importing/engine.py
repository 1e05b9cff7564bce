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

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from search.indexing import enqueue

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
from .duplicates import find_duplicates
from .mapping import Mapping
from .pages import Codes, comparable_values, create_projects, imported_values, replace_relations
from .records import Prepared, ProjectData, Referential, prepare

logger = logging.getLogger(__name__)
BATCH = 500
PREVIEW_SIZE = 20


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
    prepared = prepare(mapping, records, Referential())
    existing = _existing(source)
    new = [p for p in prepared.projects if p.key not in existing]
    changed = [
        p
        for p in prepared.projects
        if p.key in existing
        and (existing[p.key]["content_hash"] != p.content_hash or not existing[p.key]["present"])
    ]
    outcome = Outcome(unchanged=len(prepared.projects) - len(new) - len(changed))
    seen = {p.key for p in prepared.projects}
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
                enqueue(kind="project", object_ids=[p.pk for p in pages])
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
            enqueue(kind="project", object_ids=updated)
        outcome.updated.extend(updated)
        outcome.conflicts += conflicts
        _advance(run, len(batch), updated=len(batch), conflicts=conflicts, progress=progress)
    if complete_feed and gone:
        _unpublish(gone, outcome)
    run.unpublished = len(outcome.unpublished)
    outcome.duplicates = find_duplicates(project_ids=outcome.created)
    run.duplicates = outcome.duplicates
    run.save(update_fields=["unpublished", "duplicates"])
    return outcome


def _advance(run: ImportRun, count: int, *, progress, created=0, updated=0, conflicts=0) -> None:
    run.processed += count
    run.created += created
    run.updated += updated
    run.conflicts += conflicts
    ImportRun.objects.filter(pk=run.pk).update(
        processed=run.processed, created=run.created, updated=run.updated, conflicts=run.conflicts
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
    page.save(update_fields=changed, clean=False)
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
        result = read()
        run.file_info = {
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
