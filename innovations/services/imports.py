"""Partner imports: start a run (file or feed), execute it, mappings as files,
conflicts and API keys. Admin views, commands and the background task call these."""

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

from ..importing import engine
from ..importing.mapping import MappingError, compile_mapping
from ..importing.readers import ImportFileError, read_bytes, read_http_json, read_path
from ..importing.updates import apply_partner_values
from ..models import (
    ConflictResolution,
    ImportConflict,
    ImportRun,
    PartnerApiKey,
    ProjectPage,
    RunStatus,
    Source,
)
from ..permissions import is_editor

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportPermissionDenied(PermissionDenied):
    """Only editors run imports and decide on conflicts."""


def _require_editor(user) -> None:
    if user is not None and not is_editor(user):
        raise ImportPermissionDenied(_("Seuls les éditeurs lancent des imports."))


def import_run_create(
    *, source: Source, user, upload: UploadedFile | None = None, dry_run: bool = False
) -> ImportRun:
    """Record a run to execute (now or by the background task): an uploaded file, or
    the source's feed when there is no file."""
    _require_editor(user)
    try:
        compile_mapping(source.mapping)
    except MappingError as exc:
        raise ValidationError(_("Correspondance invalide : %(error)s") % {"error": exc}) from None
    if upload is None and not source.feed_url:
        raise ValidationError(_("Envoyez un fichier, ou indiquez l'adresse du flux de la source."))
    if upload is not None and upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Le fichier dépasse 200 Mo."))
    run = ImportRun(source=source, dry_run=dry_run, triggered_by=user, from_feed=upload is None)
    if upload is not None:
        run.filename = Path(upload.name).name[:255]
        run.file.save(run.filename, upload, save=False)
    run.save()
    return run


def _reader(run: ImportRun):
    source = run.source
    if run.file:

        def read():
            with run.file.open("rb") as handle:
                return read_bytes(handle.read(), filename=run.filename)

        return read
    if source.feed_format in ("", "json"):
        return lambda: read_http_json(
            source.feed_url,
            items_path=source.feed_items_path or None,
            next_path=source.feed_next_path or None,
            page_param=source.feed_page_param or None,
        )

    def download():
        import requests

        try:
            response = requests.get(source.feed_url, timeout=60)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise ImportFileError(
                _("Le flux du partenaire ne répond pas (%(error)s).") % {"error": exc}
            ) from None
        return read_bytes(response.content, filename=source.feed_url, format=source.feed_format)

    return download


def import_run_execute(*, run: ImportRun, progress=None, fail_after_batches=None) -> ImportRun:
    """Execute a pending run: read, map, validate, write; its report is kept on it."""
    if run.status not in (RunStatus.PENDING, RunStatus.FAILED):
        return run
    try:
        mapping = compile_mapping(run.source.mapping)
    except MappingError as exc:
        run.status, run.message = RunStatus.FAILED, str(exc)
        run.finished_at = timezone.now()
        run.save()
        return run
    return engine.run_import(
        run=run,
        mapping=mapping,
        read=_reader(run),
        progress=progress,
        fail_after_batches=fail_after_batches,
    )


def import_file(
    *, source: Source, path: Path, dry_run: bool = False, progress=None, user=None
) -> ImportRun:
    """Command-line import of a local file (no upload copy kept)."""
    _require_editor(user)
    mapping = compile_mapping(source.mapping)
    run = ImportRun.objects.create(
        source=source, dry_run=dry_run, filename=path.name[:255], triggered_by=user
    )
    return engine.run_import(
        run=run, mapping=mapping, read=lambda: read_path(path), progress=progress
    )


def import_run_enqueue(*, run: ImportRun) -> None:
    """Execute in the background (django-tasks) once the run is committed."""
    from ..tasks import run_import_task

    transaction.on_commit(lambda: run_import_task.enqueue(run.pk))


def import_runs_for_feeds(*, user=None) -> list[ImportRun]:
    """Scheduled syncs: one run per active source with a feed (cron)."""
    runs = []
    for source in Source.objects.filter(active=True).exclude(feed_url=""):
        try:
            run = import_run_create(source=source, user=user)
        except ValidationError:
            continue
        runs.append(import_run_execute(run=run))
    return runs


def run_summary(*, run: ImportRun) -> str:
    """One line for a run's report (commands, logs)."""
    label = _("Essai à blanc") if run.dry_run else _("Import")
    return _(
        "%(label)s — %(source)s : %(status)s. %(created)s créés, %(updated)s mis à jour, "
        "%(unchanged)s inchangés, %(unpublished)s dépubliés, %(rejected)s lignes rejetées, "
        "%(skipped)s ignorées, %(conflicts)s conflits, %(duplicates)s doublons probables."
    ) % {
        "label": label,
        "source": run.source.slug,
        "status": run.get_status_display(),
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "unpublished": run.unpublished,
        "rejected": run.rejected,
        "skipped": run.skipped,
        "conflicts": run.conflicts,
        "duplicates": run.duplicates,
    }


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
