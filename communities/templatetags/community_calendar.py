"""``{% load community_calendar %}``: the viewer's iCalendar addresses of a community
and of an event (communities/ics.py), for the « ajouter à mon agenda » links.

    {% community_ics_url community as ics %}{% if ics %}<a href="{{ ics }}">…</a>{% endif %}
    {% community_ics_url community absolute=True %}   (to subscribe: webcal, copy)
    {% event_ics_url event %}

Empty when the viewer may not read the events; for a member of a private or secret
community, their personal address (``?jeton=…``)."""

from __future__ import annotations

from django import template

from ..ics import event_ics_url as _event_ics_url
from ..ics import ics_personal_url

register = template.Library()


def _request_user(context):
    request = context.get("request")
    return request, getattr(request, "user", None) or context.get("user")


@register.simple_tag(takes_context=True)
def community_ics_url(context, community, absolute: bool = False) -> str:
    request, user = _request_user(context)
    return (
        ics_personal_url(community=community, user=user, absolute=absolute, request=request) or ""
    )


@register.simple_tag(takes_context=True)
def event_ics_url(context, event, absolute: bool = False) -> str:
    request, user = _request_user(context)
    return _event_ics_url(event=event, user=user, absolute=absolute, request=request) or ""
