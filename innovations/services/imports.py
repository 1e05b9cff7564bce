"""Partner imports: start a run (file or feed), mappings as files, conflicts and API
keys. Admin views and commands call these. Executing a run, now or in the background,
is innovations/services/import_runs.py (re-exported here): the background task calls
it, so it imports nothing of this module (issue 11: no services ↔ tasks circle)."""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..importing import engine
from ..importing.mapping import MappingError, compile_mapping
from ..importing.readers import read_path
from ..importing.updates import apply_partner_values
from ..models import (
    ConflictResolution,
    ImportConflict,
    ImportRun,
    PartnerApiKey,
    ProjectPage,
    ProjectSourceRecord,
    RunStatus,
    Source,
    Trust,
)
from ..models.imports import HeldStatus, ImportHeldRecord
from ..permissions import is_editor

# import_run_enqueue is re-exported: the admin and the commands call it from here.
from .import_runs import import_run_enqueue, import_run_execute  # noqa: F401

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportPermissionDenied(PermissionDenied):
    """Only editors run imports and decide on conflicts."""


def _require_editor(user) -> None:
    if user is not None and not is_editor(user):
        raise ImportPermissionDenied(_("Seuls les éditeurs lancent des imports."))


def import_run_create(
    *,
    source: Source,
    user,
    upload: UploadedFile | None = None,
    dry_run: bool = False,
    complete: bool = False,
    confirmed: bool = False,
) -> ImportRun:
    """Record a run to execute (now or by the background task): an uploaded file, or
    the source's feed when there is no file.

    An uploaded file adds and updates only, unless ``complete`` (the editor says it
    is the source's whole list: the projects it lacks are unpublished); a feed is
    complete by definition. ``confirmed``: the editor accepts the unpublications
    and identity changes past ``IMPORT_UNPUBLISH_MAX_SHARE`` (otherwise such a run
    stops before writing and waits for a confirmation)."""
    _require_editor(user)
    try:
        compile_mapping(source.mapping)
    except MappingError as exc:
        raise ValidationError(_("Correspondance invalide : %(error)s") % {"error": exc}) from None
    if upload is None and not source.feed_url:
        raise ValidationError(_("Envoyez un fichier, ou indiquez l'adresse du flux de la source."))
    if upload is not None and upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Le fichier dépasse 200 Mo."))
    run = ImportRun(
        source=source,
        dry_run=dry_run,
        triggered_by=user,
        from_feed=upload is None,
        complete=complete or upload is None,
        confirmed=confirmed,
    )
    if upload is not None:
        run.filename = Path(upload.name).name[:255]
        run.file.save(run.filename, upload, save=False)
    run.save()
    return run


def import_run_again(*, run: ImportRun, user, confirmed: bool = False) -> ImportRun:
    """After a dry run, or a run stopped for confirmation: the same file (or feed),
    with the same « complete » choice, for real."""
    _require_editor(user)
    if not (run.dry_run or run.status == RunStatus.CONFIRM):
        raise ValidationError(_("Seul un essai à blanc ou un import à confirmer se relance ici."))
    if run.plan.get("needs_confirmation") and not confirmed:
        raise ValidationError(
            _(
                "Cet import dépublierait ou modifierait trop de projets de la source : "
                "cochez la confirmation après avoir vérifié la liste."
            )
        )
    return ImportRun.objects.create(
        source=run.source,
        dry_run=False,
        file=run.file.name if run.file else "",
        filename=run.filename,
        from_feed=run.from_feed,
        complete=run.complete,
        confirmed=confirmed,
        triggered_by=user,
    )


def import_file(
    *,
    source: Source,
    path: Path,
    dry_run: bool = False,
    complete: bool = False,
    confirmed: bool = False,
    progress=None,
    user=None,
) -> ImportRun:
    """Command-line import of a local file (no upload copy kept). Like an upload, it
    adds and updates only unless ``complete``; see ``import_run_create``."""
    _require_editor(user)
    mapping = compile_mapping(source.mapping)
    run = ImportRun.objects.create(
        source=source,
        dry_run=dry_run,
        filename=path.name[:255],
        triggered_by=user,
        complete=complete,
        confirmed=confirmed,
    )
    return engine.run_import(
        run=run, mapping=mapping, read=lambda: read_path(path), progress=progress
    )


