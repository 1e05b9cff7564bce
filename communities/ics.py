"""iCalendar exports (RFC 5545, written with the ``icalendar`` library):
``/communautes/<slug>/evenements.ics`` (the community's upcoming events and those of
the last 90 days) and ``/evenements/<id>.ics`` (one event).

Who may read them is who sees the community's content (communities/permissions.py);
everyone else gets a 404, as on the pages. A calendar application subscribing to a
private community is not signed in: its members get a **personal address** carrying a
signed ``jeton`` (``ics_personal_url``), which reads the calendar as that member —
as long as they are one: a member who leaves, is removed or banned finds their
address answering 404 from then on, nothing to revoke. The address of a public
community needs no ``jeton``.

For templates: ``{% load community_calendar %}``, then
``{% community_ics_url community %}`` / ``{% event_ics_url event %}`` (the
viewer's address, empty when they may not read it; ``absolute=True`` for a
subscription link).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import quote, urlencode, urlsplit

import icalendar
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.absolute_urls import absolute_url, site_root_url
from core.textsafe import xml_clean

from .models import Community, Event, Status, Visibility
from .paths import community_path, event_path
from .permissions import can_see_content
from .selectors import community_get_visible, event_get_visible, events_of_community

RECENT_DAYS = 90
JETON_PARAM = "jeton"  # the personal address: ?jeton=<signed member id>
PRODID = "-//Carrefour des innovations sociales//Communautés//FR"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def community_ics_path(community: Community) -> str:
    return f"/communautes/{quote(community.slug)}/evenements.ics"


def event_ics_path(event: Event) -> str:
    return f"/evenements/{event.pk}.ics"


# --- personal addresses -------------------------------------------------------------


def _signer(community_id: int) -> signing.Signer:
    # One salt per community: a member's jeton of one community opens no other.
    return signing.Signer(salt=f"communities.ics.{community_id}")


def ics_token(*, community: Community, user) -> str:
    return _signer(community.pk).sign(str(user.pk))


def _token_user(*, community_id: int, token: str):
    """The member a jeton was given to, or None (tampered, another community's)."""
    try:
        user_id = int(_signer(community_id).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def _needs_token(community: Community) -> bool:
    return community.visibility != Visibility.PUBLIC or community.status != Status.ACTIVE


def _personal(path: str, *, community: Community, user, absolute: bool, request) -> str | None:
    if not can_see_content(community=community, user=user):
        return None
    if _needs_token(community):
        path = f"{path}?{urlencode({JETON_PARAM: ics_token(community=community, user=user)})}"
    return absolute_url(path, request=request) if absolute else path


def ics_personal_url(
    *, community: Community, user, absolute: bool = False, request: HttpRequest | None = None
) -> str | None:
    """The address of the community's iCalendar for ``user``: the public one for a
    public community, a personal one (``?jeton=…``) for a member of a private or
    secret one, None when ``user`` may not read its events. A path, or an absolute
    URL with ``absolute=True`` (what a calendar application subscribes to)."""
    return _personal(
        community_ics_path(community),
        community=community,
        user=user,
        absolute=absolute,
        request=request,
    )


def event_ics_url(
    *, event: Event, user, absolute: bool = False, request: HttpRequest | None = None
) -> str | None:
    """The same for one event (« ajouter à mon agenda »)."""
    return _personal(
        event_ics_path(event),
        community=event.community,
        user=user,
        absolute=absolute,
        request=request,
    )


# --- the calendar -------------------------------------------------------------------


def _text(value: str) -> str:
    # RFC 5545 TEXT carries no control character but tab and line breaks (escaped).
    return xml_clean(value or "").strip()


def event_place(event: Event) -> str:
    """« address, commune » (what a calendar's LOCATION and the feed say)."""
    parts = [event.address]
    if event.commune_id:
        parts.append(event.commune.name)
    return ", ".join(p for p in parts if p)


def event_component(event: Event, *, host: str, request=None) -> icalendar.Event:
    page = absolute_url(event_path(event), request=request)
    component = icalendar.Event()
    component.add("uid", f"event-{event.pk}@{host}")
    component.add("dtstamp", timezone.now().astimezone(UTC))
    # Stored in UTC: written in UTC (« …Z »), every application shows them in its
    # own time zone; no VTIMEZONE needed.
    component.add("dtstart", event.start.astimezone(UTC))
    component.add("dtend", event.end.astimezone(UTC))
    component.add("summary", _text(event.title))
    details = [event.description]
    if event.online_url:
        details.append(_("En ligne : %(url)s") % {"url": event.online_url})
    details.append(
        _("Communauté « %(name)s » : %(url)s")
        % {"name": event.community.name, "url": absolute_url(community_path(event.community))}
    )
    component.add("description", _text("\n\n".join(d for d in details if d)))
    place = event_place(event) or event.online_url
    if place:
        component.add("location", _text(place))
    if event.commune_id and event.commune.has_point:
        component.add("geo", (event.commune.latitude, event.commune.longitude))
    component.add("url", page)
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    return component


def calendar_bytes(*, name: str, events, request=None) -> bytes:
    host = urlsplit(site_root_url(request=request)).hostname or "carrefour"
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _text(name))
    calendar.add("x-published-ttl", "PT1H")  # how often subscribers read it again
    for event in events:
        calendar.add_component(event_component(event, host=host, request=request))
    return calendar.to_ical()


def _response(body: bytes, *, filename: str, personal: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Vary"] = "Cookie"
    response["Cache-Control"] = "private, max-age=300" if personal else "public, max-age=300"
    if personal:
        response["X-Robots-Tag"] = "noindex"
    return response


def _viewer(request: HttpRequest, community_id: int):
    """Who reads: the member a valid jeton names, else the signed-in visitor."""
    token = request.GET.get(JETON_PARAM, "")
    user = _token_user(community_id=community_id, token=token) if token else None
    return user or request.user


def _community_id_for_slug(slug: str) -> int | None:
    return Community.objects.filter(slug=slug).values_list("pk", flat=True).first()


def _not_found() -> Http404:
    return Http404(_("Ce calendrier n'existe pas ou n'est pas visible pour vous."))


@require_GET
def community_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    community_id = _community_id_for_slug(slug)
    if community_id is None:
        raise _not_found()
    viewer = _viewer(request, community_id)
    community = community_get_visible(slug=slug, user=viewer)
    if community is None or not can_see_content(community=community, user=viewer):
        raise _not_found()
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    events = events_of_community(community=community, viewer=viewer).filter(end__gte=since)
    body = calendar_bytes(name=community.name, events=events, request=request)
    return _response(body, filename=f"{community.slug}.ics", personal=_needs_token(community))


@require_GET
def event_calendar(request: HttpRequest, event_id: int) -> HttpResponse:
    community_id = Event.objects.filter(pk=event_id).values_list("community_id", flat=True).first()
    if community_id is None:
        raise _not_found()
    viewer = _viewer(request, community_id)
    event = event_get_visible(event_id=event_id, user=viewer)
    if event is None:
        raise _not_found()
    body = calendar_bytes(name=event.title, events=[event], request=request)
    return _response(
        body, filename=f"evenement-{event.pk}.ics", personal=_needs_token(event.community)
    )
