"""/api/v1/channels (issue 13): the channels one may read with what one may do there,
the history by pages, sending with the websocket's rules (session and CSRF token,
refusals as {code, message} in French), the mention candidates."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from communities.models import Channel, Message
from communities.services import (
    ChannelInput,
    channel_create,
    default_channel_ensure,
    direct_channel_open,
    member_mute,
    membership_ban,
    message_hide,
    message_send,
)
from tests.communities.conftest import add_member
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "k" * 32  # a CSRF secret as the browser holds it in its cookie


def as_(user=None, *, csrf: bool = True) -> Client:
    """A browser: its session, and its CSRF cookie (the page it came from set it)."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    if csrf:
        client.cookies[settings.CSRF_COOKIE_NAME] = TOKEN
    return client


def post(client: Client, channel, *, token: str | None = TOKEN, **payload):
    """A fetch() with the ``X-CSRFToken`` header, as static/js/chat.js sends it."""
    headers = {"X-CSRFToken": token} if token else {}
    channel_id = channel if isinstance(channel, int) else channel.pk
    return client.post(
        f"/api/v1/channels/{channel_id}/messages",
        payload,
        content_type="application/json",
        headers=headers,
    )


def listing(client: Client, **params) -> dict:
    response = client.get("/api/v1/channels", params)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == len(data["results"])
    return {
        row["slug"] if row["kind"] == "community" else row["id"]: row for row in data["results"]
    }


def say(channel, author, body="Bonjour", **kwargs):
    return message_send(channel=channel, author=author, body=body, **kwargs).message


@pytest.fixture
def announcements(chat):
    return channel_create(
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="annonces", read_only=True),
    )


# --- GET /channels -----------------------------------------------------------------------


def test_a_member_lists_the_channels_with_what_they_may_do(chat, announcements):
    rows = listing(as_(chat.lina), community="tiers-lieux")
    assert list(rows) == ["general", "annonces"]  # « général » first
    general = rows["general"]
    assert general == {
        "id": chat.general.pk,
        "name": "général",
        "slug": "general",
        "topic": chat.general.topic,
        "kind": "community",
        "community": "tiers-lieux",
        "read_only": False,
        "announcements": False,
        "moderators_only": False,
        "slow_mode_seconds": 0,
        "unread": 0,
        "last_message_id": 0,
        "url": "/communautes/tiers-lieux/discussions/general/",
        "messages_url": f"/api/v1/channels/{chat.general.pk}/messages",
    }
    # An announcements channel: members read it, only its hosts write there.
    assert rows["annonces"]["announcements"] is True
    assert rows["annonces"]["read_only"] is True
    hosts = listing(as_(chat.moderator), community="tiers-lieux")
    assert hosts["annonces"]["read_only"] is False


def test_read_only_is_true_for_whoever_may_not_post(chat):
    outsider = UserFactory()
    assert listing(as_(), community="tiers-lieux")["general"]["read_only"] is True
    assert listing(as_(outsider), community="tiers-lieux")["general"]["read_only"] is True
    member_mute(
        community=chat.community,
        actor=chat.owner,
        user=chat.hugo,
        until=timezone.now() + timedelta(hours=1),
    )
    assert listing(as_(chat.hugo), community="tiers-lieux")["general"]["read_only"] is True
    # Banned: the community's content is closed to them, its channels too.
    membership_ban(community=chat.community, actor=chat.owner, user=chat.lina)
    assert listing(as_(chat.lina), community="tiers-lieux") == {}


def test_unread_counts_what_others_wrote_since_the_last_read(chat):
    say(chat.general, chat.hugo, "Premier")
    last = say(chat.general, chat.hugo, "Second")
    rows = listing(as_(chat.lina), community="tiers-lieux")
    assert rows["general"]["unread"] == 2
    assert rows["general"]["last_message_id"] == last.pk
    assert listing(as_(chat.hugo), community="tiers-lieux")["general"]["unread"] == 0


def test_a_community_without_channels_gets_its_general_on_first_listing(db):
    community = CommunityFactory(slug="neuve")
    assert not Channel.objects.filter(community=community).exists()
    rows = listing(as_(), community="neuve")
    assert list(rows) == ["general"]


