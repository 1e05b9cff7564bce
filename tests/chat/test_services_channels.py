"""Channels themselves (issue 13): « général », channels made by moderators, direct
conversations (who may open one), a reader muting a channel."""

from __future__ import annotations

import pytest

from communities.models import Channel, ChannelKind, ChannelMember
from communities.permissions import can_read_channel
from communities.services import (
    ChannelInput,
    ChatRefused,
    channel_archive,
    channel_create,
    channel_mute_set,
    channel_update,
    default_channel_ensure,
    direct_channel_open,
    direct_messages_set,
    membership_ban,
)
from tests.chat.conftest import add_member, person, refused, say
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- « général » and other channels --------------------------------------------------


def test_general_is_made_once_per_community(chat):
    again = default_channel_ensure(community=chat.community)
    assert again.pk == chat.general.pk
    assert (again.name, again.slug, again.is_default) == ("général", "general", True)
    assert Channel.objects.filter(community=chat.community).count() == 1


def test_a_moderator_creates_a_channel_with_its_settings(chat):
    channel = channel_create(
        community=chat.community,
        actor=chat.moderator,
        data=ChannelInput(name="  Jardin   partagé ", topic=" Les semis ", slow_mode_seconds=10),
    )
    assert (channel.name, channel.slug, channel.topic) == (
        "Jardin partagé",
        "jardin-partage",
        "Les semis",
    )
    assert channel.slow_mode_seconds == 10 and channel.created_by == chat.moderator


def test_a_plain_member_may_not_create_a_channel(chat):
    with refused(ChatRefused, "animateurs", code="forbidden"):
        channel_create(community=chat.community, actor=chat.hugo, data=ChannelInput(name="Moi"))
    assert Channel.objects.filter(community=chat.community).count() == 1


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (ChannelInput(name="   "), "Donnez un nom"),
        (ChannelInput(name="x" * 81), "trop long"),
        (ChannelInput(name="!!!"), "lettres ou des chiffres"),
        (ChannelInput(name="Lent", slow_mode_seconds=3601), "mode lent"),
        (ChannelInput(name="Général"), "déjà ce nom"),
    ],
)
def test_a_bad_channel_is_refused_in_french(chat, data, fragment):
    with refused(ChatRefused, fragment, code="invalid"):
        channel_create(community=chat.community, actor=chat.owner, data=data)
    assert Channel.objects.filter(community=chat.community).count() == 1


def test_general_cannot_be_archived_another_channel_can(chat):
    with refused(ChatRefused, "ne s'archive pas"):
        channel_archive(channel=chat.general, actor=chat.owner)
    side = channel_create(
        community=chat.community, actor=chat.owner, data=ChannelInput(name="Fêtes")
    )
    with refused(ChatRefused, "animateurs", code="forbidden"):
        channel_archive(channel=side, actor=chat.hugo)
    assert channel_archive(channel=side, actor=chat.owner).archived_at is not None


def test_renaming_keeps_the_address(chat):
    side = channel_create(
        community=chat.community, actor=chat.owner, data=ChannelInput(name="Fêtes")
    )
    renamed = channel_update(
        channel=side, actor=chat.moderator, data=ChannelInput(name="Fêtes d'été")
    )
    assert (renamed.name, renamed.slug) == ("Fêtes d'été", "fetes")


def test_a_channel_reserved_to_moderators_is_read_by_them_only(chat):
    side = channel_create(
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="Animation", moderators_only=True),
    )
    assert can_read_channel(channel=side, user=chat.moderator)
    assert not can_read_channel(channel=side, user=chat.hugo)


# --- direct conversations ------------------------------------------------------------


def test_two_members_of_a_community_open_one_conversation_whoever_starts(chat):
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    assert direct.kind == ChannelKind.DIRECT and direct.community is None
    assert direct_channel_open(user=chat.hugo, other=chat.lina).pk == direct.pk
    assert set(ChannelMember.objects.filter(channel=direct).values_list("user", flat=True)) == {
        chat.lina.pk,
        chat.hugo.pk,
    }


