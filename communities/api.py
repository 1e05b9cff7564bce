"""/api/v1/communities: the communities directory and one community with its upcoming
events, as JSON, with the pages' visibility rules (communities/permissions.py): a
secret community is listed only to its members (and invited people, editors); a
private one is listed, its events only given to its members; what the caller may
not see answers 404, as on the pages. A signed-in member's session counts (the
site's cookie); the API keys of partners give no access to communities."""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from wagtail.rich_text import expand_db_html

from core.absolute_urls import absolute_url
from core.api_errors import ErrorOut, ValidationErrorOut
from innovations.api import THROTTLED, CallerThrottle

from .feeds import atom_path
from .ics import event_ics_url, ics_personal_url
from .models import Answer, Community, Event, JoinPolicy, Kind, Status, Visibility
from .paths import community_path, event_path
from .permissions import can_see_content
from .selectors import (
    communities_directory,
    community_get_visible,
    community_member_count,
    community_projects,
    events_upcoming,
)

router = Router(tags=["Communautés"])

MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_EVENTS = 50
QUERY_MAX_LENGTH = 120


class CommunityCodeLabelOut(Schema):
    code: str
    label: str


class CommunityThemeOut(CommunityCodeLabelOut):
    domain: str = Field(description="Code du domaine du sous-thème.")


class CommunityTerritoryOut(Schema):
    level: str = Field(description="« region », « departement » ou « commune ».")
    code: str = Field(description="Code INSEE.")
    name: str


class CommunityOut(Schema):
    """Une communauté de l'annuaire."""

    id: int
    slug: str
    name: str
    short_description: str
    kind: str = Field(description="« thematique », « territoriale » ou « mixte ».")
    visibility: str = Field(
        description="« public », « private » (listée, contenu réservé aux membres) ou "
        "« secret » (donnée seulement à ses membres et aux personnes invitées)."
    )
    join_policy: str = Field(description="« open », « request » (sur demande) ou « invitation ».")
    domains: list[CommunityCodeLabelOut]
    themes: list[CommunityThemeOut]
    territories: list[CommunityTerritoryOut]
    member_count: int
    url: str = Field(description="Sa page.")
    events_url: str = Field(description="La page de ses événements.")
    ics_url: str | None = Field(
        description="Son agenda iCalendar, tel que l'appelant peut le lire (adresse "
        "personnelle « ?jeton= » pour un membre d'une communauté privée) ; null quand "
        "l'appelant ne voit pas ses événements."
    )
    atom_url: str | None = Field(description="Son flux Atom (communautés publiques).")


class CommunityListOut(Schema):
    count: int
    page: int
    pages: int
    results: list[CommunityOut]
    next: str | None = None
    previous: str | None = None


class EventPlaceOut(Schema):
    address: str
    commune: CommunityTerritoryOut | None = None


class CommunityEventOut(Schema):
    """Un événement à venir. Les dates sont en ISO 8601 (UTC)."""

    id: int
    title: str
    description: str
    start: datetime
    end: datetime
    timezone: str = Field(description="Fuseau horaire de l'événement (« Europe/Paris »).")
    cancelled: bool
    place: EventPlaceOut
    online_url: str | None = Field(description="Lien pour y participer en ligne.")
    capacity: int | None = Field(description="Nombre de places ; null : pas de limite.")
    going_count: int
    maybe_count: int
    waiting_count: int = Field(description="Personnes en liste d'attente.")
    places_left: int | None
    url: str
    ics_url: str | None


class CommunityProjectOut(Schema):
    title: str
    url: str


class CommunityDetailOut(CommunityOut):
    """Une communauté : sa présentation pour qui la voit ; ses événements à venir et ses
    projets pour qui voit son contenu (« content_visible »)."""

    presentation: str = Field(description="Présentation (HTML).")
    charter: str = Field(description="Charte acceptée par les membres en la rejoignant.")
    contact_email: str
    content_visible: bool = Field(
        description="Vrai quand l'appelant voit le contenu (événements, projets) : toujours "
        "pour une communauté publique, pour ses seuls membres sinon."
    )
    events: list[CommunityEventOut]
    projects: list[CommunityProjectOut]


