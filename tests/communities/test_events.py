"""Events: created by moderators, answered by members, a waiting list when full
that moves when someone cancels, reminders the day before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from communities import services
from communities.models import AuditAction, AuditEntry, Event, FeedItem
from communities.permissions import CommunityPermissionDenied
from communities.selectors import event_attendance, waiting_position
from communities.services import EventInput
from tests.factories import EventFactory

from .conftest import add_member, refused

pytestmark = pytest.mark.django_db


def _input(**overrides) -> EventInput:
    start = timezone.now() + timedelta(days=7)
    values = {
        "title": "Atelier « Fresque du numérique »",
        "start": start,
        "end": start + timedelta(hours=3),
        "address": "Médiathèque de Guéret",
        "capacity": 12,
    }
    values.update(overrides)
    return EventInput(**values)


def test_a_moderator_creates_an_event_that_members_are_told_of(community, sent, commit):
    member = add_member(community).user
    with commit():
        event = services.event_create(
            community=community, actor=community.owner_user, data=_input()
        )
    assert event.created_by == community.owner_user and event.timezone == "Europe/Paris"
    assert FeedItem.objects.filter(kind="event_created", event=event).exists()
    assert AuditEntry.objects.filter(action=AuditAction.EVENT_CREATED).exists()
    (notice,) = [s for s in sent if s.kind == "community.event"]
    assert notice.recipients == [member.email]  # not the author
    assert notice.url == f"/evenements/{event.pk}/"


def test_a_date_typed_in_a_form_is_read_in_the_events_time_zone(community):
    start = datetime(2099, 3, 14, 18, 30)  # naive, as a form gives it
    event = services.event_create(
        community=community,
        actor=community.owner_user,
        data=_input(start=start, end=start + timedelta(hours=2), timezone="America/Cayenne"),
    )
    assert event.start.utcoffset() is not None
    assert event.start == datetime(2099, 3, 14, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"title": "  "}, "title", "required"),
        ({"end": timezone.now()}, "end", "end_before_start"),
        (
            {"start": timezone.now() - timedelta(days=1), "end": timezone.now()},
            "start",
            "past",
        ),
        ({"address": "", "online_url": ""}, "address", "place_required"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "invalid_url"),
        ({"timezone": "Europe/Atlantide"}, "timezone", "invalid_timezone"),
        ({"capacity": 0}, "capacity", "invalid_capacity"),
    ],
)
def test_bad_event_input_is_refused_field_by_field(community, overrides, field, code):
    with pytest.raises(ValidationError) as info:
        services.event_create(
            community=community, actor=community.owner_user, data=_input(**overrides)
        )
    assert info.value.error_dict[field][0].code == code
    assert not Event.objects.exists()


def test_an_online_event_needs_no_place(community):
    event = services.event_create(
        community=community,
        actor=community.owner_user,
        data=_input(address="", online_url="https://visio.exemple.org/atelier"),
    )
    assert event.online_url


def test_a_member_cannot_create_an_event(community):
    member = add_member(community).user
    with refused(CommunityPermissionDenied, "Seuls les modérateurs"):
        services.event_create(community=community, actor=member, data=_input())


# --- answers and the waiting list ----------------------------------------------------


@pytest.fixture
def full_event(community):
    """Capacity 2, both places taken."""
    event = EventFactory(community=community, capacity=2)
    people = [add_member(community).user for _ in range(4)]
    for person in people[:2]:
        assert services.rsvp_set(event=event, user=person, answer="going").is_confirmed
    event.people = people
    return event


def test_going_to_a_full_event_puts_one_on_the_waiting_list_in_order(full_event):
    third, fourth = full_event.people[2:]
    first_wait = services.rsvp_set(event=full_event, user=third, answer="going")
    second_wait = services.rsvp_set(event=full_event, user=fourth, answer="going")
    assert first_wait.waitlisted and second_wait.waitlisted
    assert waiting_position(rsvp=first_wait) == 1
    assert waiting_position(rsvp=second_wait) == 2
    attendance = event_attendance(event=full_event, viewer=third)
    assert attendance.full and attendance.places_left == 0
    assert attendance.waiting == [third, fourth]


def test_when_someone_going_cancels_the_first_waiting_gets_the_place_and_is_told(
    full_event, sent, commit
):
    first, _second, third, fourth = full_event.people
    services.rsvp_set(event=full_event, user=third, answer="going")
    services.rsvp_set(event=full_event, user=fourth, answer="going")
    with commit():
        services.rsvp_set(event=full_event, user=first, answer="not_going")
    assert full_event.rsvps.get(user=third).is_confirmed
    assert full_event.rsvps.get(user=fourth).waitlisted
    assert waiting_position(rsvp=full_event.rsvps.get(user=fourth)) == 1
    (notice,) = [s for s in sent if s.kind == "community.waitlist"]
    assert notice.recipients == [third.email]
    assert "Une place s'est libérée" in notice.title


def test_maybe_takes_no_place_and_the_same_answer_twice_keeps_ones_turn(full_event):
    third, fourth = full_event.people[2:]
    waiting = services.rsvp_set(event=full_event, user=third, answer="going")
    services.rsvp_set(event=full_event, user=fourth, answer="going")
    again = services.rsvp_set(event=full_event, user=third, answer="going")
    assert again.waitlisted_at == waiting.waitlisted_at
    services.rsvp_set(event=full_event, user=fourth, answer="maybe")
    assert not full_event.rsvps.get(user=fourth).waitlisted
    assert event_attendance(event=full_event, viewer=third).maybe == [fourth]


def test_more_places_promote_the_people_waiting(full_event, community):
    third, fourth = full_event.people[2:]
    services.rsvp_set(event=full_event, user=third, answer="going")
    services.rsvp_set(event=full_event, user=fourth, answer="going")
    services.event_update(
        event=full_event,
        actor=community.owner_user,
        data=_input(start=full_event.start, end=full_event.end, capacity=None),
    )
    assert full_event.rsvps.filter(waitlisted=True).count() == 0


@pytest.mark.parametrize(
    ("who", "exc", "fragment", "code"),
    [
        ("outsider", CommunityPermissionDenied, "Seuls les membres", None),
        ("banned", ValidationError, "exclu·e", "banned"),
    ],
)
def test_only_members_answer(community, user, who, exc, fragment, code):
    event = EventFactory(community=community)
    if who == "banned":
        add_member(community, user=user, state="banned")
    with refused(exc, fragment, code):
        services.rsvp_set(event=event, user=user, answer="going")


def test_no_answer_to_a_past_or_cancelled_event_nor_an_unknown_answer(community):
    member = add_member(community).user
    past = EventFactory(
        community=community,
        start=timezone.now() - timedelta(days=2),
        end=timezone.now() - timedelta(days=1),
    )
    with refused(ValidationError, "terminé", "past"):
        services.rsvp_set(event=past, user=member, answer="going")
    event = EventFactory(community=community)
    with refused(ValidationError, "Réponse inconnue", "invalid_answer"):
        services.rsvp_set(event=event, user=member, answer="peut-être bien")
    services.event_cancel(event=event, actor=community.owner_user)
    with refused(ValidationError, "annulé", "cancelled"):
        services.rsvp_set(event=event, user=member, answer="going")


def test_cancelling_tells_the_participants(community, sent, commit):
    event = EventFactory(community=community)
    going, maybe, not_going = (add_member(community).user for _ in range(3))
    services.rsvp_set(event=event, user=going, answer="going")
    services.rsvp_set(event=event, user=maybe, answer="maybe")
    services.rsvp_set(event=event, user=not_going, answer="not_going")
    with commit():
        services.event_cancel(event=event, actor=community.owner_user, message="Salle inondée.")
    event.refresh_from_db()
    assert event.cancelled
    (notice,) = [s for s in sent if s.kind == "community.event"]
    assert notice.recipients == sorted([going.email, maybe.email])
    assert notice.body == "Salle inondée." and "annulé" in notice.title
    with refused(ValidationError, "annulé", "cancelled"):
        services.event_update(event=event, actor=community.owner_user, data=_input())


def test_another_communitys_moderator_cannot_touch_the_event(community):
    from tests.factories import CommunityFactory

    elsewhere = CommunityFactory()
    outsider_owner = add_member(elsewhere, role="owner").user
    event = EventFactory(community=community)
    with refused(CommunityPermissionDenied, "Seuls les modérateurs"):
        services.event_cancel(event=event, actor=outsider_owner)


# --- reminders ----------------------------------------------------------------------


def test_reminders_go_once_to_the_people_coming_within_24_hours(community, sent, commit):
    now = timezone.now()
    soon = EventFactory(community=community, start=now + timedelta(hours=20))
    later = EventFactory(community=community, start=now + timedelta(days=3))
    cancelled = EventFactory(community=community, start=now + timedelta(hours=5), cancelled=True)
    going, maybe, absent = (add_member(community).user for _ in range(3))
    for event in (soon, later):
        services.rsvp_set(event=event, user=going, answer="going")
    services.rsvp_set(event=soon, user=maybe, answer="maybe")
    services.rsvp_set(event=soon, user=absent, answer="not_going")
    with commit():
        assert services.event_reminders_send(now=now) == 1
    (notice,) = [s for s in sent if s.kind == "community.event_reminder"]
    assert notice.recipients == sorted([going.email, maybe.email])
    assert "Rappel" in notice.title and notice.url == f"/evenements/{soon.pk}/"
    with commit():
        assert services.event_reminders_send(now=now) == 0
    cancelled.refresh_from_db()
    assert cancelled.reminder_sent_at is None
    later.refresh_from_db()
    assert later.reminder_sent_at is None


def test_a_moved_event_is_reminded_again(community):
    now = timezone.now()
    event = EventFactory(community=community, start=now + timedelta(hours=3))
    services.event_reminders_send(now=now)
    start = now + timedelta(days=5)
    services.event_update(
        event=event,
        actor=community.owner_user,
        data=_input(start=start, end=start + timedelta(hours=1)),
    )
    event.refresh_from_db()
    assert event.reminder_sent_at is None


def test_the_reminders_command_says_how_many_events_it_reminded(community):
    EventFactory(community=community, start=timezone.now() + timedelta(hours=2))
    out = StringIO()
    call_command("communities_send_reminders", stdout=out)
    assert "1 événement(s) rappelé(s)." in out.getvalue()


def test_a_member_cannot_change_or_cancel_an_event(community):
    member = add_member(community).user
    event = EventFactory(community=community)
    with refused(CommunityPermissionDenied, "Seuls les modérateurs"):
        services.event_update(event=event, actor=member, data=_input())
    with refused(CommunityPermissionDenied, "Seuls les modérateurs"):
        services.event_cancel(event=event, actor=member)
