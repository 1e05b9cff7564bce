"""/recherche/: the search page (list and map), exports and feeds.

The URL holds the whole state (query, filters, place, sort, page, view), so every
search can be shared, bookmarked, exported or followed.
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.absolute_urls import absolute_url
from core.csvsafe import csv_writer
from core.feeds import SafeAtom1Feed, SafeRss201rev2Feed

from .documents import FACETS
from .query import DEFAULT_RADIUS_KM, PARAMS, PlaceError, QueryError, SearchQuery, parse_params
from .registry import principals_for
from .services import SearchUnavailable, resolve_place, search, suggest

MAP_POINTS_LIMIT = 2000
RADIUS_OPTIONS = (5, 10, 20, 30, 50, 100, 200)
EXPORT_LIMIT = 10_000
EXPORT_PAGE = 100


def _parse(request: HttpRequest, **kwargs) -> SearchQuery:
    return parse_params(
        request.GET,
        principals=principals_for(request.user),
        resolve_place=resolve_place,
        **kwargs,
    )


def _url(query: SearchQuery, **extra) -> str:
    params = query.to_params() + [(k, v) for k, v in extra.items() if v]
    return "?" + urlencode(params) if params else "?"


def _facet_groups(results, query: SearchQuery, view: str) -> list[dict]:
    """Facets for the template, with the URL that toggles each value."""
    groups = []
    for facet in FACETS:
        items = []
        for item in results.facets.get(facet.name, []):
            if item.selected:
                toggled = query.without(facet.name, item.value)
            else:
                values = (*query.filters.get(facet.name, ()), item.value)
                toggled = replace(query, filters={**query.filters, facet.name: values}, page=1)
            items.append(
                {"item": item, "url": _url(toggled, vue="carte" if view == "carte" else "")}
            )
        if items:
            groups.append(
                {
                    "facet": facet,
                    "param": PARAMS[facet.name],
                    "items": items,
                    "open": any(i["item"].selected for i in items),
                }
            )
    return groups


def _active_filters(query: SearchQuery, results) -> list[dict]:
    """Each active filter with the URL that drops it (offered when nothing matches)."""
    labels = {
        facet: {item.value: item.label for item in items} for facet, items in results.facets.items()
    }
    facet_labels = {f.name: f.label for f in FACETS}
    active = []
    if query.text:
        active.append(
            {
                "label": _("Texte : « %(text)s »") % {"text": query.text},
                "url": _url(replace(query, text="", page=1)),
            }
        )
    for facet, values in query.filters.items():
        for value in values:
            active.append(
                {
                    "label": f"{facet_labels[facet]} : {labels.get(facet, {}).get(value, value)}",
                    "url": _url(query.without(facet, value)),
                }
            )
    if query.geo is not None:
        if query.geo.area is not None:
            label = _("Dans %(place)s") % {"place": query.geo.label}
        else:
            label = _("À moins de %(km)s km de %(place)s") % {
                "km": f"{query.geo.km:g}",
                "place": query.geo.label or _("ce point"),
            }
        active.append(
            {
                "label": label,
                "url": _url(
                    replace(
                        query,
                        geo=None,
                        page=1,
                        sort="pertinence" if query.sort == "distance" else query.sort,
                    )
                ),
            }
        )
    return active


def _understood(query: SearchQuery, results, view: str) -> dict:
    """The concepts the query was understood to name, each with the URL that drops
    it (« sans_concept », kept in the shareable URL), and those dropped, with the URL
    that takes them back (search/interpret.py)."""
    vue = "carte" if view == "carte" else ""
    return {
        "understood": [
            {"concept": concept, "url": _url(query.dropping(concept.key), vue=vue)}
            for concept in results.concepts
        ],
        "dropped_concepts": [
            {"concept": concept, "url": _url(query.keeping(concept.key), vue=vue)}
            for concept in results.dropped_concepts
        ],
    }


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    view = "carte" if request.GET.get("vue") == "carte" else "liste"
    context: dict = {
        "view": view,
        "error": "",
        "results": None,
        "radius_options": RADIUS_OPTIONS,
    }
    status = 200
    try:
        query = _parse(request)
    except PlaceError as exc:
        # The rest of the search stays in the form, the place as typed; the places
        # it may mean are links that re-run this search with exactly that place.
        context.update(
            {
                "error": str(exc),
                "place_error": True,
                "place_value": exc.text,
                "place_choices": [
                    {"choice": choice, "url": _with_place(request, choice.value)}
                    for choice in exc.choices
                ],
                "radius_value": _typed_radius(request),
                "query": _parse_without_place(request),
                "export_query": None,
            }
        )
        # Several places answer: a question to the visitor (200), not an error;
        # a place nobody knows is a bad request (400).
        return render(
            request, "search/search_page.html", context, status=200 if exc.ambiguous else 400
        )
    except QueryError as exc:
        context["error"] = str(exc)
        query = SearchQuery(principals=principals_for(request.user))
        status = 400
    context["query"] = query
    context["place_value"] = (
        query.geo.label if query.geo is not None else request.GET.get("autour", "")[:150]
    )
    context["radius_value"] = (
        query.geo.km if query.geo is not None and query.geo.area is None else _typed_radius(request)
    )
    if query.geo is not None:
        context["place_others"] = [
            {"choice": choice, "url": _with_place(request, choice.value)}
            for choice in query.geo.others
        ]
    try:
        results = search(query=query)
    except SearchUnavailable:
        context["error"] = _(
            "La recherche est momentanément indisponible. Réessayez dans quelques minutes."
        )
        return render(request, "search/search_page.html", context, status=503)
    map_points = []
    if view == "carte":
        map_points = _map_points(query)
    base = query.to_params()
    context.update(
        {
            "results": results,
            "facet_groups": _facet_groups(results, query, view),
            "active_filters": _active_filters(query, results),
            "map_points": map_points,
            "map_truncated": len(map_points) >= MAP_POINTS_LIMIT,
            "list_url": "?" + urlencode(base),
            "map_url": "?" + urlencode([*base, ("vue", "carte")]),
            "export_query": urlencode(base),
            "page_links": _page_links(query, results, view),
            "radius_options": RADIUS_OPTIONS,
            "sorts": [
                ("pertinence", _("Pertinence")),
                ("recents", _("Plus récents")),
                ("alpha", _("A → Z")),
                ("distance", _("Distance")),
            ],
            "suggestion_url": (
                _url(replace(query, text=results.suggestion, page=1)) if results.suggestion else ""
            ),
            **_understood(query, results, view),
        }
    )
    return render(request, "search/search_page.html", context, status=status)


def _with_place(request: HttpRequest, value: str) -> str:
    """This search (same parameters) with « autour » set to ``value``, first page."""
    params = request.GET.copy()
    params["autour"] = value
    params.pop("page", None)
    return "?" + params.urlencode()


def _typed_radius(request: HttpRequest) -> float:
    """The radius asked for, for the form, when the search could not run with it."""
    try:
        radius = float((request.GET.get("rayon") or "").replace(",", "."))
    except ValueError:
        return DEFAULT_RADIUS_KM
    return radius if radius in RADIUS_OPTIONS else DEFAULT_RADIUS_KM


def _parse_without_place(request: HttpRequest) -> SearchQuery:
    params = request.GET.copy()
    params.pop("autour", None)
    try:
        return parse_params(params, principals=principals_for(request.user))
    except QueryError:
        return SearchQuery(principals=principals_for(request.user))


def _page_links(query: SearchQuery, results, view: str) -> dict:
    extra = {"vue": "carte"} if view == "carte" else {}
    links = {}
    if query.page > 1:
        links["previous"] = _url(query, page=str(query.page - 1), **extra)
    if query.page < results.pages:
        links["next"] = _url(query, page=str(query.page + 1), **extra)
    return links


def _all_hits(query: SearchQuery, limit: int):
    """Every hit of a query, page after page (exports and maps)."""
    page = 1
    fetched = 0
    while fetched < limit:
        batch = search(
            query=replace(query, page=page, per_page=EXPORT_PAGE, facets=False, highlight=False),
            record=False,
        )
        if not batch.hits:
            return
        for hit in batch.hits:
            yield hit
            fetched += 1
            if fetched >= limit:
                return
        if page >= batch.pages:
            return
        page += 1


def _map_points(query: SearchQuery) -> list[dict]:
    points = []
    for hit in _all_hits(query, MAP_POINTS_LIMIT):
        for lat, lon in hit.display.get("points", []):
            points.append({"lat": lat, "lon": lon, "title": hit.title, "url": hit.url})
    return points[:MAP_POINTS_LIMIT]


def _absolute(url: str, request: HttpRequest | None = None) -> str:
    """The address of a hit for this request's site (cms/absolute_urls.py)."""
    return absolute_url(url, request=request)


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    try:
        query = _parse(request)
    except QueryError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")

    writer = csv_writer()  # formulas neutralised (cms/csvsafe.py)
    header = [
        _("type"),
        _("titre"),
        _("résumé"),
        _("adresse"),
        _("thèmes"),
        _("territoires"),
        _("latitude"),
        _("longitude"),
        _("publié le"),
    ]

    def rows():
        yield "\ufeff"  # BOM: spreadsheets open the file as UTF-8
        yield writer.writerow(header)
        for hit in _all_hits(query, EXPORT_LIMIT):
            points = hit.display.get("points") or [[None, None]]
            yield writer.writerow(
                [
                    hit.kind,
                    hit.title,
                    hit.summary,
                    _absolute(hit.url, request),
                    " | ".join(hit.display.get("theme_labels", [])),
                    " | ".join(hit.display.get("territory_labels", [])),
                    points[0][0] if points[0][0] is not None else "",
                    points[0][1] if points[0][1] is not None else "",
                    hit.published_at.date().isoformat() if hit.published_at else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="carrefour-recherche.csv"'
    return response


@require_GET
def export_geojson(request: HttpRequest) -> HttpResponse:
    try:
        query = _parse(request)
    except QueryError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    features = []
    for hit in _all_hits(query, EXPORT_LIMIT):
        points = hit.display.get("points") or []
        if not points:
            continue
        geometry = (
            {"type": "Point", "coordinates": [points[0][1], points[0][0]]}
            if len(points) == 1
            else {"type": "MultiPoint", "coordinates": [[lon, lat] for lat, lon in points]}
        )
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "kind": hit.kind,
                    "title": hit.title,
                    "summary": hit.summary,
                    "url": _absolute(hit.url, request),
                    "themes": hit.display.get("theme_labels", []),
                    "territories": hit.display.get("territory_labels", []),
                },
            }
        )
    response = HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="carrefour-recherche.geojson"'
    return response


