"""What the search page, the exports and the feeds share: reading the URL, paging
through every hit, absolute addresses."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from django.http import HttpRequest

from core.absolute_urls import absolute_url

from ..query import SearchQuery, parse_params
from ..registry import principals_for
from ..services import resolve_place, search

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


def _absolute(url: str, request: HttpRequest | None = None) -> str:
    """The address of a hit for this request's site (cms/absolute_urls.py)."""
    return absolute_url(url, request=request)
