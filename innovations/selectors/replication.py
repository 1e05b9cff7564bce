"""Essaimage (issue 16): what a viewer may see of a project's replication sheet and
lineage. Visibility is the search's own rule (a live page, its view restrictions
read as principals, search/pages.py and search/registry.py): a replication hidden
from a viewer is neither listed nor counted for them, on the page, in the API and
on the map."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from search.pages import Restrictions
from search.registry import principals_for

from ..models import (
    Openness,
    ProjectLineage,
    ProjectLocation,
    ProjectPage,
    ReplicationSheet,
)
from ..models.replication import (
    SHEET_CHOICE_FIELDS,
    SHEET_CONTACT_FIELDS,
    SHEET_TEXT_FIELDS,
)
from ..opendata import project_field_access, project_points

# What the completeness hint counts: each text, each choice, the contact, resources.
COMPLETENESS_PARTS = len(SHEET_TEXT_FIELDS) + len(SHEET_CHOICE_FIELDS) + 1 + 1


def _visible_ids(pages, user) -> set[int]:
    principals = principals_for(user)
    restrictions = Restrictions()
    visible = set()
    for page in pages:
        if not page.live:
            continue
        allowed = restrictions.visibility(page)
        if allowed and principals & set(allowed):
            visible.add(page.pk)
    return visible


def project_visible(*, project: ProjectPage, user) -> bool:
    """Whether ``user`` may see the published ``project`` (drafts: never here)."""
    return project.pk in _visible_ids([project], user)


def sheet_for(*, project: ProjectPage) -> ReplicationSheet | None:
    if not project.pk:
        return None
    return (
        ReplicationSheet.objects.filter(project=project)
        .prefetch_related("resources__document")
        .first()
    )


def sheet_completeness(*, sheet: ReplicationSheet | None) -> int:
    """How much of the sheet is filled, in percent (a hint for the team, never a
    condition)."""
    if sheet is None:
        return 0
    filled = sum(1 for name in (*SHEET_TEXT_FIELDS, *SHEET_CHOICE_FIELDS) if getattr(sheet, name))
    filled += 1 if any(getattr(sheet, name) for name in SHEET_CONTACT_FIELDS) else 0
    filled += 1 if sheet.pk and sheet.resources.exists() else 0
    return round(100 * filled / COMPLETENESS_PARTS)


def sheet_missing(*, sheet: ReplicationSheet | None) -> list[str]:
    """The labels of the parts still empty, in the form's order."""
    labels = []
    for name in (*SHEET_CHOICE_FIELDS[:1], *SHEET_TEXT_FIELDS, *SHEET_CHOICE_FIELDS[1:]):
        if sheet is None or not getattr(sheet, name):
            labels.append(str(ReplicationSheet._meta.get_field(name).verbose_name))
    if sheet is None or not any(getattr(sheet, name) for name in SHEET_CONTACT_FIELDS):
        labels.append(str(ReplicationSheet._meta.get_field("contact_name").verbose_name))
    return labels


def _linked(queryset: QuerySet[ProjectPage]) -> QuerySet[ProjectPage]:
    return queryset.specific().prefetch_related(
        Prefetch(
            "locations",
            queryset=ProjectLocation.objects.select_related("territory__parent").order_by(
                "sort_order"
            ),
        ),
        "source_records__source",
    )


@dataclass(frozen=True)
class Lineage:
    origins: list[ProjectPage]  # the projects this one declares as its inspiration
    replications: list[ProjectPage]  # the projects that declare this one
    links: dict[tuple[int, int], int]  # (original, replication) → link id (removal)


def lineage_for(*, project: ProjectPage, user) -> Lineage:
    """The visible origins and replications of ``project``, newest link first
    (remembered on the page object for the viewer's principals: the page, its
    JSON-LD and the API ask it within one request)."""
    if not project.pk:
        return Lineage([], [], {})
    memo = project.__dict__.setdefault("_lineage_memo", {})
    principals = principals_for(user)
    if principals not in memo:
        memo[principals] = _lineage(project, user)
    return memo[principals]


def _lineage(project: ProjectPage, user) -> Lineage:
    rows = list(
        ProjectLineage.objects.filter(Q(original=project) | Q(replication=project)).values_list(
            "pk", "original_id", "replication_id"
        )
    )
    if not rows:
        return Lineage([], [], {})
    other_ids = {o if r == project.pk else r for _pk, o, r in rows}
    pages = {
        p.pk: p
        for p in _linked(
            ProjectPage.objects.filter(pk__in=other_ids).only(
                "pk", "title", "path", "url_path", "live", "summary", "depth"
            )
        )
    }
    visible = _visible_ids(pages.values(), user)
    origins = [pages[o] for _pk, o, r in rows if r == project.pk and o in visible]
    replications = [pages[r] for _pk, o, r in rows if o == project.pk and r in visible]
    return Lineage(origins, replications, {(o, r): pk for pk, o, r in rows})


def lineage_candidates(*, project: ProjectPage, user, text: str, limit: int = 10):
    """Published projects matching ``text`` (the « Inspiré de » chooser), found by the
    one search service (its visibility, its relevance), without this project and
    those already linked."""
    from search.query import SearchQuery
    from search.services import SearchUnavailable, search

    text = " ".join(text.split())[:100]
    if len(text) < 2:
        return []
    linked = set(
        ProjectLineage.objects.filter(replication=project).values_list("original_id", flat=True)
    )
    query = SearchQuery(
        text=text,
        filters={"kind": ("project",)},
        per_page=limit + len(linked) + 1,
        principals=principals_for(user),
        facets=False,
        highlight=False,
    )
    try:
        hits = search(query=query, record=False).hits
    except SearchUnavailable:
        return []
    ids = [int(hit.object_id) for hit in hits if int(hit.object_id) not in linked | {project.pk}]
    pages = {p.pk: p for p in ProjectPage.objects.live().filter(pk__in=ids)}
    return [pages[pk] for pk in ids if pk in pages][:limit]


def lineage_link(*, link_id: int) -> ProjectLineage | None:
    return (
        ProjectLineage.objects.select_related("original", "replication").filter(pk=link_id).first()
    )


def lineage_map_points(*, projects: list[ProjectPage]) -> list[dict]:
    """Where the replications act, as anyone may see it (open-data level: a source
    that keeps exact coordinates for members gives the territory's centre)."""
    points = []
    for project in projects:
        access = project_field_access(project=project, level=Openness.OPEN)
        for lat, lon, location in project_points(project=project, access=access):
            points.append(
                {
                    "lat": lat,
                    "lon": lon,
                    "title": project.title,
                    "url": project.url or "",
                    "label": str(location.territory),
                }
            )
    return points


def project_page_replication(*, project: ProjectPage, user, team: bool) -> dict:
    """What the project page shows of essaimage: the sheet, the lineage with its map,
    and for the team the completeness hint."""
    sheet = sheet_for(project=project)
    if project.pk:
        # The page's JSON-LD reads the sheet through the relation: no second query.
        project.replication_sheet = sheet
    lineage = lineage_for(project=project, user=user)
    context = {
        "replication_sheet": sheet,
        "replication_resources": list(sheet.resources.all()) if sheet else [],
        "lineage": lineage,
        "lineage_points": lineage_map_points(projects=lineage.replications),
    }
    if team:
        context["replication_completeness"] = sheet_completeness(sheet=sheet)
    return context
