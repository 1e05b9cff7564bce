"""Read-side queries of the innovations app."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from wagtail.models import Revision, WorkflowState

from accounts.selectors import person_shown
from cms.text import fold

from .models import (
    Openness,
    ProjectClaim,
    ProjectLocation,
    ProjectMember,
    ProjectPage,
    ProjectSourceRecord,
    Territory,
    TerritoryLevel,
    Theme,
    ThemeDomain,
)
from .opendata import project_field_access, project_points, viewer_level
from .permissions import project_permissions


def territory_choices_for_profile() -> QuerySet[Territory]:
    """Régions then départements, for the home-territory select of a profile."""
    return Territory.objects.filter(
        level__in=[TerritoryLevel.REGION, TerritoryLevel.DEPARTEMENT]
    ).order_by("-level", "name")


def grouped_theme_choices() -> list:
    """Sub-themes grouped by domain, for checkbox lists (project form, profile)."""
    themes = Theme.objects.select_related("domain").order_by(
        "domain__sort_order", "domain__label", "sort_order", "label"
    )
    groups: dict[ThemeDomain, list] = {}
    for theme in themes:
        groups.setdefault(theme.domain, []).append((theme.pk, theme.label))
    return [(domain.label, choices) for domain, choices in groups.items()]


# --- territories -------------------------------------------------------------------


def territory_label(territory: Territory) -> str:
    """The label the autocomplete shows and the form accepts back."""
    if territory.level == TerritoryLevel.COMMUNE:
        return f"{territory.name} ({territory.departement_code})"
    if territory.level == TerritoryLevel.DEPARTEMENT:
        return _("%(name)s (département %(code)s)") % {
            "name": territory.name,
            "code": territory.code,
        }
    return _("%(name)s (région)") % {"name": territory.name}


def territories_autocomplete(*, query: str, limit: int = 10) -> list[Territory]:
    """Territories whose name starts with the query (accents and case ignored), or
    communes by postal code or INSEE code. Régions and départements first, then the
    most populated communes."""
    text = (query or "").strip()
    if len(text) < 2:
        return []
    if text.isdigit() or (len(text) == 5 and text[:2].upper() in {"2A", "2B"}):
        communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE).filter(
            Q(code__startswith=text.upper()) | Q(postal_codes__contains=text)
        )
        return list(communes.order_by("-population", "name")[:limit])
    folded = fold(text)
    matches = Territory.objects.filter(search_name__startswith=folded)
    upper = [
        *matches.filter(level=TerritoryLevel.REGION).order_by("name")[:3],
        *matches.filter(level=TerritoryLevel.DEPARTEMENT).order_by("name")[:3],
    ]
    communes = list(
        matches.filter(level=TerritoryLevel.COMMUNE).order_by("-population", "name")[
            : max(limit - len(upper), 0)
        ]
    )
    return (upper + communes)[:limit]


@dataclass(frozen=True)
class TerritoryResolution:
    territory: Territory | None
    candidates: list[Territory]


def territory_resolve(text: str) -> TerritoryResolution:
    """Turn what a person typed (or the autocomplete filled in) into one territory.

    Accepts a key (``commune:23096``), an INSEE code, the autocomplete label
    (« Guéret (23) », « Creuse (département 23) »), a postal code, or a name.
    """
    value = (text or "").strip()
    if not value:
        return TerritoryResolution(None, [])
    level, sep, code = value.partition(":")
    if sep and level in TerritoryLevel.values:
        found = Territory.objects.filter(level=level, code=code.strip().upper()).first()
        return TerritoryResolution(found, [found] if found else [])
    candidates = territories_autocomplete(query=value.split("(")[0], limit=50)
    if "(" in value:
        exact = [t for t in candidates if fold(territory_label(t)) == fold(value)]
        if len(exact) == 1:
            return TerritoryResolution(exact[0], exact)
    if value.isdigit() and len(value) == 5:
        by_code = [t for t in candidates if t.code == value]
        if len(by_code) == 1:
            return TerritoryResolution(by_code[0], by_code)
    folded = fold(value)
    named = [t for t in candidates if t.search_name == folded]
    if len(named) == 1:
        return TerritoryResolution(named[0], named)
    return TerritoryResolution(None, named or candidates[:8])


# --- projects ------------------------------------------------------------------------


def projects_live() -> QuerySet[ProjectPage]:
    return ProjectPage.objects.live().public()


def projects_for_listing(*, domain_code: str = "", region_code: str = "") -> QuerySet[ProjectPage]:
    """Live projects for /projets/, with everything a card shows prefetched."""
    queryset = projects_live()
    if domain_code:
        queryset = queryset.filter(themes__domain__code=domain_code)
    if region_code:
        queryset = queryset.filter(locations__territory__region_code=region_code)
    if domain_code or region_code:
        queryset = queryset.distinct()
    return with_card_data(queryset.order_by("-first_published_at", "-pk"))


def with_card_data(queryset: QuerySet[ProjectPage]) -> QuerySet[ProjectPage]:
    return queryset.select_related("main_image").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.select_related("domain")),
        Prefetch(
            "locations",
            queryset=ProjectLocation.objects.select_related("territory").order_by("sort_order"),
        ),
        # The field levels of each card (innovations/opendata.py).
        Prefetch(
            "source_records",
            queryset=ProjectSourceRecord.objects.select_related("source").only(
                "project_id", "present", "source__field_openness"
            ),
        ),
    )


def listing_facets() -> dict:
    """Domains and régions offered by the listing's filters, with live counts."""
    live_ids = projects_live().values("pk")
    domains = (
        ThemeDomain.objects.annotate(
            count=Count(
                "themes__projectpage", filter=Q(themes__projectpage__in=live_ids), distinct=True
            )
        )
        .filter(count__gt=0)
        .order_by("sort_order", "label")
    )
    regions = Territory.objects.filter(level=TerritoryLevel.REGION).order_by("name")
    region_counts = dict(
        ProjectLocation.objects.filter(page__in=live_ids)
        .values_list("territory__region_code")
        .annotate(count=Count("page", distinct=True))
    )
    return {
        "domains": list(domains),
        "regions": [
            (r, region_counts.get(r.code, 0)) for r in regions if region_counts.get(r.code)
        ],
    }


