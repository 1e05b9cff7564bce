"""``{% absolute_url page %}`` or ``{% absolute_url path %}``: the absolute address of a
page or of a path of the site for this request (core/absolute_urls.py), for canonical
links, Open Graph and share links."""

from __future__ import annotations

from django import template

from core.absolute_urls import absolute_url as _absolute_url

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, target) -> str:
    request = context.get("request")
    if hasattr(target, "get_url"):
        # A page: its path on the request's site (page.url would be the full URL of
        # the default site when several Wagtail sites show it).
        target = target.get_url(request=request)
    return _absolute_url(str(target or ""), request=request)
