"""Context shared by every page of the site shell."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject


def _search_url() -> str:
    try:
        return reverse("search:search")
    except NoReverseMatch:
        return "/"


def site_shell(request) -> dict:
    from cms.selectors import site_navigation

    navigation = SimpleLazyObject(lambda: site_navigation(request=request))
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "main_nav": SimpleLazyObject(lambda: navigation["main_nav"]),
        "footer_nav": SimpleLazyObject(lambda: navigation["footer_nav"]),
        "site_search_url": SimpleLazyObject(_search_url),
    }
