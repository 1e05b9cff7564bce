"""Every search as a CSV or GeoJSON download, and as Atom and RSS feeds."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.csvsafe import csv_download
from core.feeds import SafeAtom1Feed, SafeRss201rev2Feed

from ..query import QueryError
from ..services import search
from .common import (
    EXPORT_LIMIT,
    _absolute,
    _all_hits,
    _parse,
)


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    try:
        query = _parse(request)
    except QueryError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")

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
        yield header
        for hit in _all_hits(query, EXPORT_LIMIT):
            points = hit.display.get("points") or [[None, None]]
            yield [
                hit.kind,
                hit.title,
                hit.summary,
                _absolute(hit.url, request),
                " | ".join(hit.display.get("labels", [])),
                " | ".join(hit.display.get("places", [])),
                points[0][0] if points[0][0] is not None else "",
                points[0][1] if points[0][1] is not None else "",
                hit.published_at.date().isoformat() if hit.published_at else "",
            ]

    # core/csvsafe.py: the one CSV path (streamed, BOM, formulas neutralised).
    return csv_download(rows(), filename="carrefour-recherche.csv")


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
                    "themes": hit.display.get("labels", []),
                    "territories": hit.display.get("places", []),
                },
            }
        )
    response = HttpResponse(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="carrefour-recherche.geojson"'
    return response


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
