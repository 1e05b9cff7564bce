"""Essaimage in partner imports (issue 16): the replication sheet's fields
(``replication_*`` mapping keys) and « Inspiré de » (``inspired_by``), documented
in docs/mappings/README.md.

A bad value is dropped with a warning naming the field, the project kept (as for
every optional field). An import writes a sheet field only while it still holds
what the last import wrote (or nothing): what a team typed is never overwritten.
Lineage references are resolved once every batch is written (a record may name one
further down the file): an identifier of the same source, or the address of a
project on the Carrefour."""

from __future__ import annotations

from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import fold

from ..models import (
    BudgetRange,
    ImportRowError,
    ImportRun,
    LaunchTime,
    MethodLicence,
    ProjectLineage,
    ProjectPage,
    ProjectSourceRecord,
    Readiness,
    ReplicationSheet,
    TeamSize,
)
from ..models.replication import TEXT_MAX

CHOICES = {
    "readiness": Readiness,
    "budget_range": BudgetRange,
    "team_size": TeamSize,
    "time_to_launch": LaunchTime,
    "licence": MethodLicence,
}
TEXTS = ("transferable", "success_conditions", "obstacles", "partners_needed")
PREFIX = "replication_"
WARNING = "warning"  # records.WARNING (records imports this module, not the reverse)
_email = EmailValidator()


def _choice(enum, text: str) -> str | None:
    """A code (« prete ») or its French label (« Prêt à essaimer »), folded."""
    folded = fold(text)
    for value, label in enum.choices:
        if folded in (fold(value), fold(str(label))):
            return value
    return None


def replication_values(raw: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The sheet's values a record maps, and the (field, reason) of those dropped."""
    values, problems = {}, []
    for name, enum in CHOICES.items():
        text = str(raw.get(PREFIX + name) or "").strip()
        if not text:
            continue
        value = _choice(enum, text)
        if value is None:
            problems.append(
                (PREFIX + name, _("valeur inconnue « %(v)s » : ignorée") % {"v": text[:80]})
            )
        else:
            values[name] = value
    for name in TEXTS:
        text = str(raw.get(PREFIX + name) or "").strip()
        if text:
            values[name] = text[:TEXT_MAX]
    name = " ".join(str(raw.get(PREFIX + "contact_name") or "").split())
    if name:
        values["contact_name"] = name[:120]
    email = str(raw.get(PREFIX + "contact_email") or "").strip().lower()
    if email:
        try:
            _email(email)
        except ValidationError:
            problems.append(
                (
                    PREFIX + "contact_email",
                    _("adresse e-mail invalide « %(v)s » : ignorée") % {"v": email[:80]},
                )
            )
        else:
            values["contact_email"] = email
    return values, problems


def write_sheets(*, items: list[tuple[int, dict]]) -> list[int]:
    """Write the imported sheet values of (project id, values) pairs (the caller holds
    the batch's transaction); returns the projects whose sheet changed."""
    items = [(pk, values) for pk, values in items if values]
    if not items:
        return []
    sheets = {
        s.project_id: s
        for s in ReplicationSheet.objects.select_for_update().filter(
            project_id__in=[pk for pk, _v in items]
        )
    }
    changed = []
    now = timezone.now()
    for pk, values in items:
        sheet = sheets.get(pk) or ReplicationSheet(project_id=pk)
        last = dict(sheet.imported_values or {})
        touched = False
        for name, value in values.items():
            current = getattr(sheet, name)
            if current and current != last.get(name):
                continue  # edited on the Carrefour since: the team's value stays
            if current != value:
                setattr(sheet, name, value)
                touched = True
            last[name] = value
        if touched or last != sheet.imported_values:
            sheet.imported_values = last
            sheet.updated_at = now
            sheet.save()
            if touched:
                changed.append(pk)
    return changed


def _by_address(refs: list[str]) -> dict[str, int]:
    """Addresses of Carrefour projects (« https://…/projets/<slug>/ »): every
    project is a child of the one « Projets » page, so its slug names it."""
    slugs = {}
    for ref in refs:
        parsed = urlparse(ref)
        parts = [part for part in parsed.path.split("/") if part]
        if parsed.scheme in ("http", "https") and len(parts) >= 2:
            slugs[ref] = parts[-1]
    if not slugs:
        return {}
    found = dict(ProjectPage.objects.filter(slug__in=set(slugs.values())).values_list("slug", "pk"))
    return {ref: found[slug] for ref, slug in slugs.items() if slug in found}


def write_lineage(*, source, links: dict[str, list[str]]) -> tuple[int, list[tuple[str, str]]]:
    """Declare the « Inspiré de » of the source's records ``links`` (record key →
    references); the links this source declared before and no longer lists are
    removed. Returns (links created, (key, unresolved reference) pairs)."""
    if not links:
        return 0, []
    keys = set(links) | {ref for refs in links.values() for ref in refs}
    ids = dict(
        ProjectSourceRecord.objects.filter(source=source, source_identifier__in=keys).values_list(
            "source_identifier", "project_id"
        )
    )
    addresses = _by_address([ref for refs in links.values() for ref in refs if ref not in ids])
    created, unresolved = 0, []
    with transaction.atomic():
        for key, refs in links.items():
            replication = ids.get(key)
            if replication is None:
                continue
            wanted = set()
            for ref in refs:
                original = ids.get(ref) or addresses.get(ref)
                if original is None:
                    unresolved.append((key, ref))
                elif original != replication:
                    wanted.add(original)
            existing = set(
                ProjectLineage.objects.filter(replication_id=replication).values_list(
                    "original_id", flat=True
                )
            )
            ProjectLineage.objects.filter(replication_id=replication, source=source).exclude(
                original_id__in=wanted
            ).delete()
            new = [
                ProjectLineage(original_id=o, replication_id=replication, source=source)
                for o in sorted(wanted - existing)
            ]
            ProjectLineage.objects.bulk_create(new, ignore_conflicts=True)
            created += len(new)
    return created, unresolved


def sheet_items(source, batch: list) -> list[tuple[int, dict]]:
    wanted = {d.key: d.values["replication"] for d in batch if d.values.get("replication")}
    if not wanted:
        return []
    ids = ProjectSourceRecord.objects.filter(
        source=source, source_identifier__in=list(wanted)
    ).values_list("source_identifier", "project_id")
    return [(pk, wanted[key]) for key, pk in ids]


def lineage_for_run(run: ImportRun, projects: list) -> None:
    """« Inspiré de » once every batch is written; an unknown reference is a warning."""
    links = {d.key: d.values.get("inspired_by", []) for d in projects}
    if not any(links.values()) and not ProjectLineage.objects.filter(source=run.source).exists():
        return
    _created, unresolved = write_lineage(source=run.source, links=links)
    rows = {d.key: d.rows[0] if d.rows else 0 for d in projects}
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                run=run,
                row=rows.get(key, 0),
                key=key[:255],
                field="inspired_by",
                reason=(
                    _("projet d'origine introuvable « %(ref)s » : filiation ignorée") % {"ref": ref}
                )[:500],
                severity=WARNING,
            )
            for key, ref in unresolved
        ]
    )
    if unresolved:
        run.warnings += len(unresolved)
        ImportRun.objects.filter(pk=run.pk).update(warnings=run.warnings)
