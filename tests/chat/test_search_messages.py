"""Messages in the search (kind « message »): found with their community's visibility;
never direct messages nor channels reserved to moderators; edits re-indexed, deleted
and hidden messages gone, after the commit."""

from __future__ import annotations

import pytest

from communities.services import (
    ChannelInput,
    channel_create,
    default_channel_ensure,
    direct_channel_open,
    membership_ban,
    message_delete,
    message_edit,
    message_hide,
    message_send,
)
from search.indexing import reindex
from tests.communities.conftest import add_member
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _found(client, q: str) -> list[str]:
    response = client.get("/api/v1/search", {"q": q, "type": "message"})
    assert response.status_code == 200, response.content
    return [hit["url"] for hit in response.json()["results"] if hit["kind"] == "message"]


def _page_finds(client, q: str, message) -> bool:
    """Whether the search page links to ``message`` (its words are highlighted)."""
    response = client.get("/recherche/", {"q": q})
    assert response.status_code == 200
    return f'href="/discussions/message/{message.pk}/"' in response.content.decode()


@pytest.fixture
def talk(db, django_capture_on_commit_callbacks):
    public = CommunityFactory(name="Jardins partagés", slug="jardins")
    private = CommunityFactory(name="Habitat groupé", slug="habitat", visibility="private")
    people = {}
    for key, community in (("public", public), ("private", private)):
        owner = add_member(community, role="owner").user
        member = add_member(community).user
        general = default_channel_ensure(community=community)
        people[key] = (community, owner, member, general)
    with django_capture_on_commit_callbacks(execute=True):
        pub = message_send(
            channel=people["public"][3], author=people["public"][2], body="Compost collectif"
        ).message
        priv = message_send(
            channel=people["private"][3], author=people["private"][2], body="Chaufferie bois"
        ).message
        reserved = channel_create(
            community=private,
            actor=people["private"][1],
            data=ChannelInput(name="animation", moderators_only=True),
        )
        message_send(channel=reserved, author=people["private"][1], body="Bilan pelouse")
        other = add_member(private).user
        direct = direct_channel_open(user=people["private"][2], other=other)
        message_send(channel=direct, author=other, body="Aquaponie secrète")
    reindex(kinds=["message"])
    return {"people": people, "public": pub, "private": priv}


def test_a_public_communitys_messages_are_found_by_anyone(client, talk):
    assert _found(client, "compost") == [f"/discussions/message/{talk['public'].pk}/"]
    assert _page_finds(client, "compost", talk["public"])


def test_a_private_communitys_messages_are_found_by_its_members_only(client, talk):
    _community, _owner, member, _general = talk["people"]["private"]
    assert _found(client, "chaufferie") == []
    assert not _page_finds(client, "chaufferie", talk["private"])
    client.force_login(UserFactory())
    assert _found(client, "chaufferie") == []
    client.force_login(member)
    assert _found(client, "chaufferie") == [f"/discussions/message/{talk['private'].pk}/"]
    assert _page_finds(client, "chaufferie", talk["private"])


def test_a_banned_member_stops_finding_them_at_once(client, talk):
    community, owner, member, _general = talk["people"]["private"]
    membership_ban(community=community, actor=owner, user=member)
    client.force_login(member)
    assert _found(client, "chaufferie") == []


def test_direct_messages_and_reserved_channels_are_never_indexed(client, talk):
    _community, owner, _member, _general = talk["people"]["private"]
    client.force_login(owner)
    assert _found(client, "aquaponie") == []
    assert _found(client, "pelouse") == []


def test_edit_reindexes_and_delete_or_hide_removes(
    client, talk, django_capture_on_commit_callbacks
):
    public_message = talk["public"]
    _community, owner, member, _general = talk["people"]["public"]
    with django_capture_on_commit_callbacks(execute=True):
        message_edit(message_id=public_message.pk, actor=member, body="Lombricompost partagé")
    assert _found(client, "lombricompost") == [f"/discussions/message/{public_message.pk}/"]
    with django_capture_on_commit_callbacks(execute=True):
        message_hide(message_id=public_message.pk, actor=owner)
    assert _found(client, "lombricompost") == []
    private_message = talk["private"]
    _c, _o, private_member, _g = talk["people"]["private"]
    client.force_login(private_member)
    with django_capture_on_commit_callbacks(execute=True):
        message_delete(message_id=private_message.pk, actor=private_member)
    assert _found(client, "chaufferie") == []


def _suggested(client, q: str) -> list[str]:
    response = client.get("/recherche/suggestions", {"q": q})
    assert response.status_code == 200
    return [item["url"] for item in response.json()["results"]]


def test_suggestions_show_a_private_communitys_messages_to_its_members_only(client, talk):
    _community, _owner, member, _general = talk["people"]["private"]
    url = f"/discussions/message/{talk['private'].pk}/"
    assert url not in _suggested(client, "chauff")
    client.force_login(UserFactory())
    assert url not in _suggested(client, "chauff")
    client.force_login(member)
    assert url in _suggested(client, "chauff")
    # A public community's message is suggested to anyone.
    client.logout()
    assert f"/discussions/message/{talk['public'].pk}/" in _suggested(client, "compo")


def test_a_message_is_found_with_its_channel_and_author(client, talk):
    response = client.get("/api/v1/search", {"q": "compost", "type": "message"})
    hit = response.json()["results"][0]
    _community, _owner, member, _general = talk["people"]["public"]
    assert hit["title"].startswith("#général")
    assert str(member) in hit["summary"] and "Jardins partagés" in hit["summary"]
