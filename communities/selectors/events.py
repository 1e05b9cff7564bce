"""Reads about events and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import Answer, Community, Event, MembershipState, Rsvp, Status
from ..permissions import can_see_content, community_content_visible_to


def _events(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.select_related("community", "commune")


def events_upcoming(*, community: Community, viewer, now: datetime | None = None):
    """Events not yet over (cancelled ones included, marked), soonest first."""
    if not can_see_content(community=community, user=viewer):
        return Event.objects.none()
    return _events(community.events.filter(end__gt=now or timezone.now())).order_by("start")


def events_past(*, community: Community, viewer, now: datetime | None = None):
    if not can_see_content(community=community, user=viewer):
        return Event.objects.none()
    return _events(community.events.filter(end__lte=now or timezone.now())).order_by("-start")


def events_of_community(*, community: Community, viewer) -> QuerySet[Event]:
    """Every event (the community's iCalendar)."""
    if not can_see_content(community=community, user=viewer):
        return Event.objects.none()
    return _events(community.events.all()).order_by("start")


def events_upcoming_for_user(*, user, now: datetime | None = None) -> QuerySet[Event]:
    """Upcoming events of the communities ``user`` is an active member of."""
    if not user.is_authenticated:
        return Event.objects.none()
    mine = user.community_memberships.filter(state=MembershipState.ACTIVE).values("community_id")
    return _events(
        Event.objects.filter(
            community_id__in=mine,
            community__status=Status.ACTIVE,
            end__gt=now or timezone.now(),
            cancelled=False,
        )
    ).order_by("start")


def event_get_visible(*, event_id: int, user) -> Event | None:
    """The event if ``user`` sees its community's content (else None: answer 404)."""
    return (
        _events(Event.objects.filter(community__in=community_content_visible_to(user=user)))
        .filter(pk=event_id)
        .first()
    )


@dataclass
class Attendance:
    going: list = field(default_factory=list)
    maybe: list = field(default_factory=list)
    waiting: list = field(default_factory=list)  # in the order they will get a place
    capacity: int | None = None

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - len(self.going), 0)

    @property
    def full(self) -> bool:
        return self.capacity is not None and len(self.going) >= self.capacity


def event_attendance(*, event: Event, viewer) -> Attendance:
    """Who comes (users), for the people who see the community's content."""
    attendance = Attendance(capacity=event.capacity)
    if not can_see_content(community=event.community_id, user=viewer):
        return attendance
    rsvps = event.rsvps.exclude(answer=Answer.NOT_GOING).select_related("user", "user__profile")
    for rsvp in rsvps.order_by("waitlisted_at", "pk"):
        if rsvp.answer == Answer.MAYBE:
            attendance.maybe.append(rsvp.user)
        elif rsvp.waitlisted:
            attendance.waiting.append(rsvp.user)
        else:
            attendance.going.append(rsvp.user)
    return attendance


def rsvp_of(*, event: Event, user) -> Rsvp | None:
    if not user.is_authenticated:
        return None
    return Rsvp.objects.filter(event=event, user=user).first()


def waiting_position(*, rsvp: Rsvp) -> int | None:
    """1 for the next person to get a place; None when not waiting."""
    if not rsvp.waitlisted:
        return None
    earlier = Q(waitlisted_at__lt=rsvp.waitlisted_at) | Q(
        waitlisted_at=rsvp.waitlisted_at, pk__lt=rsvp.pk
    )
    ahead = Rsvp.objects.filter(
        earlier, event_id=rsvp.event_id, answer=Answer.GOING, waitlisted=True
    )
    return ahead.count() + 1
