"""What a territory's portrait shows (issue 16), and the stamp that names its PDF.

The portrait is one document for everybody, cached: it shows only what the
anonymous visitor may see (the search's anonymous principals, figures.py), never
what the person who asked for it may see.

**The stamp.** A PDF is kept under (level, code, language, stamp). The stamp is a
digest of the portrait's data itself (every figure, name and list it prints), of its
templates and of the site's address: it changes exactly when something the portrait
shows changes, whichever process changed it. The content generation of
core/page_cache.py is used one step earlier, to cache the data (one Redis read per
request instead of the searches); it could not be the stamp alone: it is bumped by
every change of the site (a portrait would be rebuilt for an unrelated edit), and
without Redis (``make run``) each process has its own, in memory, so the web
process does not see the worker's imports — nor does the cache, which is off then
(``CARREFOUR_PAGE_CACHE_SECONDS=0``): the data is simply computed, and hashed."""

from __future__ import annotations

import functools
import hashlib
import json

from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from core import page_cache
from core.absolute_urls import site_root_url
from innovations.models import Territory, TerritoryLevel
from search.query import SearchQuery
from search.services import SearchUnavailable, search

from .figures import ANONYMOUS
from .gaps import rate, rate_text, search_url, who_acts
from .listing import listing
from .topics import Topic, territory_path, topic_figures

TEMPLATES = ("curation/portrait.html", "curation/includes/portrait_map.svg")
# Bumped when the data's shape or the rendering changes in a way the templates'
# digest does not see (the map's code, WeasyPrint's options).
FORMAT = 1
LISTED = 12  # communities, upcoming events and ready projects printed at most
EVENTS_SCANNED = 100


def _picks(result) -> list[dict]:
    return [
        {"title": pick.title, "url": pick.url, "places": list(pick.places), "summary": pick.summary}
        for pick in result.picks
    ]


def _upcoming_events(filters: dict) -> list[dict]:
    """The territory's next events (the search has no date filter: the next
    EVENTS_SCANNED published are read and the past ones left out)."""
    query = SearchQuery(
        filters={"kind": ("event",), **filters},
        principals=ANONYMOUS,
        per_page=EVENTS_SCANNED,
        sort="recents",
        facets=False,
        highlight=False,
    )
    try:
        hits = search(query=query, record=False).hits
    except SearchUnavailable:
        return []
    now = timezone.now()
    upcoming = []
    for hit in hits:
        start = parse_datetime(hit.display.get("start") or "")
        if start is not None and start >= now:
            upcoming.append((start, hit))
    upcoming.sort(key=lambda pair: pair[0])
    return [
        {
            "title": hit.title,
            "url": hit.url,
            "start": start.isoformat(),
            "community": hit.display.get("community", ""),
            "places": list(hit.display.get("places", ())[:2]),
        }
        for start, hit in upcoming[:LISTED]
    ]


def portrait_data(*, topic: Topic) -> dict:
    """Everything the portrait of ``topic`` (a région or a département) prints, as
    plain JSON values; cached until the content changes, per language."""
    return page_cache.cached_fragment(
        "portrait",
        (topic.kind, topic.code),
        lambda: _portrait_data(topic),
        keep=lambda data: data["available"],
    )


def _portrait_data(topic: Topic) -> dict:
    counts, figures = topic_figures(topic=topic)
    anonymous = AnonymousUser()
    filters = dict(topic.filters)
    ready = listing(
        user=anonymous,
        filters={"kind": ("project",), **filters, "essaimage": ("prete",)},
        limit=LISTED,
    )
    communities = listing(user=anonymous, filters={"kind": ("community",), **filters}, limit=LISTED)
    # Projects by département: on a département's portrait the facet is counted
    # without its own filter (France-wide, to compare); on a région's, within it.
    by_departement = {item.value: item.count for item in counts.facet("departement")}
    departements = []
    if topic.kind == TerritoryLevel.REGION:
        departements = [
            {"code": code, "name": name, "projects": by_departement.get(code, 0)}
            for code, name in Territory.objects.filter(
                level=TerritoryLevel.DEPARTEMENT, region_code=topic.code
            )
            .order_by("code")
            .values_list("code", "name")
        ]
    return {
        "level": topic.kind,
        "code": topic.code,
        "title": topic.title,
        "parent": topic.parent[0] if topic.parent else "",
        "population": topic.population,
        "url": territory_path(topic.kind, topic.code),
        "figures": {
            **figures,
            "per_100k": rate_text(rate(figures["projects"], topic.population)),
            "ready": ready.total,
        },
        "domains": [
            {
                "code": row.code,
                "label": row.label,
                "count": row.count,
                "per_100k": rate_text(row.per_100k),
                "url": row.search_url,
            }
            for row in who_acts(
                facet=topic.facet, code=topic.code, counts=counts, population=topic.population
            )
        ],
        "partners": [
            {
                "label": item.label,
                "count": item.count,
                "url": reverse("curation:partner", kwargs={"slug": item.value}),
            }
            for item in counts.facet("source")
        ],
        "ready": _picks(ready),
        "ready_url": search_url({topic.facet: (topic.code,), "essaimage": ("prete",)}),
        "communities": _picks(communities),
        "communities_total": communities.total,
        "events": _upcoming_events(filters),
        "departements": departements,
        "map": {
            "counts": by_departement
            if topic.kind == TerritoryLevel.DEPARTEMENT
            else {d["code"]: d["projects"] for d in departements},
            "scope": None
            if topic.kind == TerritoryLevel.DEPARTEMENT
            else [d["code"] for d in departements],
        },
        "available": counts.available and ready.available and communities.available,
    }


@functools.cache
def _templates_digest() -> str:
    sources = [get_template(name).template.source for name in TEMPLATES]
    return hashlib.sha256("\0".join(sources).encode()).hexdigest()


def portrait_stamp(data: dict) -> str:
    """The digest of what the portrait prints (see the module's docstring)."""
    payload = json.dumps(
        {"data": data, "format": FORMAT, "templates": _templates_digest(), "site": site_root_url()},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def portrait_language() -> str:
    return (translation.get_language() or "fr").split("-")[0]


def portrait_name(*, level: str, code: str, language: str, stamp: str) -> str:
    """The PDF's name in media storage; one folder per territory (older ones pruned)."""
    return f"portraits/{level}-{code}/{language}-{stamp}.pdf"


def portrait_stored(name: str) -> bool:
    return default_storage.exists(name)


def portrait_filename(*, level: str, code: str) -> str:
    """The name a visitor's browser saves it under."""
    return f"portrait-{level}-{code}.pdf"
