"""Moderating channels: reports (a message is hidden after 3, Decidim's rule, until a
moderator decides), hiding, restoring, deleting, muting a member for a while.
Banning and removing are the membership services; all of them cut the person off at
once (``doorbell.ring_access``: their open subscriptions end with an ``error``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    AuditAction,
    HiddenReason,
    Membership,
    MembershipState,
    Message,
    MessageReport,
    ReportOutcome,
)
from ..models.chat import REPORT_REASON_MAX_LENGTH
from ..notify import chat as chat_notify
from ..permissions import can_moderate, can_moderate_channel, can_read_channel, is_signed_in
from ..realtime import doorbell
from ..realtime.frames import deleted_frame, message_frame
from ._common import audit, lock
from .messages import ChatRefused

MUTE_MAX = timedelta(days=90)


def reports_to_hide() -> int:
    return int(getattr(settings, "CARREFOUR_CHAT_REPORTS_TO_HIDE", 3))


def _message(message_id, user) -> Message:
    message = (
        Message.objects.select_related("channel__community", "author")
        .filter(pk=message_id if isinstance(message_id, int) else -1)
        .first()
    )
    if message is None or not can_read_channel(channel=message.channel_id, user=user):
        raise ChatRefused("not_found", _("Ce message n'existe pas ou ne vous est pas ouvert."))
    return message


def _moderator(message: Message, actor) -> None:
    if not can_moderate_channel(channel=message.channel, user=actor):
        raise ChatRefused(
            "forbidden", _("Seuls les modérateurs de la communauté peuvent le faire.")
        )


def _audit(message: Message, actor, action: str, note: str = "") -> None:
    if message.channel.community is not None:
        audit(
            community=message.channel.community,
            actor=actor,
            action=action,
            target_user=message.author,
            message=note or message.body[:500],
        )


def message_report(*, message_id: int, reporter, reason: str) -> MessageReport:
    """Report a message with a reason. The third pending report hides it for
    everyone but the moderators, who are told."""
    if not is_signed_in(reporter):
        raise ChatRefused("unauthenticated", _("Connectez-vous pour signaler un message."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ChatRefused("invalid", _("Dites pourquoi vous signalez ce message."))
    if len(reason) > REPORT_REASON_MAX_LENGTH:
        raise ChatRefused(
            "too_long",
            _("Le motif est trop long (%(n)d caractères au plus).")
            % {"n": REPORT_REASON_MAX_LENGTH},
        )
    message = _message(message_id, reporter)
    if message.author_id == reporter.pk:
        raise ChatRefused("invalid", _("Vous ne pouvez pas signaler votre propre message."))
    if message.deleted_at is not None:
        raise ChatRefused("not_found", _("Ce message a été supprimé."))
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("channel__community", "author")
            .get(pk=message.pk)
        )
        if MessageReport.objects.filter(message=message, reporter=reporter).exists():
            raise ChatRefused("already_reported", _("Vous avez déjà signalé ce message."))
        report = MessageReport.objects.create(message=message, reporter=reporter, reason=reason)
        Message.objects.filter(pk=message.pk).update(report_count=F("report_count") + 1)
        message.report_count += 1
        hidden = message.hidden_at is None and message.report_count >= reports_to_hide()
        if hidden:
            message.hidden_at, message.hidden_reason = timezone.now(), HiddenReason.REPORTS
            message.save(update_fields=["hidden_at", "hidden_reason"])
            doorbell.ring_channel(
                channel_id=message.channel_id, frame=deleted_frame(message, hidden=True)
            )
            chat_notify.message_withdrawn(message=message)
        chat_notify.message_reported(message=message, reporter=reporter, hidden=hidden)
    return report


def _settle(message: Message, actor, outcome: str) -> None:
    MessageReport.objects.filter(message=message, outcome=ReportOutcome.PENDING).update(
        outcome=outcome, resolved_at=timezone.now(), resolved_by=actor
    )
    Message.objects.filter(pk=message.pk).update(report_count=0)


def message_hide(*, message_id: int, actor) -> Message:
    """A moderator hides a message: it disappears live for every reader."""
    message = _message(message_id, actor)
    _moderator(message, actor)
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("channel__community", "author")
            .get(pk=message.pk)
        )
        if message.hidden_at is None or message.hidden_reason != HiddenReason.MODERATOR:
            message.hidden_at = message.hidden_at or timezone.now()
            message.hidden_reason = HiddenReason.MODERATOR
            message.save(update_fields=["hidden_at", "hidden_reason"])
            doorbell.ring_channel(
                channel_id=message.channel_id, frame=deleted_frame(message, hidden=True)
            )
            chat_notify.message_withdrawn(message=message)
            _audit(message, actor, AuditAction.MESSAGE_HIDDEN)
        _settle(message, actor, ReportOutcome.HIDDEN)
    return message


def message_restore(*, message_id: int, actor) -> Message:
    """A moderator keeps a reported (or hidden) message: it comes back for readers,
    the pending reports are settled as « conservé »."""
    message = _message(message_id, actor)
    _moderator(message, actor)
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("channel__community", "author")
            .get(pk=message.pk)
        )
        was_hidden = message.hidden_at is not None
        message.hidden_at, message.hidden_reason = None, ""
        message.save(update_fields=["hidden_at", "hidden_reason"])
        _settle(message, actor, ReportOutcome.KEPT)
        if was_hidden and message.deleted_at is None:
            frame = message_frame(message)
            frame["restored"] = True
            doorbell.ring_channel(channel_id=message.channel_id, frame=frame)
            _audit(message, actor, AuditAction.MESSAGE_RESTORED)
    return message


def message_moderate_delete(*, message_id: int, actor) -> Message:
    """A moderator deletes a reported message for good (its text stays in the
    moderation record)."""
    message = _message(message_id, actor)
    _moderator(message, actor)
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("channel__community", "author")
            .get(pk=message.pk)
        )
        if message.deleted_at is None:
            message.deleted_at, message.deleted_by = timezone.now(), actor
            message.save(update_fields=["deleted_at", "deleted_by"])
            doorbell.ring_channel(channel_id=message.channel_id, frame=deleted_frame(message))
            chat_notify.message_withdrawn(message=message)
            _audit(message, actor, AuditAction.MESSAGE_DELETED)
        _settle(message, actor, ReportOutcome.DELETED)
    return message


def member_mute(*, community, actor, user, until: datetime) -> Membership:
    """Mute an active member until ``until`` (90 days at most): they read, they do
    not post; their open tabs are told at once."""
    now = timezone.now()
    if until <= now:
        raise ChatRefused("invalid", _("Choisissez une fin de silence dans le futur."))
    if until - now > MUTE_MAX:
        raise ChatRefused("invalid", _("Un silence dure 90 jours au plus ; excluez sinon."))
    with transaction.atomic():
        community = lock(community)
        if not can_moderate(community=community, user=actor):
            raise ChatRefused("forbidden", _("Seuls les modérateurs peuvent réduire au silence."))
        if user.pk == actor.pk:
            raise ChatRefused("invalid", _("Vous ne pouvez pas vous réduire vous-même au silence."))
        membership = (
            Membership.objects.select_for_update()
            .filter(community=community, user=user, state=MembershipState.ACTIVE)
            .first()
        )
        if membership is None:
            raise ChatRefused("not_member", _("Cette personne n'est pas membre de la communauté."))
        if can_moderate(community=community, user=user):
            raise ChatRefused(
                "forbidden",
                _("Un animateur ne se réduit pas au silence : changez d'abord son rôle."),
            )
        membership.muted_until = until
        membership.save(update_fields=["muted_until", "updated_at"])
        audit(
            community=community,
            actor=actor,
            action=AuditAction.MEMBER_MUTED,
            target_user=user,
            message=until.isoformat(),
        )
        doorbell.ring_access(user_id=user.pk, community_id=community.pk)
    return membership


def member_unmute(*, community, actor, user) -> Membership:
    with transaction.atomic():
        community = lock(community)
        if not can_moderate(community=community, user=actor):
            raise ChatRefused("forbidden", _("Seuls les modérateurs peuvent lever un silence."))
        membership = (
            Membership.objects.select_for_update().filter(community=community, user=user).first()
        )
        if membership is None or membership.muted_until is None:
            raise ChatRefused("invalid", _("Cette personne n'est pas réduite au silence."))
        membership.muted_until = None
        membership.save(update_fields=["muted_until", "updated_at"])
        audit(community=community, actor=actor, action=AuditAction.MEMBER_UNMUTED, target_user=user)
        doorbell.ring_access(user_id=user.pk, community_id=community.pk)
    return membership
