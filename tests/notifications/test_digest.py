"""The daily digest (notifications.services.digest_send and its command)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import Notification
from notifications.services import digest_send, notifications_mark_read, preference_set

pytestmark = pytest.mark.django_db


def _event(send, recipient, title, **kw):
    return send(recipient=recipient, kind="essai.evenement", title=title, **kw)


def test_the_digest_sends_one_email_per_member_with_their_own_notifications(
    user, other_user, send, mailoutbox
):
    _event(send, user, "Atelier du 12 mars", body="À la médiathèque de Guéret.")
    _event(send, user, "Rencontre régionale")
    _event(send, other_user, "Visite du tiers-lieu")

    assert digest_send(now=timezone.now()) == 2

    by_recipient = {m.to[0]: m for m in mailoutbox}
    assert set(by_recipient) == {user.email, other_user.email}
    mine = by_recipient[user.email]
    assert mine.subject == "Votre résumé du jour : 2 notifications"
    assert "Atelier du 12 mars" in mine.body
    assert "À la médiathèque de Guéret." in mine.body
    assert "Rencontre régionale" in mine.body
    assert "Visite du tiers-lieu" not in mine.body
    assert "pour « Nouveaux événements » :" in mine.body
    assert "/notifications/desabonnement/" in mine.extra_headers["List-Unsubscribe"]
    assert by_recipient[other_user.email].subject == "Votre résumé du jour : 1 notification"
    assert Notification.objects.filter(digest_sent=True).count() == 3


def test_the_digest_leaves_out_what_is_read_old_unwanted_or_already_emailed(
    user, other_user, send, mailoutbox
):
    old = _event(send, user, "Événement d'il y a huit jours")
    Notification.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(days=8))
    read = _event(send, user, "Déjà lu")
    notifications_mark_read(user=user, ids=[read.pk])
    emailed = send(recipient=user, title="Déjà envoyé à l'instant")
    Notification.objects.filter(pk=emailed.pk).update(emailed_at=timezone.now())
    preference_set(user=other_user, kind="essai.evenement", mode="never")
    _event(send, other_user, "Jamais par e-mail")
    _event(send, user, "Le seul attendu")

    assert digest_send(now=timezone.now()) == 1
    assert [m.to for m in mailoutbox] == [[user.email]]
    body = mailoutbox[0].body
    assert "Le seul attendu" in body
    for absent in ("huit jours", "Déjà lu", "Déjà envoyé", "Jamais par e-mail"):
        assert absent not in body


def test_the_digest_sends_nothing_twice(user, send, mailoutbox):
    _event(send, user, "Atelier du 12 mars")
    assert digest_send(now=timezone.now()) == 1
    assert digest_send(now=timezone.now()) == 0
    assert len(mailoutbox) == 1


def test_the_digest_command_sends_and_says_how_many(user, send, mailoutbox):
    _event(send, user, "Atelier du 12 mars")
    out = StringIO()
    call_command("notifications_send_digest", stdout=out)
    assert "Résumés envoyés : 1" in out.getvalue()
    assert len(mailoutbox) == 1
