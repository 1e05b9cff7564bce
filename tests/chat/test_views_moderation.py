"""The moderators' queue of a community's channels and « Réduire au silence »
(issue 13): 404 to everyone else, reports grouped by message with their reasons,
those hidden by reports first, the decisions, the edit history, muting a member."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from communities.models import Membership, Message, MessageReport
from communities.services import message_edit, message_report, message_send
from tests.chat.conftest import add_member
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/communautes/tiers-lieux/moderation/"
GENERAL = "/communautes/tiers-lieux/discussions/general/"
MEMBERS = "/communautes/tiers-lieux/membres/"


def as_(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def say(channel, author, body="Bonjour", **kwargs):
    return message_send(channel=channel, author=author, body=body, **kwargs).message


def flash(client, url=QUEUE) -> str:
    html = client.get(url).content.decode()
    found = re.search(r'<ul class="messages">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def test_queue_is_404_to_everyone_but_moderators(chat):
    for client in (as_(), as_(UserFactory()), as_(chat.lina)):
        assert client.get(QUEUE).status_code == 404
    assert as_(chat.moderator).get(QUEUE).status_code == 200
    assert as_(chat.owner).get(QUEUE).status_code == 200
    assert as_(UserFactory(groups=["Éditeurs"])).get(QUEUE).status_code == 200


def test_queue_groups_reports_by_message_with_their_reasons_hidden_ones_first(chat):
    mild = say(chat.general, chat.lina, "Un avis tranché")
    rude = say(chat.general, chat.hugo, "Un propos insultant")
    message_report(message_id=mild.pk, reporter=chat.hugo, reason="Hors sujet")
    for n in range(3):
        reporter = add_member(chat.community).user
        message_report(message_id=rude.pk, reporter=reporter, reason=f"Insulte numéro {n}")
    html = as_(chat.moderator).get(QUEUE).content.decode()
    assert "2 messages signalés" in html
    assert html.index(f'id="signalement-{rude.pk}"') < html.index(f'id="signalement-{mild.pk}"')
    assert "Masqué par les signalements, en attente de votre décision" in html
    assert "3 signalements" in html and "1 signalement" in html
    for reason in ("Hors sujet", "Insulte numéro 0", "Insulte numéro 2"):
        assert reason in html


def test_queue_shows_a_messages_edit_history(chat):
    message = say(chat.general, chat.lina, "Version un")
    message_edit(message_id=message.pk, actor=chat.lina, body="Version deux")
    message_report(message_id=message.pk, reporter=chat.hugo, reason="A changé de ton")
    html = as_(chat.moderator).get(QUEUE).content.decode()
    assert "1 version précédente" in html
    assert "Version un" in html and "Version deux" in html
    assert "Dernières modifications de messages" in html


def test_keep_hide_and_delete_from_the_queue_settle_the_reports(chat):
    kept, hidden, deleted = (say(chat.general, chat.lina, f"Message {n}") for n in range(3))
    for message in (kept, hidden, deleted):
        message_report(message_id=message.pk, reporter=chat.hugo, reason="À voir")
    client = as_(chat.moderator)
    for message, name in ((kept, "restore"), (hidden, "hide"), (deleted, "moderate_delete")):
        response = client.post(f"/discussions/message/{message.pk}/{name}/", {"next": QUEUE})
        assert response["Location"] == QUEUE
    outcomes = dict(MessageReport.objects.values_list("message_id", "outcome"))
    assert outcomes == {kept.pk: "kept", hidden.pk: "hidden", deleted.pk: "deleted"}
    assert Message.objects.get(pk=hidden.pk).hidden_at is not None
    assert Message.objects.get(pk=deleted.pk).deleted_at is not None
    assert "Aucun signalement en attente." in client.get(QUEUE).content.decode()


def test_queue_offers_to_mute_and_to_ban_the_author(chat):
    message = say(chat.general, chat.lina, "Encore lui")
    message_report(message_id=message.pk, reporter=chat.hugo, reason="Répété")
    html = as_(chat.moderator).get(QUEUE).content.decode()
    assert f'action="/communautes/tiers-lieux/moderation/silence/{chat.lina.pk}/"' in html
    assert f'action="/communautes/tiers-lieux/membres/{chat.lina.pk}/"' in html
    assert 'name="action" value="ban"' in html
    for label in ("1 heure", "24 heures", "7 jours", "30 jours"):
        assert f">{label}</option>" in html


def test_moderator_mutes_a_member_for_a_day_who_then_cannot_post(chat):
    before = timezone.now()
    response = as_(chat.moderator).post(
        f"/communautes/tiers-lieux/moderation/silence/{chat.lina.pk}/",
        {"duration": "24h", "next": MEMBERS},
    )
    assert response["Location"] == MEMBERS
    until = Membership.objects.get(community=chat.community, user=chat.lina).muted_until
    assert before + timedelta(hours=23, minutes=59) < until < timezone.now() + timedelta(hours=24)
    lina = as_(chat.lina)
    lina.post(GENERAL, {"body": "Je parle quand même", "client_id": str(uuid.uuid4())})
    assert not Message.objects.exists()
    assert "réduit·e au silence jusqu" in flash(lina, GENERAL)


def test_moderator_lifts_a_silence(chat):
    membership = Membership.objects.get(community=chat.community, user=chat.lina)
    membership.muted_until = timezone.now() + timedelta(days=7)
    membership.save()
    html = as_(chat.moderator).get(QUEUE).content.decode()
    assert "Membres réduits au silence" in html and "Lever le silence" in html
    client = as_(chat.moderator)
    client.post(f"/communautes/tiers-lieux/moderation/silence/{chat.lina.pk}/", {"lever": "1"})
    membership.refresh_from_db()
    assert membership.muted_until is None
    assert "Lina Benali peut de nouveau écrire." in flash(client)


def test_mute_refusals_are_french(chat):
    client = as_(chat.moderator)
    url = f"/communautes/tiers-lieux/moderation/silence/{chat.lina.pk}/"
    client.post(url, {"duration": "1an"})
    assert "Choisissez une durée parmi celles proposées." in flash(client)
    client.post(f"/communautes/tiers-lieux/moderation/silence/{chat.owner.pk}/", {"duration": "1h"})
    assert "Un animateur ne se réduit pas au silence" in flash(client)
    assert Membership.objects.filter(muted_until__isnull=False).count() == 0


def test_member_cannot_mute_anyone(chat):
    response = as_(chat.hugo).post(
        f"/communautes/tiers-lieux/moderation/silence/{chat.lina.pk}/", {"duration": "1h"}
    )
    assert response.status_code == 404
    assert Membership.objects.get(community=chat.community, user=chat.lina).muted_until is None


def test_members_page_shows_the_mute_form_to_moderators_only(chat):
    html = as_(chat.moderator).get(MEMBERS).content.decode()
    assert "Réduire au silence" in html
    assert f'action="/communautes/tiers-lieux/moderation/silence/{chat.lina.pk}/"' in html
    assert "Réduire au silence" not in as_(chat.lina).get(MEMBERS).content.decode()