@require_GET
def suggestions(request: HttpRequest) -> JsonResponse:
    items = suggest(text=request.GET.get("q", ""), user=request.user, limit=8)
    return JsonResponse(
        {
            "results": [
                {
                    "label": s.label,
                    "category": s.category,
                    "url": s.url or ("/recherche/?" + urlencode({s.param: s.value})),
                }
                for s in items
            ]
        }
    )


class SearchFeed(Feed):
    """New projects matching a search, newest first (Atom; RSS at /flux.rss)."""

    feed_type = SafeAtom1Feed  # text cleaned for XML (cms/feeds.py)
    description_template = None

    def get_object(self, request):
        query = _parse(request)
        filters = dict(query.filters)
        filters["kind"] = ("project",)
        return replace(query, filters=filters, sort="recents", page=1, per_page=30), request

    def title(self, obj):
        query, _request = obj
        base = _("Nouveaux projets — Carrefour des innovations sociales")
        return f"{base} : {query.text}" if query.text else base

    def link(self, obj):
        query, request = obj
        return _absolute("/recherche/?" + urlencode(query.to_params()), request)

    def description(self, obj):
        return _("Les derniers projets publiés qui correspondent à cette recherche.")

    def items(self, obj):
        query, request = obj
        hits = search(query=replace(query, facets=False), record=False).hits
        # Absolute here, where the request is known: links and ids (item_guid) of the
        # feed name the site it was read from, not a fixed address.
        return [replace(hit, url=_absolute(hit.url, request)) for hit in hits]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.published_at

    def item_guid(self, item):
        return item.url  # absolute (items)

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except QueryError as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")


class SearchRssFeed(SearchFeed):
    feed_type = SafeRss201rev2Feed
