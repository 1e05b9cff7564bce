"""iCalendar exports: /communautes/<slug>/evenements.ics and /evenements/<id>.ics, read
as a calendar application reads them (the icalendar parser), with the same 404s as
the pages and a personal signed address for members of private communities."""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from communities.ics import ics_personal_url
from tests.communities.conftest import add_member
from tests.factories import CommunityFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def _events(response) -> dict[str, icalendar.Event]:
    return {str(e["SUMMARY"]): e for e in _calendar(response).walk("VEVENT")}


@pytest.fixture
def public(db):
    community = CommunityFactory(name="Numérique inclusif", slug="numerique-inclusif")
    community.owner_user = add_member(community, role="owner").user
    return community


@pytest.fixture
def private(db):
    community = CommunityFactory(name="Habitat participatif", slug="habitat", visibility="private")
    community.member_user = add_member(community).user
    EventFactory(community=community, title="Visite réservée")
    return community


def test_the_community_calendar_has_its_upcoming_and_recent_events(client, public):
    now = timezone.now()
    soon = EventFactory(community=public, title="Atelier", start=now + timedelta(days=2))
    EventFactory(community=public, title="Le mois dernier", start=now - timedelta(days=30))
    EventFactory(community=public, title="Il y a six mois", start=now - timedelta(days=180))
    response = client.get("/communautes/numerique-inclusif/evenements.ics")
    calendar = _calendar(response)
    assert str(calendar["X-WR-CALNAME"]) == "Numérique inclusif"
    assert str(calendar["VERSION"]) == "2.0"
    events = _events(response)
    assert set(events) == {"Atelier", "Le mois dernier"}
    atelier = events["Atelier"]
    host = "localhost"  # the default Wagtail site of the tests
    assert str(atelier["UID"]) == f"event-{soon.pk}@{host}"
    start = atelier.decoded("DTSTART")
    # In UTC, to the second (iCalendar has no fractions of a second).
    assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
    assert start == soon.start.astimezone(UTC).replace(microsecond=0)
    assert atelier.decoded("DTEND") == soon.end.replace(microsecond=0)
    assert str(atelier["LOCATION"]) == "Salle des fêtes"
    assert str(atelier["URL"]).endswith(f"/evenements/{soon.pk}/")
    assert str(atelier["STATUS"]) == "CONFIRMED"
    assert atelier.decoded("LAST-MODIFIED") is not None
    assert "numerique-inclusif" in str(atelier["DESCRIPTION"])


def test_a_cancelled_event_is_marked_cancelled(client, public):
    EventFactory(community=public, title="Annulé", cancelled=True)
    events = _events(client.get("/communautes/numerique-inclusif/evenements.ics"))
    assert str(events["Annulé"]["STATUS"]) == "CANCELLED"


def test_an_online_event_gives_its_link_as_location(client, public):
    EventFactory(community=public, title="Visio", address="", online_url="https://visio.test/x")
    event = _events(client.get("/communautes/numerique-inclusif/evenements.ics"))["Visio"]
    assert str(event["LOCATION"]) == "https://visio.test/x"
    assert "https://visio.test/x" in str(event["DESCRIPTION"])


def test_one_event_has_its_own_calendar(client, public):
    event = EventFactory(community=public, title="Rencontre")
    response = client.get(f"/evenements/{event.pk}.ics")
    assert list(_events(response)) == ["Rencontre"]
    assert client.get("/evenements/999999.ics").status_code == 404


def test_control_characters_do_not_break_the_calendar(client, public):
    # (No NUL: PostgreSQL refuses it in text, before any calendar is written.)
    EventFactory(community=public, title="Atelier\x1b vélo", description="Ligne 1\x07\nLigne 2")
    events = _events(client.get("/communautes/numerique-inclusif/evenements.ics"))
    assert str(events["Atelier vélo"]["DESCRIPTION"]).startswith("Ligne 1\nLigne 2")


def test_a_private_calendar_is_404_to_outsiders_and_anonymous_clients(client, private):
    event = private.events.get()
    assert client.get("/communautes/habitat/evenements.ics").status_code == 404
    assert client.get(f"/evenements/{event.pk}.ics").status_code == 404
    client.force_login(UserFactory())
    assert client.get("/communautes/habitat/evenements.ics").status_code == 404
    client.force_login(private.member_user)
    assert list(_events(client.get("/communautes/habitat/evenements.ics"))) == ["Visite réservée"]


def test_a_secret_or_unknown_community_has_no_calendar(client):
    CommunityFactory(slug="secrete", visibility="secret")
    assert client.get("/communautes/secrete/evenements.ics").status_code == 404
    assert client.get("/communautes/inconnue/evenements.ics").status_code == 404


def test_a_member_s_personal_address_opens_the_private_calendar_without_a_session(client, private):
    url = ics_personal_url(community=private, user=private.member_user)
    assert url.startswith("/communautes/habitat/evenements.ics?jeton=")
    response = client.get(url)  # a calendar application: no cookie
    assert list(_events(response)) == ["Visite réservée"]
    assert response["Cache-Control"].startswith("private")
    event = private.events.get()
    jeton = parse_qs(urlsplit(url).query)["jeton"][0]
    assert client.get(f"/evenements/{event.pk}.ics", {"jeton": jeton}).status_code == 200


def test_a_tampered_or_foreign_jeton_opens_nothing(client, private):
    url = ics_personal_url(community=private, user=private.member_user)
    assert client.get(url[:-3] + "abc").status_code == 404
    other = CommunityFactory(slug="autre", visibility="private")
    member = add_member(other).user
    foreign = parse_qs(urlsplit(ics_personal_url(community=other, user=member)).query)["jeton"][0]
    assert client.get("/communautes/habitat/evenements.ics", {"jeton": foreign}).status_code == 404


def test_the_personal_address_closes_when_the_member_is_banned(client, private):
    url = ics_personal_url(community=private, user=private.member_user)
    private.memberships.filter(user=private.member_user).update(state="banned")
    assert client.get(url).status_code == 404


def test_personal_urls_are_plain_for_public_and_none_for_outsiders(public, private):
    outsider = UserFactory()
    assert ics_personal_url(community=public, user=outsider) == (
        "/communautes/numerique-inclusif/evenements.ics"
    )
    assert ics_personal_url(community=private, user=outsider) is None
    assert ics_personal_url(community=private, user=None) is None
    absolute = ics_personal_url(community=public, user=None, absolute=True)
    assert absolute.startswith("http") and absolute.endswith("/evenements.ics")


def test_the_template_tags_give_the_viewer_s_addresses(private):
    event = private.events.get()
    template = Template(
        "{% load community_calendar %}[{% community_ics_url community %}]"
        "[{% event_ics_url event %}]"
    )
    request = RequestFactory().get("/")
    request.user = private.member_user
    rendered = template.render(Context({"request": request, "community": private, "event": event}))
    assert "/communautes/habitat/evenements.ics?jeton=" in rendered
    assert f"/evenements/{event.pk}.ics?jeton=" in rendered
    request.user = UserFactory()
    rendered = template.render(Context({"request": request, "community": private, "event": event}))
    assert rendered == "[][]"
