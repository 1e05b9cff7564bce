"""Moderating channels (issue 13): reports (hidden at the third until a moderator
decides), hiding, restoring, deleting, muting a member for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import AuditAction, AuditEntry, Membership, Message, MessageReport
from communities.selectors.channels import messages_page
from communities.services import (
    ChatRefused,
    direct_channel_open,
    member_mute,
    member_unmute,
    message_hide,
    message_moderate_delete,
    message_report,
    message_restore,
)
from tests.chat.conftest import add_member, refused, say

pytestmark = pytest.mark.django_db


def reporters(chat, n: int) -> list:
    return [add_member(chat.community).user for _ in range(n)]


def test_the_third_pending_report_hides_the_message_for_readers_not_moderators(chat, sent, commit):
    message = say(chat.general, chat.hugo, "Achetez mes montres")
    first, second, third = reporters(chat, 3)
    with commit():
        message_report(message_id=message.pk, reporter=first, reason="Spam")
        message_report(message_id=message.pk, reporter=second, reason="Spam")
    message.refresh_from_db()
    assert message.hidden_at is None and message.report_count == 2
    with commit():
        message_report(message_id=message.pk, reporter=third, reason="  Arnaque  ")
    message.refresh_from_db()
    assert message.hidden_at is not None and message.hidden_reason == "reports"
    assert MessageReport.objects.get(reporter=third).reason == "Arnaque"
    assert messages_page(channel=chat.general, user=chat.lina) == []
    assert messages_page(channel=chat.general, user=chat.moderator) == [message]
    kinds = [s.kind for s in sent]
    assert kinds == ["community.chat_report"] * 3
    assert "masqué" in sent[-1].title
    assert sent[-1].recipients == sorted([chat.owner.email, chat.moderator.email])


def test_the_threshold_is_a_setting(chat, settings):
    settings.CARREFOUR_CHAT_REPORTS_TO_HIDE = 1
    message = say(chat.general, chat.hugo, "Limite")
    message_report(message_id=message.pk, reporter=chat.lina, reason="Agressif")
    assert Message.objects.get(pk=message.pk).hidden_at is not None


def test_nobody_reports_their_own_message_nor_what_they_cannot_read(chat):
    message = say(chat.general, chat.hugo, "À moi")
    with refused(ChatRefused, "propre message"):
        message_report(message_id=message.pk, reporter=chat.hugo, reason="Test")
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    private = say(direct, chat.lina, "Entre nous")
    with refused(ChatRefused, "n'existe pas", code="not_found"):
        message_report(message_id=private.pk, reporter=chat.moderator, reason="Curieux")
    with refused(ChatRefused, "trop long", code="too_long"):
        message_report(message_id=message.pk, reporter=chat.lina, reason="x" * 1001)
    assert not MessageReport.objects.exists()


def test_a_reported_direct_message_goes_to_the_editors(chat, sent, commit):
    from tests.factories import UserFactory

    editor = UserFactory(groups=["Éditeurs"])
    direct = direct_channel_open(user=chat.lina, other=chat.hugo)
    message = say(direct, chat.hugo, "Insulte")
    with commit():
        message_report(message_id=message.pk, reporter=chat.lina, reason="Insultant")
    assert [(s.kind, s.recipients) for s in sent] == [("community.chat_report", [editor.email])]


def test_a_moderator_hides_then_restores_and_the_reports_are_settled(chat):
    message = say(chat.general, chat.hugo, "Limite")
    message_report(message_id=message.pk, reporter=chat.lina, reason="Agressif")
    message_hide(message_id=message.pk, actor=chat.moderator)
    message.refresh_from_db()
    assert message.hidden_reason == "moderator"
    assert MessageReport.objects.get().outcome == "hidden"
    assert messages_page(channel=chat.general, user=chat.lina) == []
    message_report(message_id=message.pk, reporter=chat.owner, reason="Encore")
    message_restore(message_id=message.pk, actor=chat.moderator)
    message.refresh_from_db()
    assert message.hidden_at is None and message.report_count == 0
    assert list(MessageReport.objects.values_list("outcome", flat=True).order_by("pk")) == [
        "hidden",
        "kept",
    ]
    assert messages_page(channel=chat.general, user=chat.lina) == [message]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AuditAction.MESSAGE_HIDDEN, AuditAction.MESSAGE_RESTORED} <= actions


def test_a_moderator_deletes_a_reported_message_for_good(chat):
    message = say(chat.general, chat.hugo, "Hors charte")
    message_report(message_id=message.pk, reporter=chat.lina, reason="Hors charte")
    message_moderate_delete(message_id=message.pk, actor=chat.owner)
    message.refresh_from_db()
    assert message.deleted_at is not None and message.deleted_by == chat.owner
    assert MessageReport.objects.get().outcome == "deleted"
    assert messages_page(channel=chat.general, user=chat.moderator) == []


@pytest.mark.parametrize("action", [message_hide, message_restore, message_moderate_delete])
def test_a_plain_member_does_not_moderate(chat, action):
    message = say(chat.general, chat.hugo, "Limite")
    with refused(ChatRefused, "modérateurs", code="forbidden"):
        action(message_id=message.pk, actor=chat.lina)
    message.refresh_from_db()
    assert message.is_visible


def test_a_muted_member_reads_but_does_not_post_until_the_end(chat):
    until = timezone.now() + timedelta(hours=1)
    member_mute(community=chat.community, actor=chat.moderator, user=chat.hugo, until=until)
    assert Membership.objects.get(community=chat.community, user=chat.hugo).muted_until == until
    with refused(ChatRefused, "silence", code="muted"):
        say(chat.general, chat.hugo, "Je peux ?")
    assert messages_page(channel=chat.general, user=chat.hugo) == []
    member_unmute(community=chat.community, actor=chat.moderator, user=chat.hugo)
    say(chat.general, chat.hugo, "Merci")


@pytest.mark.parametrize(
    ("delta", "fragment"),
    [(timedelta(minutes=-1), "dans le futur"), (timedelta(days=91), "90 jours")],
)
def test_a_mute_lasts_between_now_and_90_days(chat, delta, fragment):
    with refused(ChatRefused, fragment, code="invalid"):
        member_mute(
            community=chat.community,
            actor=chat.moderator,
            user=chat.hugo,
            until=timezone.now() + delta,
        )


def test_who_may_be_muted_and_by_whom(chat):
    until = timezone.now() + timedelta(hours=1)
    with refused(ChatRefused, "Seuls les modérateurs", code="forbidden"):
        member_mute(community=chat.community, actor=chat.lina, user=chat.hugo, until=until)
    with refused(ChatRefused, "animateur", code="forbidden"):
        member_mute(community=chat.community, actor=chat.owner, user=chat.moderator, until=until)
    with refused(ChatRefused, "vous-même"):
        member_mute(community=chat.community, actor=chat.owner, user=chat.owner, until=until)
    outsider = add_member(chat.community, state="left").user
    with refused(ChatRefused, "pas membre", code="not_member"):
        member_mute(community=chat.community, actor=chat.owner, user=outsider, until=until)
    with refused(ChatRefused, "pas réduite au silence"):
        member_unmute(community=chat.community, actor=chat.owner, user=chat.hugo)
