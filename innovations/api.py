"""/api/v1 endpoints of the innovations app: territories for forms, and the open
data read API of projects (fields filtered by each source's openness levels)."""

from __future__ import annotations

import hashlib
import json
import math
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from core.api_errors import ErrorOut, ValidationErrorOut
from core.client_ip import client_ip
from core.converters import ApiId
from search.api import QueryErrorOut, SearchParams, query_error
from search.indexing import enqueue
from search.query import QueryError, check_text, parse_params, unknown_param_warnings
from search.services import SearchUnavailable, resolve_place, search

from .opendata import (
    PLATFORM_LICENCE,
    Caller,
    caller_for,
    jsonld,
    projects_for_open_data,
    serialise,
)
from .replication_data import lineage_data, replication_changed_at
from .selectors import territories_autocomplete, territory_label

router = Router(tags=["Territoires"])
projects_router = Router(tags=["Projets (données ouvertes)"])

ANONYMOUS_RATE = "120/min"
PARTNER_RATE = "1200/min"


def request_caller(request: HttpRequest) -> Caller:
    """``caller_for``, once per request: the throttle and then the view both need
    it, and it looks the API key up in the database (and stamps its use)."""
    try:
        return request._carrefour_caller
    except AttributeError:
        request._carrefour_caller = caller_for(request)
        return request._carrefour_caller


class _Bucket(SimpleRateThrottle):
    """One request's bucket: django-ninja's sliding window, on an instance of its own."""

    def __init__(self, rate: str, key: str):
        super().__init__(rate)
        self._key = key

    def get_cache_key(self, request: HttpRequest) -> str:
        return self._key


_bucket: ContextVar[_Bucket | None] = ContextVar("api_throttle_bucket", default=None)


class CallerThrottle(BaseThrottle):
    """120 requests a minute per client address (core/client_ip.py), 1 200 per valid
    partner API key; an unknown or revoked key counts as no key.

    django-ninja keeps one throttle instance per endpoint, shared by every request
    and thread: nothing about a request may be stored on it (one request's header
    once raised the limit for everyone). Each request gets a bucket of its own;
    ``wait``, which ninja calls right after a refusal and without the request, finds
    it in a context variable — private to the request's thread or task."""

    def allow_request(self, request: HttpRequest) -> bool:
        caller = request_caller(request)
        if caller.api_key is not None:
            bucket = _Bucket(PARTNER_RATE, f"throttle_api_key_{caller.api_key.pk}")
        else:
            bucket = _Bucket(ANONYMOUS_RATE, f"throttle_api_ip_{self.get_ident(request)}")
        _bucket.set(bucket)
        return bucket.allow_request(request)

    def get_ident(self, request: HttpRequest) -> str:
        # Not ninja's reading of X-Forwarded-For: the site's one (also the contact reveal's).
        return client_ip(request)

    def wait(self) -> float | None:
        bucket = _bucket.get()
        return bucket.wait() if bucket is not None else None


# What every throttled endpoint may answer besides its result (documented, so that
# the schema says what clients really get).
THROTTLED = {429: ErrorOut}


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


@router.get(
    "/territoires",
    response={200: TerritoriesOut, 400: ErrorOut},
    summary="Autocomplétion des territoires",
)
def territories(request: HttpRequest, q: str = ""):
    """Communes, départements and régions whose name (accents ignored), postal code
    or INSEE code starts with ``q`` (2 characters at least)."""
    try:
        query = check_text("q", q[:80])
    except QueryError as exc:
        raise HttpError(400, str(exc)) from None
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


class ResourceOut(Schema):
    title: str
    url: str
    kind: str = Field(description="« document » (sur le Carrefour) ou « link ».")


class ContactOut(Schema):
    name: str | None = None
    email: str | None = None


class ReplicationOut(Schema):
    """La fiche d'essaimage (issue 16) ; « contact » pour les membres connectés et au-delà."""

    readiness: str | None = Field(
        None, description="« prete », « modelisation » ou « pas-encore »."
    )
    readiness_label: str | None = None
    transferable: str | None = None
    success_conditions: str | None = None
    obstacles: str | None = None
    partners_needed: str | None = None
    budget_range: str | None = None
    team_size: str | None = None
    time_to_launch: str | None = None
    licence: str | None = None
    licence_url: str | None = None
    resources: list[ResourceOut] = []
    requests_paused: bool = False
    contact: ContactOut | None = None


class LineageRef(Schema):
    id: int
    url: str
    title: str


class ReplicationsOut(Schema):
    count: int
    ids: list[int]
    urls: list[str]


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
    replication: ReplicationOut | None = None


class ProjectDetailOut(ProjectOut):
    inspired_by: list[LineageRef] = Field(
        [], description="Les projets publics dont celui-ci s'inspire (« Inspiré de »)."
    )
    replications: ReplicationsOut = Field(
        description="Les projets publics qui s'inspirent de celui-ci (« Essaimé à N endroits »)."
    )


