"""What channels notify (issue 13): mentions, replies and direct messages reach the
notifications centre after the commit, never the author, never someone who muted the
channel or may not read it; a deleted or hidden message takes its notifications back."""

from __future__ import annotations

import pytest

from communities.paths import message_path
from communities.services import (
    channel_mute_set,
    direct_channel_open,
    membership_remove,
    message_delete,
    message_edit,
    message_hide,
    message_report,
)
from notifications.models import Notification
from tests.chat.conftest import add_member, person, say
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def kinds(sent) -> list[tuple[str, list[str]]]:
    return [(s.kind, s.recipients) for s in sent]


def test_a_mention_notifies_the_person_with_a_link_to_the_message(chat, sent, commit):
    with commit():
        message = say(chat.general, chat.lina, "@hugo.martin tu as les clés ?")
    assert kinds(sent) == [("community.chat_mention", [chat.hugo.email])]
    assert sent[0].title == "Lina Benali vous a mentionné·e dans #général (Tiers-lieux ruraux)"
    assert sent[0].body == "@hugo.martin tu as les clés ?"
    assert sent[0].url == message_path(message)
    assert sent[0].scope == f"community:{chat.community.pk}"
    notification = Notification.objects.get(recipient=chat.hugo)
    assert notification.kind == "community.chat_mention" and notification.url == message_path(
        message
    )


