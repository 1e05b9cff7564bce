"""Who reads a channel and who may post in it (communities/permissions.py, the one
definition used by pages, API, websocket and search): the channel matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from communities.models import Channel, ChatPreference, Membership
from communities.permissions import (
    can_moderate_channel,
    can_read_channel,
    channel_post_refusal,
    channel_read_refusal,
    channels_readable_by,
    direct_message_refusal,
)
from communities.services import (
    ChannelInput,
    channel_create,
    default_channel_ensure,
    direct_channel_open,
)
from tests.communities.conftest import build_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Who reads the « général » of a community, by its visibility.
READS = {
    "public": {
        "anonymous": True,
        "outsider": True,
        "requested": True,
        "invited": True,
        "member": True,
        "moderator": True,
        "owner": True,
        "banned": False,
        "editor": True,
    },
    "private": {
        "anonymous": False,
        "outsider": False,
        "requested": False,
        "invited": False,
        "member": True,
        "moderator": True,
        "owner": True,
        "banned": False,
        "editor": True,
    },
    "secret": {
        "anonymous": False,
        "outsider": False,
        "requested": False,
        "invited": False,
        "member": True,
        "moderator": True,
        "owner": True,
        "banned": False,
        "editor": True,
    },
}

# Why each one may not post in the « général » of a public community.
POSTS = {
    "anonymous": "unauthenticated",
    "outsider": "not_member",
    "requested": "not_member",
    "invited": "not_member",
    "member": None,
    "moderator": None,
    "owner": None,
    "banned": "banned",
    "editor": None,
}


@pytest.mark.parametrize("visibility", ["public", "private", "secret"])
def test_who_reads_a_community_channel(visibility):
    world = build_world(visibility=visibility)
    general = default_channel_ensure(community=world.community)
    for role, user in world.actors.items():
        expected = READS[visibility][role]
        assert can_read_channel(channel=general, user=user) is expected, role
        assert (general in channels_readable_by(user=user)) is expected, role


def test_who_reads_a_channel_reserved_to_moderators():
    world = build_world()
    reserved = channel_create(
        community=world.community,
        actor=world.actors["owner"],
        data=ChannelInput(name="Animation", moderators_only=True),
    )
    readers = {
        role for role, user in world.actors.items() if can_read_channel(channel=reserved, user=user)
    }
    assert readers == {"moderator", "owner", "editor"}


def test_a_community_that_is_not_active_is_read_by_its_members_and_editors_only():
    world = build_world(status="archived")
    general = default_channel_ensure(community=world.community)
    readers = {
        role for role, user in world.actors.items() if can_read_channel(channel=general, user=user)
    }
    assert readers == {"member", "moderator", "owner", "editor"}


def test_a_direct_conversation_is_read_by_its_two_participants_only():
    world = build_world()
    member, moderator = world.actors["member"], world.actors["moderator"]
    direct = direct_channel_open(user=member, other=moderator)
    readers = {
        role for role, user in world.actors.items() if can_read_channel(channel=direct, user=user)
    }
    assert readers == {"member", "moderator"}
    assert not can_moderate_channel(channel=direct, user=world.actors["editor"])


@pytest.mark.parametrize(("role", "code"), POSTS.items())
def test_why_each_one_may_not_post_in_a_public_community(role, code):
    world = build_world()
    general = default_channel_ensure(community=world.community)
    refusal = channel_post_refusal(channel=general, user=world.actors[role])
    assert (refusal.code if refusal else None) == code
    if refusal is not None:
        assert refusal.message


def test_a_private_community_refuses_outsiders_as_not_found():
    world = build_world(visibility="private")
    general = default_channel_ensure(community=world.community)
    for role in ("outsider", "requested", "invited"):
        assert channel_post_refusal(channel=general, user=world.actors[role]).code == "not_found"
    assert channel_read_refusal(channel=general, user=world.actors["banned"]).code == "banned"
    assert channel_read_refusal(channel=general, user=world.actors["member"]) is None


def test_a_banned_person_is_not_told_of_a_moderators_channel():
    world = build_world()
    reserved = channel_create(
        community=world.community,
        actor=world.actors["owner"],
        data=ChannelInput(name="Animation", moderators_only=True),
    )
    assert channel_post_refusal(channel=reserved, user=world.actors["banned"]).code == "not_found"


def test_announcements_archived_and_muted():
    world = build_world()
    owner, member = world.actors["owner"], world.actors["member"]
    announcements = channel_create(
        community=world.community, actor=owner, data=ChannelInput(name="Annonces", read_only=True)
    )
    assert channel_post_refusal(channel=announcements, user=member).code == "read_only"
    assert channel_post_refusal(channel=announcements, user=owner) is None
    assert channel_post_refusal(channel=announcements, user=world.actors["editor"]) is None
    general = default_channel_ensure(community=world.community)
    Channel.objects.filter(pk=general.pk).update(archived_at=timezone.now())
    general.refresh_from_db()
    assert channel_post_refusal(channel=general, user=owner).code == "archived"
    Channel.objects.filter(pk=general.pk).update(archived_at=None)
    general.refresh_from_db()
    membership = Membership.objects.get(community=world.community, user=member)
    membership.muted_until = timezone.now() + timedelta(hours=1)
    membership.save(update_fields=["muted_until"])
    refusal = channel_post_refusal(channel=general, user=member)
    assert refusal.code == "muted" and "silence" in refusal.message
    assert (
        channel_post_refusal(channel=general, user=member, now=timezone.now() + timedelta(hours=2))
        is None
    )


def test_a_community_that_is_not_active_takes_no_message_even_from_members():
    world = build_world(status="archived")
    general = default_channel_ensure(community=world.community)
    assert channel_post_refusal(channel=general, user=world.actors["member"]).code == "archived"


def test_who_moderates_a_channel():
    world = build_world()
    general = default_channel_ensure(community=world.community)
    moderators = {
        role
        for role, user in world.actors.items()
        if can_moderate_channel(channel=general, user=user)
    }
    assert moderators == {"moderator", "owner", "editor"}


def test_direct_message_refusals():
    world = build_world()
    member, moderator, editor = (world.actors[r] for r in ("member", "moderator", "editor"))
    stranger = UserFactory()
    assert direct_message_refusal(user=member, other=moderator) is None
    assert direct_message_refusal(user=member, other=stranger).code == "direct_refused"
    assert direct_message_refusal(user=editor, other=stranger) is None
    assert direct_message_refusal(user=stranger, other=editor) is None
    assert direct_message_refusal(user=AnonymousUser(), other=member).code == "unauthenticated"
    assert direct_message_refusal(user=member, other=None).code == "direct_refused"
    ChatPreference.objects.create(user=moderator, direct_messages=False)
    assert direct_message_refusal(user=member, other=moderator).code == "direct_refused"
    assert direct_message_refusal(user=editor, other=moderator) is None
    assert (
        direct_message_refusal(user=member, other=world.actors["banned"]).code == "direct_refused"
    )
