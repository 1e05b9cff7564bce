"""Writing in channels through the services (issue 13): what a send stores, edits,
deletions, reactions, read markers, the rate limit and slow mode."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection

from communities.models import Channel, ChannelMember, Message, MessageRevision, Reaction
from communities.selectors.channels import (
    channels_of_community,
    direct_conversations,
    unread_total,
)
from communities.services import (
    ChatRefused,
    channel_mute_set,
    channel_read,
    direct_channel_open,
    message_delete,
    message_edit,
    message_send,
    reaction_toggle,
)
from tests.chat.conftest import add_member, refused, say
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_send_stores_the_rendered_message_and_moves_the_channel_and_marker(chat):
    result = message_send(
        channel=chat.general, author=chat.lina, body="  Salut **@hugo.martin**\r\n"
    )
    message = result.message
    assert result.created is True
    assert message.body == "Salut **@hugo.martin**"
    assert message.html == (
        f'<p>Salut <strong><span class="mention" data-user="{chat.hugo.pk}">@hugo.martin'
        "</span></strong></p>"
    )
    assert list(message.mentions.all()) == [chat.hugo]
    assert Channel.objects.get(pk=chat.general.pk).last_message_id == message.pk
    assert (
        ChannelMember.objects.get(channel=chat.general, user=chat.lina).last_read_id == message.pk
    )


def test_ids_grow_in_a_channel(chat):
    ids = [say(chat.general, chat.lina, f"n°{n}").pk for n in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_one_s_own_mention_is_not_a_mention(chat):
    message = say(chat.general, chat.lina, "Note pour @lina.benali")
    assert list(message.mentions.all()) == []


def test_the_anonymous_cannot_send(chat):
    from django.contrib.auth.models import AnonymousUser

    with refused(ChatRefused, "Connectez-vous", code="unauthenticated"):
        message_send(channel=chat.general, author=AnonymousUser(), body="Coucou")


def test_a_send_to_a_channel_that_does_not_exist_is_not_found(chat):
    with refused(ChatRefused, "n'existe pas", code="not_found"):
        message_send(channel=987654, author=chat.lina, body="Coucou")


def test_a_nul_character_is_refused(chat):
    with refused(ChatRefused, "caractère interdit", code="invalid"):
        say(chat.general, chat.lina, "a\x00b")


def test_a_client_id_already_stored_returns_that_message(chat):
    cid = uuid.uuid4()
    first = message_send(channel=chat.general, author=chat.lina, body="Un", client_id=str(cid))
    again = message_send(channel=chat.general, author=chat.lina, body="Un", client_id=cid)
    assert again.created is False and again.message.pk == first.message.pk
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (DATABASE_URL)"
)
def test_the_same_client_id_from_two_threads_at_once_is_stored_once(chat, monkeypatch):
    from communities.services import messages as messages_module

    real = messages_module.render

    def slow_render(body, **kwargs):
        time.sleep(0.3)  # both writers are past the « already stored? » check
        return real(body, **kwargs)

    monkeypatch.setattr(messages_module, "render", slow_render)
    cid = str(uuid.uuid4())
    results, errors = [], []

    def send():
        try:
            results.append(
                message_send(channel=chat.general.pk, author=chat.lina, body="Un", client_id=cid)
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(r.created for r in results) == [False, True]
    assert len({r.message.pk for r in results}) == 1
    assert Message.objects.filter(client_id=cid).count() == 1


# --- rate limit and slow mode --------------------------------------------------------


def test_the_rate_limit_counts_per_person_and_says_when_to_retry(chat, settings):
    settings.CARREFOUR_CHAT_RATE_LIMIT = (3, 30)
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    for n in range(3):
        say(chat.general, chat.lina, f"n°{n}")
    with refused(ChatRefused, "trop de messages", code="rate_limited") as info:
        say(chat.general, chat.lina, "Encore")
    assert 0 < info.value.extra["retry_after"] <= 30
    say(chat.general, chat.hugo, "Moi oui")
    assert Message.objects.filter(author=chat.lina).count() == 3


def test_a_refused_send_does_not_count_against_the_rate_limit(chat, settings):
    settings.CARREFOUR_CHAT_RATE_LIMIT = (2, 30)
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    for _ in range(3):
        with refused(ChatRefused, "trop long"):
            say(chat.general, chat.lina, "x" * 4001)
    say(chat.general, chat.lina, "Un")
    say(chat.general, chat.lina, "Deux")


def test_the_rate_limit_fails_open_when_the_cache_is_down(chat, settings, monkeypatch):
    from communities.services import messages as messages_module

    settings.CARREFOUR_CHAT_RATE_LIMIT = (1, 30)

    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(messages_module.cache, "add", broken)
    say(chat.general, chat.lina, "Un")
    say(chat.general, chat.lina, "Deux")


def test_slow_mode_counts_from_one_s_last_message_in_that_channel(chat):
    Channel.objects.filter(pk=chat.general.pk).update(slow_mode_seconds=60)
    say(chat.general, chat.lina, "Un")
    with refused(ChatRefused, "Mode lent", code="slow_mode") as info:
        say(chat.general, chat.lina, "Deux")
    assert 55 <= info.value.extra["retry_after"] <= 60
    say(chat.general, chat.hugo, "Moi, c'est mon premier")
    Message.objects.filter(author=chat.lina).update(
        created_at=Message.objects.get(author=chat.lina).created_at.replace(year=2020)
    )
    say(chat.general, chat.lina, "Une minute plus tard")


# --- edit, delete, react ---------------------------------------------------------------


def test_editing_keeps_each_previous_text_and_re_renders(chat):
    message = say(chat.general, chat.lina, "Version 1")
    message_edit(message_id=message.pk, actor=chat.lina, body="Version *2*")
    message_edit(message_id=message.pk, actor=chat.lina, body="Version 3")
    message.refresh_from_db()
    assert message.body == "Version 3" and message.html == "<p>Version 3</p>"
    assert message.edited_at is not None
    assert list(MessageRevision.objects.filter(message=message).values_list("body", flat=True)) == [
        "Version 1",
        "Version *2*",
    ]


def test_an_edit_that_changes_nothing_keeps_no_revision(chat):
    message = say(chat.general, chat.lina, "Pareil")
    message_edit(message_id=message.pk, actor=chat.lina, body="Pareil ")
    assert not MessageRevision.objects.filter(message=message).exists()
    assert Message.objects.get(pk=message.pk).edited_at is None


def test_a_deleted_or_hidden_message_cannot_be_edited(chat):
    message = say(chat.general, chat.lina, "Bientôt parti")
    message_delete(message_id=message.pk, actor=chat.lina)
    with refused(ChatRefused, "supprimé ou masqué", code="not_found"):
        message_edit(message_id=message.pk, actor=chat.lina, body="Retour")


def test_a_member_removed_can_no_longer_edit_in_a_private_community(chat):
    chat.community.visibility = "private"
    chat.community.save(update_fields=["visibility"])
    message = say(chat.general, chat.lina, "Avant")
    from communities.services import membership_remove

    membership_remove(community=chat.community, actor=chat.owner, user=chat.lina)
    with refused(ChatRefused, "n'existe pas", code="not_found"):
        message_edit(message_id=message.pk, actor=chat.lina, body="Après")


def test_a_muted_member_cannot_edit_either(chat):
    from datetime import timedelta

    from django.utils import timezone

    from communities.services import member_mute

    message = say(chat.general, chat.hugo, "Avant")
    member_mute(
        community=chat.community,
        actor=chat.owner,
        user=chat.hugo,
        until=timezone.now() + timedelta(hours=1),
    )
    with refused(ChatRefused, "silence", code="muted"):
        message_edit(message_id=message.pk, actor=chat.hugo, body="Après")


def test_deleting_twice_is_harmless(chat):
    message = say(chat.general, chat.lina, "Oups")
    first = message_delete(message_id=message.pk, actor=chat.lina)
    again = message_delete(message_id=message.pk, actor=chat.lina)
    assert first.deleted_at == again.deleted_at and again.deleted_by == chat.lina


def test_reactions_toggle_and_count_per_emoji(chat):
    message = say(chat.general, chat.lina, "Idée")
    assert reaction_toggle(message_id=message.pk, user=chat.hugo, emoji="👍")[1] == {"👍": 1}
    assert reaction_toggle(message_id=message.pk, user=chat.lina, emoji="👍")[1] == {"👍": 2}
    assert reaction_toggle(message_id=message.pk, user=chat.lina, emoji="🎉")[1] == {
        "👍": 2,
        "🎉": 1,
    }
    assert reaction_toggle(message_id=message.pk, user=chat.hugo, emoji="👍")[1] == {
        "👍": 1,
        "🎉": 1,
    }
    assert Reaction.objects.filter(message=message).count() == 2


def test_who_may_not_post_may_not_react(chat):
    message = say(chat.general, chat.lina, "Idée")
    outsider = UserFactory()
    with refused(ChatRefused, "Rejoignez", code="not_member"):
        reaction_toggle(message_id=message.pk, user=outsider, emoji="👍")
    assert not Reaction.objects.exists()


# --- read markers and unread counts ----------------------------------------------------


def test_unread_counts_leave_out_one_s_own_deleted_and_hidden_messages(chat):
    say(chat.general, chat.lina, "De moi")
    say(chat.general, chat.hugo, "Un")
    gone = say(chat.general, chat.hugo, "Supprimé")
    hidden = say(chat.general, chat.hugo, "Masqué")
    message_delete(message_id=gone.pk, actor=chat.hugo)
    Message.objects.filter(pk=hidden.pk).update(hidden_at=hidden.created_at)
    [general] = channels_of_community(community=chat.community, user=chat.lina)
    assert general.unread == 1 and unread_total(user=chat.lina) == 1


def test_the_header_count_adds_direct_messages_and_leaves_muted_channels_out(chat):
    say(chat.general, chat.hugo, "Un")
    direct = direct_channel_open(user=chat.hugo, other=chat.lina)
    say(direct, chat.hugo, "En privé")
    say(direct, chat.hugo, "Encore")
    assert unread_total(user=chat.lina) == 3
    assert [c.unread for c in direct_conversations(user=chat.lina)] == [2]
    channel_mute_set(channel=chat.general, user=chat.lina, muted=True)
    assert unread_total(user=chat.lina) == 2
    assert channels_of_community(community=chat.community, user=chat.lina)[0].muted_flag is True


def test_reading_moves_the_marker_forward_only(chat):
    first = say(chat.general, chat.hugo, "Un")
    last = say(chat.general, chat.hugo, "Deux")
    assert channel_read(channel=chat.general, user=chat.lina, up_to=last.pk).last_read_id == last.pk
    assert (
        channel_read(channel=chat.general, user=chat.lina, up_to=first.pk).last_read_id == last.pk
    )
    assert unread_total(user=chat.lina) == 0


def test_nobody_marks_read_a_channel_they_cannot_read(chat):
    direct = direct_channel_open(user=chat.hugo, other=chat.lina)
    with refused(ChatRefused, "n'existe pas", code="not_found"):
        channel_read(channel=direct, user=chat.moderator, up_to=0)
    with refused(ChatRefused, "up_to", code="invalid"):
        channel_read(channel=chat.general, user=chat.lina, up_to="12")


def test_a_non_member_has_no_unread_count(chat):
    say(chat.general, chat.hugo, "Un")
    reader = add_member(chat.community, state="left").user
    [general] = channels_of_community(community=chat.community, user=reader)
    assert general.unread == 0 and unread_total(user=reader) == 0
