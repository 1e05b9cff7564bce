"""Two members answer « j'y vais » for the last place at the same moment: the event
row is locked, one gets the place, the other waits. Needs PostgreSQL (SQLite
serialises whole transactions, there is no race to see)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from communities import services
from communities.services import rsvp as rsvp_module
from tests.factories import CommunityFactory, EventFactory

from .conftest import add_member

pytestmark = [
    # serialized_rollback: the flush after these tests then leaves the database as
    # the next transactional tests (browser tests) restore it; without it, the flush
    # re-creates content types that their restore inserts again (duplicate key on
    # PostgreSQL).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"
    ),
]


def test_the_last_place_goes_to_one_person_only(monkeypatch):
    community = CommunityFactory()
    event = EventFactory(community=community, capacity=1)
    people = [add_member(community).user for _ in range(2)]
    counted = rsvp_module.confirmed_count

    def slow_count(event):
        value = counted(event)
        time.sleep(0.5)  # the other answer arrives while this one decides
        return value

    monkeypatch.setattr(rsvp_module, "confirmed_count", slow_count)
    errors = []

    def answer(person):
        try:
            services.rsvp_set(event=event, user=person, answer="going")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert event.rsvps.filter(waitlisted=False).count() == 1
    assert event.rsvps.filter(waitlisted=True).count() == 1


def _run_at_once(*targets):
    """Run each ``(name, function, delay)`` in its own thread, ``delay`` seconds after
    the start; returns ``{name: exception or None}``."""
    outcome = {}

    def run(name, function, delay):
        time.sleep(delay)
        try:
            function()
            outcome[name] = None
        except Exception as exc:
            outcome[name] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=t, name=t[0]) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def test_an_answer_waits_for_the_community_lock_of_a_removal_in_progress():
    """rsvp_set locks the community before the event, as the membership services do:
    an answer given while the person is being removed is refused, not kept."""
    from django.db import transaction

    from communities.models import Community, Membership, Rsvp
    from communities.permissions import CommunityPermissionDenied

    community = CommunityFactory()
    event = EventFactory(community=community)
    leaving = add_member(community).user

    def removal():
        with transaction.atomic():
            Community.objects.select_for_update().get(pk=community.pk)
            time.sleep(0.6)  # the answer arrives while the removal holds the lock
            Membership.objects.filter(community=community, user=leaving).update(state="left")

    outcome = _run_at_once(
        ("removal", removal, 0),
        ("answer", lambda: services.rsvp_set(event=event, user=leaving, answer="going"), 0.2),
    )
    assert outcome["removal"] is None
    assert isinstance(outcome["answer"], CommunityPermissionDenied)
    assert not Rsvp.objects.filter(user=leaving).exists()


def test_a_departure_locks_the_events_before_reading_the_answers():
    """An answer written under an event's lock while the person leaves is waited for
    and released with the others, not left behind."""
    from django.db import transaction

    from communities.models import Event, Rsvp

    community = CommunityFactory()
    event = EventFactory(community=community, capacity=1)
    leaving = add_member(community).user

    def answer_in_progress():
        with transaction.atomic():
            Event.objects.select_for_update().get(pk=event.pk)
            Rsvp.objects.create(event=event, user=leaving, answer="going")
            time.sleep(0.6)

    outcome = _run_at_once(
        ("answer", answer_in_progress, 0),
        ("leave", lambda: services.membership_leave(community=community, user=leaving), 0.2),
    )
    assert outcome == {"answer": None, "leave": None}
    assert not Rsvp.objects.filter(user=leaving).exists()


def test_accepting_and_revoking_an_invitation_at_once_never_deadlock(monkeypatch):
    """Both lock the community first, then the invitation: one waits for the other
    (before, accepting locked the invitation first, revoking the community first)."""
    from django.core.exceptions import ValidationError

    from communities.services import invitations as invitations_module
    from tests.factories import UserFactory

    from .conftest import invite

    community = CommunityFactory()
    owner = add_member(community, role="owner").user
    guest = UserFactory()
    invitation = invite(community, email=guest.email, inviter=owner)
    real_lock = invitations_module.lock

    def slow_lock(community):
        # The acceptance takes its time before locking the community, the revocation
        # locks it at once: the order in which each takes its locks decides.
        time.sleep(0.6 if threading.current_thread().name == "accept" else 0)
        return real_lock(community)

    monkeypatch.setattr(invitations_module, "lock", slow_lock)
    outcome = _run_at_once(
        (
            "accept",
            lambda: services.invitation_accept(
                token=invitation.token, user=guest, charter_accepted=True
            ),
            0,
        ),
        ("revoke", lambda: services.invitation_revoke(invitation=invitation, actor=owner), 0.2),
    )
    for name, error in outcome.items():
        assert error is None or isinstance(error, ValidationError), (name, error)
    assert outcome["revoke"] is None
    assert getattr(outcome["accept"], "code", None) == "invalid"
