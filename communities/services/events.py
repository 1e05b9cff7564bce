"""Events of a community, run by its moderators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notify
from ..models import DEFAULT_TIMEZONE, Answer, AuditAction, Community, Event, FeedKind
from ._common import audit, check, clean_message, feed_add, lock, lock_event
from .rsvp import event_participants, promote_waiting

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10_000


@dataclass
class EventInput:
    """What a moderator fills in. Naive ``start``/``end`` are read in ``timezone``
    (what a form's date and time fields give); aware ones are kept as they are."""

    title: str
    start: datetime
    end: datetime
    description: str = ""
    timezone: str = DEFAULT_TIMEZONE
    commune: object | None = None  # innovations.Territory of level commune
    address: str = ""
    online_url: str = ""
    capacity: int | None = None


def _error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _clean(data: EventInput, *, creating: bool) -> dict:
    errors: dict[str, ValidationError] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = _error(_("Donnez un titre à l'événement."), "required")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _error(_("Le titre est trop long (200 caractères au plus)."), "too_long")
    try:
        zone = ZoneInfo(data.timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = _error(_("Fuseau horaire inconnu."), "invalid_timezone")
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    start, end = data.start, data.end
    if start is None or end is None:
        errors["start"] = _error(_("Indiquez le début et la fin."), "required")
    else:
        if timezone.is_naive(start):
            start = timezone.make_aware(start, zone)
        if timezone.is_naive(end):
            end = timezone.make_aware(end, zone)
        if end <= start:
            errors["end"] = _error(_("La fin doit venir après le début."), "end_before_start")
        if creating and start <= timezone.now():
            errors["start"] = _error(_("L'événement doit commencer dans le futur."), "past")
    commune = data.commune
    if commune is not None and getattr(commune, "level", None) != "commune":
        errors["commune"] = _error(_("Choisissez une commune."), "invalid_commune")
    address = (data.address or "").strip()[:300]
    online_url = (data.online_url or "").strip()
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except ValidationError:
            errors["online_url"] = _error(
                _("Saisissez une adresse web complète (https://…)."), "invalid_url"
            )
    if not (commune or address or online_url):
        errors["address"] = _error(
            _("Indiquez un lieu (commune ou adresse) ou un lien pour y participer en ligne."),
            "place_required",
        )
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = _error(
            _("La description est trop longue (10 000 caractères au plus)."), "too_long"
        )
    if data.capacity is not None and data.capacity < 1:
        errors["capacity"] = _error(_("Indiquez au moins une place, ou rien."), "invalid_capacity")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "start": start,
        "end": end,
        "timezone": zone.key,
        "commune": commune,
        "address": address,
        "online_url": online_url,
        "capacity": data.capacity,
    }


def event_create(*, community: Community, actor, data: EventInput) -> Event:
    with transaction.atomic():
        community = lock(community)
        check("event_create", community=community, actor=actor)
        fields = _clean(data, creating=True)
        event = Event.objects.create(community=community, created_by=actor, **fields)
        feed_add(community=community, kind=FeedKind.EVENT_CREATED, actor=actor, event=event)
        audit(
            community=community, actor=actor, action=AuditAction.EVENT_CREATED, message=event.title
        )
        notify.event_created(event=event, actor=actor)
    return event


def event_update(*, event: Event, actor, data: EventInput) -> Event:
    """Change an event; more places (or no limit) promote the people waiting. Fewer
    places never take a confirmed place back."""
    with transaction.atomic():
        event = lock_event(event)
        check("event_update", community=event.community, actor=actor, target=event)
        fields = _clean(data, creating=False)
        moved = fields["start"] != event.start
        for name, value in fields.items():
            setattr(event, name, value)
        if moved:
            event.reminder_sent_at = None  # remind again the day before the new date
        event.save()
        promote_waiting(event)
        audit(
            community=event.community,
            actor=actor,
            action=AuditAction.EVENT_UPDATED,
            message=event.title,
        )
        notify.event_changed(
            event=event, actor=actor, recipients=event_participants(event), cancelled=False
        )
    return event


def event_cancel(*, event: Event, actor, message: str = "") -> Event:
    with transaction.atomic():
        event = lock_event(event)
        check("event_cancel", community=event.community, actor=actor, target=event)
        message = clean_message(message)
        event.cancelled = True
        event.save(update_fields=["cancelled", "updated_at"])
        audit(
            community=event.community,
            actor=actor,
            action=AuditAction.EVENT_CANCELLED,
            message=message or event.title,
        )
        notify.event_changed(
            event=event,
            actor=actor,
            recipients=event_participants(event, answers=(Answer.GOING, Answer.MAYBE)),
            cancelled=True,
            message=message,
        )
    return event