def import_runs_for_feeds(*, user=None) -> list[ImportRun]:
    """Scheduled syncs: one run per active source with a feed (cron). A feed is the
    source's complete list; a sync that would unpublish or re-identify too many
    projects stops and waits for an editor (never confirmed from cron)."""
    runs = []
    for source in Source.objects.filter(active=True).exclude(feed_url=""):
        try:
            run = import_run_create(source=source, user=user)
        except ValidationError:
            continue
        runs.append(import_run_execute(run=run))
    return runs


def run_summary(*, run: ImportRun) -> str:
    """One line for a run's report (commands, logs): the records read and what
    became of each, so that the figures add up."""
    # A context: Wagtail's French catalogue turns a bare « Import » into « Importer ».
    label = _("Essai à blanc") if run.dry_run else pgettext("résumé d'un import", "Import")
    return _(
        "%(label)s — %(source)s : %(status)s. %(read)s enregistrements lus = %(created)s "
        "créés + %(updated)s mis à jour + %(unchanged)s inchangés + %(held)s retenus "
        "(identifiant réutilisé) + %(merged)s lignes regroupées + %(rejected)s lignes "
        "rejetées + %(skipped)s ignorées. %(warnings)s avertissements, %(unpublished)s "
        "dépubliés, %(conflicts)s conflits, %(duplicates)s doublons probables."
    ) % {
        "label": label,
        "source": run.source.slug,
        "status": run.get_status_display(),
        "read": run.records_read,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "held": run.held,
        "merged": run.merged,
        "rejected": run.rejected,
        "skipped": run.skipped,
        "warnings": run.warnings,
        "unpublished": run.unpublished,
        "conflicts": run.conflicts,
        "duplicates": run.duplicates,
    }


def run_plan_lines(*, run: ImportRun) -> list[str]:
    """The projects a run unpublishes, holds or finds folded, one line each (the
    command line prints them; the admin shows them with links)."""
    plan = run.plan or {}
    lines = []
    for item in plan.get("unpublish", []):
        lines.append(
            _("à dépublier : « %(title)s » (identifiant %(key)s, projet %(id)s)")
            % {"title": item["title"], "key": item["key"], "id": item["project_id"]}
        )
    for item in plan.get("reused", []):
        lines.append(
            _(
                "identifiant réutilisé %(key)s : « %(old)s » (%(old_org)s) deviendrait "
                "« %(new)s » (%(new_org)s) — retenu"
            )
            % {
                "key": item["key"],
                "old": item["title"],
                "old_org": item["structure"] or "—",
                "new": item["new_title"],
                "new_org": item["new_structure"] or "—",
            }
        )
    for item in plan.get("folded", []):
        lines.append(
            _("l'identifiant %(key)s regroupe %(count)s projets différents : %(titles)s")
            % {
                "key": item["key"],
                "count": len(item["titles"]),
                "titles": " ; ".join(f"« {t} »" for t in item["titles"][:10]),
            }
        )
    return lines


# --- mappings as files ------------------------------------------------------------------


def mapping_export(*, source: Source, format: str = "yaml") -> str:
    if format == "json":
        return json.dumps(source.mapping, ensure_ascii=False, indent=2)
    return yaml.safe_dump(source.mapping, allow_unicode=True, sort_keys=False)


