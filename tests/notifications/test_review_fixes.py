"""What the review of issue 12 found in the notifications centre: notifications of a
scope taken back (a ban), a digest that catches up a missed day and never sends
twice when two runs overlap, and « se désabonner de tout » that covers the kinds
registered later."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import emails, selectors
from notifications import kinds as registry
from notifications.kinds import Delivery
from notifications.models import Notification
from notifications.services import (
    digest_send,
    notifications_mark_read,
    notifications_withdraw,
    preference_set,
    unsubscribe_apply,
)
from notifications.unsubscribe import unsubscribe_token

pytestmark = pytest.mark.django_db


# --- withdrawing a scope ---------------------------------------------------------------


def test_withdraw_takes_back_every_notification_of_the_scope_from_that_person_only(
    user, other_user, send
):
    unread = send(recipient=user, kind="essai.evenement", title="Annonce", scope="community:7")
    read = send(recipient=user, kind="essai.evenement", title="Événement", scope="community:7")
    notifications_mark_read(user=user, ids=[read.pk])
    elsewhere = send(recipient=user, kind="essai.evenement", title="Autre", scope="community:8")
    unscoped = send(recipient=user, kind="essai.evenement", title="Sans portée")
    someone_else = send(
        recipient=other_user, kind="essai.evenement", title="Annonce", scope="community:7"
    )

    assert notifications_withdraw(recipient=user, scope="community:7") == 2

    left = set(Notification.objects.values_list("pk", flat=True))
    assert unread.pk not in left and read.pk not in left
    assert {elsewhere.pk, unscoped.pk, someone_else.pk} <= left


def test_a_withdrawn_notification_is_never_sent_in_the_digest(user, send, mailoutbox):
    send(recipient=user, kind="essai.evenement", title="Annonce privée", scope="community:7")
    send(recipient=user, kind="essai.evenement", title="Rencontre publique")
    notifications_withdraw(recipient=user, scope="community:7")

    assert digest_send(now=timezone.now()) == 1
    assert "Annonce privée" not in mailoutbox[0].body
    assert "Rencontre publique" in mailoutbox[0].body


def test_a_withdrawn_immediate_notification_is_not_emailed_after_the_commit(
    user, send, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        send(recipient=user, title="Nouvelle demande", scope="community:7")
    notifications_withdraw(recipient=user, scope="community:7")
    for callback in callbacks:
        callback()
    assert mailoutbox == []


def test_withdraw_needs_a_scope(user):
    with pytest.raises(ValueError):
        notifications_withdraw(recipient=user, scope="")


def test_the_scope_is_stored_with_the_notification(user, send):
    notification = send(recipient=user, title="Nouvelle demande", scope="community:7")
    notification.refresh_from_db()
    assert notification.scope == "community:7"
    assert send(recipient=user, title="Sans portée").scope == ""


# --- the digest ------------------------------------------------------------------------


def _aged(notification, days):
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def test_the_digest_catches_up_a_day_the_command_missed_but_not_older_than_a_week(
    user, send, mailoutbox
):
    missed = send(recipient=user, kind="essai.evenement", title="Atelier d'avant-hier")
    _aged(missed, 2)
    too_old = send(recipient=user, kind="essai.evenement", title="Forum du mois dernier")
    _aged(too_old, 8)

    assert digest_send(now=timezone.now()) == 1
    assert "Atelier d'avant-hier" in mailoutbox[0].body
    assert "Forum du mois dernier" not in mailoutbox[0].body


def test_two_digest_runs_at_once_send_each_notification_once(user, send, mailoutbox, monkeypatch):
    send(recipient=user, kind="essai.evenement", title="Atelier du 12 mars")
    real_send = emails.digest_email_send
    started, inner_runs = [], []

    def slow_send(**kwargs):
        # A second run starts while the first one is still sending.
        if not started:
            started.append(True)
            inner_runs.append(digest_send(now=timezone.now()))
        real_send(**kwargs)

    monkeypatch.setattr(emails, "digest_email_send", slow_send)

    assert digest_send(now=timezone.now()) == 1
    assert inner_runs == [0]
    assert len(mailoutbox) == 1


def test_a_digest_that_failed_to_leave_is_retried_by_the_next_run(
    user, send, mailoutbox, monkeypatch
):
    send(recipient=user, kind="essai.evenement", title="Atelier du 12 mars")
    real_send = emails.digest_email_send

    def broken(**kwargs):
        raise OSError("SMTP indisponible")

    monkeypatch.setattr(emails, "digest_email_send", broken)
    assert digest_send(now=timezone.now()) == 0
    assert not Notification.objects.filter(digest_sent=True).exists()

    monkeypatch.setattr(emails, "digest_email_send", real_send)
    assert digest_send(now=timezone.now()) == 1
    assert len(mailoutbox) == 1


# --- unsubscribing from everything -----------------------------------------------------


def _unsubscribe_from_everything(user):
    unsubscribe_apply(token=unsubscribe_token(user_id=user.pk, kind=None))


def test_unsubscribing_from_everything_covers_a_kind_registered_later(
    user, send, mailoutbox, django_capture_on_commit_callbacks
):
    _unsubscribe_from_everything(user)
    later = registry.register_kind("essai.plus_tard", "Arrivé plus tard", default="immediate")

    with django_capture_on_commit_callbacks(execute=True):
        send(recipient=user, kind="essai.plus_tard", title="Une nouveauté")
    assert mailoutbox == []
    assert digest_send(now=timezone.now()) == 0
    assert selectors.mode_for(user=user, kind=later) == Delivery.NEVER


def test_a_choice_for_one_kind_wins_over_unsubscribing_from_everything(
    user, send, mailoutbox, django_capture_on_commit_callbacks
):
    _unsubscribe_from_everything(user)
    registry.register_kind("essai.plus_tard", "Arrivé plus tard", default="immediate")
    preference_set(user=user, kind="essai.plus_tard", mode="immediate")

    with django_capture_on_commit_callbacks(execute=True):
        send(recipient=user, kind="essai.plus_tard", title="Une nouveauté")
    assert [m.to for m in mailoutbox] == [[user.email]]


def test_unsubscribing_from_everything_leaves_other_members_alone(
    user, other_user, send, mailoutbox
):
    _unsubscribe_from_everything(user)
    registry.register_kind("essai.plus_tard", "Arrivé plus tard")
    send(recipient=other_user, kind="essai.plus_tard", title="Une nouveauté")
    assert digest_send(now=timezone.now()) == 1
    assert [m.to for m in mailoutbox] == [[other_user.email]]