def test_unknown_or_secret_community_answers_404_in_french(chat):
    secret = CommunityFactory(slug="cercle", visibility="secret")
    member = add_member(secret).user
    for slug in ("nulle-part", "cercle"):
        response = as_(UserFactory()).get("/api/v1/channels", {"community": slug})
        assert response.status_code == 404
        assert "n'existe pas" in response.json()["detail"]
    assert list(listing(as_(member), community="cercle")) == ["general"]


def test_a_private_communitys_channels_are_for_its_members(db):
    private = CommunityFactory(slug="habitat", visibility="private")
    member = add_member(private).user
    assert listing(as_(UserFactory()), community="habitat") == {}
    assert listing(as_(), community="habitat") == {}
    assert list(listing(as_(member), community="habitat")) == ["general"]


def test_a_channel_reserved_to_moderators_is_listed_to_them_only(chat):
    channel_create(
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="animation", moderators_only=True),
    )
    assert "animation" not in listing(as_(chat.lina), community="tiers-lieux")
    assert listing(as_(chat.moderator), community="tiers-lieux")["animation"]["moderators_only"]


def test_without_community_my_channels_and_direct_messages(chat):
    other = CommunityFactory(slug="autre")
    add_member(other, user=chat.lina)
    CommunityFactory(slug="pas-la")  # not hers: not listed
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    say(direct, chat.hugo, "Tu es là ?")
    rows = as_(chat.lina).get("/api/v1/channels").json()["results"]
    assert [(row["community"], row["slug"]) for row in rows if row["kind"] == "community"] == [
        ("autre", "general"),
        ("tiers-lieux", "general"),
    ]
    conversation = next(row for row in rows if row["kind"] == "direct")
    assert conversation["id"] == direct.pk and conversation["community"] is None
    assert conversation["name"] == "Hugo Martin"
    assert conversation["unread"] == 1 and conversation["read_only"] is False
    assert conversation["url"] == f"/messages/{direct.pk}/"
    # Hugo's own list has the conversation, nobody else's does.
    assert direct.pk in listing(as_(chat.hugo))
    assert direct.pk not in listing(as_(chat.moderator))
    assert listing(as_()) == {}


def test_bad_parameters_answer_422(chat):
    response = as_().get("/api/v1/channels", {"community": "x" * 200})
    assert response.status_code == 422


# --- GET /channels/<id>/messages -----------------------------------------------------------


def history(client: Client, channel, **params):
    return client.get(f"/api/v1/channels/{channel.pk}/messages", params)


def test_history_pages_go_back_with_before_and_forward_with_after(chat):
    sent = [say(chat.general, chat.lina, f"Message {n}") for n in range(5)]
    client = as_()  # a public community: anyone reads
    latest = history(client, chat.general, limit=2).json()
    assert [m["id"] for m in latest["results"]] == [sent[3].pk, sent[4].pk]
    assert latest["has_more"] is True and latest["last_id"] == sent[4].pk
    older = history(client, chat.general, before=sent[3].pk, limit=2).json()
    assert [m["body"] for m in older["results"]] == ["Message 1", "Message 2"]
    assert older["has_more"] is True
    oldest = history(client, chat.general, before=sent[1].pk, limit=2).json()
    assert [m["id"] for m in oldest["results"]] == [sent[0].pk]
    assert oldest["has_more"] is False
    after = history(client, chat.general, after=sent[1].pk, limit=2).json()
    assert [m["id"] for m in after["results"]] == [sent[2].pk, sent[3].pk]
    assert after["has_more"] is True
    caught_up = history(client, chat.general, after=sent[4].pk).json()
    assert caught_up == {"results": [], "has_more": False, "last_id": sent[4].pk}


def test_a_full_page_of_200_still_says_there_is_more(chat):
    Message.objects.bulk_create(
        Message(channel=chat.general, author=chat.lina, body=f"n°{n}", html=f"<p>n°{n}</p>")
        for n in range(201)
    )
    page = history(as_(), chat.general, limit=200).json()
    assert len(page["results"]) == 200 and page["has_more"] is True
    assert page["results"][0]["body"] == "n°1"
    first = Message.objects.order_by("pk").first()
    forward = history(as_(), chat.general, after=first.pk, limit=200).json()
    assert len(forward["results"]) == 200 and forward["has_more"] is False