def _bounds(description: str, **keywords) -> dict:
    return {"description": description, "json_schema_extra": keywords}


class CommunityParams(Schema):
    """Filtres de l'annuaire. Les bornes sont vérifiées ici, avec un message en
    français (400), comme pour la recherche."""

    q: str = Field("", description="Texte cherché dans le nom et la description (120 car.).")
    type_communaute: str = Field(
        "",
        description="Type de communauté.",
        json_schema_extra={"enum": ["", *Kind.values]},
    )
    adhesion: str = Field(
        "", description="Adhésion.", json_schema_extra={"enum": ["", *JoinPolicy.values]}
    )
    page: int = Field(1, **_bounds("Page.", minimum=1, maximum=MAX_PAGE))
    par_page: int = Field(20, **_bounds("Communautés par page.", minimum=1, maximum=MAX_PER_PAGE))


def _checked(params: CommunityParams) -> None:
    if params.type_communaute and params.type_communaute not in Kind.values:
        raise HttpError(
            400,
            _("Type de communauté inconnu : « %(value)s » (thematique, territoriale ou mixte).")
            % {"value": params.type_communaute[:40]},
        )
    if params.adhesion and params.adhesion not in JoinPolicy.values:
        raise HttpError(
            400,
            _("Adhésion inconnue : « %(value)s » (open, request ou invitation).")
            % {"value": params.adhesion[:40]},
        )
    if not 1 <= params.page <= MAX_PAGE:
        raise HttpError(400, _("« page » va de 1 à %(max)d.") % {"max": MAX_PAGE})
    if not 1 <= params.par_page <= MAX_PER_PAGE:
        raise HttpError(400, _("« par_page » va de 1 à %(max)d.") % {"max": MAX_PER_PAGE})
    if len(params.q) > QUERY_MAX_LENGTH or any(ord(c) < 32 for c in params.q):
        raise HttpError(
            400,
            _("« q » : %(max)d caractères au plus, sans caractère de contrôle.")
            % {"max": QUERY_MAX_LENGTH},
        )


def _territory(territory) -> dict:
    return {"level": territory.level, "code": territory.code, "name": territory.name}


def _community(community: Community, request: HttpRequest, member_count: int) -> dict:
    themes = list(community.themes.all())
    path = community_path(community)
    public = community.visibility == Visibility.PUBLIC and community.status == Status.ACTIVE
    return {
        "id": community.pk,
        "slug": community.slug,
        "name": community.name,
        "short_description": community.short_description,
        "kind": community.kind,
        "visibility": community.visibility,
        "join_policy": community.join_policy,
        "domains": [{"code": d.code, "label": d.label} for d in community.theme_domains.all()],
        "themes": [{"code": t.code, "label": t.label, "domain": t.domain.code} for t in themes],
        "territories": [_territory(link.territory) for link in community.territory_links.all()],
        "member_count": member_count,
        "url": absolute_url(path, request=request),
        "events_url": absolute_url(f"{path}evenements/", request=request),
        "ics_url": ics_personal_url(
            community=community, user=request.user, absolute=True, request=request
        ),
        "atom_url": absolute_url(atom_path(community), request=request) if public else None,
    }


def _prefetched(communities):
    return communities.prefetch_related(
        "theme_domains", "themes__domain", "territory_links__territory"
    )


def _private(response: HttpResponse) -> None:
    # What a community gives depends on who asks (their session).
    response["Vary"] = "Cookie"
    response["Cache-Control"] = "private, max-age=60"