def test_nothing_is_notified_before_the_commit(chat, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        say(chat.general, chat.lina, "@hugo.martin tu as les clés ?")
    assert sent == []
    assert not Notification.objects.exists()


def test_the_author_is_never_notified_of_their_own_mention_or_reply(chat, sent, commit):
    with commit():
        mine = say(chat.general, chat.lina, "Note pour @lina.benali")
        say(chat.general, chat.lina, "Je me réponds", reply_to=mine.pk)
    assert sent == []


def test_a_muted_channel_notifies_nothing(chat, sent, commit):
    channel_mute_set(channel=chat.general, user=chat.hugo, muted=True)
    parent = say(chat.general, chat.hugo, "Qui vient ?")
    with commit():
        say(chat.general, chat.lina, "@hugo.martin moi", reply_to=parent.pk)
    assert sent == []


def test_a_person_who_cannot_read_the_channel_is_not_mentioned(chat, sent, commit):
    stranger = person("Zoé Martin")  # not a member: not among the channel's readers
    with commit():
        message = say(chat.general, chat.lina, "@zoe.martin viens voir")
    assert sent == []
    assert "mention" not in message.html and list(message.mentions.all()) == []
    assert not Notification.objects.filter(recipient=stranger).exists()


def test_a_moderators_channel_mentions_moderators_only(chat, sent, commit):
    from communities.services import ChannelInput, channel_create

    reserved = channel_create(
        community=chat.community,
        actor=chat.owner,
        data=ChannelInput(name="Animation", moderators_only=True),
    )
    moderator = add_member(chat.community, role="moderator", user=person("Alix Roux")).user
    with commit():
        message = say(reserved, chat.owner, "@hugo.martin et @alix.roux, on en parle ?")
    assert kinds(sent) == [("community.chat_mention", [moderator.email])]
    assert list(message.mentions.all()) == [moderator]
    assert f'data-user="{chat.hugo.pk}"' not in message.html


def test_a_reply_notifies_the_parent_s_author_once(chat, sent, commit):
    parent = say(chat.general, chat.hugo, "Qui vient jeudi ?")
    with commit():
        say(chat.general, chat.lina, "Moi", reply_to=parent.pk)
    assert kinds(sent) == [("community.chat_reply", [chat.hugo.email])]
    assert (
        sent[0].title == "Lina Benali a répondu à votre message dans #général (Tiers-lieux ruraux)"
    )
    sent.clear()
    with commit():
        say(chat.general, chat.lina, "@hugo.martin moi aussi", reply_to=parent.pk)
    assert kinds(sent) == [("community.chat_mention", [chat.hugo.email])]


def test_a_reply_to_someone_who_left_a_private_community_notifies_nobody(chat, sent, commit):
    chat.community.visibility = "private"
    chat.community.save(update_fields=["visibility"])
    parent = say(chat.general, chat.hugo, "Qui vient jeudi ?")
    membership_remove(community=chat.community, actor=chat.owner, user=chat.hugo)
    sent.clear()
    with commit():
        say(chat.general, chat.lina, "Moi", reply_to=parent.pk)
    assert sent == []


def test_a_direct_message_notifies_the_other_participant(chat, sent, commit):
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    with commit():
        message = say(direct, chat.lina, "Un café ?")
    assert kinds(sent) == [("community.chat_direct", [chat.hugo.email])]
    assert sent[0].title == "Lina Benali vous a écrit"
    assert sent[0].url == message_path(message)
    assert sent[0].scope == f"channel:{direct.pk}"


def test_a_direct_message_that_mentions_notifies_once(chat, sent, commit):
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    with commit():
        say(direct, chat.lina, "@hugo.martin un café ?")
    assert kinds(sent) == [("community.chat_direct", [chat.hugo.email])]


def test_a_muted_direct_conversation_notifies_nothing(chat, sent, commit):
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    channel_mute_set(channel=direct, user=chat.hugo, muted=True)
    with commit():
        say(direct, chat.lina, "Un café ?")
    assert sent == []


def test_an_edit_notifies_only_the_newly_mentioned(chat, sent, commit):
    message = say(chat.general, chat.lina, "@hugo.martin tu viens ?")
    owner = add_member(chat.community, user=person("Nora Petit")).user
    sent.clear()
    with commit():
        message_edit(
            message_id=message.pk, actor=chat.lina, body="@hugo.martin et @nora.petit, venez ?"
        )
    assert kinds(sent) == [("community.chat_mention", [owner.email])]


def test_deleting_a_message_takes_its_notifications_back(chat, commit):
    parent = say(chat.general, chat.hugo, "Qui vient ?")
    with commit():
        message = say(chat.general, chat.lina, "@owner et @hugo.martin moi", reply_to=parent.pk)
    url = message_path(message)
    assert Notification.objects.filter(url=url).count() == 1
    kept = Notification.objects.create(
        recipient=chat.hugo, kind="community.chat_mention", title="Autre", url="/ailleurs/"
    )
    with commit():
        message_delete(message_id=message.pk, actor=chat.lina)
    assert not Notification.objects.filter(url=url).exists()
    assert Notification.objects.filter(pk=kept.pk).exists()


def test_hiding_a_message_takes_its_notifications_back(chat, commit):
    with commit():
        message = say(chat.general, chat.lina, "@hugo.martin regarde")
    with commit():
        message_hide(message_id=message.pk, actor=chat.moderator)
    assert not Notification.objects.filter(
        url=message_path(message), kind="community.chat_mention"
    ).exists()


def test_three_reports_take_the_mentions_back_but_tell_the_moderators(chat, commit):
    with commit():
        message = say(chat.general, chat.lina, "@hugo.martin achète mes montres")
    people = [add_member(chat.community).user for _ in range(3)]
    with commit():
        for reporter in people:
            message_report(message_id=message.pk, reporter=reporter, reason="Spam")
    url = message_path(message)
    assert not Notification.objects.filter(url=url, kind="community.chat_mention").exists()
    assert Notification.objects.filter(
        url=url, kind="community.chat_report", recipient=chat.moderator
    ).exists()


def test_a_deactivated_account_is_not_notified(chat, sent, commit):
    chat.hugo.is_active = False
    chat.hugo.save(update_fields=["is_active"])
    with commit():
        say(chat.general, chat.lina, "@hugo.martin ?")
    assert sent == []


def test_the_same_handle_in_two_communities_reaches_only_this_channel_s_reader(chat, sent, commit):
    elsewhere = CommunityFactory()
    namesake = add_member(elsewhere, user=person("Hugo Martin")).user
    with commit():
        say(chat.general, chat.lina, "@hugo.martin ?")
    assert kinds(sent) == [("community.chat_mention", [chat.hugo.email])]
    assert not Notification.objects.filter(recipient=namesake).exists()