def test_history_entries_are_the_websockets_message_frames(chat):
    first = say(chat.general, chat.lina, "Bonjour **tous**")
    reply = say(chat.general, chat.hugo, "Salut @lina.benali", reply_to=first.pk)
    frame = history(as_(), chat.general).json()["results"][1]
    assert frame == {
        "type": "message",
        "id": reply.pk,
        "channel": chat.general.pk,
        "author": {"id": chat.hugo.pk, "name": "Hugo Martin"},
        "body": "Salut @lina.benali",
        "html": reply.html,
        "created_at": reply.created_at.isoformat(),
        "edited_at": None,
        "reply_to": first.pk,
        "client_id": None,
        "reactions": {},
        "hidden": False,
    }
    assert "<strong>tous</strong>" in history(as_(), chat.general).json()["results"][0]["html"]


def test_hidden_messages_are_shown_to_moderators_only(chat):
    kept = say(chat.general, chat.lina, "Visible")
    hidden = say(chat.general, chat.hugo, "À masquer")
    message_hide(message_id=hidden.pk, actor=chat.moderator)
    assert [m["id"] for m in history(as_(chat.lina), chat.general).json()["results"]] == [kept.pk]
    frames = history(as_(chat.moderator), chat.general).json()["results"]
    assert [(m["id"], m["hidden"]) for m in frames] == [(kept.pk, False), (hidden.pk, True)]


def test_history_of_a_channel_one_may_not_read_is_404(chat):
    private = CommunityFactory(slug="habitat", visibility="private")
    owner = add_member(private, role="owner").user
    general = default_channel_ensure(community=private)
    say(general, owner, "Entre nous")
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    for channel in (general, direct):
        response = history(as_(chat.moderator), channel)
        assert response.status_code == 404
        assert "n'existe pas" in response.json()["detail"]
    assert history(as_(), Channel(pk=999_999)).status_code == 404
    assert history(as_(owner), general).status_code == 200
    assert history(as_(chat.hugo), direct).status_code == 200


def test_history_refuses_after_with_before_and_limits_out_of_bounds(chat):
    response = history(as_(), chat.general, after=1, before=5)
    assert response.status_code == 400 and "pas les deux" in response.json()["detail"]
    assert history(as_(), chat.general, limit=201).status_code == 422
    assert history(as_(), chat.general, limit=0).status_code == 422
    assert history(as_(), chat.general, limit=200).status_code == 200


# --- POST /channels/<id>/messages -----------------------------------------------------------


def test_a_member_posts_with_the_session_and_csrf_token(chat):
    client_id = str(uuid.uuid4())
    response = post(as_(chat.lina), chat.general, body="Bonjour *vous*", client_id=client_id)
    assert response.status_code == 201, response.content
    frame = response.json()
    message = Message.objects.get(channel=chat.general)
    assert frame["id"] == message.pk and frame["duplicate"] is False
    assert frame["author"] == {"id": chat.lina.pk, "name": "Lina Benali"}
    assert frame["client_id"] == client_id and frame["reactions"] == {}
    assert "<em>vous</em>" in frame["html"]
    chat.general.refresh_from_db()
    assert chat.general.last_message_id == message.pk


def test_the_same_client_id_twice_stores_one_message(chat):
    client, client_id = as_(chat.lina), str(uuid.uuid4())
    first = post(client, chat.general, body="Une fois", client_id=client_id)
    again = post(client, chat.general, body="Une fois", client_id=client_id)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["id"] == first.json()["id"]
    assert Message.objects.filter(channel=chat.general).count() == 1


def test_a_reply_points_at_its_message(chat):
    parent = say(chat.general, chat.hugo, "Question ?")
    response = post(as_(chat.lina), chat.general, body="Réponse", reply_to=parent.pk)
    assert response.status_code == 201 and response.json()["reply_to"] == parent.pk
    gone = post(as_(chat.lina), chat.general, body="Réponse", reply_to=999_999)
    assert gone.status_code == 400
    assert gone.json()["code"] == "invalid" and "n'existe plus" in gone.json()["message"]


def test_without_csrf_token_nothing_is_stored(chat):
    for client, token in ((as_(chat.lina), None), (as_(chat.lina), "z" * 32)):
        response = post(client, chat.general, token=token, body="Sans jeton")
        assert response.status_code == 403
        assert response.json()["code"] == "csrf" and "CSRF" in response.json()["message"]
    no_cookie = post(as_(chat.lina, csrf=False), chat.general, body="Sans cookie")
    assert no_cookie.status_code == 403
    assert not Message.objects.exists()


