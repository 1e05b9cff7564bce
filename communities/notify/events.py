"""Notifications about a community's events and the answers to them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from ..models import Event
from ..paths import event_path
from ._core import _french, community_scope, members_of, notify


def _event_when(event: Event) -> str:
    """« Le 12/05/2026 à 18:30. », in the event's time zone."""
    start = event.start.astimezone(ZoneInfo(event.timezone))
    return _("Le %(date)s à %(time)s.") % {
        "date": start.strftime("%d/%m/%Y"),
        "time": start.strftime("%H:%M"),
    }


def event_created(*, event: Event, actor) -> None:
    with _french():
        title = _("Nouvel événement dans « %(name)s » : %(title)s") % {
            "name": event.community.name,
            "title": event.title,
        }
        body = _event_when(event)
    notify(
        recipients=members_of(event.community),
        kind="community.event",
        title=title,
        body=body,
        url=event_path(event),
        actor=actor,
        scope=community_scope(event.community_id),
    )


def event_changed(*, event: Event, actor, recipients, cancelled: bool, message: str = "") -> None:
    with _french():
        if cancelled:
            title = _("Événement annulé : %(title)s") % {"title": event.title}
        else:
            title = _("Événement modifié : %(title)s") % {"title": event.title}
        body = message or _event_when(event)
    notify(
        recipients=recipients,
        kind="community.event",
        title=title,
        body=body,
        url=event_path(event),
        actor=actor,
        scope=community_scope(event.community_id),
    )


def waitlist_promoted(*, rsvp) -> None:
    event = rsvp.event
    with _french():
        title = _("Une place s'est libérée : vous participez à « %(title)s »") % {
            "title": event.title
        }
        body = _event_when(event)
    notify(
        recipients=[rsvp.user],
        kind="community.waitlist",
        title=title,
        body=body,
        url=event_path(event),
        scope=community_scope(event.community_id),
    )


def event_reminder(*, event: Event, recipients) -> None:
    with _french():
        title = _("Rappel : « %(title)s » commence bientôt") % {"title": event.title}
        body = _event_when(event)
    notify(
        recipients=recipients,
        kind="community.event_reminder",
        title=title,
        body=body,
        url=event_path(event),
        scope=community_scope(event.community_id),
    )
