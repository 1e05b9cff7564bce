"""Events: the list of a community (with the moderators' form) and the page of an
event (answers, waiting list, calendar links, edit and cancel), 404 to whoever may
not see the community's content."""

from __future__ import annotations

import html as html_lib
from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from communities.models import Event, Rsvp
from tests.factories import CommunityFactory, EventFactory, UserFactory

from .conftest import add_member
from .test_views_community import ROLES, as_role

pytestmark = pytest.mark.django_db

EXPECTED = {
    "public": {"anonymous": 200, "outsider": 200, "member": 200, "moderator": 200, "banned": 404},
    "private": {"anonymous": 404, "outsider": 404, "member": 200, "moderator": 200, "banned": 404},
    "secret": {"anonymous": 404, "outsider": 404, "member": 200, "moderator": 200, "banned": 404},
}


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("visibility", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_event_pages_answer_each_role(client, visibility, role):
    community = CommunityFactory(visibility=visibility)
    add_member(community, role="owner")
    event = EventFactory(community=community, title="Atelier de printemps")
    past = EventFactory(
        community=community,
        title="Rencontre passée",
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=10) + timedelta(hours=2),
    )
    as_role(client, community, role)
    status = EXPECTED[visibility][role]
    listing = client.get(f"/communautes/{community.slug}/evenements/")
    detail = client.get(f"/evenements/{event.pk}/")
    assert (listing.status_code, detail.status_code) == (status, status)
    if status == 200:
        assert "Atelier de printemps" in text(listing) and past.title in text(listing)
        assert ("Créer un événement" in text(listing)) is (role == "moderator")
        assert "<h1>Atelier de printemps</h1>" in text(detail)