def test_anonymous_posting_is_401_and_unreadable_channels_404(chat):
    response = post(as_(), chat.general, body="Anonyme")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "Connectez-vous pour écrire.",
        "detail": "Connectez-vous pour écrire.",
    }
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    assert post(as_(chat.moderator), direct, body="Intrus").status_code == 404
    assert post(as_(chat.lina), 999_999, body="Nulle part").status_code == 404
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "who, code",
    [("outsider", "not_member"), ("muted", "muted"), ("member", "read_only")],
)
def test_refusals_are_403_with_the_websockets_code(chat, announcements, who, code):
    channel = announcements if who == "member" else chat.general
    user = {"outsider": UserFactory(), "member": chat.lina}.get(who, chat.hugo)
    if who == "muted":
        member_mute(
            community=chat.community,
            actor=chat.owner,
            user=user,
            until=timezone.now() + timedelta(hours=1),
        )
    response = post(as_(user), channel, body="Je peux ?")
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == code and body["message"] == body["detail"] != ""
    assert not Message.objects.exists()


def test_a_banned_member_no_longer_reads_nor_posts(chat):
    membership_ban(community=chat.community, actor=chat.owner, user=chat.hugo)
    response = post(as_(chat.hugo), chat.general, body="Je reviens")
    assert response.status_code == 404
    assert history(as_(chat.hugo), chat.general).status_code == 404
    assert not Message.objects.exists()


def test_a_host_posts_in_the_announcements_channel(chat, announcements):
    assert post(as_(chat.moderator), announcements, body="Rencontre jeudi").status_code == 201


@pytest.mark.parametrize(
    "body, code, words",
    [("   ", "empty", "vide"), ("x" * 4001, "too_long", "trop long"), ("a\x00b", "invalid", "")],
)
def test_bad_bodies_are_400_in_french(chat, body, code, words):
    response = post(as_(chat.lina), chat.general, body=body)
    assert response.status_code == 400
    assert response.json()["code"] == code and words in response.json()["message"]
    assert not Message.objects.exists()


def test_a_bad_client_id_or_a_missing_body_is_refused(chat):
    response = post(as_(chat.lina), chat.general, body="Bonjour", client_id="pas-un-uuid")
    assert response.status_code == 400 and "UUID" in response.json()["message"]
    assert post(as_(chat.lina), chat.general).status_code == 422


def test_rate_limit_answers_429_with_retry_after(chat, settings):
    settings.CARREFOUR_CHAT_RATE_LIMIT = (2, 30)
    client = as_(chat.lina)
    assert post(client, chat.general, body="Un").status_code == 201
    assert post(client, chat.general, body="Deux").status_code == 201
    response = post(client, chat.general, body="Trois")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 30
    assert Message.objects.count() == 2


def test_slow_mode_answers_429_with_retry_after(chat):
    Channel.objects.filter(pk=chat.general.pk).update(slow_mode_seconds=120)
    client = as_(chat.lina)
    assert post(client, chat.general, body="Un").status_code == 201
    response = post(client, chat.general, body="Deux")
    assert response.status_code == 429 and response.json()["code"] == "slow_mode"
    assert 110 <= int(response["Retry-After"]) <= 120
    assert "Mode lent" in response.json()["message"]


def test_a_message_sent_over_http_reaches_the_history(chat):
    post(as_(chat.hugo), chat.general, body="Par l'API")
    frames = history(as_(chat.lina), chat.general).json()["results"]
    assert [m["body"] for m in frames] == ["Par l'API"]


# --- GET /channels/<id>/members ---------------------------------------------------------------


def test_mention_candidates_complete_the_at_sign(chat):
    client = as_(chat.hugo)
    response = client.get(f"/api/v1/channels/{chat.general.pk}/members", {"q": "li"})
    assert response.status_code == 200
    assert response.json() == [{"id": chat.lina.pk, "handle": "lina.benali", "name": "Lina Benali"}]
    everyone = client.get(f"/api/v1/channels/{chat.general.pk}/members").json()
    assert {c["id"] for c in everyone} >= {chat.lina.pk, chat.hugo.pk, chat.owner.pk}


def test_mention_candidates_of_an_unreadable_channel_are_404(chat):
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    response = as_(chat.moderator).get(f"/api/v1/channels/{direct.pk}/members", {"q": "h"})
    assert response.status_code == 404
    mine = as_(chat.lina).get(f"/api/v1/channels/{direct.pk}/members", {"q": "h"}).json()
    assert [c["handle"] for c in mine] == ["hugo.martin"]
