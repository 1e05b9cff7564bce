"""What curation shows on screens of the apps below it, through their registries:
the live blocks of composed pages (cms/sections.py) and the dossier page's context
(cms/page_views.py). ``connect()`` is called once, from ``CurationConfig.ready()``."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from cms import page_views, sections
from cms.models import SiteShellSettings
from search import registry as search_registry

from .models import DossierPage
from .selectors.figures import key_figures, project_counts
from .selectors.listing import listing
from .selectors.picks import Pick, promoted_hits, selection_picks
from .selectors.statistics import territory_map
from .selectors.topics import territory_path, theme_path


def _user(request: HttpRequest | None):
    return getattr(request, "user", None) or AnonymousUser()


def selection_section(*, value, request) -> dict:
    return {"items": selection_picks(selection=value.get("selection"), user=_user(request))}


def communities_section(*, value, request) -> dict:
    user = _user(request)
    count = value.get("count") or 3
    if value.get("selection") is not None:
        return {"items": selection_picks(selection=value["selection"], user=user, limit=count)}
    # No selection: the most recent communities anyone may see.
    return {"items": listing(user=user, filters={"kind": ("community",)}, limit=count).picks}


def _latest_editorial(*, user, request, count: int) -> list[Pick]:
    """The latest articles and dossiers: editorial pages, without the site's own
    pages the header and footer link to (about, legal notice, accessibility…)."""
    shell = SiteShellSettings.for_request(request) if request is not None else None
    own = {
        f"page:{pk}"
        for pk in (
            getattr(shell, f"{name}_id", None)
            for name in (
                "projects_page",
                "about_page",
                "communities_page",
                "legal_page",
                "accessibility_page",
                "privacy_page",
                "contact_page",
            )
        )
        if pk
    }
    picks = listing(user=user, filters={"kind": ("page",)}, limit=count + len(own)).picks
    return [pick for pick in picks if pick.key not in own][:count]


def latest_section(*, value, request) -> dict:
    user = _user(request)
    count = value.get("count") or 6
    if value.get("content") == "editorial":
        return {"items": _latest_editorial(user=user, request=request, count=count)}
    found = listing(user=user, filters={"kind": ("project",)}, limit=count)
    return {
        "items": found.picks,
        "more_url": found.url,
        "more_label": _("Tous les projets (%(count)s)") % {"count": found.total},
    }


def figures_section(*, value, request) -> dict:
    return {"figures": key_figures()}


def map_section(*, value, request) -> dict:
    return {
        "choropleth": territory_map(
            level="region", counts=project_counts(), title=_("Projets par région")
        )
    }


def dossier_context(page: DossierPage, request: HttpRequest) -> dict:
    user = _user(request)
    results = (
        listing(user=user, params=page.search_params, with_points=page.show_map)
        if page.search_params
        else None
    )
    return {
        "picks": selection_picks(selection=page.selection, user=user),
        "results": results,
        "statistics_url": reverse("curation:statistics"),
    }


def _theme_page(value: str) -> str | None:
    try:
        return theme_path(value) if value else None
    except NoReverseMatch:
        return None


def _territory_page(level: str):
    def resolve(value: str) -> str | None:
        try:
            return territory_path(level, value)
        except NoReverseMatch:
            return None

    return resolve


def connect() -> None:
    search_registry.register_promotion_provider(promoted_hits)
    search_registry.register_facet_page("domain", _theme_page)
    search_registry.register_facet_page("theme", _theme_page)
    search_registry.register_facet_page("region", _territory_page("region"))
    search_registry.register_facet_page("departement", _territory_page("departement"))
    sections.register_section("selection", selection_section)
    sections.register_section("communities", communities_section)
    sections.register_section("latest", latest_section)
    sections.register_section("figures", figures_section)
    sections.register_section("map", map_section)
    page_views.register_context(DossierPage, dossier_context)
