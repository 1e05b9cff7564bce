"""/communautes/: the directory of communities (``communities_directory``: listed
ones, secret ones only to their members), filtered by a GET form, paginated, with a
map of the places of territorial communities (the site's Leaflet map, static/js/
map.js; the list says the same without JavaScript)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..forms import DirectoryFilterForm
from ..models import Community, CommunityTerritory, Kind
from ..rules import proposals_open
from ..selectors import communities_directory

PAGE_SIZE = 24
MAP_POINTS_LIMIT = 500


def map_points(communities) -> list[dict]:
    """One point per place of each territorial (or mixed) community of the list,
    for map.js: its name, the place's name and the community's page."""
    ids = [c.pk for c in communities if c.kind in (Kind.TERRITORIALE, Kind.MIXTE)]
    if not ids:
        return []
    by_id: dict[int, Community] = {c.pk: c for c in communities}
    links = (
        CommunityTerritory.objects.filter(community_id__in=ids, territory__latitude__isnull=False)
        .select_related("territory")
        .order_by("community_id", "sort_order")[:MAP_POINTS_LIMIT]
    )
    return [
        {
            "lat": link.territory.latitude,
            "lon": link.territory.longitude,
            "title": by_id[link.community_id].name,
            "label": link.territory.name,
            "url": by_id[link.community_id].get_absolute_url(),
        }
        for link in links
    ]


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    communities = communities_directory(user=request.user, **filters)
    page_obj = Paginator(communities, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    # The map shows every community the filters keep, not only this page's.
    points = map_points(list(communities.filter(kind__in=[Kind.TERRITORIALE, Kind.MIXTE])))
    return render(
        request,
        "communities/directory.html",
        {
            "filter_form": form,
            "filtered": bool(filters and any(filters.values())),
            "page_obj": page_obj,
            "communities": page_obj.object_list,
            "querystring": querystring.urlencode(),
            "map_points": points,
            "proposals_open": proposals_open(),
        },
    )
