"""Pages of the notifications centre, the unsubscribe link and the header badge."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from notifications.context_processors import notification_centre
from notifications.models import Notification, NotificationPreference
from notifications.selectors import unread_count
from notifications.unsubscribe import unsubscribe_path

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


def test_the_pages_need_a_login(client):
    for url in (LIST, "/notifications/preferences/", "/notifications/1/ouvrir/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_list_shows_only_the_members_own_notifications_unread_marked(
    client, user, other_user, send
):
    send(recipient=user, title="Invitation à rejoindre « Numérique inclusif »", actor=other_user)
    read = send(recipient=user, title="Demande acceptée")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    send(recipient=other_user, title="Une notification d'un autre membre")
    client.force_login(user)

    response = client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Invitation à rejoindre « Numérique inclusif »" in html
    assert "Demande acceptée" in html
    assert "Une notification d'un autre membre" not in html
    assert "Vous avez 1 notification non lue." in html
    assert html.count('<span class="visually-hidden"> (non lue)</span>') == 1
    assert html.count(">Non lue</span>") == 1
    assert "Tout marquer comme lu" in html


def test_the_list_is_paginated(client, user, send):
    for i in range(25):
        send(recipient=user, title=f"Demande numéro {i}")
    client.force_login(user)
    first = client.get(LIST)
    assert len(first.context["entries"]) == 20
    assert "Page 1 sur 2" in first.content.decode()
    second = client.get(LIST, {"page": 2})
    assert [n.title for n, _actor in second.context["entries"]] == [
        f"Demande numéro {i}" for i in range(4, -1, -1)
    ]


def test_opening_marks_read_and_goes_to_the_notification_path(client, user, send):
    notification = send(recipient=user, url="/communautes/numerique-inclusif/membres/")
    client.force_login(user)
    response = client.get(f"/notifications/{notification.pk}/ouvrir/")
    assert response.status_code == 302
    assert response["Location"] == "/communautes/numerique-inclusif/membres/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_members_notification_is_404(client, user, other_user, send):
    theirs = send(recipient=other_user)
    client.force_login(user)
    assert client.get(f"/notifications/{theirs.pk}/ouvrir/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/lue/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize(
    "stored", ["https://ailleurs.example/", "//ailleurs.example/", "/\\ailleurs.example", ""]
)
def test_opening_never_leaves_the_site(client, user, stored):
    # Written past the service (which refuses such addresses): the view holds too.
    notification = Notification.objects.create(
        recipient=user, kind="essai.demande", title="Piège", url=stored
    )
    client.force_login(user)
    response = client.get(f"/notifications/{notification.pk}/ouvrir/")
    assert response.status_code == 302
    assert response["Location"] == LIST


def test_mark_one_read_and_mark_all_read_work_without_javascript(client, user, send):
    first, *_others = [send(recipient=user, title=f"Demande {i}") for i in range(3)]
    client.force_login(user)
    response = client.post(f"/notifications/{first.pk}/lue/", {"page": "2"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?page=2"
    assert unread_count(user=user) == 2

    response = client.post("/notifications/tout-marquer-comme-lu/", follow=True)
    assert unread_count(user=user) == 0
    assert "2 notifications marquées comme lues." in response.content.decode()
    assert client.get("/notifications/tout-marquer-comme-lu/").status_code == 405


def test_the_preferences_page_has_one_radio_group_per_kind_and_saves(client, user):
    client.force_login(user)
    html = client.get("/notifications/preferences/").content.decode()
    assert html.count("<fieldset") == 2
    assert '<legend class="field__label">Demandes d&#x27;adhésion à valider <span' in html
    assert '<legend class="field__label">Nouveaux événements <span' in html
    # Defaults checked: immediately for requests, the digest for events.
    assert re.search(r'name="kind-essai-demande" value="immediate"[^>]*checked', html)
    assert re.search(r'name="kind-essai-evenement" value="digest"[^>]*checked', html)

    response = client.post(
        "/notifications/preferences/",
        {"kind-essai-demande": "digest", "kind-essai-evenement": "never"},
        follow=True,
    )
    assert "Vos préférences de notification ont été enregistrées." in response.content.decode()
    assert dict(NotificationPreference.objects.values_list("kind", "mode")) == {
        "essai.demande": "digest",
        "essai.evenement": "never",
    }


def test_the_preferences_page_refuses_a_missing_choice_in_french(client, user):
    client.force_login(user)
    response = client.post("/notifications/preferences/", {"kind-essai-demande": "digest"})
    assert response.status_code == 200
    assert "Choisissez comment recevoir « Nouveaux événements »." in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_unsubscribe_link_asks_first_then_sets_the_kind_to_never(client, user):
    url = unsubscribe_path(user_id=user.pk, kind="essai.demande")
    page = client.get(url)  # no login: the link comes from an e-mail
    assert page.status_code == 200
    assert "Ne plus recevoir d'e-mails pour « Demandes d&#x27;adhésion à valider » ?" in (
        page.content.decode()
    )
    assert not NotificationPreference.objects.exists()  # a link prefetcher changes nothing

    done = client.post(url)
    assert done.status_code == 200
    assert "vous ne recevrez plus d'e-mails pour « Demandes d&#x27;adhésion" in (
        done.content.decode()
    )
    assert NotificationPreference.objects.get(user=user, kind="essai.demande").mode == "never"


def test_the_link_in_an_email_unsubscribes_in_one_click_without_csrf_token(
    user, send, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(recipient=user)
    header = mailoutbox[0].extra_headers["List-Unsubscribe"]
    path = re.search(r"<https?://[^/]+(/[^>]+)>", header).group(1)
    assert path in mailoutbox[0].body
    # RFC 8058: the mail client POSTs « List-Unsubscribe=One-Click », no CSRF token.
    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=user, kind="essai.demande").mode == "never"


def test_the_digest_header_link_stops_every_kind(client, user, kinds):
    client.post(unsubscribe_path(user_id=user.pk, kind=None))
    assert dict(NotificationPreference.objects.values_list("kind", "mode")) == {
        "essai.demande": "never",
        "essai.evenement": "never",
        "*": "never",  # the kinds registered later too
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_token_gives_a_french_error(client, user, method):
    url = unsubscribe_path(user_id=user.pk, kind="essai.demande")
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = url.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    response = getattr(client, method)(tampered)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce lien de désabonnement n'est pas valide" in html
    assert "Aucun réglage n'a été changé." in html
    assert not NotificationPreference.objects.exists()


def test_an_unsubscribe_link_for_a_deleted_account_is_refused(client, other_user):
    url = unsubscribe_path(user_id=other_user.pk, kind="essai.demande")
    other_user.delete()
    assert client.post(url).status_code == 400


def test_the_header_shows_the_unread_count_to_the_member(client, user, other_user, send):
    for i in range(3):
        send(recipient=user, title=f"Demande {i}")
    send(recipient=other_user)
    client.force_login(user)
    html = client.get(LIST).content.decode()
    assert (
        '<a href="/notifications/" data-live-badge="notifications" '
        'aria-label="Notifications, 3 non lues">Notifications '
        '<span class="badge" aria-hidden="true">3</span></a>'
    ) in html


def test_the_header_link_has_no_badge_when_all_is_read(client, user):
    client.force_login(user)
    assert (
        '<a href="/notifications/" data-live-badge="notifications">Notifications</a>'
        in client.get(LIST).content.decode()
    )


def test_the_header_has_no_notifications_for_anonymous_visitors(client, home_page):
    assert 'href="/notifications/"' not in client.get("/").content.decode()


def test_the_context_processor_costs_one_query_and_none_for_anonymous(
    user, send, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser

    send(recipient=user)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notification_centre(request) == {}
    request.user = user
    with django_assert_num_queries(1):
        context = notification_centre(request)
        assert context["notification_centre"]["unread"] == 1
        assert context["notification_centre"]["unread"] == 1


@pytest.mark.parametrize(
    "path",
    [
        f"/notifications/{2**63}/ouvrir/",
        f"/notifications/{10**30}/lue/",
        "/notifications/desabonnement/%C3%A9t%C3%A9/",
        "/notifications/desabonnement/a:b:c/",
        "/notifications/desabonnement/%00/",
        "/notifications/?page=%00",
    ],
)
def test_hostile_addresses_get_no_server_error(client, user, path):
    client.force_login(user)
    response = client.post(path) if "/lue/" in path else client.get(path)
    assert response.status_code in {200, 400, 404}