class ProjectListOut(Schema):
    count: int
    page: int
    pages: int
    licence: str
    access_level: str
    results: list[ProjectOut]
    next: str | None = None
    previous: str | None = None
    warnings: list[str] = Field(
        [],
        description="Ce qui a été ignoré, en français : un paramètre inconnu (« page_size » : "
        "vouliez-vous dire « par_page » ?) est signalé ici, jamais refusé ni ignoré en silence.",
    )


def _conditional(request: HttpRequest, payload: dict, modified: datetime | None) -> HttpResponse:
    """JSON with ETag and Last-Modified; 304 when the client's copy is current."""
    # DjangoJSONEncoder: datetimes in ISO 8601 (« 2026-12-02T02:10:36Z »), as the
    # schema's « date-time » says — str() would give « 2026-12-02 02:10:36+00:00 ».
    body = json.dumps(payload, ensure_ascii=False, cls=DjangoJSONEncoder)
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
    response={
        200: ProjectListOut,
        304: None,
        400: QueryErrorOut,
        422: ValidationErrorOut,
        503: ErrorOut,
        **THROTTLED,
    },
    summary="Liste des projets (mêmes filtres que la recherche)",
    throttle=[CallerThrottle()],
)
def projects_list(request: HttpRequest, params: Query[SearchParams]):
    """Published projects, with the search page's parameters (q, domaine, region…,
    tri, page, par_page ≤ 100). Fields are filtered by openness: anyone gets open
    data; a logged-in member the commons; a partner API key (header
    `Authorization: Bearer <key>`) the partners-only fields. A parameter it does
    not know (`page_size`) is ignored and named in `warnings`, never refused."""
    caller = request_caller(request)
    try:
        query = parse_params(
            request.GET, principals=frozenset({"public"}), resolve_place=resolve_place
        )
    except QueryError as exc:
        return query_error(exc)
    warnings = unknown_param_warnings(request.GET)
    if query.filters.get("kind", ("project",)) != ("project",):
        warnings.append(_("« type » est sans effet ici : cette liste ne donne que des projets."))
    query = replace(
        query, filters={**query.filters, "kind": ("project",)}, facets=False, highlight=False
    )
    try:
        results = search(query=query, record=False)
    except SearchUnavailable:
        raise HttpError(503, _("La recherche est momentanément indisponible.")) from None
    ids = [int(hit.object_id) for hit in results.hits]
    by_id = {p.pk: p for p in projects_for_open_data().filter(pk__in=ids)}
    projects = [by_id[i] for i in ids if i in by_id]
    # A hit the database no longer shows (unpublished, restricted, deleted since it
    # was indexed) is neither given nor counted — a count of 1 beside no result
    # would tell that a hidden project matches the words. Its document is queued
    # for refresh, so that the index heals.
    stale = [i for i in ids if i not in by_id]
    if stale:
        enqueue(kind="project", object_ids=stale)
    total = max(0, results.total - len(stale))
    pages = max(1, math.ceil(total / query.per_page))
    base = [(k, v) for k, v in request.GET.items() if k != "page"]

    def link(page: int) -> str:
        return f"{request.path}?{urlencode([*base, ('page', str(page))])}"

    payload = {
        "count": total,
        "page": query.page,
        "pages": pages,
        "licence": PLATFORM_LICENCE,
        "access_level": caller.level,
        "results": [serialise(p, caller.level) for p in projects],
        "next": link(query.page + 1) if query.page < pages else None,
        "previous": link(query.page - 1) if query.page > 1 else None,
        "warnings": warnings,
    }
    modified = max((p.last_published_at for p in projects if p.last_published_at), default=None)
    return _conditional(request, payload, modified)


@projects_router.get(
    "/projects/{project_id}",
    response={
        200: ProjectDetailOut,
        304: None,
        404: ErrorOut,
        422: ValidationErrorOut,
        **THROTTLED,
    },
    summary="Un projet",
    throttle=[CallerThrottle()],
)
def project_detail(request: HttpRequest, project_id: ApiId):
    project = projects_for_open_data().filter(pk=project_id).first()
    if project is None:
        raise HttpError(404, _("Projet introuvable."))
    caller = request_caller(request)
    payload = {**serialise(project, caller.level), **lineage_data(project)}
    # A sheet or a lineage link changes without a new publication of the page: the
    # validator must follow them, so the last change of either counts too.
    return _conditional(request, payload, replication_changed_at(project))


@projects_router.get(
    "/projects/{project_id}/jsonld",
    summary="Un projet en JSON-LD (schema.org et ESSglobal)",
    response={200: None, 404: ErrorOut, 422: ValidationErrorOut, **THROTTLED},
    openapi_extra={
        "responses": {  # int keys, as ninja's, so that this completes its 200
            200: {
                "description": "OK",
                "content": {"application/ld+json": {"schema": {"type": "object"}}},
            }
        }
    },
    throttle=[CallerThrottle()],
)
def project_jsonld(request: HttpRequest, project_id: ApiId):
    project = projects_for_open_data().filter(pk=project_id).first()
    if project is None:
        raise HttpError(404, _("Projet introuvable."))
    response = JsonResponse(
        jsonld(project, request_caller(request).level), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response
