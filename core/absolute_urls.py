"""The absolute address of a path of the site: one function for every link that
leaves the page (canonical and Open Graph, share links, exports and open data, feed
ids, JSON-LD, e-mails).

Where the site is served:

1. ``SITE_URL`` when it is set in the environment: the operator declared the public
   address (behind a proxy the request may have reached an internal name);
2. otherwise the Wagtail ``Site`` of the request (``Site.find_for_request``: the one
   whose hostname and port the request came to, else the default site), or, outside
   a request (e-mails sent after a commit, exports, the search index), the default
   site. ``make run`` points the default site at the address it serves
   (``carrefour_welcome --host --port``), so ``PORT=8011 make run`` links to :8011;
   Wagtail's sitemap uses the same ``Site.root_url``;
3. the ``SITE_URL`` setting's default when there is no site at all.
"""

from __future__ import annotations

import os

from django.conf import settings
from wagtail.models import Site


def site_url_declared() -> bool:
    """Whether SITE_URL was set in the environment (the settings always have a value:
    their default, http://127.0.0.1:8000, is not an address anyone chose)."""
    return bool(os.environ.get("SITE_URL", "").strip())


def _default_site_root_url() -> str | None:
    paths = Site.get_site_root_paths()  # cached by Wagtail, cleared when a Site changes
    if len(paths) == 1:
        return paths[0].root_url
    site = Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else None


def site_root_url(*, request=None) -> str:
    """``scheme://host[:port]`` of the site, without a trailing slash."""
    if site_url_declared():
        return settings.SITE_URL.rstrip("/")
    root = None
    if request is not None:
        site = Site.find_for_request(request)
        root = site.root_url if site else None
    if root is None:
        root = _default_site_root_url()
    return (root or settings.SITE_URL).rstrip("/")


def absolute_url(path: str, *, request=None) -> str:
    """``path`` (``/projets/…``) as an absolute URL; a URL that already has its host
    (a page of another Wagtail site, a partner's address) is returned as it is, and
    an empty one stays empty."""
    if not path:
        return ""
    if path.startswith(("http://", "https://")):
        return path
    if path.startswith("//"):
        return f"{site_root_url(request=request).split('//', 1)[0]}{path}"
    return f"{site_root_url(request=request)}/{path.lstrip('/')}"
