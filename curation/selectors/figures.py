"""Counts of what anyone may see, from the search — never from the apps' tables.

Every figure the site shows (home key figures, statistics, partner, theme and
territory pages) is a facet count of a search run with the anonymous visitor's
principals: the same visible set as the search page, so a private, draft or
restricted project is never counted, whatever the backend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from communities.models import Membership, MembershipState
from communities.permissions import community_visible_to
from core import page_cache
from search.documents import PUBLIC
from search.query import FacetCount, GeoFilter, SearchQuery
from search.services import SearchUnavailable, search

ANONYMOUS = frozenset({PUBLIC})


@dataclass
class Counts:
    """A search's total and facet counts; ``available`` False when the engine is down."""

    total: int = 0
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    available: bool = True

    def facet(self, name: str) -> list[FacetCount]:
        return [item for item in self.facets.get(name, []) if item.count]

    def of(self, name: str, value: str) -> int:
        return next((i.count for i in self.facets.get(name, []) if i.value == value), 0)


def visible_counts(
    *,
    filters: Mapping[str, tuple[str, ...]] | None = None,
    geo: GeoFilter | None = None,
    principals: frozenset[str] = ANONYMOUS,
) -> Counts:
    query = SearchQuery(
        filters=dict(filters or {}),
        geo=geo,
        per_page=1,
        principals=principals,
        facets=True,
        highlight=False,
    )
    try:
        results = search(query=query, record=False)
    except SearchUnavailable:
        return Counts(available=False)
    return Counts(total=results.total, facets=results.facets)


def project_counts(**filters: tuple[str, ...]) -> Counts:
    return visible_counts(filters={"kind": ("project",), **filters})


def visible_members_count() -> int:
    """People who are active members of at least one community anyone may see."""
    return (
        Membership.objects.filter(
            state=MembershipState.ACTIVE,
            community__in=community_visible_to(user=AnonymousUser()),
            user__is_active=True,
        )
        .values("user")
        .distinct()
        .count()
    )


def key_figures() -> list[dict]:
    """The home page's live key figures, cached until the content changes."""
    return page_cache.cached_fragment(
        "key-figures", (translation.get_language(),), _key_figures, keep=bool
    )


def _key_figures() -> list[dict]:
    projects = project_counts()
    if not projects.available:
        return []
    search_url = reverse("search:search")
    return [
        {
            "value": projects.total,
            "label": _("projets à découvrir"),
            "url": f"{search_url}?type=project",
        },
        {
            "value": len(projects.facet("source")),
            "label": _("partenaires qui partagent leurs données"),
            "url": reverse("curation:partners"),
        },
        {
            "value": len(projects.facet("departement")),
            "label": _("départements couverts"),
            "url": reverse("curation:statistics") + "#departements",
        },
        {
            "value": projects.of("kind", "community"),
            "label": _("communautés d'action"),
            "url": reverse("communities:directory"),
        },
        {"value": visible_members_count(), "label": _("membres de ces communautés"), "url": ""},
    ]