@router.get(
    "/communities",
    response={200: CommunityListOut, 400: ErrorOut, 422: ValidationErrorOut, **THROTTLED},
    summary="Annuaire des communautés",
    throttle=[CallerThrottle()],
)
def communities_list(request: HttpRequest, response: HttpResponse, params: Query[CommunityParams]):
    """Les communautés actives que l'appelant voit, par nom : publiques et privées pour
    tous, secrètes pour leurs membres. Filtres : « q », « type_communaute »,
    « adhesion » ; pages de « par_page » (100 au plus)."""
    _checked(params)
    _private(response)
    communities = communities_directory(
        user=request.user,
        kind=params.type_communaute,
        join_policy=params.adhesion,
        query=params.q,
    )
    total = communities.count()
    pages = max(1, math.ceil(total / params.par_page))
    start = (params.page - 1) * params.par_page
    rows = list(_prefetched(communities)[start : start + params.par_page])
    base = [(k, v) for k, v in request.GET.items() if k != "page"]

    def link(page: int) -> str:
        return f"{request.path}?{urlencode([*base, ('page', str(page))])}"

    return {
        "count": total,
        "page": params.page,
        "pages": pages,
        "results": [_community(c, request, c.member_count) for c in rows],
        "next": link(params.page + 1) if params.page < pages else None,
        "previous": link(params.page - 1) if 1 < params.page <= pages else None,
    }


def _event(event: Event, request: HttpRequest) -> dict:
    places_left = None
    if event.capacity is not None:
        places_left = max(event.capacity - event.going_count, 0)
    return {
        "id": event.pk,
        "title": event.title,
        "description": event.description,
        "start": event.start,
        "end": event.end,
        "timezone": event.timezone,
        "cancelled": event.cancelled,
        "place": {
            "address": event.address,
            "commune": _territory(event.commune) if event.commune_id else None,
        },
        # Only members of a private community get this far (``content_visible``).
        "online_url": event.online_url or None,
        "capacity": event.capacity,
        "going_count": event.going_count,
        "maybe_count": event.maybe_count,
        "waiting_count": event.waiting_count,
        "places_left": places_left,
        "url": absolute_url(event_path(event), request=request),
        "ics_url": event_ics_url(event=event, user=request.user, absolute=True, request=request),
    }


@router.get(
    "/communities/{slug}",
    response={200: CommunityDetailOut, 404: ErrorOut, 422: ValidationErrorOut, **THROTTLED},
    summary="Une communauté et ses événements à venir",
    throttle=[CallerThrottle()],
)
def community_detail(request: HttpRequest, response: HttpResponse, slug: str):
    """Sa présentation pour qui la voit (404 sinon : une communauté secrète n'existe pas
    pour qui n'y est pas invité) ; ses événements à venir (annulés compris, marqués) et
    ses projets pour qui voit son contenu."""
    community = community_get_visible(slug=slug[:80], user=request.user)
    if community is None:
        raise HttpError(404, _("Communauté introuvable."))
    _private(response)
    community = _prefetched(Community.objects.filter(pk=community.pk)).get()
    visible = can_see_content(community=community, user=request.user)
    events, projects = [], []
    if visible:
        going = Q(rsvps__answer=Answer.GOING)
        events = list(
            events_upcoming(community=community, viewer=request.user).annotate(
                going_count=Count("rsvps", filter=going & Q(rsvps__waitlisted=False)),
                waiting_count=Count("rsvps", filter=going & Q(rsvps__waitlisted=True)),
                maybe_count=Count("rsvps", filter=Q(rsvps__answer=Answer.MAYBE)),
            )[:MAX_EVENTS]
        )
        projects = [
            {"title": link.project.title, "url": absolute_url(link.project.url, request=request)}
            for link in community_projects(community=community, viewer=request.user)
        ]
    return {
        **_community(community, request, community_member_count(community=community)),
        "presentation": expand_db_html(community.presentation) if community.presentation else "",
        "charter": community.charter,
        "contact_email": community.contact_email,
        "content_visible": visible,
        "events": [_event(event, request) for event in events],
        "projects": projects,
    }
