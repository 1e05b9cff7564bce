"""Answers to events, the waiting list and the reminders of the day before.

Places are counted with the community row, then the event row locked
(``select_for_update``, the order of every service, _common.lock_event): two members
answering « j'y vais » for the last place at the same moment are served one after
the other, the second one waits; a member who leaves (their places go to the
waiting list) is served before or after, never in between.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import notify
from ..models import Answer, Community, Event, MembershipState, Rsvp, Status
from ._common import check, lock_event

REMINDER_WINDOW = timedelta(hours=24)


def confirmed_count(event: Event) -> int:
    return event.rsvps.filter(answer=Answer.GOING, waitlisted=False).count()


def _has_room(event: Event) -> bool:
    return event.capacity is None or confirmed_count(event) < event.capacity


def promote_waiting(event: Event) -> list[Rsvp]:
    """Give the places that are free to the first people waiting (the event row is
    locked by the caller); each one promoted is told."""
    promoted = []
    if event.cancelled:
        return promoted
    while _has_room(event):
        following = (
            event.rsvps.select_for_update()
            .filter(answer=Answer.GOING, waitlisted=True)
            .order_by("waitlisted_at", "pk")
            .first()
        )
        if following is None:
            break
        following.waitlisted = False
        following.waitlisted_at = None
        following.save(update_fields=["waitlisted", "waitlisted_at", "updated_at"])
        notify.waitlist_promoted(rsvp=following)
        promoted.append(following)
    return promoted


def rsvp_set(*, event: Event, user, answer: str) -> Rsvp:
    """Answer ``going`` / ``maybe`` / ``not_going``. ``going`` when the event is full
    puts the person on the waiting list (``rsvp.waitlisted``); a confirmed person who
    changes their answer frees the place for the first one waiting."""
    if answer not in Answer.values:
        raise ValidationError(_("Réponse inconnue."), code="invalid_answer")
    with transaction.atomic():
        event = lock_event(event)
        check("rsvp_set", community=event.community, actor=user, target=event)
        rsvp = Rsvp.objects.select_for_update().filter(event=event, user=user).first()
        if rsvp is not None and rsvp.answer == answer:
            return rsvp  # the same answer twice changes nothing (nor the queue order)
        was_confirmed = rsvp is not None and rsvp.is_confirmed
        if rsvp is None:
            rsvp = Rsvp(event=event, user=user)
        rsvp.answer = answer
        if answer == Answer.GOING and not _has_room(event):
            rsvp.waitlisted = True
            rsvp.waitlisted_at = timezone.now()
        else:
            rsvp.waitlisted = False
            rsvp.waitlisted_at = None
        rsvp.save()
        if was_confirmed and not rsvp.is_confirmed:
            promote_waiting(event)
    return rsvp


def rsvps_release_for_member(*, community: Community, user) -> None:
    """A member who leaves, is removed or banned gives up their answers to upcoming
    events, and their places go to the waiting list. The caller holds the community
    lock; every upcoming event of the community is locked too (in id order) before
    the answers are read: an answer being written under an event's lock is waited
    for, not missed."""
    events = {
        event.pk: event
        for event in Event.objects.select_for_update()
        .filter(community=community, end__gt=timezone.now())
        .order_by("pk")
    }
    if not events:
        return
    for rsvp in Rsvp.objects.filter(event_id__in=list(events), user=user).order_by("pk"):
        was_confirmed = rsvp.is_confirmed
        rsvp.delete()
        if was_confirmed:
            promote_waiting(events[rsvp.event_id])


def event_participants(
    event: Event, *, answers=(Answer.GOING, Answer.MAYBE), waitlisted: bool = True
) -> list:
    """Active members who answered one of ``answers``; the waiting list too unless
    ``waitlisted`` is False (a change or a cancellation concerns them, a reminder
    to come does not)."""
    rsvps = event.rsvps.filter(
        answer__in=answers,
        user__is_active=True,
        user__community_memberships__community_id=event.community_id,
        user__community_memberships__state=MembershipState.ACTIVE,
    ).select_related("user")
    if not waitlisted:
        rsvps = rsvps.filter(waitlisted=False)
    return [r.user for r in rsvps]


def event_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the people going (or maybe going, not those still waiting for a place)
    to the events that start within 24 hours, once per event; returns how many
    events were reminded. Run every hour
    (``manage.py communities_send_reminders``); two runs at once remind once: each
    event is claimed by an atomic update before anyone is told."""
    now = now or timezone.now()
    due = Event.objects.filter(
        cancelled=False,
        reminder_sent_at__isnull=True,
        start__gt=now,
        start__lte=now + REMINDER_WINDOW,
        community__status=Status.ACTIVE,
    ).select_related("community")
    reminded = 0
    for event in due:
        with transaction.atomic():
            claimed = Event.objects.filter(pk=event.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            people = event_participants(event, waitlisted=False)
            if people:
                notify.event_reminder(event=event, recipients=people)
            reminded += 1
    return reminded
