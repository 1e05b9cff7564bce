"""Essaimage in the open data (issue 16): the replication sheet as the API, the
exports and JSON-LD give it, and the lineage of a project (``inspired_by``,
``replications``). Beside innovations/opendata.py, which calls it; the field levels
decide here too (``replication``: open, ``replication_contact``: members)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from core.absolute_urls import absolute_url

from .models import ProjectPage, ReplicationSheet
from .models.replication import LICENCE_URLS, SHEET_TEXT_FIELDS
from .selectors.replication import lineage_for


def _sheet(project: ProjectPage) -> ReplicationSheet | None:
    try:
        return project.replication_sheet
    except ReplicationSheet.DoesNotExist:
        return None


def sheet_data(project: ProjectPage, show) -> dict | None:
    """The sheet for a caller whose field access is ``show`` (None: no sheet, or the
    caller may not see it)."""
    sheet = _sheet(project)
    if sheet is None or not show["replication"]:
        return None
    data: dict = {
        "readiness": sheet.readiness or None,
        "readiness_label": sheet.get_readiness_display() if sheet.readiness else None,
        **{name: getattr(sheet, name) or None for name in SHEET_TEXT_FIELDS},
        "budget_range": sheet.budget_range or None,
        "team_size": sheet.team_size or None,
        "time_to_launch": sheet.time_to_launch or None,
        "licence": sheet.licence or None,
        "licence_url": LICENCE_URLS.get(sheet.licence) or None,
        "resources": [
            {
                "title": resource.title,
                "url": absolute_url(resource.href) if resource.document_id else resource.url,
                "kind": "document" if resource.document_id else "link",
            }
            for resource in sheet.resources.all()
        ],
        "requests_paused": sheet.requests_paused,
    }
    if show["replication_contact"]:
        data["contact"] = {
            "name": sheet.contact_name or None,
            "email": sheet.contact_email or None,
        }
    return data


def lineage_data(project: ProjectPage) -> dict:
    """``inspired_by`` (ids and URLs) and ``replications`` (count and ids), as anyone
    may see them: open data counts only live, public projects."""
    lineage = lineage_for(project=project, user=AnonymousUser())
    return {
        "inspired_by": [
            {"id": origin.pk, "url": absolute_url(origin.url or ""), "title": origin.title}
            for origin in lineage.origins
        ],
        "replications": {
            "count": len(lineage.replications),
            "ids": [replication.pk for replication in lineage.replications],
            "urls": [absolute_url(replication.url or "") for replication in lineage.replications],
        },
    }


def replication_changed_at(project: ProjectPage):
    """The last change of the page, its sheet or its lineage (the API's Last-Modified)."""
    from django.db.models import Max, Q

    from .models import ProjectLineage

    sheet = _sheet(project)
    linked = ProjectLineage.objects.filter(Q(original=project) | Q(replication=project)).aggregate(
        last=Max("created_at")
    )["last"]
    moments = [project.last_published_at, sheet.updated_at if sheet else None, linked]
    return max((m for m in moments if m is not None), default=None)