def test_people_who_share_no_community_cannot_write_to_each_other(chat):
    stranger = person("Zoé Inconnue")
    with refused(ChatRefused, "communauté que vous partagez", code="direct_refused"):
        direct_channel_open(user=chat.lina, other=stranger)
    with refused(ChatRefused, "communauté que vous partagez"):
        direct_channel_open(user=stranger, other=chat.lina)
    assert not Channel.objects.filter(kind=ChannelKind.DIRECT).exists()


@pytest.mark.parametrize("state", ["requested", "invited", "banned", "left"])
def test_a_community_one_is_not_an_active_member_of_is_not_shared(chat, state):
    other = add_member(chat.community, state=state).user
    with refused(ChatRefused, "partagez"):
        direct_channel_open(user=chat.lina, other=other)


def test_an_archived_community_is_not_shared_anymore(chat):
    chat.community.status = "archived"
    chat.community.save(update_fields=["status"])
    with refused(ChatRefused, "partagez"):
        direct_channel_open(user=chat.lina, other=chat.hugo)


def test_an_editor_writes_to_anyone_and_anyone_to_an_editor(chat):
    editor = UserFactory(groups=["Éditeurs"])
    stranger = UserFactory()
    assert direct_channel_open(user=editor, other=stranger).kind == ChannelKind.DIRECT
    assert direct_channel_open(user=chat.lina, other=editor).kind == ChannelKind.DIRECT


def test_direct_messages_turned_off_refuse_new_and_existing_conversations(chat):
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    direct_messages_set(user=chat.hugo, accepted=False)
    with refused(ChatRefused, "ne reçoit pas de messages directs", code="direct_refused"):
        direct_channel_open(user=chat.moderator, other=chat.hugo)
    with refused(ChatRefused, "ne reçoit pas"):
        say(direct, chat.lina, "Tu es là ?")
    # hugo himself still writes in it, and an editor still reaches him
    say(direct, chat.hugo, "Je réponds quand même")
    editor = UserFactory(groups=["Éditeurs"])
    direct_channel_open(user=editor, other=chat.hugo)
    direct_messages_set(user=chat.hugo, accepted=True)
    say(direct, chat.lina, "Rebonjour")


def test_nobody_opens_a_conversation_with_themselves_or_a_closed_account(chat):
    with refused(ChatRefused, "pas possible"):
        direct_channel_open(user=chat.lina, other=chat.lina)
    chat.hugo.is_active = False
    chat.hugo.save(update_fields=["is_active"])
    with refused(ChatRefused, "pas possible"):
        direct_channel_open(user=chat.lina, other=chat.hugo)


def test_a_conversation_stops_taking_messages_when_the_shared_community_bans_one(chat):
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    membership_ban(community=chat.community, actor=chat.owner, user=chat.hugo)
    with refused(ChatRefused, "partagez"):
        say(direct, chat.lina, "Tu es là ?")
    # the history stays theirs to read
    assert can_read_channel(channel=direct, user=chat.lina)
    assert can_read_channel(channel=direct, user=chat.hugo)


# --- muting a channel ----------------------------------------------------------------


def test_a_reader_mutes_and_unmutes_a_channel(chat):
    assert channel_mute_set(channel=chat.general, user=chat.lina, muted=True).muted is True
    assert ChannelMember.objects.get(channel=chat.general, user=chat.lina).muted is True
    assert channel_mute_set(channel=chat.general, user=chat.lina, muted=False).muted is False


def test_nobody_mutes_a_channel_they_cannot_read(chat):
    private = CommunityFactory(visibility="private")
    channel = default_channel_ensure(community=private)
    with refused(ChatRefused, "n'existe pas", code="not_found"):
        channel_mute_set(channel=channel, user=chat.lina, muted=True)
    assert not ChannelMember.objects.filter(channel=channel).exists()
