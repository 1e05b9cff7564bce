"""Template helpers for project pages and listings."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django import template
from django.utils.translation import gettext as _

from ..models import SDG_LABELS, Openness, ProjectIndexPage
from ..opendata import jsonld, project_field_access

register = template.Library()

NETWORKS = {
    "facebook.com": "Facebook",
    "linkedin.com": "LinkedIn",
    "instagram.com": "Instagram",
    "x.com": "X",
    "twitter.com": "X",
    "youtube.com": "YouTube",
    "bsky.app": "Bluesky",
    "mastodon": "Mastodon",
    "peertube": "PeerTube",
}


@register.simple_tag(takes_context=True)
def project_listing_url(context, **params) -> str:
    """URL of /projets/ filtered on the given parameters (domaine, region)."""
    cache = context.render_context
    if "project_index_url" not in cache:
        index = ProjectIndexPage.objects.live().first()
        cache["project_index_url"] = index.url if index else "/"
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{cache['project_index_url']}?{query}" if query else cache["project_index_url"]


@register.filter
def sdg_label(number: int) -> str:
    label = SDG_LABELS.get(number)
    return _("ODD %(n)s : %(label)s") % {"n": number, "label": label} if label else str(number)


@register.filter
def link_label(url: str) -> str:
    host = urlsplit(url).hostname or url
    host = host.removeprefix("www.")
    for needle, name in NETWORKS.items():
        if needle in host:
            return name
    return host


@register.simple_tag
def open_fields(project):
    """The fields of ``project`` anyone may see: cards in listings (home, /projets/,
    « Projets proches », profiles) show open data only, as search results do."""
    return project_field_access(project=project, level=Openness.OPEN)


@register.simple_tag(takes_context=True)
def project_jsonld(context, page) -> dict:
    """The page's JSON-LD, at the level the page itself was rendered for (``fields``)."""
    return jsonld(page, context["fields"].level)
