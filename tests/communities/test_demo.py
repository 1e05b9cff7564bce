"""The demo communities `make run` loads (communities/demo/), through the services:
at least 8 across kinds, policies and visibilities, each with members, projects,
a feed and upcoming events, two printed member accounts in the same open community,
and nothing created twice."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, demo_accounts_ensure
from communities.demo.loader import demo_communities_ensure
from communities.models import (
    AuditEntry,
    Community,
    CommunityProject,
    Event,
    FeedItem,
    Membership,
    Role,
    Rsvp,
)
from innovations.demo.loader import demo_projects_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(projects_index, settings, django_capture_on_commit_callbacks):
    settings.EMBEDDED_DATABASE = True
    users = demo_accounts_ensure()
    demo_projects_ensure(index=projects_index, users=users, publisher=users["editeur"])
    mail.outbox.clear()  # the projects' moderation e-mails
    # What the services send after their commit runs, as in `make run`.
    with django_capture_on_commit_callbacks(execute=True):
        created = demo_communities_ensure(users=users, editor=users["editeur"])
    return users, created


def _counts() -> dict[str, int]:
    models = [Community, Membership, Event, Rsvp, FeedItem, AuditEntry, CommunityProject]
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_spans_kinds_policies_and_visibilities(demo):
    _users, created = demo
    communities = Community.objects.all()
    assert len(created) == communities.count() >= 8
    names = set(communities.values_list("name", flat=True))
    assert {"Alimentation durable en Nouvelle-Aquitaine", "Numérique inclusif"} <= names
    assert set(communities.values_list("kind", flat=True)) == {
        "thematique",
        "territoriale",
        "mixte",
    }
    assert set(communities.values_list("join_policy", flat=True)) == {
        "open",
        "request",
        "invitation",
    }
    visibilities = Counter(communities.values_list("visibility", flat=True))
    assert visibilities["private"] >= 1 and visibilities["secret"] >= 1
    # Territorial ones in several régions.
    regions = set(
        communities.filter(territory_links__territory__level="region").values_list(
            "territory_links__territory__code", flat=True
        )
    )
    assert len(regions) >= 4


def test_every_demo_community_is_alive(demo):
    now = timezone.now()
    for community in Community.objects.all():
        active = community.memberships.filter(state="active")
        assert active.count() >= 3, community.name
        assert active.filter(role=Role.OWNER).count() == 1, community.name
        # The editor who created it handed it over and left.
        assert not active.filter(user__email="editeur@carrefour.test").exists()
        assert community.project_links.exists(), community.name
        assert community.events.filter(start__gt=now, cancelled=False).exists(), community.name
        kinds = set(community.feed_items.values_list("kind", flat=True))
        assert {"member_joined", "event_created", "project_attached"} <= kinds, community.name
        assert community.audit_entries.filter(action="community_created").exists()
    assert FeedItem.objects.filter(kind="announcement").count() >= 5


def test_some_events_are_full_with_a_waiting_list(demo):
    full = [
        event
        for event in Event.objects.exclude(capacity=None)
        if event.rsvps.filter(answer="going", waitlisted=False).count() >= event.capacity
    ]
    assert len(full) >= 2
    assert all(event.rsvps.filter(waitlisted=True).exists() for event in full)


def test_two_printed_member_accounts_share_an_open_community(demo):
    users, _created = demo
    lina, hugo = users["lina"], users["hugo"]
    assert lina.check_password(DEMO_PASSWORD) and hugo.check_password(DEMO_PASSWORD)
    shared = Community.objects.filter(
        join_policy="open", visibility="public", memberships__user=lina, memberships__state="active"
    ).filter(memberships__user=hugo, memberships__state="active")
    assert shared.filter(name="Numérique inclusif").exists()
    # One of them sees the secret and the private communities from the inside.
    assert lina.community_memberships.filter(
        state="active", community__visibility="secret"
    ).exists()
    welcome = StringIO()
    call_command("carrefour_welcome", host="127.0.0.1", port="8000", stdout=welcome)
    lines = welcome.getvalue().splitlines()
    editor_line = next(i for i, line in enumerate(lines) if "editeur@carrefour.test" in line)
    assert "lina@carrefour.test" in lines[editor_line + 1]
    assert "Numérique inclusif" in lines[editor_line + 1]
    assert "hugo@carrefour.test" in lines[editor_line + 2]
    assert f"mot de passe : {DEMO_PASSWORD}" in welcome.getvalue()


# Committed for real: the e-mails the services send after their commit leave during
# the loading, as in `make run` (serialized_rollback: the data migrations' groups and
# root page survive the flush).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_loading_sends_no_email_and_notifies_the_centre(projects_index, settings):
    from notifications.models import Notification

    settings.EMBEDDED_DATABASE = True
    users = demo_accounts_ensure()
    demo_projects_ensure(index=projects_index, users=users, publisher=users["editeur"])
    mail.outbox.clear()  # the projects' moderation e-mails
    demo_communities_ensure(users=users, editor=users["editeur"])
    assert [message.subject for message in mail.outbox] == []
    # The services ran for real: moderators were told of requests, members of events…
    assert Notification.objects.filter(kind="community.event").exists()
    assert Notification.objects.filter(kind="community.request").exists()
    assert Community.objects.count() >= 8


def test_loading_twice_creates_nothing(demo):
    users, _created = demo
    before = _counts()
    assert demo_communities_ensure(users=users, editor=users["editeur"]) == []
    assert _counts() == before
