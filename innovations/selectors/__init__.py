"""Read-side queries of the innovations app."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from wagtail.models import Revision, WorkflowState

from accounts.selectors import person_shown
from core.text import fold

from ..models import (
    Openness,
    ProjectClaim,
    ProjectIndexPage,
    ProjectLocation,
    ProjectMember,
    ProjectPage,
    ProjectSourceRecord,
    Territory,
    TerritoryLevel,
    Theme,
    ThemeDomain,
)
from ..opendata import project_field_access, project_points, viewer_level
from ..permissions import project_permissions


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
        # A postal code starts the list or follows a space (« 23000 23300 »): « 750 »
        # is not found inside « 97500 ».
        communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE).filter(
            Q(code__startswith=text.upper())
            | Q(postal_codes__startswith=text)
            | Q(postal_codes__contains=f" {text}")
        )
        return list(communes.order_by("-population", "name")[:limit])
    folded = _folded_name(text)
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


# Paris, Lyon and Marseille are divided into municipal arrondissements, loaded as
# communes of their own (partners locate projects in them): INSEE codes → the city.
ARRONDISSEMENTS: dict[str, range] = {
    "75056": range(75101, 75121),  # Paris
    "69123": range(69381, 69390),  # Lyon
    "13055": range(13201, 13217),  # Marseille
}
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_LABEL = re.compile(r"^(?P<name>.*?)\s*\((?P<hint>[^()]*)\)\s*$")  # the last (…) is the hint
_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_DEPARTEMENT_CODE = re.compile(r"^(?:\d{2,3}|2[AB])$")
_ARRONDISSEMENT = re.compile(
    r"^(?P<city>paris|lyon|marseille) (?P<number>\d{1,2})(?: ?(?:e|er|eme|ieme))?"
    r"(?: arrondissement)?$"
)
_CITY_CODES = {"paris": "75056", "lyon": "69123", "marseille": "13055"}


def _folded_name(text: str) -> str:
    """fold(), with the usual abbreviations written out (« St-Denis » → « saint denis »)."""
    return " ".join(_ABBREVIATIONS.get(word, word) for word in fold(text).split())


def arrondissement_city(territory: Territory) -> str | None:
    """The INSEE code of the city a municipal arrondissement belongs to, else None."""
    if territory.level != TerritoryLevel.COMMUNE or not territory.code.isdigit():
        return None
    number = int(territory.code)
    return next((city for city, codes in ARRONDISSEMENTS.items() if number in codes), None)


def _inside(territory: Territory, area: Territory) -> bool:
    """Is ``territory`` a part of ``area`` (a département or a région)?"""
    if area.level == TerritoryLevel.DEPARTEMENT:
        return territory.level == TerritoryLevel.COMMUNE and territory.departement_code == area.code
    if area.level == TerritoryLevel.REGION:
        return territory.level != TerritoryLevel.REGION and territory.region_code == area.code
    return False


def _by_population(territories) -> list[Territory]:
    return sorted(territories, key=lambda t: (-(t.population or 0), t.name, t.code))


def territories_for_chooser(*, query: str = "", limit: int = 50) -> list[Territory] | QuerySet:
    """The listing of the admin's territory chooser (a project's places): with a query,
    what the site's autocomplete finds (names, postal and INSEE codes; never the whole
    list of 35 000 communes); without one, the régions then the départements."""
    if (query or "").strip():
        return territories_autocomplete(query=query, limit=limit)
    return territory_choices_for_profile()


@dataclass(frozen=True)
class TerritoryResolution:
    """``territory`` when the text names one place; otherwise ``candidates``: the
    homonyms to choose from when ``homonyms`` (several places have exactly that name
    or postal code), else suggestions (names starting so). ``others``: places of the
    same name that were not chosen (the commune Creuse beside the département)."""

    territory: Territory | None
    candidates: list[Territory]
    homonyms: bool = False
    others: list[Territory] = field(default_factory=list)


def _by_code(code: str) -> TerritoryResolution:
    """A postal code, else an INSEE code (5 characters). A postal code first: that
    is what people type (« 69003 » is Lyon, whose postal codes Rhône's INSEE
    numbers overlap — the commune with that INSEE code is offered beside it; a
    program names it exactly with the key ``commune:69003``). An arrondissement
    gives way to its city (75011 → Paris); a postal code shared by several communes
    gives them as choices."""
    found = list(
        Territory.objects.filter(level=TerritoryLevel.COMMUNE)
        .filter(Q(code=code) | Q(postal_codes__contains=code))
        .select_related("parent__parent")
    )
    by_insee = next((t for t in found if t.code == code), None)
    by_postcode = [t for t in found if code in t.postal_codes.split()]
    cities = {t.code for t in by_postcode}
    by_postcode = [t for t in by_postcode if arrondissement_city(t) not in cities]
    if not by_postcode:
        return TerritoryResolution(by_insee, [by_insee] if by_insee else [])
    also = [by_insee] if by_insee is not None and by_insee not in by_postcode else []
    if len(by_postcode) == 1:
        return TerritoryResolution(by_postcode[0], by_postcode, others=also)
    return TerritoryResolution(None, [*_by_population(by_postcode), *also], homonyms=True)


def _hinted(territory: Territory, hint: str) -> bool:
    """Does the bracketed part of a label (« 93 », « département 23 », « région »,
    « 93100 », in French or English) fit ``territory``?"""
    words = fold(hint).upper().split()
    codes = [w for w in words if re.fullmatch(r"\d{2,5}|2[AB]\d{0,3}", w)]
    wants_region = any(w.startswith("REGION") for w in words)
    wants_departement = any(w.startswith(("DEPARTEMENT", "DEPARTMENT", "DEP")) for w in words)
    if wants_region and territory.level != TerritoryLevel.REGION:
        return False
    if wants_departement and territory.level != TerritoryLevel.DEPARTEMENT:
        return False
    for code in codes:
        if len(code) == 5:
            if territory.code != code and code not in territory.postal_codes.split():
                return False
        elif territory.level == TerritoryLevel.COMMUNE:
            if territory.departement_code != code:
                return False
        elif territory.code != code:
            return False
    return True


def _among_namesakes(named: list[Territory]) -> TerritoryResolution:
    """Places that all have the typed name. The same place at several levels (the
    commune and the département of Paris, the région and the département of La
    Réunion) is the most precise of them; a département or a région wins over
    communes elsewhere that share its name (these are ``others``); several communes
    are homonyms to choose from — the most populated is never picked silently."""
    kept = [t for t in named if not any(o is not t and _inside(o, t) for o in named)]
    areas = [t for t in kept if t.level != TerritoryLevel.COMMUNE]
    if len(areas) == 1:
        others = _by_population(t for t in kept if t is not areas[0])
        return TerritoryResolution(areas[0], [areas[0]], others=others)
    if len(kept) == 1:
        return TerritoryResolution(kept[0], kept)
    return TerritoryResolution(None, _by_population(kept), homonyms=True)


def territory_resolve(text: str) -> TerritoryResolution:
    """Turn what a person typed (or the autocomplete filled in) into one territory.

    Accepts a key (``commune:23096``), the autocomplete label (« Guéret (23) »,
    « Creuse (département 23) », « Bretagne (région) »), a postal code or an INSEE
    code (« 75011 » → Paris), a département number (« 23 »), a name (« Paris »,
    « Creuse », « St-Denis »: homonyms are choices) or an arrondissement
    (« Lyon 3e »).
    """
    value = " ".join((text or "").split())[:150]
    if not value:
        return TerritoryResolution(None, [])
    level, sep, code = value.partition(":")
    if sep and level in TerritoryLevel.values:
        found = Territory.objects.filter(level=level, code=code.strip().upper()).first()
        return TerritoryResolution(found, [found] if found else [])
    compact = value.replace(" ", "").upper()
    if _CODE.match(compact):
        return _by_code(compact)
    if _DEPARTEMENT_CODE.match(compact):
        found = Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT, code=compact).first()
        if found is not None:
            return TerritoryResolution(found, [found])
    label = _LABEL.match(value)
    name, hint = (label["name"], label["hint"]) if label else (value, "")
    folded = _folded_name(name)
    if not folded:
        return TerritoryResolution(None, [])
    named = list(Territory.objects.filter(search_name=folded).select_related("parent__parent"))
    if hint:
        fitting = [t for t in named if _hinted(t, hint)]
        if len(fitting) == 1:
            return TerritoryResolution(fitting[0], fitting)
        named = fitting or named
    if named:
        return _among_namesakes(named)
    arrondissement = _ARRONDISSEMENT.match(folded)
    if arrondissement:
        city = _CITY_CODES[arrondissement["city"]]
        number = int(arrondissement["number"])
        codes = [str(c) for c in ARRONDISSEMENTS[city]]
        if 1 <= number <= len(codes):
            found = Territory.objects.filter(
                level=TerritoryLevel.COMMUNE, code=codes[number - 1]
            ).first()
            if found is not None:
                return TerritoryResolution(found, [found])
    return TerritoryResolution(None, territories_autocomplete(query=name, limit=8))


def territory_point(territory: Territory) -> tuple[float, float, Territory] | None:
    """Where to put ``territory`` on a map: its own position, else its city's (an
    arrondissement), else its département's or région's centre — with the territory
    whose position it is."""
    node: Territory | None = territory
    city_code = arrondissement_city(territory)
    if not territory.has_point and city_code:
        city = Territory.objects.filter(level=TerritoryLevel.COMMUNE, code=city_code).first()
        if city is not None and city.has_point:
            return city.latitude, city.longitude, city
    while node is not None and not node.has_point:
        node = node.parent
    if node is None:
        return None
    return node.latitude, node.longitude, node


# --- projects ------------------------------------------------------------------------


def projects_live() -> QuerySet[ProjectPage]:
    return ProjectPage.objects.live().public()


def projects_for_cards(*, ids: list[int]) -> list[ProjectPage]:
    """The live projects ``ids`` names (a page of search results), in that order,
    with everything a card shows prefetched."""
    by_id = with_card_data(projects_live().filter(pk__in=ids)).in_bulk()
    return [by_id[pk] for pk in ids if pk in by_id]


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


def project_index_page() -> ProjectIndexPage | None:
    return ProjectIndexPage.objects.live().first()


def project_revisions(*, project: ProjectPage) -> QuerySet[Revision]:
    return project.revisions.select_related("user").order_by("-created_at", "-pk")


def projects_related(*, project: ProjectPage, limit: int = 4) -> list[ProjectPage]:
    """Live projects of the same département, then of the same région, then sharing
    the most sub-themes — the order of the search engines' « more like this »
    (search/backends), for a project they have not indexed (a preview)."""
    # Iterating (not values_list) also works on a preview's in-memory relations.
    theme_ids = [theme.pk for theme in project.themes.all()]
    territories = [
        (location.territory.departement_code, location.territory.region_code)
        for location in project.locations.all()
    ]
    departements = {d for d, _r in territories if d}
    regions = {r for _d, r in territories if r}
    located = ProjectLocation.objects.filter(page=OuterRef("pk"))
    queryset = projects_live().exclude(pk=project.pk)
    queryset = queryset.annotate(
        shared_themes=Count("themes", filter=Q(themes__in=theme_ids), distinct=True),
        same_departement=Exists(located.filter(territory__departement_code__in=departements)),
        same_region=Exists(located.filter(territory__region_code__in=regions)),
    ).filter(Q(shared_themes__gt=0) | Q(same_region=True))
    ranked = queryset.order_by(
        "-same_departement", "-same_region", "-shared_themes", "-first_published_at", "-pk"
    )
    return list(with_card_data(ranked)[:limit])


def projects_similar(*, project: ProjectPage, user, limit: int = 4) -> list[ProjectPage]:
    """« Projets proches » from the search engine: same département, then same
    région, then shared sub-themes, shared words breaking ties; the database selector
    above (same order) when the project is not indexed (a preview) or the engine does
    not answer."""
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
