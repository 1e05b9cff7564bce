"""/recherche/: the search page (list and map) and its suggestions as you type.

The URL holds the whole state (query, filters, place, sort, page, view), so every
search can be shared, bookmarked, exported or followed.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import registry
from ..query import DEFAULT_RADIUS_KM, PlaceError, QueryError, SearchQuery, parse_params
from ..registry import principals_for
from ..services import SearchUnavailable, record_on_cache_hits, search, suggest
from .common import (
    MAP_POINTS_LIMIT,
    RADIUS_OPTIONS,
    _all_hits,
    _parse,
    _url,
)


def _facet_groups(results, query: SearchQuery, view: str) -> list[dict]:
    """Facets for the template, with the URL that toggles each value."""
    groups = []
    for facet in registry.facets():
        if not facet.listed:
            continue
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
                    "param": facet.param,
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
    facet_labels = {f.name: f.label for f in registry.facets()}
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
            label = labels.get(facet, {}).get(value, value)
            active.append(
                {
                    "label": f"{facet_labels.get(facet, facet)} : {label}",
                    "url": _url(query.without(facet, value)),
                    "page_url": registry.facet_page_url(facet, value),
                    "page_label": label,
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


def _localise_labels(hits) -> None:
    """The labels on result cards in the reader's language. Documents keep their
    labels in French (the index is French) and, in ``display["label_codes"]``, the
    facet codes behind them; outside French, one labelling per facet for the page."""
    if translation.get_language() == settings.LANGUAGE_CODE:
        return
    wanted: dict[str, set[str]] = {}
    for hit in hits:
        for facet, code in hit.display.get("label_codes") or ():
            wanted.setdefault(facet, set()).add(code)
    labels = {facet: registry.facet_labels(facet, codes) for facet, codes in wanted.items()}
    for hit in hits:
        codes = hit.display.get("label_codes")
        if codes:
            localised = [labels[facet].get(code, code) for facet, code in codes]
            hit.display = {**hit.display, "labels": list(dict.fromkeys(localised))}


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
        record_on_cache_hits(request, query=query, results=results)
    except SearchUnavailable:
        context["error"] = _(
            "La recherche est momentanément indisponible. Réessayez dans quelques minutes."
        )
        return render(request, "search/search_page.html", context, status=503)
    _localise_labels([*results.hits, *results.promoted])
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
                *((sort.name, sort.label) for sort in registry.facet_sorts().values()),
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


def _map_points(query: SearchQuery) -> list[dict]:
    points = []
    for hit in _all_hits(query, MAP_POINTS_LIMIT):
        for lat, lon in hit.display.get("points", []):
            points.append({"lat": lat, "lon": lon, "title": hit.title, "url": hit.url})
    return points[:MAP_POINTS_LIMIT]


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
