"""Direct messages' pages (issue 13): /messages/ and its preference, « Écrire un
message » (opened for people who share a community, refused to strangers), a
conversation's page."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from communities.models import Channel, ChannelKind, ChatPreference, Message
from communities.services import direct_channel_open, direct_messages_set, message_send
from tests.chat.conftest import person
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = "/communautes/tiers-lieux/membres/"


def as_(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def flash(client, url="/messages/") -> str:
    html = client.get(url).content.decode()
    found = re.search(r'<ul class="messages">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def test_messages_page_needs_a_signed_in_person(chat):
    response = as_().get("/messages/")
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_messages_page_lists_conversations_with_their_unread_counts(chat):
    conversation = direct_channel_open(user=chat.hugo, other=chat.lina)
    message_send(channel=conversation, author=chat.hugo, body="Tu viens ?")
    message_send(channel=conversation, author=chat.hugo, body="Dis-moi")
    html = as_(chat.lina).get("/messages/").content.decode()
    assert f'href="/messages/{conversation.pk}/"' in html
    assert "Hugo Martin" in html
    assert "2 messages non lus" in html


def test_messages_page_lists_the_community_channels_with_unread_messages(chat):
    message_send(channel=chat.general, author=chat.hugo, body="Salut")
    html = as_(chat.lina).get("/messages/").content.decode()
    assert "Salons avec des messages non lus" in html
    assert 'href="/communautes/tiers-lieux/discussions/general/"' in html


def test_write_opens_the_conversation_once_and_redirects_to_it(chat):
    client = as_(chat.lina)
    first = client.post(f"/messages/ecrire/{chat.hugo.pk}/")
    conversation = Channel.objects.get(kind=ChannelKind.DIRECT)
    assert first["Location"] == f"/messages/{conversation.pk}/"
    second = as_(chat.hugo).post(f"/messages/ecrire/{chat.lina.pk}/")
    assert second["Location"] == first["Location"]
    assert Channel.objects.filter(kind=ChannelKind.DIRECT).count() == 1


def test_write_to_a_stranger_is_refused_in_french_and_opens_nothing(chat):
    stranger = UserFactory()
    client = as_(chat.lina)
    response = client.post(f"/messages/ecrire/{stranger.pk}/", {"next": MEMBERS})
    assert response["Location"] == MEMBERS
    assert not Channel.objects.filter(kind=ChannelKind.DIRECT).exists()
    assert "Vous ne pouvez écrire qu&#x27;aux membres d&#x27;une communauté que vous partagez." in (
        flash(client, MEMBERS)
    )


def test_write_to_someone_who_turned_direct_messages_off_is_refused(chat):
    direct_messages_set(user=chat.hugo, accepted=False)
    client = as_(chat.lina)
    client.post(f"/messages/ecrire/{chat.hugo.pk}/")
    assert "Cette personne ne reçoit pas de messages directs." in flash(client)
    assert not Channel.objects.filter(kind=ChannelKind.DIRECT).exists()


def test_write_to_an_unknown_or_oneself_is_refused(chat):
    client = as_(chat.lina)
    client.post("/messages/ecrire/999999/")
    assert "Cette conversation n&#x27;est pas possible." in flash(client)
    client.post(f"/messages/ecrire/{chat.lina.pk}/")
    assert "Cette conversation n&#x27;est pas possible." in flash(client)


def test_preference_form_turns_direct_messages_off_and_on(chat):
    client = as_(chat.hugo)
    client.post("/messages/", {})
    assert ChatPreference.objects.get(user=chat.hugo).direct_messages is False
    assert "Vous ne recevez plus de nouveaux messages directs." in flash(client)
    box = re.compile(r'<input type="checkbox" name="direct_messages"[^>]*>')
    assert "checked" not in box.search(client.get("/messages/").content.decode()).group(0)
    client.post("/messages/", {"direct_messages": "on"})
    assert ChatPreference.objects.get(user=chat.hugo).direct_messages is True
    assert "checked" in box.search(client.get("/messages/").content.decode()).group(0)


def test_conversation_page_posts_without_javascript(chat):
    conversation = direct_channel_open(user=chat.lina, other=chat.hugo)
    url = f"/messages/{conversation.pk}/"
    client = as_(chat.lina)
    client_id = str(uuid.uuid4())
    response = client.post(url, {"body": "Coucou", "client_id": client_id})
    client.post(url, {"body": "Coucou", "client_id": client_id})
    message = Message.objects.get(channel=conversation)
    assert response["Location"] == f"{url}#message-{message.pk}"
    assert "Coucou" in as_(chat.hugo).get(url).content.decode()


def test_third_person_cannot_post_in_a_conversation(chat):
    conversation = direct_channel_open(user=chat.lina, other=chat.hugo)
    response = as_(chat.moderator).post(
        f"/messages/{conversation.pk}/", {"body": "Je m'invite", "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()


def test_conversation_with_someone_who_turned_messages_off_shows_why(chat):
    conversation = direct_channel_open(user=chat.lina, other=chat.hugo)
    direct_messages_set(user=chat.hugo, accepted=False)
    html = as_(chat.lina).get(f"/messages/{conversation.pk}/").content.decode()
    assert 'name="body"' not in html
    assert "Cette personne ne reçoit pas de messages directs." in html


def test_conversation_mute_toggle(chat):
    from communities.models import ChannelMember

    conversation = direct_channel_open(user=chat.lina, other=chat.hugo)
    as_(chat.lina).post(f"/messages/{conversation.pk}/notifications/", {"muted": "1"})
    assert ChannelMember.objects.get(channel=conversation, user=chat.lina).muted
    assert (
        as_(chat.moderator)
        .post(f"/messages/{conversation.pk}/notifications/", {"muted": "1"})
        .status_code
        == 404
    )


def test_members_list_offers_to_write_only_where_it_is_allowed(chat):
    direct_messages_set(user=chat.hugo, accepted=False)
    html = as_(chat.lina).get(MEMBERS).content.decode()
    assert f'action="/messages/ecrire/{chat.owner.pk}/"' in html
    assert f'action="/messages/ecrire/{chat.hugo.pk}/"' not in html  # turned them off
    assert f'action="/messages/ecrire/{chat.lina.pk}/"' not in html  # oneself
    assert "Écrire un message" not in as_().get(MEMBERS).content.decode()
    stranger_view = as_(person("Zoé Passante")).get(MEMBERS).content.decode()
    assert "Écrire un message" not in stranger_view  # shares no community
