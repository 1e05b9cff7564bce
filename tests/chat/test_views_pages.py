"""The channel pages seen by each kind of viewer (issue 13): who gets 200 and who 404,
the history (pages, « Messages plus anciens », ``?autour=``), the read marker, what
is escaped, the header's unread badge."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from communities.models import ChannelMember
from communities.services import (
    ChannelInput,
    channel_create,
    channel_mute_set,
    default_channel_ensure,
    direct_channel_open,
    message_send,
)
from tests.chat.conftest import add_member, person
from tests.factories import CommunityFactory, UserFactory

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


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.CARREFOUR_CHAT_RATE_LIMIT = (0, 30)


def ids_on_page(response) -> list[int]:
    return [
        int(i) for i in re.findall(r'id="message-([1-9]\d*)" data-id=', response.content.decode())
    ]


# --- who reads what -------------------------------------------------------------------


def test_public_channel_list_and_page_are_open_to_anonymous_visitors(chat):
    say(chat.general, chat.lina, "Bienvenue à toutes et à tous")
    listing = as_().get(LIST)
    assert listing.status_code == 200
    assert "général" in listing.content.decode()
    page = as_().get(GENERAL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bienvenue à toutes et à tous" in html
    assert 'name="body"' not in html  # no composer for anonymous visitors
    assert "Connectez-vous pour écrire." in html


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_private_and_secret_channels_are_404_to_outsiders_and_200_to_members(visibility):
    community = CommunityFactory(slug="cercle", visibility=visibility)
    member = add_member(community).user
    general = default_channel_ensure(community=community)
    say(general, member, "Entre nous")
    outsider = UserFactory()
    for client in (as_(), as_(outsider)):
        assert client.get("/communautes/cercle/discussions/").status_code == 404
        assert client.get("/communautes/cercle/discussions/general/").status_code == 404
        assert client.post(
            "/communautes/cercle/discussions/general/", {"body": "x"}
        ).status_code in (
            302,
            404,
        )
    assert general.messages.count() == 1
    response = as_(member).get("/communautes/cercle/discussions/general/")
    assert response.status_code == 200
    assert "Entre nous" in response.content.decode()


def test_banned_member_no_longer_reads_a_private_channel():
    community = CommunityFactory(slug="cercle", visibility="private")
    banned = add_member(community, state="banned").user
    default_channel_ensure(community=community)
    assert as_(banned).get("/communautes/cercle/discussions/general/").status_code == 404


def test_channel_reserved_to_moderators_is_404_to_members_and_listed_for_moderators(chat):
    reserved = channel_create(
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="Équipe d'animation", moderators_only=True),
    )
    url = f"{LIST}{reserved.slug}/"
    assert as_(chat.lina).get(url).status_code == 404
    assert as_().get(url).status_code == 404
    assert "Équipe d&#x27;animation" not in as_(chat.lina).get(LIST).content.decode()
    assert as_(chat.moderator).get(url).status_code == 200
    assert "Équipe d&#x27;animation" in as_(chat.moderator).get(LIST).content.decode()


def test_unknown_channel_is_404(chat):
    assert as_(chat.lina).get(f"{LIST}nulle-part/").status_code == 404
    assert as_(chat.lina).get("/communautes/inconnue/discussions/general/").status_code == 404


def test_general_is_created_on_the_first_visit_of_a_community_without_channels():
    community = CommunityFactory(slug="ancienne")
    assert not community.channels.exists()
    assert as_().get("/communautes/ancienne/discussions/general/").status_code == 200
    assert community.channels.filter(is_default=True, slug="general").exists()


def test_direct_conversation_is_open_to_its_two_participants_only(chat):
    conversation = direct_channel_open(user=chat.lina, other=chat.hugo)
    say(conversation, chat.lina, "Un mot rien que pour toi")
    url = f"/messages/{conversation.pk}/"
    for reader in (chat.lina, chat.hugo):
        response = as_(reader).get(url)
        assert response.status_code == 200
        assert "Un mot rien que pour toi" in response.content.decode()
    assert as_(chat.moderator).get(url).status_code == 404
    assert as_(UserFactory(groups=["Éditeurs"])).get(url).status_code == 404
    anonymous = as_().get(url)
    assert anonymous.status_code == 302 and "/compte/" in anonymous["Location"]
    # A community channel's id is not a conversation.
    assert as_(chat.lina).get(f"/messages/{chat.general.pk}/").status_code == 404


def test_direct_conversation_page_names_the_other_person(chat):
    conversation = direct_channel_open(user=chat.lina, other=chat.hugo)
    html = as_(chat.lina).get(f"/messages/{conversation.pk}/").content.decode()
    assert "Conversation avec Hugo Martin" in html


# --- the list of channels ---------------------------------------------------------------


def test_channel_list_shows_general_first_with_unread_counts_and_the_muted_flag(chat):
    other = channel_create(
        community=chat.community, actor=chat.owner, data=ChannelInput(name="Atelier bois")
    )
    say(chat.general, chat.hugo, "Un")
    say(chat.general, chat.hugo, "Deux")
    channel_mute_set(channel=other, user=chat.lina, muted=True)
    html = as_(chat.lina).get(LIST).content.decode()
    assert html.index("général") < html.index("Atelier bois")
    assert "2 messages non lus" in html
    assert "muet" in html


def test_only_moderators_see_the_form_that_creates_a_channel(chat):
    assert "Créer un salon" not in as_(chat.lina).get(LIST).content.decode()
    html = as_(chat.moderator).get(LIST).content.decode()
    assert "Créer un salon" in html
    assert 'action="/communautes/tiers-lieux/discussions/nouveau/"' in html


def test_community_page_links_to_its_discussions(chat):
    html = as_().get("/communautes/tiers-lieux/").content.decode()
    assert f'href="{LIST}"' in html


# --- the history ---------------------------------------------------------------------------


def test_channel_page_shows_the_latest_fifty_and_a_link_to_older_messages(chat):
    messages = [say(chat.general, chat.lina, f"Message numéro {n}") for n in range(55)]
    response = as_(chat.hugo).get(GENERAL)
    shown = ids_on_page(response)
    assert shown == [m.pk for m in messages[5:]]
    html = response.content.decode()
    assert f'href="?avant={messages[5].pk}"' in html
    assert "Messages plus anciens" in html
    older = as_(chat.hugo).get(f"{GENERAL}?avant={messages[5].pk}")
    assert ids_on_page(older) == [m.pk for m in messages[:5]]
    assert "Messages plus anciens" not in older.content.decode()
    assert "Aller aux derniers messages" in older.content.decode()


def test_around_shows_the_page_holding_that_message_highlighted(chat):
    messages = [say(chat.general, chat.lina, f"Message numéro {n}") for n in range(80)]
    target = messages[10]
    response = as_(chat.hugo).get(f"{GENERAL}?autour={target.pk}")
    shown = ids_on_page(response)
    assert target.pk in shown
    assert shown[0] == messages[0].pk and shown[-1] == messages[35].pk
    html = response.content.decode()
    assert re.search(rf'chat-message--highlight"[^>]*id="message-{target.pk}"', html)
    # Not the latest page: the live script is not started (it would leave a gap).
    assert 'id="chat-config"' not in html


def test_message_address_redirects_to_its_place_in_the_channel(chat):
    message = say(chat.general, chat.lina)
    response = as_(chat.hugo).get(f"/discussions/message/{message.pk}/")
    assert response["Location"] == f"{GENERAL}?autour={message.pk}#message-{message.pk}"


def test_message_shows_author_time_edited_reply_and_reactions(chat):
    from communities.services import message_edit, reaction_toggle

    first = say(chat.general, chat.lina, "Qui vient samedi ?")
    second = say(chat.general, chat.hugo, "Moi !", reply_to=first.pk)
    message_edit(message_id=first.pk, actor=chat.lina, body="Qui vient samedi au chantier ?")
    reaction_toggle(message_id=second.pk, user=chat.lina, emoji="🎉")
    html = as_(chat.lina).get(GENERAL).content.decode()
    assert "Lina Benali" in html and "Hugo Martin" in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', html)
    assert "(modifié)" in html
    assert "En réponse à" in html and "Qui vient samedi au chantier ?" in html
    assert re.search(r'aria-pressed="true"><span aria-hidden="true">🎉 1</span>', html)


def test_only_the_sanitised_html_is_rendered_as_html(chat):
    say(chat.general, chat.lina, '<script>alert("x")</script> **gras** <img src=x onerror=1>')
    html = as_(chat.lina).get(GENERAL).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<strong>gras</strong>" in html
    # The author's edit box holds the raw text, escaped.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_hidden_messages_show_to_moderators_flagged_and_not_to_members(chat):
    from communities.services import message_hide

    message = say(chat.general, chat.lina, "Un propos déplacé")
    message_hide(message_id=message.pk, actor=chat.moderator)
    assert "Un propos déplacé" not in as_(chat.hugo).get(GENERAL).content.decode()
    html = as_(chat.moderator).get(GENERAL).content.decode()
    assert "Un propos déplacé" in html
    assert "Masqué par la modération" in html


def test_viewing_the_channel_marks_it_read_up_to_the_last_message_shown(chat):
    say(chat.general, chat.hugo, "Un")
    last = say(chat.general, chat.hugo, "Deux")
    as_(chat.lina).get(GENERAL)
    assert ChannelMember.objects.get(channel=chat.general, user=chat.lina).last_read_id == last.pk


def test_unread_separator_marks_the_first_message_after_the_read_marker(chat):
    seen = say(chat.general, chat.hugo, "Déjà lu")
    as_(chat.lina).get(GENERAL)
    new = say(chat.general, chat.hugo, "Tout neuf")
    html = as_(chat.lina).get(GENERAL).content.decode()
    separator = html.index('id="chat-unread"')
    assert html.index(f'id="message-{seen.pk}"') < separator < html.index(f'id="message-{new.pk}"')
    assert "Nouveaux messages" in html
    # Once read, no separator.
    assert 'id="chat-unread"' not in as_(chat.lina).get(GENERAL).content.decode()


def test_announcement_channel_replaces_the_form_by_a_sentence_for_members(chat):
    announcements = channel_create(
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="Annonces", read_only=True),
    )
    url = f"{LIST}{announcements.slug}/"
    html = as_(chat.lina).get(url).content.decode()
    assert 'name="body"' not in html
    assert "Seuls les animateurs écrivent dans ce salon d&#x27;annonces." in html
    assert 'name="body"' in as_(chat.moderator).get(url).content.decode()


def test_signed_in_non_member_reads_a_public_channel_and_is_told_to_join(chat):
    html = as_(UserFactory()).get(GENERAL).content.decode()
    assert 'name="body"' not in html
    assert "Rejoignez la communauté pour écrire dans ce salon." in html


def test_live_configuration_is_json_with_the_channel_the_last_id_and_the_socket_path(chat):
    import json

    last = say(chat.general, chat.hugo, "Salut")
    html = as_(chat.lina).get(GENERAL).content.decode()
    raw = re.search(r'<script id="chat-config" type="application/json">(.*?)</script>', html, re.S)
    config = json.loads(raw.group(1))
    assert config["channel"] == chat.general.pk
    assert config["lastId"] == last.pk
    assert config["user"]["id"] == chat.lina.pk
    assert config["wsPath"] == "/ws/"
    assert config["membersUrl"] == f"/api/v1/channels/{chat.general.pk}/members"
    assert config["actionUrl"] == "/discussions/message/{id}/{action}/"
    assert '<script src="/static/js/chat.js" defer></script>' in html
    assert 'id="chat-message-template"' in html


def test_channel_pages_have_no_inline_script_handler_or_style(chat):
    say(chat.general, chat.hugo, "Salut")
    conversation = direct_channel_open(user=chat.lina, other=chat.hugo)
    for url in (LIST, GENERAL, "/messages/", f"/messages/{conversation.pk}/"):
        html = as_(chat.lina).get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url
        assert not re.search(r"<[^>]+\sstyle\s*=", html), url


# --- the header's badge ---------------------------------------------------------------------


def test_header_shows_the_unread_total_as_an_accessible_badge(chat):
    for n in range(3):
        say(chat.general, chat.hugo, f"Nouvelle {n}")
    html = as_(chat.lina).get("/mes-communautes/").content.decode()
    assert 'aria-label="Messages : 3 messages non lus"' in html
    assert '<span class="badge" aria-hidden="true">3</span>' in html
    as_(chat.lina).get(GENERAL)
    html = as_(chat.lina).get("/mes-communautes/").content.decode()
    assert "messages non lus" not in html
    assert ">Messages</a>" in html


def test_header_badge_leaves_out_muted_channels_and_counts_direct_messages(chat):
    say(chat.general, chat.hugo, "Dans le salon")
    channel_mute_set(channel=chat.general, user=chat.lina, muted=True)
    conversation = direct_channel_open(user=chat.hugo, other=chat.lina)
    say(conversation, chat.hugo, "En privé")
    html = as_(chat.lina).get("/mes-communautes/").content.decode()
    assert 'aria-label="Messages : 1 message non lu"' in html


def test_header_has_no_messages_link_for_anonymous_visitors(chat):
    assert 'href="/messages/"' not in as_().get("/communautes/").content.decode()


def test_header_badge_is_one_query_computed_per_request(chat):
    from communities.context_processors import chat_unread

    say(chat.general, chat.hugo, "Un")
    request = RequestFactory().get("/")
    request.user = chat.lina
    request.user.has_perm("communities.change_community")  # permissions: cached per request
    with CaptureQueriesContext(connection) as queries:
        context = chat_unread(request)
    assert len(queries) == 0  # lazy: nothing until a template reads it
    with CaptureQueriesContext(connection) as queries:
        assert context["chat_unread"]["unread"] == 1
    assert len(queries) == 1
    say(chat.general, chat.hugo, "Deux")
    again = chat_unread(request)
    assert again["chat_unread"]["unread"] == 2  # nothing kept from one request to the next


def test_header_badge_for_someone_in_no_community_is_zero(db):
    user = person("Nina Seule")
    html = as_(user).get("/mes-communautes/").content.decode()
    assert 'href="/messages/"' in html
    assert "non lu" not in html.split('href="/messages/"')[1].split("</li>")[0]