@dataclass(frozen=True)
class ProjectStatus:
    code: str  # brouillon, moderation, publie, a-revoir
    label: str
    comment: str = ""
    live: bool = False
    pending_changes: bool = False


def project_status(*, project: ProjectPage) -> ProjectStatus:
    state = project.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        comment = state.current_task_state.comment if state.current_task_state else ""
        return ProjectStatus("a-revoir", _("À revoir"), comment or "", project.live, True)
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        label = _("Modifications en modération") if project.live else _("En modération")
        return ProjectStatus("moderation", label, "", project.live, True)
    if project.live:
        if project.has_unpublished_changes:
            return ProjectStatus("publie", _("Publié (modifications non envoyées)"), "", True, True)
        return ProjectStatus("publie", _("Publié"), "", True, False)
    return ProjectStatus("brouillon", _("Brouillon"), "", False, False)


def projects_of_user(*, user) -> list[tuple[ProjectPage, ProjectStatus]]:
    """Projects the user owns or co-edits, with their moderation status (Mes projets)."""
    member_of = ProjectMember.objects.filter(user=user).values("project_id")
    projects = (
        ProjectPage.objects.filter(Q(owner=user) | Q(pk__in=member_of))
        .select_related("owner")
        .order_by("-latest_revision_created_at", "-pk")
    )
    return [(project, project_status(project=project)) for project in projects]


