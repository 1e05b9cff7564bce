"""Read-side helpers of the site shell (header and footer navigation)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from .models import SiteShellSettings


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


def _page_url(page, request: HttpRequest) -> str | None:
    if page is None or not page.live:
        return None
    return page.get_url(request=request)


def _url_name(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _is_current(url: str, request: HttpRequest) -> bool:
    if url == "/":
        return request.path == "/"
    return request.path.startswith(url)


def site_navigation(*, request: HttpRequest) -> dict[str, list[NavItem]]:
    """Header and footer links. Pages come from the SiteShellSettings chosen by
    editors; a link whose target is missing or unpublished is left out."""
    shell = SiteShellSettings.for_request(request)
    main = [
        (_("Projets"), _page_url(shell.projects_page, request)),
        # The directory of the communities app, unless editors chose a page.
        (
            _("Communautés"),
            _page_url(shell.communities_page, request) or _url_name("communities:directory"),
        ),
        (_("Recherche"), _url_name("search:search")),
        (_("À propos"), _page_url(shell.about_page, request)),
    ]
    footer = [
        (_("Mentions légales"), _page_url(shell.legal_page, request)),
        (_("Accessibilité : partiellement conforme"), _page_url(shell.accessibility_page, request)),
        (_("Données personnelles"), _page_url(shell.privacy_page, request)),
        (_("Contact"), _page_url(shell.contact_page, request)),
    ]
    return {
        "main_nav": [NavItem(label, url, _is_current(url, request)) for label, url in main if url],
        "footer_nav": [NavItem(label, url) for label, url in footer if url],
    }
