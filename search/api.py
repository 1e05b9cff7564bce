"""GET /api/v1/search: the search page's results as JSON, same parameters."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from .documents import FACETS
from .query import PARAMS, QueryError, parse_params
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


class SearchParams(Schema):
    """Same parameters as the /recherche/ page; repeat a facet parameter for OR."""

    q: str = ""
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
    autour: str = ""
    lat: float | None = None
    lon: float | None = None
    rayon: float | None = None
    tri: str = "pertinence"
    page: int = 1
    par_page: int = 20


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


@router.get("/search", response=SearchOut, summary="Rechercher projets et pages")
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
        raise HttpError(503, "La recherche est momentanément indisponible.") from None
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