def test_a_moderator_creates_an_event_and_bad_input_writes_nothing(client, community):
    moderator = add_member(community, role="moderator").user
    client.force_login(moderator)
    url = f"/communautes/{community.slug}/evenements/"
    start = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    before = (timezone.now() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url, {"title": "", "start": start, "end": before, "timezone": "Europe/Paris"}
    )
    page = text(response)
    assert "Donnez un titre à l'événement." in page
    assert not Event.objects.exists()
    response = client.post(
        url, {"title": "Atelier", "start": start, "end": before, "timezone": "Europe/Paris"}
    )
    page = text(response)
    assert "La fin doit venir après le début." in page
    assert "Indiquez un lieu (commune ou adresse)" in page
    assert not Event.objects.exists()
    end = (timezone.now() + timedelta(days=5, hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url,
        {
            "title": "Atelier",
            "start": start,
            "end": end,
            "timezone": "Europe/Paris",
            "address": "Salle des fêtes",
            "capacity": "12",
        },
        follow=True,
    )
    assert "L'événement « Atelier » est créé" in messages_of(response)
    event = Event.objects.get()
    assert (event.capacity, event.address, event.timezone) == (
        12,
        "Salle des fêtes",
        "Europe/Paris",
    )
    assert response.redirect_chain[-1][0] == f"/evenements/{event.pk}/"


def test_a_member_cannot_create_an_event(client, community):
    client.force_login(add_member(community).user)
    response = client.post(
        f"/communautes/{community.slug}/evenements/", {"title": "Hop"}, follow=True
    )
    assert "Seuls les modérateurs" in messages_of(response)
    assert not Event.objects.exists()


def test_members_answer_and_the_waiting_list_shows_each_ones_place(client, community):
    event = EventFactory(community=community, capacity=1, online_url="https://visio.exemple.org/a")
    first, second, third = (add_member(community).user for _ in range(3))
    for person in (first, second, third):
        client.force_login(person)
        response = client.post(f"/evenements/{event.pk}/reponse/", {"answer": "going"}, follow=True)
    assert "vous êtes 2ᵉ sur la liste d'attente" in messages_of(response)
    assert "Vous êtes 2ᵉ sur la liste d'attente." in text(response)
    client.force_login(second)
    page = text(client.get(f"/evenements/{event.pk}/"))
    assert "Vous êtes en tête de la liste d'attente" in page
    assert "1 y va" in page and "complet" in page and "Lien pour participer" in page
    client.force_login(first)
    response = client.post(f"/evenements/{event.pk}/reponse/", {"answer": "not_going"}, follow=True)
    assert "C'est noté : vous n'y allez pas." in messages_of(response)
    assert Rsvp.objects.get(user=second).is_confirmed
    client.force_login(third)
    assert "Vous êtes en tête de la liste d'attente" in text(client.get(f"/evenements/{event.pk}/"))


def test_outsiders_of_a_public_community_see_the_event_but_cannot_answer(client, community):
    event = EventFactory(community=community)
    outsider = UserFactory()
    client.force_login(outsider)
    page = text(client.get(f"/evenements/{event.pk}/"))
    assert "Seuls les membres de la communauté peuvent répondre." in page
    response = client.post(f"/evenements/{event.pk}/reponse/", {"answer": "going"}, follow=True)
    assert "Seuls les membres de la communauté peuvent répondre." in messages_of(response)
    response = client.post(f"/evenements/{event.pk}/reponse/", {"answer": "oui"}, follow=True)
    assert "Choisissez une réponse" in messages_of(response)
    assert not Rsvp.objects.exists()


def test_the_event_page_links_icalendar_and_google_calendar(client, community):
    event = EventFactory(
        community=community, title="Atelier", address="Salle des fêtes", description="Venez"
    )
    page = client.get(f"/evenements/{event.pk}/").content.decode()
    assert f'href="/evenements/{event.pk}.ics"' in page
    google = next(
        html_lib.unescape(part.split('"')[0])
        for part in page.split('href="')
        if part.startswith("https://calendar.google.com/")
    )
    query = parse_qs(urlsplit(google).query)
    assert query["text"] == ["Atelier"]
    assert query["location"] == ["Salle des fêtes"]
    start = event.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert query["dates"][0].startswith(start + "/")
    assert f"/evenements/{event.pk}/" in query["details"][0]


def test_a_moderator_edits_then_cancels_an_event(client, community):
    event = EventFactory(community=community, title="Atelier")
    moderator = add_member(community, role="moderator").user
    client.force_login(moderator)
    edit = client.get(f"/evenements/{event.pk}/modifier/")
    assert edit.status_code == 200 and 'value="Atelier"' in edit.content.decode()
    data = {
        "title": "Atelier renommé",
        "start": "2020-01-01T10:00",
        "end": "2019-01-01T10:00",
        "timezone": "Europe/Paris",
        "address": "Mairie",
    }
    response = client.post(f"/evenements/{event.pk}/modifier/", data)
    assert "La fin doit venir après le début." in text(response)
    event.refresh_from_db()
    assert event.title == "Atelier"
    zone_start = event.start.astimezone(timezone.get_current_timezone())
    data.update(
        start=zone_start.strftime("%Y-%m-%dT%H:%M"),
        end=(zone_start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
    )
    response = client.post(f"/evenements/{event.pk}/modifier/", data, follow=True)
    assert "L'événement est modifié" in messages_of(response)
    event.refresh_from_db()
    assert event.title == "Atelier renommé" and event.address == "Mairie"
    response = client.post(
        f"/evenements/{event.pk}/annuler/", {"cancel-message": "Pluie"}, follow=True
    )
    assert "L'événement est annulé" in messages_of(response)
    assert "Cet événement est annulé." in text(response)
    event.refresh_from_db()
    assert event.cancelled


def test_members_cannot_edit_or_cancel(client, community):
    event = EventFactory(community=community)
    client.force_login(add_member(community).user)
    response = client.get(f"/evenements/{event.pk}/modifier/", follow=True)
    assert "Seuls les modérateurs" in messages_of(response)
    response = client.post(f"/evenements/{event.pk}/annuler/", follow=True)
    assert "Seuls les modérateurs" in messages_of(response)
    event.refresh_from_db()
    assert not event.cancelled


def test_posts_on_a_private_event_answer_404_to_outsiders(client):
    community = CommunityFactory(visibility="private")
    add_member(community, role="owner")
    event = EventFactory(community=community)
    client.force_login(UserFactory())
    for rest in ("reponse/", "annuler/", "modifier/"):
        assert client.post(f"/evenements/{event.pk}/{rest}", {"answer": "going"}).status_code == 404
    assert not Rsvp.objects.exists()
