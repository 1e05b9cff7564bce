"""What the communities export about a person, and what their account deletion
leaves: a community keeps an owner, their event places go to the waiting list."""

from __future__ import annotations

import pytest

from accounts.services import account_delete, personal_data_export
from communities import services
from communities.models import Membership
from tests.factories import EventFactory

from .conftest import add_member

pytestmark = pytest.mark.django_db


def test_the_export_lists_memberships_answers_and_announcements(community):
    owner = community.owner_user
    event = EventFactory(community=community, title="Forum")
    services.rsvp_set(event=event, user=owner, answer="maybe")
    services.announcement_create(community=community, actor=owner, title="Bonjour", body="Texte")
    data = personal_data_export(user=owner)["communautes"]
    assert data["adhesions"][0]["communaute"] == "Numérique inclusif"
    assert data["adhesions"][0]["role"] == "owner"
    assert data["reponses_aux_evenements"] == [
        {"evenement": "Forum", "reponse": "maybe", "en_attente": False}
    ]
    assert data["annonces"][0]["titre"] == "Bonjour"


def test_deleting_the_last_owners_account_hands_the_community_over(community):
    member = add_member(community).user
    moderator = add_member(community, role="moderator").user
    account_delete(user=community.owner_user)
    assert Membership.objects.get(community=community, user=moderator).role == "owner"
    assert Membership.objects.get(community=community, user=member).role == "member"


def test_a_deleted_account_frees_its_event_place(community):
    event = EventFactory(community=community, capacity=1)
    leaving, waiting = add_member(community).user, add_member(community).user
    services.rsvp_set(event=event, user=leaving, answer="going")
    services.rsvp_set(event=event, user=waiting, answer="going")
    account_delete(user=leaving)
    assert event.rsvps.get(user=waiting).is_confirmed
