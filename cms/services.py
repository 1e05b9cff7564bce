"""Write-side services of the site shell: the page tree."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from core.absolute_urls import site_url_declared

from .models import HomePage

# Addresses a server listens on that no browser should be sent to.
_LISTEN_ALL = {"0.0.0.0": "127.0.0.1", "::": "localhost", "": "127.0.0.1"}  # noqa: S104


def _site_address() -> tuple[str, int]:
    parts = urlsplit(settings.SITE_URL)
    default_port = 443 if parts.scheme == "https" else 80
    return parts.hostname or "localhost", parts.port or default_port


def site_address_ensure(*, hostname: str = "", port: int | None = None) -> Site | None:
    """Point the default Site (its root_url: Wagtail's sitemap, page.full_url, and our
    absolute links outside a request, core/absolute_urls.py) at the address the site
    is served on: SITE_URL when it is declared in the environment, else ``hostname``
    and ``port`` (make run's HOST and PORT; 0.0.0.0 — every interface — becomes
    127.0.0.1). Without either, nothing changes. Idempotent; returns the site."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    if site_url_declared():
        hostname, port = _site_address()
    elif port is None:
        return site
    hostname = _LISTEN_ALL.get(hostname.strip("[]"), hostname.strip("[]"))
    if (site.hostname, site.port) != (hostname, int(port)):
        site.hostname, site.port = hostname, int(port)
        site.save(update_fields=["hostname", "port"])
    return site


def site_tree_ensure() -> HomePage:
    """Make sure a HomePage is the root of the default Site (replacing Wagtail's
    placeholder « Welcome » page on a fresh database), with the Site's address taken
    from SITE_URL (used for absolute links: share buttons, feeds, e-mails). Idempotent."""
    hostname, port = _site_address()
    with transaction.atomic():
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            placeholder = root.get_children().filter(slug="home").first()
            if placeholder is not None and placeholder.specific_class is Page:
                placeholder.slug = "ancienne-accueil"
                placeholder.save()
            home = HomePage(
                title="Carrefour des innovations sociales",
                slug="accueil",
                intro=(
                    "Trouvez, faites connaître et essaimez les projets socialement innovants "
                    "des territoires."
                ),
                seo_title=settings.WAGTAIL_SITE_NAME,
            )
            root.add_child(instance=home)
            home.save_revision().publish()
            if placeholder is not None and placeholder.specific_class is Page:
                Site.objects.filter(root_page=placeholder).update(root_page=home)
                placeholder.delete()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname=hostname,
                port=port,
                root_page=home,
                is_default_site=True,
                site_name=settings.WAGTAIL_SITE_NAME,
            )
        elif site.root_page_id != home.pk or (site.hostname, site.port) == ("localhost", 80):
            # Wagtail's placeholder site: point it at our home page and address.
            site.root_page = home
            site.site_name = settings.WAGTAIL_SITE_NAME
            if (site.hostname, site.port) == ("localhost", 80):
                site.hostname, site.port = hostname, port
            site.save()
    return home
