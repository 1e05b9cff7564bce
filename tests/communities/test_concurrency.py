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
    pytest.mark.django_db(transaction=True),
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
