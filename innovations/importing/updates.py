"""Updating projects a partner already listed: field by field, never overwriting a
local edit silently (conflicts for editors), holding records whose identifier was
reused, unpublishing records that left a complete list, and sending projects of
untrusted sources to moderation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cms.blocks import stream_from_text, stream_text

from ..models import ImportConflict, ImportRun, ProjectPage, ProjectSourceRecord
from ..models.imports import HeldStatus, ImportHeldRecord
from .mapping import Mapping
from .pages import Codes, comparable_values, imported_values, replace_relations
from .records import ProjectData


def send_to_moderation(pages: list[ProjectPage]) -> None:
    """Projects of a source that is not trusted wait for a moderator, like a proposal."""
    for page in pages:
        with transaction.atomic():
            page = ProjectPage.objects.get(pk=page.pk)
            page.save_revision(clean=False, log_action=False)
            workflow = page.get_workflow()
            if workflow is not None:
                workflow.start(page, None)


def _locally_edited(name: str, current, last: dict, page: ProjectPage) -> bool:
    if name not in last or current == last[name]:
        return False
    # A description recorded before they were compared with their links and lists
    # (as plain text then): the same text is no local edit.
    return not (name == "description" and last[name] == " ".join(stream_text(page.body).split()))


def update_batch(*, source, run, mapping: Mapping, batch: list[ProjectData], codes: Codes):
    """Update the projects of ``batch`` (records of ``source`` already imported);
    returns (ids of the projects changed, number of conflicts recorded)."""
    records = {
        r.source_identifier: r
        for r in ProjectSourceRecord.objects.filter(
            source=source, source_identifier__in=[d.key for d in batch]
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
            locally_edited = _locally_edited(name, current.get(name), last, page)
            if locally_edited and mapping.policy(name) == "local":
                kept[name] = new  # never silently overwritten: an editor decides
                continue
            apply_fields.add(name)
        for name, partner_value in kept.items():
            ImportConflict.objects.create(
                project=page,
                source=source,
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
        page.body = stream_from_text(data.values["description"])
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


def unpublish_gone(gone: list[dict], outcome) -> None:
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


def hold_records(*, run: ImportRun, held: list[ProjectData], reused: dict) -> int:
    """Keep each « identifiant réutilisé » for an editor's decision: one pending
    decision per identifier (a later run refreshes it)."""
    for data in held:
        info = reused[data.key]
        ImportHeldRecord.objects.update_or_create(
            source=run.source,
            source_identifier=data.key,
            status=HeldStatus.PENDING,
            defaults={
                "run": run,
                "project_id": info["project_id"],
                "current_title": info["title"][:255],
                "current_structure": info["structure"][:200],
                "partner_title": info["new_title"][:255],
                "partner_structure": info["new_structure"][:200],
                "data": {
                    "key": data.key,
                    "rows": data.rows,
                    "values": data.values,
                    "locations": data.locations,
                    "content_hash": data.content_hash,
                },
            },
        )
    return len(held)