def projects_of_member_public(*, user_id: int) -> list[ProjectPage]:
    """Live projects a person owns or co-edits, for their public profile."""
    member_of = ProjectMember.objects.filter(user_id=user_id).values("project_id")
    projects = projects_live().filter(Q(owner_id=user_id) | Q(pk__in=member_of))
    return list(with_card_data(projects.order_by("title")))


def projects_latest(*, limit: int = 6) -> list[ProjectPage]:
    return list(with_card_data(projects_live().order_by("-first_published_at", "-pk"))[:limit])


def project_index_page():
    from .models import ProjectIndexPage

    return ProjectIndexPage.objects.live().first()


def project_revisions(*, project: ProjectPage) -> QuerySet[Revision]:
    return project.revisions.select_related("user").order_by("-created_at", "-pk")


def projects_related(*, project: ProjectPage, limit: int = 4) -> list[ProjectPage]:
    """Live projects sharing themes or territory (the search engine refines this later)."""
    # Iterating (not values_list) also works on a preview's in-memory relations.
    theme_ids = [theme.pk for theme in project.themes.all()]
    territories = [
        (location.territory.departement_code, location.territory.region_code)
        for location in project.locations.all()
    ]
    departements = {d for d, _r in territories if d}
    regions = {r for _d, r in territories if r}
    queryset = projects_live().exclude(pk=project.pk)
    queryset = queryset.annotate(
        shared_themes=Count("themes", filter=Q(themes__in=theme_ids), distinct=True),
        same_departement=Count(
            "locations",
            filter=Q(locations__territory__departement_code__in=departements),
            distinct=True,
        ),
        same_region=Count(
            "locations", filter=Q(locations__territory__region_code__in=regions), distinct=True
        ),
    ).filter(Q(shared_themes__gt=0) | Q(same_region__gt=0))
    ranked = queryset.order_by(
        "-shared_themes", "-same_departement", "-same_region", "-first_published_at"
    )
    return list(with_card_data(ranked)[:limit])


def projects_similar(*, project: ProjectPage, user, limit: int = 4) -> list[ProjectPage]:
    """« Projets proches » from the search engine (more-like-this: shared themes,
    territory and words); the database selector above when the project is not
    indexed (a preview) or the engine does not answer."""
    from search.services import similar

    hits = similar(key=f"project:{project.pk}", user=user, limit=limit) if project.pk else []
    ids = [int(hit.object_id) for hit in hits if hit.kind == "project"]
    if not ids:
        return projects_related(project=project, limit=limit)
    by_id = {p.pk: p for p in with_card_data(projects_live().filter(pk__in=ids))}
    return [by_id[i] for i in ids if i in by_id]


def claims_pending() -> QuerySet[ProjectClaim]:
    return ProjectClaim.objects.filter(status="pending").select_related("project", "user")


def project_page_context(*, project: ProjectPage, request) -> dict:
    """What the project page shows to this viewer: every field goes through the
    openness selector (``fields``), the map included."""
    permissions = project_permissions(project=project, user=request.user)
    fields = project_field_access(
        project=project, level=viewer_level(request=request, project=project)
    )
    user_claim = None
    if request.user.is_authenticated:
        user_claim = project.claims.filter(user=request.user, status="pending").first()
    return {
        "permissions": permissions,
        "fields": fields,
        "locations": list(project.locations.all()) if fields["locations"] else [],
        "map_points": [
            {"lat": lat, "lon": lon, "label": str(location.territory)}
            for lat, lon, location in project_points(project=project, access=fields)
        ],
        # Anonymous visitors are told to sign in when members may write to the team.
        "contact_for_members": not request.user.is_authenticated
        and project_field_access(project=project, level=Openness.COMMONS)["contact_email"],
        "owner": (
            person_shown(user=project.owner, viewer=request.user) if project.owner_id else None
        ),
        "themes": list(project.themes.all()) if fields["themes"] else [],
        "source_records": (
            list(project.source_records.select_related("source")) if project.pk else []
        ),
        "related_projects": projects_similar(project=project, user=request.user),
        "user_claim": user_claim,
    }
