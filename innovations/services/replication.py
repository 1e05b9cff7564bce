"""Essaimage (issue 16): the replication sheet of a project, its resources, and the
lineage of projects (« Inspiré de »).

The sheet and the links are saved at once, outside the page's revisions: practical
information for those who copy a project need not wait for a moderation cycle.
Search documents follow through the adapters' dependencies (the sheet's readiness
is a facet); anonymous pages through the page cache (innovations/apps.py)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model
from wagtail.models import Collection

from core.documents import document_check

from ..models import ProjectLineage, ProjectPage, ReplicationResource, ReplicationSheet
from ..models.replication import SHEET_FIELDS
from ..notify import notify_replicated
from ..permissions import ProjectPermissionDenied, project_permissions
from ..selectors.replication import project_visible

MAX_RESOURCES = 12
MAX_ORIGINS = 10


@dataclass
class SheetInput:
    readiness: str = ""
    transferable: str = ""
    success_conditions: str = ""
    obstacles: str = ""
    budget_range: str = ""
    team_size: str = ""
    time_to_launch: str = ""
    partners_needed: str = ""
    licence: str = ""
    contact_name: str = ""
    contact_email: str = ""


def _check_edit(project: ProjectPage, actor) -> None:
    if not project_permissions(project=project, user=actor).edit:
        raise ProjectPermissionDenied(_("Vous ne pouvez pas modifier la fiche de ce projet."))


def sheet_of(project: ProjectPage) -> ReplicationSheet | None:
    try:
        return project.replication_sheet
    except ReplicationSheet.DoesNotExist:
        return None


def replication_sheet_update(*, project: ProjectPage, actor, data: SheetInput) -> ReplicationSheet:
    """Save the team's sheet. A bad value is refused with a French message naming the
    field (``ValidationError.error_dict``); nothing is written then."""
    _check_edit(project, actor)
    with transaction.atomic():
        # Created under the lock (two first saves at once: one sheet); a refusal
        # below rolls the creation back with the rest.
        sheet, _created = ReplicationSheet.objects.select_for_update().get_or_create(
            project=project
        )
        for item in fields(SheetInput):
            value = getattr(data, item.name)
            setattr(sheet, item.name, value.strip() if isinstance(value, str) else value)
        sheet.contact_email = sheet.contact_email.lower()
        sheet.updated_at = timezone.now()
        sheet.updated_by = actor if actor.is_authenticated else None
        sheet.full_clean(exclude=["project"])
        sheet.save()
    return sheet


def replication_requests_pause(*, project: ProjectPage, actor, paused: bool) -> ReplicationSheet:
    """Pause (or resume) « S'en inspirer » requests to the project."""
    _check_edit(project, actor)
    with transaction.atomic():
        sheet, _created = ReplicationSheet.objects.select_for_update().get_or_create(
            project=project
        )
        if sheet.requests_paused != paused:
            sheet.requests_paused = paused
            sheet.updated_at = timezone.now()
            sheet.save(update_fields=["requests_paused", "updated_at"])
    return sheet


def _resource_collection() -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name="Essaimage").first()
    return existing or root.add_child(name="Essaimage")


def replication_resource_add(
    *, project: ProjectPage, actor, title: str, url: str = "", upload: UploadedFile | None = None
) -> ReplicationResource:
    """Add a link or a document (checked: core/documents.py) to the sheet."""
    _check_edit(project, actor)
    title = " ".join((title or "").split())
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Donnez un titre à la ressource.")]
    elif len(title) > 200:
        errors["title"] = [_("Le titre tient en 200 caractères.")]
    if bool(url) == bool(upload):
        errors["url"] = [_("Indiquez une adresse web ou joignez un document (l'un des deux).")]
    extension = ""
    if upload is not None and not errors:
        try:
            extension = document_check(upload, max_bytes=settings.CARREFOUR_DOCUMENT_MAX_BYTES)
        except ValidationError as exc:
            errors["document"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        sheet, _created = ReplicationSheet.objects.select_for_update().get_or_create(
            project=project
        )
        if sheet.resources.count() >= MAX_RESOURCES:
            raise ValidationError(
                {"title": [_("%(n)s ressources au plus par fiche.") % {"n": MAX_RESOURCES}]}
            )
        resource = ReplicationResource(
            sheet=sheet,
            title=title,
            url=url,
            sort_order=sheet.resources.count(),
            added_by=actor,
        )
        if upload is not None:
            document = get_document_model()(
                title=title,
                file=upload,
                collection=_resource_collection(),
                uploaded_by_user=actor,
            )
            document.file.name = f"essaimage-{project.pk}.{extension}"
            document.save()
            resource.document = document
        resource.full_clean(exclude=["sheet", "document"])
        resource.save()
        ReplicationSheet.objects.filter(pk=sheet.pk).update(updated_at=timezone.now())
    return resource


def replication_resource_remove(*, resource: ReplicationResource, actor) -> None:
    _check_edit(resource.sheet.project, actor)
    with transaction.atomic():
        document = resource.document
        resource.delete()
        if document is not None:
            document.delete()


# --- lineage ---------------------------------------------------------------------------


def lineage_add(*, replication: ProjectPage, original: ProjectPage, actor) -> ProjectLineage:
    """``replication``'s team declares that ``original`` inspired it. The original
    must be a published project the actor may see."""
    _check_edit(replication, actor)
    if original.pk == replication.pk:
        raise ValidationError({"original": [_("Un projet ne peut pas s'inspirer de lui-même.")]})
    if not project_visible(project=original, user=actor):
        raise ValidationError({"original": [_("Ce projet n'existe pas ou n'est pas publié.")]})
    if ProjectLineage.objects.filter(original=replication, replication=original).exists():
        raise ValidationError(
            {"original": [_("Ce projet s'inspire déjà du vôtre : la filiation irait en rond.")]}
        )
    if ProjectLineage.objects.filter(replication=replication).count() >= MAX_ORIGINS:
        raise ValidationError(
            {"original": [_("%(n)s projets d'origine au plus.") % {"n": MAX_ORIGINS}]}
        )
    try:
        with transaction.atomic():
            link = ProjectLineage.objects.create(
                original=original, replication=replication, created_by=actor
            )
    except IntegrityError:
        raise ValidationError(
            {"original": [_("Ce projet figure déjà parmi vos inspirations.")]}
        ) from None
    notify_replicated(original=original, replication=replication, actor=actor)
    return link


def lineage_remove(*, link: ProjectLineage, actor) -> None:
    """Either side's team (or a curator) may remove a link."""
    allowed = (
        project_permissions(project=link.replication, user=actor).edit
        or project_permissions(project=link.original, user=actor).edit
    )
    if not allowed:
        raise ProjectPermissionDenied(_("Vous ne pouvez pas retirer cette filiation."))
    link.delete()


def sheet_values(sheet: ReplicationSheet | None) -> dict:
    """The sheet's fields, in order (empty strings when there is no sheet)."""
    return {name: (getattr(sheet, name) if sheet else "") for name in SHEET_FIELDS}
