"""Writing without JavaScript (issue 13): the composer's plain form (PRG, one
message per client id, refusals in French with the text kept), the per-message
forms, creating and setting up channels, muting a channel."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from communities.models import Channel, ChannelMember, Message, MessageReport, Reaction
from communities.services import ChannelInput, channel_create, message_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GENERAL = "/communautes/tiers-lieux/discussions/general/"
LIST = "/communautes/tiers-lieux/discussions/"


def as_(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def say(channel, author, body="Bonjour", **kwargs):
    return message_send(channel=channel, author=author, body=body, **kwargs).message


def action(client, message, name, **data):
    return client.post(f"/discussions/message/{message.pk}/{name}/", data)


def page_messages(client, url=GENERAL) -> str:
    """The django messages shown by the page ``url`` (after a redirect)."""
    html = client.get(url).content.decode()
    found = re.search(r'<ul class="messages">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


# --- the composer ----------------------------------------------------------------------


def test_plain_form_posts_the_message_and_redirects_back_to_it(chat):
    client = as_(chat.lina)
    form = client.get(GENERAL).content.decode()
    client_id = re.search(r'name="client_id" value="([0-9a-f-]{36})"', form).group(1)
    response = client.post(GENERAL, {"body": "Bonjour **tout le monde**", "client_id": client_id})
    message = Message.objects.get(channel=chat.general)
    assert response.status_code == 302
    assert response["Location"] == f"{GENERAL}#message-{message.pk}"
    assert message.author == chat.lina and message.client_id == uuid.UUID(client_id)
    html = client.get(GENERAL).content.decode()
    assert "<strong>tout le monde</strong>" in html


def test_the_same_client_id_posted_twice_stores_one_message(chat):
    client = as_(chat.lina)
    client_id = str(uuid.uuid4())
    first = client.post(GENERAL, {"body": "Une seule fois", "client_id": client_id})
    second = client.post(GENERAL, {"body": "Une seule fois", "client_id": client_id})
    assert Message.objects.filter(channel=chat.general).count() == 1
    assert first["Location"] == second["Location"]


def test_each_page_view_draws_a_new_client_id(chat):
    client = as_(chat.lina)
    pattern = r'name="client_id" value="([0-9a-f-]{36})"'
    first = re.search(pattern, client.get(GENERAL).content.decode()).group(1)
    second = re.search(pattern, client.get(GENERAL).content.decode()).group(1)
    assert first != second


def test_too_long_message_is_refused_in_french_and_the_text_is_kept(chat):
    client = as_(chat.lina)
    body = "x" * 4001
    response = client.post(GENERAL, {"body": body, "client_id": str(uuid.uuid4())})
    assert response["Location"] == f"{GENERAL}#composer"
    assert not Message.objects.exists()
    html = client.get(GENERAL).content.decode()
    assert "Le message est trop long : 4000 caractères au plus (il en a 4001)." in html
    assert re.search(r'<textarea name="body"[^>]*>\n?' + body + "</textarea>", html)
    # Kept once: the next view starts empty.
    assert body not in client.get(GENERAL).content.decode()


def test_empty_message_is_refused_in_french(chat):
    client = as_(chat.lina)
    client.post(GENERAL, {"body": "   ", "client_id": str(uuid.uuid4())})
    assert "Le message est vide." in page_messages(client)
    assert not Message.objects.exists()


def test_slow_mode_refusal_is_french_and_keeps_the_text(chat):
    chat.general.slow_mode_seconds = 60
    chat.general.save()
    client = as_(chat.lina)
    client.post(GENERAL, {"body": "Premier", "client_id": str(uuid.uuid4())})
    client.post(GENERAL, {"body": "Deuxième trop tôt", "client_id": str(uuid.uuid4())})
    html = client.get(GENERAL).content.decode()
    assert "Mode lent : un message toutes les 60 secondes dans ce salon" in html
    assert "Deuxième trop tôt</textarea>" in html
    assert Message.objects.count() == 1


def test_rate_limit_refusal_is_french(chat, settings):
    settings.CARREFOUR_CHAT_RATE_LIMIT = (1, 30)
    client = as_(chat.lina)
    client.post(GENERAL, {"body": "Un", "client_id": str(uuid.uuid4())})
    client.post(GENERAL, {"body": "Deux", "client_id": str(uuid.uuid4())})
    assert "Vous envoyez trop de messages" in page_messages(client)
    assert Message.objects.count() == 1


def test_non_member_and_anonymous_posts_are_refused_in_french(chat):
    outsider = as_(UserFactory())
    outsider.post(GENERAL, {"body": "Je passe", "client_id": str(uuid.uuid4())})
    assert "Rejoignez la communauté pour écrire dans ce salon." in page_messages(outsider)
    anonymous = as_()
    anonymous.post(GENERAL, {"body": "Anonyme"})
    assert "Connectez-vous pour écrire." in page_messages(anonymous)
    assert not Message.objects.exists()


def test_reply_link_fills_the_form_and_the_post_stores_the_reply(chat):
    parent = say(chat.general, chat.hugo, "Qui apporte les outils ?")
    client = as_(chat.lina)
    html = client.get(f"{GENERAL}?repondre={parent.pk}").content.decode()
    assert f'name="reply_to" value="{parent.pk}"' in html
    assert "En réponse à" in html and "Qui apporte les outils ?" in html
    client.post(
        GENERAL, {"body": "Moi", "client_id": str(uuid.uuid4()), "reply_to": str(parent.pk)}
    )
    assert Message.objects.get(body="Moi").reply_to == parent


def test_muted_member_sees_why_instead_of_the_form(chat):
    from datetime import timedelta

    from django.utils import timezone

    from communities.services import member_mute

    member_mute(
        community=chat.community,
        actor=chat.moderator,
        user=chat.lina,
        until=timezone.now() + timedelta(hours=1),
    )
    html = as_(chat.lina).get(GENERAL).content.decode()
    assert 'name="body"' not in html
    assert "Un modérateur vous a réduit·e au silence jusqu" in html


# --- per-message forms -------------------------------------------------------------------


def test_author_edits_a_message_and_the_previous_text_is_kept(chat):
    message = say(chat.general, chat.lina, "Rendez-vous à 9 h")
    response = action(as_(chat.lina), message, "edit", edited_body="Rendez-vous à 10 h")
    assert response["Location"] == f"{GENERAL}?autour={message.pk}#message-{message.pk}"
    message.refresh_from_db()
    assert message.body == "Rendez-vous à 10 h" and message.edited_at is not None
    assert message.revisions.get().body == "Rendez-vous à 9 h"


def test_someone_else_cannot_edit_a_message(chat):
    message = say(chat.general, chat.lina, "Le mien")
    client = as_(chat.hugo)
    action(client, message, "edit", edited_body="Plus le tien")
    assert "Vous ne pouvez modifier que vos propres messages." in page_messages(client)
    message.refresh_from_db()
    assert message.body == "Le mien"


def test_author_deletes_a_message(chat):
    message = say(chat.general, chat.lina, "Oups")
    response = action(as_(chat.lina), message, "delete")
    assert response["Location"] == GENERAL
    message.refresh_from_db()
    assert message.deleted_at is not None
    assert "Oups" not in as_(chat.hugo).get(GENERAL).content.decode()


def test_reaction_form_toggles_a_reaction(chat):
    message = say(chat.general, chat.lina, "On a fini le chantier !")
    client = as_(chat.hugo)
    action(client, message, "react", emoji="🎉")
    assert Reaction.objects.filter(message=message, user=chat.hugo, emoji="🎉").exists()
    action(client, message, "react", emoji="🎉")
    assert not Reaction.objects.filter(message=message).exists()
    action(client, message, "react", emoji="💩")
    assert "Réaction inconnue" in page_messages(client)


def test_report_form_reports_with_a_reason(chat):
    message = say(chat.general, chat.lina, "Un propos")
    client = as_(chat.hugo)
    action(client, message, "report", reason="Propos blessant")
    assert MessageReport.objects.get(message=message).reason == "Propos blessant"
    assert "le message est signalé aux modérateurs" in page_messages(client)
    action(client, message, "report", reason="Encore")
    assert "Vous avez déjà signalé ce message." in page_messages(client)
    action(client, message, "report", reason="")
    assert MessageReport.objects.count() == 1


def test_moderator_hides_restores_and_deletes_from_the_channel_page(chat):
    message = say(chat.general, chat.lina, "À vérifier")
    moderator = as_(chat.moderator)
    action(moderator, message, "hide")
    message.refresh_from_db()
    assert message.hidden_at is not None
    action(moderator, message, "restore")
    message.refresh_from_db()
    assert message.hidden_at is None
    action(moderator, message, "moderate_delete")
    message.refresh_from_db()
    assert message.deleted_at is not None and message.deleted_by == chat.moderator


def test_member_cannot_use_the_moderators_actions(chat):
    message = say(chat.general, chat.lina, "Tranquille")
    client = as_(chat.hugo)
    for name in ("hide", "moderate_delete"):
        action(client, message, name)
        assert "Seuls les modérateurs de la communauté peuvent le faire." in page_messages(client)
    message.refresh_from_db()
    assert message.hidden_at is None and message.deleted_at is None


def test_message_actions_are_404_when_unknown_or_unreadable(chat):
    from tests.factories import CommunityFactory

    message = say(chat.general, chat.lina, "Public")
    assert action(as_(chat.hugo), message, "launch").status_code == 404
    assert as_(chat.hugo).post("/discussions/message/999999/delete/").status_code == 404
    private = CommunityFactory(slug="cercle", visibility="private")
    from communities.services import default_channel_ensure
    from tests.chat.conftest import add_member

    insider = add_member(private).user
    secret = say(default_channel_ensure(community=private), insider, "Entre nous")
    assert action(as_(chat.hugo), secret, "report", reason="?").status_code == 404
    assert action(as_(chat.hugo), secret, "react", emoji="👍").status_code == 404


def test_message_actions_need_a_signed_in_person(chat):
    message = say(chat.general, chat.lina)
    response = action(as_(), message, "react", emoji="👍")
    assert response.status_code == 302 and "/compte/" in response["Location"]
    assert not Reaction.objects.exists()


def test_moderation_actions_go_back_to_next_when_it_is_a_local_address(chat):
    message = say(chat.general, chat.lina)
    queue = "/communautes/tiers-lieux/moderation/"
    response = action(as_(chat.moderator), message, "hide", next=queue)
    assert response["Location"] == queue
    response = action(as_(chat.moderator), message, "restore", next="https://ailleurs.example/")
    assert response["Location"].startswith(GENERAL)


# --- channels: create, set up, mute ---------------------------------------------------------


def test_moderator_creates_a_channel_from_the_list(chat):
    response = as_(chat.moderator).post(
        f"{LIST}nouveau/",
        {"name": "Atelier vélo", "topic": "Réparer ensemble", "slow_mode_seconds": "10"},
    )
    channel = Channel.objects.get(community=chat.community, slug="atelier-velo")
    assert response["Location"] == f"{LIST}atelier-velo/"
    assert channel.topic == "Réparer ensemble" and channel.slow_mode_seconds == 10


def test_a_channel_name_already_taken_is_said_on_the_form(chat):
    response = as_(chat.moderator).post(f"{LIST}nouveau/", {"name": "Général"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un salon porte déjà ce nom dans la communauté." in html
    assert "<title>Erreur : " in html


def test_member_cannot_create_a_channel(chat):
    client = as_(chat.lina)
    response = client.post(f"{LIST}nouveau/", {"name": "Mon salon"})
    assert response["Location"] == LIST
    assert "Seuls les animateurs et modérateurs gèrent les salons." in page_messages(client, LIST)
    assert Channel.objects.filter(community=chat.community).count() == 1


def test_moderator_changes_the_settings_then_archives_a_channel(chat):
    channel = channel_create(
        community=chat.community, actor=chat.owner, data=ChannelInput(name="Idées")
    )
    url = f"{LIST}{channel.slug}/"
    client = as_(chat.moderator)
    client.post(
        f"{url}reglages/",
        {
            "reglages-name": "Idées folles",
            "reglages-topic": "Tout est permis",
            "reglages-read_only": "on",
            "reglages-slow_mode_seconds": "30",
        },
    )
    channel.refresh_from_db()
    assert (channel.name, channel.read_only, channel.slow_mode_seconds) == (
        "Idées folles",
        True,
        30,
    )
    assert channel.slug == "idees"  # the address stays
    client.post(f"{url}reglages/", {"reglages-name": "x", "reglages-slow_mode_seconds": "99999"})
    assert "Le mode lent va de 0 à 3 600 secondes." in page_messages(client, url)
    client.post(f"{url}reglages/", {"archiver": "1"})
    channel.refresh_from_db()
    assert channel.archived_at is not None
    html = as_(chat.lina).get(url).content.decode()
    assert "Ce salon est archivé : on ne peut plus y écrire." in html


def test_member_cannot_change_the_settings(chat):
    client = as_(chat.lina)
    client.post(f"{GENERAL}reglages/", {"reglages-name": "Pirate"})
    chat.general.refresh_from_db()
    assert chat.general.name == "général"
    assert "Seuls les animateurs et modérateurs gèrent les salons." in page_messages(client)


def test_mute_toggle_turns_the_channels_notifications_off_and_on(chat):
    client = as_(chat.lina)
    client.post(f"{GENERAL}notifications/", {"muted": "1"})
    assert ChannelMember.objects.get(channel=chat.general, user=chat.lina).muted
    html = client.get(GENERAL).content.decode()
    assert "Rétablir les notifications de ce salon" in html
    client.post(f"{GENERAL}notifications/", {"muted": "0"})
    assert not ChannelMember.objects.get(channel=chat.general, user=chat.lina).muted


def test_a_channel_whose_address_is_nouveau_still_works(chat):
    channel = channel_create(
        community=chat.community, actor=chat.owner, data=ChannelInput(name="Nouveau")
    )
    assert channel.slug == "nouveau"
    client = as_(chat.lina)
    assert client.get(f"{LIST}nouveau/").status_code == 200
    client.post(f"{LIST}nouveau/", {"body": "Ici aussi", "client_id": str(uuid.uuid4())})
    assert Message.objects.get().channel == channel
