"""The Atom feed of a public community: announcements, events and projects (not who
joined), text escaped; no feed for private, secret or proposed communities."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import FeedItem
from communities.services import EventInput, announcement_create, event_create, project_attach
from tests.communities.conftest import add_member
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 — our own feed, checked well-formed
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
            "summary": entry.findtext(f"{ATOM}summary") or "",
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_the_feed_has_announcements_events_and_projects_but_not_new_members(
    client, community, make_project
):
    owner = community.owner_user
    # A « member joined » item would name them: not in the feed.
    FeedItem.objects.create(community=community, kind="member_joined", member=owner)
    announcement_create(
        community=community, actor=owner, title="Bienvenue", body="Premier <b>message</b>."
    )
    start = timezone.now() + timedelta(days=3)
    event = event_create(
        community=community,
        actor=owner,
        data=EventInput(
            title="Atelier", start=start, end=start + timedelta(hours=2), address="Ici"
        ),
    )
    project = make_project(title="Repair café", owner=owner)
    project_attach(community=community, project=project, user=owner)
    entries = _entries(client.get("/communautes/numerique-inclusif/flux.atom"))
    titles = [e["title"] for e in entries]
    assert titles == [
        "Projet rattaché : Repair café",
        "Événement : Atelier",
        "Annonce : Bienvenue",
    ]
    by_title = {e["title"]: e for e in entries}
    assert by_title["Événement : Atelier"]["link"].endswith(f"/evenements/{event.pk}/")
    assert by_title["Projet rattaché : Repair café"]["link"].endswith(project.url)
    # A member's text is escaped: it shows as typed, never as markup.
    assert "&lt;b&gt;message&lt;/b&gt;" in by_title["Annonce : Bienvenue"]["summary"]
    assert len({e["id"] for e in entries}) == 3


@pytest.mark.parametrize(
    "fields",
    [{"visibility": "private"}, {"visibility": "secret"}, {"status": "proposed"}],
)
def test_only_a_public_active_community_has_a_feed(client, fields):
    community = CommunityFactory(slug="cachee", **fields)
    member = add_member(community).user
    assert client.get("/communautes/cachee/flux.atom").status_code == 404
    client.force_login(member)  # even for a member: a feed reader is anyone
    assert client.get("/communautes/cachee/flux.atom").status_code == 404


def test_an_unknown_community_has_no_feed(client, db):
    assert client.get("/communautes/inconnue/flux.atom").status_code == 404
