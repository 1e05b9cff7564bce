"""/projets/: live projects, filterable by theme domain and région, paginated.

The listing is a search without words (search/services.py): the same facets,
counts, visibility rules and index as /recherche/ — one facet mechanism — and the
cards are drawn from the projects the page of results names."""

from __future__ import annotations

from dataclasses import replace

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from search.query import MAX_PAGE, SearchQuery
from search.registry import facet_params, principals_for
from search.services import SearchUnavailable, search

from ..selectors import projects_for_cards

PAGE_SIZE = 24
FILTERS = ("domain", "region")  # the facets this page offers (innovations/search_facets.py)


def _page_number(raw: str | None) -> int:
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


def project_index(request: HttpRequest, *, index_page) -> HttpResponse:
    params = facet_params()
    selected = {
        facet: request.GET.get(params[facet], "").strip()[:120]
        for facet in FILTERS
        if request.GET.get(params[facet], "").strip()
    }
    number = _page_number(request.GET.get("page"))
    query = SearchQuery(
        filters={"kind": ("project",), **{facet: (value,) for facet, value in selected.items()}},
        sort="recents",
        page=number,
        per_page=PAGE_SIZE,
        principals=principals_for(request.user),
        highlight=False,
    )
    unavailable = False
    try:
        results = search(query=query, record=False)
        if number > results.pages:  # past the end: the last page, as Paginator does
            number = results.pages
            results = search(query=replace(query, page=number), record=False)
        total, hits, facets = results.total, results.hits, results.facets
    except SearchUnavailable:
        unavailable, total, hits, facets = True, 0, [], {}
    page_obj = Paginator(range(total), PAGE_SIZE).get_page(number)
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return TemplateResponse(
        request,
        "innovations/project_index_page.html",
        {
            "page": index_page,
            "self": index_page,
            "projects": projects_for_cards(ids=[int(hit.object_id) for hit in hits]),
            "page_obj": page_obj,
            "facets": {facet: facets.get(facet, []) for facet in FILTERS},
            "params": {facet: params[facet] for facet in FILTERS},
            "selected_domain": selected.get("domain", ""),
            "selected_region": selected.get("region", ""),
            "search_unavailable": unavailable,
            "querystring": querystring.urlencode(),
        },
    )
