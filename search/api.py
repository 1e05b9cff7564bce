"""GET /api/v1/search: the search page's results as JSON, same parameters."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cms.api_errors import ErrorOut, ValidationErrorOut

from .documents import FACETS
from .query import (
    DEFAULT_RADIUS_KM,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_RADIUS_KM,
    PARAMS,
    SORTS,
    QueryError,
    parse_params,
)
from .registry import principals_for
from .services import SearchUnavailable, resolve_place, search

router = Router(tags=["Recherche"])


class PointOut(Schema):
    lat: float
    lon: float


class ResultOut(Schema):
    kind: str
    title: str
    url: str
    summary: str
    highlights: dict[str, str]
    themes: list[str]
    territory: list[str]
    points: list[PointOut]
    published_at: datetime | None
    distance_km: float | None = None


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class LinksOut(Schema):
    self: str
    next: str | None = None
    previous: str | None = None


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ResultOut]
    promoted: list[ResultOut]
    facets: dict[str, list[FacetValueOut]]
    suggestion: str
    links: LinksOut


def _bounds(description: str, **keywords) -> dict:
    """A parameter's description and JSON Schema bounds, for the OpenAPI schema."""
    return {"description": description, "json_schema_extra": keywords}


class SearchParams(Schema):
    """Same parameters as the /recherche/ page; repeat a facet parameter for OR.

    The bounds are parse_params's (search/query.py, from the same constants),
    stated here so that the schema tells them. They are not validated here but by
    parse_params, the one check shared by the page, the API, exports and feeds:
    a value out of bounds is a 400 with a French message, as on the page — not
    pydantic's 422 in English. A wrong *type* (page=deux) is ninja's 422. What
    no schema can say (« lat » needs « lon », « autour » must be a known commune,
    no control characters) is the same documented 400."""

    q: str = Field("", description="Texte recherché (300 caractères au plus).")
    type: list[str] = []
    domaine: list[str] = []
    theme: list[str] = []
    region: list[str] = []
    departement: list[str] = []
    public: list[str] = []
    stade: list[str] = []
    structure: list[str] = []
    source: list[str] = []
    echelle: list[str] = []
    annee: list[str] = []
    autour: str = Field("", description="Commune autour de laquelle chercher (« Guéret (23) »).")
    lat: float | None = Field(
        None, **_bounds("Latitude du centre, avec « lon ».", minimum=-90, maximum=90)
    )
    lon: float | None = Field(
        None, **_bounds("Longitude du centre, avec « lat ».", minimum=-180, maximum=180)
    )
    rayon: float | None = Field(
        None,
        **_bounds(
            f"Rayon en km autour du centre ({DEFAULT_RADIUS_KM} par défaut).",
            exclusiveMinimum=0,
            maximum=MAX_RADIUS_KM,
        ),
    )
    tri: str = Field("pertinence", **_bounds("Ordre des résultats.", enum=list(SORTS)))
    page: int = Field(1, **_bounds("Page de résultats.", minimum=1, maximum=MAX_PAGE))
    par_page: int = Field(20, **_bounds("Résultats par page.", minimum=1, maximum=MAX_PER_PAGE))


# What /search and /projects answer besides their result.
SEARCH_ERRORS = {400: ErrorOut, 422: ValidationErrorOut, 503: ErrorOut}


def _result(hit) -> dict:
    return {
        "kind": hit.kind,
        "title": hit.title,
        "url": hit.url,
        "summary": hit.summary,
        "highlights": hit.highlights,
        "themes": hit.display.get("theme_labels", []),
        "territory": hit.display.get("territory_labels", []),
        "points": [{"lat": lat, "lon": lon} for lat, lon in hit.display.get("points", [])],
        "published_at": hit.published_at,
        "distance_km": hit.distance_km,
    }


@router.get(
    "/search",
    response={200: SearchOut, **SEARCH_ERRORS},
    summary="Rechercher projets et pages",
)
def search_endpoint(request: HttpRequest, params: Query[SearchParams]):
    try:
        query = parse_params(
            request.GET, principals=principals_for(request.user), resolve_place=resolve_place
        )
    except QueryError as exc:
        raise HttpError(400, str(exc)) from None
    try:
        results = search(query=query)
    except SearchUnavailable:
        raise HttpError(503, _("La recherche est momentanément indisponible.")) from None
    base = query.to_params() + ([("par_page", str(query.per_page))] if query.per_page != 20 else [])
    path = request.path

    def link(page: int) -> str:
        return f"{path}?{urlencode([*base, ('page', str(page))])}"

    return {
        "count": results.total,
        "page": query.page,
        "pages": results.pages,
        "results": [_result(hit) for hit in results.hits],
        "promoted": [_result(hit) for hit in results.promoted],
        "facets": {
            facet.name: [
                {"value": f.value, "label": f.label, "count": f.count, "selected": f.selected}
                for f in results.facets.get(facet.name, [])
            ]
            for facet in FACETS
        },
        "suggestion": results.suggestion,
        "links": {
            "self": link(query.page),
            "next": link(query.page + 1) if query.page < results.pages else None,
            "previous": link(query.page - 1) if query.page > 1 else None,
        },
    }


__all__ = ["PARAMS", "router"]