def mapping_parse(text: str) -> dict:
    """YAML (or JSON, which is YAML) to a checked mapping; ValidationError in French."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (ligne {where.line + 1})" if where else ""
        raise ValidationError(_("Fichier YAML illisible%(line)s.") % {"line": line}) from None
    try:
        compile_mapping(data)
    except MappingError as exc:
        raise ValidationError(str(exc)) from None
    return data


def mapping_update(*, source: Source, text: str, user) -> Source:
    _require_editor(user)
    source.mapping = mapping_parse(text)
    source.save(update_fields=["mapping"])
    return source


# --- conflicts ------------------------------------------------------------------------------


def conflict_resolve(*, conflict: ImportConflict, apply_partner: bool, user) -> ImportConflict:
    """Keep the Carrefour's value, or apply the partner's (then the project changes)."""
    _require_editor(user)
    from ..importing.pages import Codes
    from ..importing.records import ProjectData

    with transaction.atomic():
        conflict = ImportConflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.resolution != ConflictResolution.PENDING:
            return conflict
        if apply_partner:
            page = ProjectPage.objects.get(pk=conflict.project_id)
            values = {conflict.field: conflict.partner_value}
            if conflict.field == "locations":
                raise ValidationError(_("Les lieux se corrigent dans la page du projet."))
            data = ProjectData(key="", rows=[], values=_fill(values), locations=[])
            apply_partner_values(page, data, {conflict.field}, Codes.load(), timezone.now())
            from search.indexing import enqueue

            enqueue(kind="project", object_ids=[page.pk])
        conflict.resolution = (
            ConflictResolution.APPLIED_PARTNER if apply_partner else ConflictResolution.KEPT_LOCAL
        )
        conflict.resolved_by = user
        conflict.resolved_at = timezone.now()
        conflict.save()
    return conflict


def held_record_resolve(*, held: ImportHeldRecord, same_project: bool, user) -> ImportHeldRecord:
    """« Identifiant réutilisé » decided by an editor. Same project: the partner's
    record updates it (local edits still kept as conflicts). Another project: it
    becomes a project of its own under the identifier; the old project keeps its
    content and stays as it is, no longer followed by that identifier."""
    _require_editor(user)
    from search.indexing import enqueue

    from ..importing.duplicates import find_duplicates
    from ..importing.pages import Codes, create_projects
    from ..importing.records import ProjectData
    from ..importing.updates import send_to_moderation, update_batch
    from .projects import project_index

    created = []
    with transaction.atomic():
        held = ImportHeldRecord.objects.select_for_update().select_related("source").get(pk=held.pk)
        if held.status != HeldStatus.PENDING:
            return held
        source = held.source
        data = ProjectData(**held.data)
        codes = Codes.load()
        if same_project:
            changed, _conflicts = update_batch(
                source=source,
                run=held.run,
                mapping=compile_mapping(source.mapping),
                batch=[data],
                codes=codes,
            )
        else:
            record = ProjectSourceRecord.objects.get(
                source=source, source_identifier=held.source_identifier
            )
            suffix = _(" (ancien projet %(id)s)") % {"id": record.project_id}
            record.source_identifier = held.source_identifier[: 255 - len(suffix)] + suffix
            record.present = False
            record.save(update_fields=["source_identifier", "present"])
            created = create_projects(
                index=project_index(),
                source=source,
                projects=[data],
                live=source.trust == Trust.DIRECT,
                codes=codes,
            )
            changed = [page.pk for page in created]
        enqueue(kind="project", object_ids=changed)
        held.status = HeldStatus.SAME_PROJECT if same_project else HeldStatus.OTHER_PROJECT
        held.decided_by = user
        held.decided_at = timezone.now()
        held.save(update_fields=["status", "decided_by", "decided_at"])
    if created:
        if source.trust != Trust.DIRECT:
            send_to_moderation(created)
        find_duplicates(project_ids=[page.pk for page in created])
    return held


def _fill(values: dict) -> dict:
    defaults = {
        "title": "",
        "summary": "",
        "description": "",
        "structure_name": "",
        "legal_status": "",
        "siret": "",
        "themes": [],
        "publics": [],
        "methods": [],
        "stage": "",
        "scale": "",
        "year_started": None,
        "tags": [],
        "website": "",
        "links": [],
        "contact_email": "",
    }
    return {**defaults, **values}


# --- partner API keys ---------------------------------------------------------------------


def api_key_create(*, source: Source, name: str, user) -> tuple[PartnerApiKey, str]:
    """A new key for a partner; the clear key is returned once and never stored."""
    _require_editor(user)
    secret = f"cfr_{secrets.token_urlsafe(32)}"
    key = PartnerApiKey.objects.create(
        source=source,
        name=name[:100],
        prefix=secret[:12],
        key_hash=hashlib.sha256(secret.encode()).hexdigest(),
        created_by=user,
    )
    return key, secret


def api_key_revoke(*, key: PartnerApiKey, user) -> None:
    _require_editor(user)
    key.active = False
    key.save(update_fields=["active"])
