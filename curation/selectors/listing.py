"""Live results shown on curated pages (dossiers, partner, theme and territory
pages): a search run with the viewer's own principals, as cards and map points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from search.query import Hit, QueryError, SearchQuery, parse_params
from search.registry import adapters, principals_for
from search.services import SearchUnavailable, resolve_place, search

from .picks import Pick

MAP_POINTS = 1000


@dataclass
class Listing:
    picks: list[Pick] = field(default_factory=list)
    total: int = 0
    url: str = ""  # the same search on the search page
    available: bool = True
    points: list[dict] = field(default_factory=list)


def hit_pick(hit: Hit) -> Pick:
    adapter = adapters().get(hit.kind)
    return Pick(
        key=hit.key,
        kind=hit.kind,
        kind_label=str(adapter.label) if adapter else "",
        title=hit.title,
        url=hit.url,
        summary=hit.summary,
        image_url=hit.display.get("image_url", ""),
        places=tuple(hit.display.get("places", ())[:2]),
    )


def _points(query: SearchQuery) -> list[dict]:
    points: list[dict] = []
    page = 1
    while len(points) < MAP_POINTS:
        results = search(
            query=replace(query, page=page, per_page=100, facets=False, highlight=False),
            record=False,
        )
        for hit in results.hits:
            for lat, lon in hit.display.get("points", []):
                points.append({"lat": lat, "lon": lon, "title": hit.title, "url": hit.url})
        if page >= results.pages:
            break
        page += 1
    return points[:MAP_POINTS]


def listing(
    *,
    user,
    filters: Mapping[str, tuple[str, ...]] | None = None,
    params: str | None = None,
    limit: int = 12,
    with_points: bool = False,
    sort: str = "recents",
) -> Listing:
    """The first ``limit`` results of a search (``params``: URL parameters as the
    search page takes them, or ``filters``) that ``user`` may see."""
    principals = principals_for(user)
    if params is not None:
        try:
            query = parse_params(
                QueryDict(params), principals=principals, resolve_place=resolve_place
            )
        except QueryError:
            return Listing(available=False)
        if "tri" not in QueryDict(params):
            query = replace(query, sort=sort if not query.text else query.sort)
    else:
        query = SearchQuery(filters=dict(filters or {}), principals=principals, sort=sort)
    query = replace(query, per_page=limit, facets=False, highlight=False)
    try:
        results = search(query=query, record=False)
        points = _points(query) if with_points else []
    except SearchUnavailable:
        return Listing(available=False)
    return Listing(
        picks=[hit_pick(hit) for hit in results.hits],
        total=results.total,
        url=f"{reverse('search:search')}?{urlencode(query.to_params())}",
        points=points,
    )
