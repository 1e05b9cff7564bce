"""/api/v1 endpoints of the innovations app: territories for forms, and the open
data read API of projects (fields filtered by each source's openness levels)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import http_date, parse_http_date_safe
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.throttling import SimpleRateThrottle

from search.api import SearchParams
from search.query import QueryError, parse_params
from search.services import SearchUnavailable, resolve_place, search

from .opendata import PLATFORM_LICENCE, caller_for, jsonld, projects_for_open_data, serialise
from .selectors import territories_autocomplete, territory_label

router = Router(tags=["Territoires"])
projects_router = Router(tags=["Projets (données ouvertes)"])


class CallerThrottle(SimpleRateThrottle):
    """120 requests a minute per address, 1 200 with a partner API key."""

    def __init__(self):
        super().__init__("120/min")

    def get_cache_key(self, request):
        key = request.headers.get("Authorization", "") or request.headers.get("X-API-Key", "")
        if key:
            self.rate = "1200/min"
            self.num_requests, self.duration = self.parse_rate(self.rate)
            return f"throttle_api_key_{hashlib.sha256(key.encode()).hexdigest()[:24]}"
        return f"throttle_api_ip_{self.get_ident(request)}"


class TerritoryOut(Schema):
    key: str
    label: str
    level: str
    code: str
    name: str
    postal_codes: list[str]


class TerritoriesOut(Schema):
    query: str
    results: list[TerritoryOut]


@router.get("/territoires", response=TerritoriesOut, summary="Autocomplétion des territoires")
def territories(request: HttpRequest, q: str = ""):
    """Communes, départements and régions whose name (accents ignored), postal code
    or INSEE code starts with ``q`` (2 characters at least)."""
    query = q[:80]
    return {
        "query": query,
        "results": [
            {
                "key": t.key,
                "label": territory_label(t),
                "level": t.level,
                "code": t.code,
                "name": t.name,
                "postal_codes": t.postal_codes.split(),
            }
            for t in territories_autocomplete(query=query, limit=10)
        ],
    }


class CodeLabel(Schema):
    code: str
    label: str


class ThemeOut(CodeLabel):
    domain: str
    domain_label: str


class PlaceTerritory(Schema):
    level: str
    code: str
    name: str


class PlaceOut(Schema):
    territory: PlaceTerritory
    departement: str | None = None
    region: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class StructureOut(Schema):
    name: str | None = None
    legal_status: str | None = None
    siret: str | None = None


class SourceOut(Schema):
    name: str
    url: str
    identifier: str
    licence: str


class ProjectOut(Schema):
    """A field above the caller's openness level is absent."""

    id: int
    url: str
    title: str
    published_at: datetime | None
    updated_at: datetime | None
    licence: str
    sources: list[SourceOut]
    summary: str | None = None
    description: str | None = None
    themes: list[ThemeOut] | None = None
    publics: list[CodeLabel] | None = None
    methods: list[CodeLabel] | None = None
    stage: str | None = None
    scale: str | None = None
    year_started: int | None = None
    tags: list[str] | None = None
    website: str | None = None
    links: list[str] | None = None
    structure: StructureOut | None = None
    contact_email: str | None = None
    locations: list[PlaceOut] | None = None


class ProjectListOut(Schema):
    count: int
    page: int
    pages: int
    licence: str
    access_level: str
    results: list[ProjectOut]
    next: str | None = None
    previous: str | None = None


def _conditional(request: HttpRequest, payload: dict, modified: datetime | None) -> HttpResponse:
    """JSON with ETag and Last-Modified; 304 when the client's copy is current."""
    body = json.dumps(payload, ensure_ascii=False, default=str)
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        if (
            modified is not None
            and since is not None
            and int(modified.timestamp()) <= since
            and not request.headers.get("If-None-Match")
        ):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    response["Vary"] = "Authorization, X-API-Key, Cookie"
    response["Cache-Control"] = "private, max-age=60"
    return response


@projects_router.get(
    "/projects",
    response={200: ProjectListOut, 304: None, 400: dict},
    summary="Liste des projets (mêmes filtres que la recherche)",
    throttle=[CallerThrottle()],
)
def projects_list(request: HttpRequest, params: Query[SearchParams]):
    """Published projects, with the search page's parameters (q, domaine, region…,
    tri, page, par_page ≤ 100). Fields are filtered by openness: anyone gets open
    data; a logged-in member the commons; a partner API key (header
    `Authorization: Bearer <key>`) the partners-only fields."""
    caller = caller_for(request)
    try:
        query = parse_params(
            request.GET, principals=frozenset({"public"}), resolve_place=resolve_place
        )
    except QueryError as exc:
        raise HttpError(400, str(exc)) from None
    query = replace(
        query, filters={**query.filters, "kind": ("project",)}, facets=False, highlight=False
    )
    try:
        results = search(query=query, record=False)
    except SearchUnavailable:
        raise HttpError(503, "La recherche est momentanément indisponible.") from None
    ids = [int(hit.object_id) for hit in results.hits]
    by_id = {p.pk: p for p in projects_for_open_data().filter(pk__in=ids)}
    projects = [by_id[i] for i in ids if i in by_id]
    base = [(k, v) for k, v in request.GET.items() if k != "page"]

    def link(page: int) -> str:
        return f"{request.path}?{urlencode([*base, ('page', str(page))])}"

    payload = {
        "count": results.total,
        "page": query.page,
        "pages": results.pages,
        "licence": PLATFORM_LICENCE,
        "access_level": caller.level,
        "results": [serialise(p, caller.level) for p in projects],
        "next": link(query.page + 1) if query.page < results.pages else None,
        "previous": link(query.page - 1) if query.page > 1 else None,
    }
    modified = max((p.last_published_at for p in projects if p.last_published_at), default=None)
    return _conditional(request, payload, modified)


@projects_router.get(
    "/projects/{project_id}",
    response={200: ProjectOut, 304: None, 404: dict},
    summary="Un projet",
    throttle=[CallerThrottle()],
)
def project_detail(request: HttpRequest, project_id: int):
    project = projects_for_open_data().filter(pk=project_id).first()
    if project is None:
        raise HttpError(404, "Projet introuvable.")
    caller = caller_for(request)
    return _conditional(request, serialise(project, caller.level), project.last_published_at)


@projects_router.get(
    "/projects/{project_id}/jsonld",
    summary="Un projet en JSON-LD (schema.org et ESSglobal)",
    throttle=[CallerThrottle()],
)
def project_jsonld(request: HttpRequest, project_id: int):
    project = projects_for_open_data().filter(pk=project_id).first()
    if project is None:
        raise HttpError(404, "Projet introuvable.")
    response = JsonResponse(
        jsonld(project, caller_for(request).level), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response
