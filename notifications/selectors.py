"""Read-side queries of the notifications centre."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse

from .kinds import ALL_KINDS, Delivery, Kind, kind_get, kinds
from .models import Notification, NotificationPreference
from .paths import is_site_path
from .unsubscribe import InvalidUnsubscribeLink, unsubscribe_token_read

User = get_user_model()


def unread_count(*, user) -> int:
    """The header's badge: one COUNT on the (recipient, read_at) index; 0 for anonymous."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(*, user) -> QuerySet[Notification]:
    """The member's notifications, newest first, for a Paginator."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor__profile")
        .order_by("-created_at", "-pk")
    )


def notification_for(*, user, notification_id: int) -> Notification | None:
    """One of the member's own notifications; None for anyone else's (→ 404)."""
    return Notification.objects.filter(recipient=user, pk=notification_id).first()


def notification_target(*, notification: Notification) -> str:
    """Where « ouvrir » leads: the notification's path when it is one of this site,
    else the list (a stored absolute address is never followed)."""
    if is_site_path(notification.url):
        return notification.url
    return reverse("notifications:list")


def deliveries(*, user_ids, kinds_: list[Kind]) -> dict[tuple[int, str], Delivery]:
    """``{(user id, kind code): delivery}`` for ``user_ids`` × ``kinds_``: the member's
    choice for the kind, else their choice for every kind (``ALL_KINDS``, stored by
    « se désabonner de tout », so that it covers kinds registered since), else the
    kind's default. One query; the only place that resolves a delivery."""
    user_ids = list(user_ids)
    codes = [k.code for k in kinds_]
    chosen = {
        (user_id, kind): mode
        for user_id, kind, mode in NotificationPreference.objects.filter(
            user_id__in=user_ids, kind__in=[*codes, ALL_KINDS]
        ).values_list("user_id", "kind", "mode")
    }
    return {
        (user_id, k.code): Delivery(
            chosen.get((user_id, k.code), chosen.get((user_id, ALL_KINDS), k.default))
        )
        for user_id in user_ids
        for k in kinds_
    }


def modes_for(*, user, kinds_: list[Kind] | None = None) -> dict[str, Delivery]:
    """``{kind code: delivery}`` of ``user`` for every registered kind (or ``kinds_``),
    as ``deliveries`` resolves it. One query."""
    wanted = kinds() if kinds_ is None else kinds_
    resolved = deliveries(user_ids=[user.pk], kinds_=wanted)
    return {k.code: resolved[(user.pk, k.code)] for k in wanted}


def mode_for(*, user, kind: Kind) -> Delivery:
    return modes_for(user=user, kinds_=[kind])[kind.code]


def preferences_for(*, user) -> list[tuple[Kind, Delivery]]:
    """The preferences page: every registered kind with the member's delivery."""
    modes = modes_for(user=user)
    return [(kind, modes[kind.code]) for kind in kinds()]


@dataclass(frozen=True)
class Unsubscription:
    """What an unsubscribe link stops: e-mails of ``kinds`` (all of them when the
    link was for every kind) to ``user``."""

    user: User
    kinds: list[Kind]
    all_kinds: bool


def unsubscription_read(*, token: str) -> Unsubscription:
    """The unsubscription a link's token stands for, or InvalidUnsubscribeLink when it
    was altered, or names an account or a kind that no longer exists."""
    user_id, code = unsubscribe_token_read(token)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidUnsubscribeLink(token)
    if code is None:
        return Unsubscription(user=user, kinds=kinds(), all_kinds=True)
    kind = kind_get(code)
    if kind is None:
        raise InvalidUnsubscribeLink(token)
    return Unsubscription(user=user, kinds=[kind], all_kinds=False)
