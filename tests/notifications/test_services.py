"""Sending, preferences and marking read (notifications/services.py)."""

from __future__ import annotations

import smtplib

import pytest
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.utils import timezone

from accounts.services import personal_data_export
from notifications.kinds import Delivery, register_kind
from notifications.models import Notification, NotificationPreference
from notifications.selectors import mode_for, unread_count
from notifications.services import (
    digest_send,
    notification_send,
    notifications_mark_read,
    notifications_send,
    preference_set,
    preferences_update,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_send_creates_the_notification_and_emails_it_only_after_commit(
    user, other_user, send, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        notification = send(
            recipient=user,
            title="Camille demande à rejoindre « Numérique inclusif »",
            body="Message : « J'anime un atelier numérique à Guéret. »",
            url="/communautes/numerique-inclusif/membres/",
            actor=other_user,
        )
    assert Notification.objects.get() == notification
    assert notification.actor == other_user
    assert notification.read_at is None
    assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1

    callbacks[0]()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [user.email]
    assert email.subject == "Camille demande à rejoindre « Numérique inclusif »"
    assert "J'anime un atelier numérique à Guéret." in email.body
    assert f"/notifications/{notification.pk}/ouvrir/" in email.body
    assert "Ne plus recevoir ces e-mails" in email.body
    assert "/notifications/desabonnement/" in email.extra_headers["List-Unsubscribe"]
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_an_inactive_account_is_not_notified(send, mailoutbox, django_capture_on_commit_callbacks):
    sleeper = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(recipient=sleeper) is None
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_never_keeps_the_notification_on_the_site_without_email(
    user, send, mailoutbox, django_capture_on_commit_callbacks
):
    preference_set(user=user, kind="essai.demande", mode=Delivery.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(recipient=user)
    assert notification is not None
    assert unread_count(user=user) == 1
    assert mailoutbox == []


def test_a_digest_kind_sends_no_email_at_once(
    user, send, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send(recipient=user, kind="essai.evenement", title="Nouvel événement : atelier")
    assert callbacks == []
    assert mailoutbox == []


def test_a_member_choice_overrides_the_kind_default(
    user, kinds, send, mailoutbox, django_capture_on_commit_callbacks
):
    assert mode_for(user=user, kind=kinds.event) == Delivery.DIGEST
    preference_set(user=user, kind="essai.evenement", mode=Delivery.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        send(recipient=user, kind="essai.evenement", title="Nouvel événement : atelier")
    assert [m.subject for m in mailoutbox] == ["Nouvel événement : atelier"]


def test_sending_to_many_skips_inactive_and_duplicates_and_follows_each_preference(
    user, other_user, mailoutbox, django_capture_on_commit_callbacks, django_assert_num_queries
):
    sleeper = UserFactory(is_active=False)
    preference_set(user=other_user, kind="essai.evenement", mode=Delivery.IMMEDIATE)
    # Savepoint, one INSERT, one SELECT of preferences, release: not one per person.
    with django_capture_on_commit_callbacks() as callbacks, django_assert_num_queries(4):
        sent = notifications_send(
            recipients=[user, other_user, sleeper, other_user],
            kind="essai.evenement",
            title="Annonce : assemblée générale le 3 avril",
            url="/communautes/numerique-inclusif/",
        )
    assert sorted(n.recipient_id for n in sent) == sorted([user.pk, other_user.pk])
    assert Notification.objects.count() == 2
    for callback in callbacks:
        callback()
    # The event kind's default is the digest: only other_user chose « immediately ».
    assert [m.to for m in mailoutbox] == [[other_user.email]]


def test_an_unregistered_kind_is_refused(user):
    with pytest.raises(ValueError, match="register_kind"):
        notification_send(recipient=user, kind="essai.inconnu", title="?")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://ailleurs.example/piege",
        "//ailleurs.example/piege",
        "/\\ailleurs.example/piege",
        "javascript:alert(1)",
        "communautes/sans-barre",
        "/avec espace",
    ],
)
def test_a_url_that_is_not_a_path_of_the_site_is_refused(user, send, url):
    with pytest.raises(ValueError, match="path of this site"):
        send(recipient=user, url=url)
    assert not Notification.objects.exists()


def test_a_long_title_is_cut_to_fit(user, send):
    notification = send(recipient=user, title="Très " * 100)
    assert len(notification.title) == 200
    assert notification.title.endswith("…")


def test_a_failed_email_is_logged_and_carried_by_the_next_digest(
    user, send, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("serveur indisponible")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            notification = send(recipient=user)  # the caller does not see the failure
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert mailoutbox == []

    assert digest_send(now=timezone.now()) == 1
    assert notification.title in mailoutbox[0].body


def test_mark_read_marks_the_given_ids_of_the_member_only(user, other_user, send):
    mine = [send(recipient=user, title=f"Demande {i}") for i in range(3)]
    theirs = send(recipient=other_user)
    assert notifications_mark_read(user=user, ids=[mine[0].pk, theirs.pk]) == 1
    assert unread_count(user=user) == 2
    assert unread_count(user=other_user) == 1
    # Already read: nothing changes, its read date stays.
    read_at = Notification.objects.get(pk=mine[0].pk).read_at
    assert notifications_mark_read(user=user, ids=[mine[0].pk]) == 0
    assert Notification.objects.get(pk=mine[0].pk).read_at == read_at


def test_mark_read_without_ids_marks_all_of_the_member(user, other_user, send):
    for i in range(3):
        send(recipient=user, title=f"Demande {i}")
    send(recipient=other_user)
    assert notifications_mark_read(user=user) == 3
    assert unread_count(user=user) == 0
    assert unread_count(user=other_user) == 1


def test_preference_set_stores_one_choice_per_kind(user):
    preference_set(user=user, kind="essai.evenement", mode="never")
    preference_set(user=user, kind="essai.evenement", mode="immediate")
    assert NotificationPreference.objects.get(user=user).mode == Delivery.IMMEDIATE


def test_preference_set_refuses_an_unknown_kind_or_mode_in_french(user):
    with pytest.raises(ValidationError, match="Ce type de notification n'existe pas"):
        preference_set(user=user, kind="essai.inconnu", mode="never")
    with pytest.raises(ValidationError, match="Choix d'envoi inconnu"):
        preference_set(user=user, kind="essai.demande", mode="parfois")
    assert not NotificationPreference.objects.exists()


def test_preferences_update_writes_nothing_when_one_choice_is_bad(user):
    with pytest.raises(ValidationError):
        preferences_update(
            user=user, modes={"essai.demande": "never", "essai.evenement": "parfois"}
        )
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize(
    "code", ["demande", "Community.request", "community.", "community..request", "a.b-c", "x" * 70]
)
def test_register_kind_refuses_a_code_outside_the_convention(code):
    with pytest.raises(ValueError, match=r"<app>\.<event>"):
        register_kind(code, "Essai")


def test_the_personal_data_download_holds_notifications_and_preferences(user, send):
    preference_set(user=user, kind="essai.evenement", mode="never")
    send(recipient=user, url="/communautes/numerique-inclusif/")
    data = personal_data_export(user=user)["notifications"]
    assert data["preferences"] == {"essai.evenement": "never"}
    assert [(n["kind"], n["title"], n["url"]) for n in data["notifications"]] == [
        ("essai.demande", "Nouvelle demande d'adhésion", "/communautes/numerique-inclusif/")
    ]
