"""Writes of the notifications centre: send, withdraw, mark read, preferences,
unsubscribe, daily digest. E-mails leave after the transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from . import emails, selectors
from .kinds import ALL_KINDS, Delivery, kind_get
from .models import (
    SCOPE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Notification,
    NotificationPreference,
)
from .paths import is_site_path

logger = logging.getLogger(__name__)

# How far back the digest looks: what a missed day (the command did not run) left
# unsent goes out the next day; older than a week, it is only shown on the site.
DIGEST_MAX_AGE = timedelta(days=7)


def notification_send(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor=None,
    scope: str = "",
) -> Notification | None:
    """Notify ``recipient`` (on the site, and by e-mail after the commit when their
    delivery for ``kind`` is « immediate »). None when the account is inactive.

    ``kind`` is a registered code (notifications/kinds.py); ``url`` a path of this
    site (``/communautes/…``), never an absolute address. The caller has checked that
    ``recipient`` may know about what happened; ``title`` and ``body`` are plain text.
    ``scope`` (« community:12 ») lets ``notifications_withdraw`` take it back.
    """
    sent = notifications_send(
        recipients=[recipient],
        kind=kind,
        title=title,
        body=body,
        url=url,
        actor=actor,
        scope=scope,
    )
    return sent[0] if sent else None


def notifications_send(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    actor=None,
    scope: str = "",
) -> list[Notification]:
    """The same notification to many members (a community's announcement): one insert
    and one preferences query whatever their number. Inactive accounts and
    duplicates are skipped; the actor is notified only if the caller lists them."""
    registered = kind_get(kind)
    if registered is None:
        raise ValueError(f"Unknown notification kind {kind!r}: register_kind() it first.")
    if url and (not is_site_path(url) or len(url) > URL_MAX_LENGTH):
        raise ValueError(f"A notification leads to a path of this site, not {url!r}.")
    title = Truncator(" ".join(title.split())).chars(TITLE_MAX_LENGTH)
    if not title:
        raise ValueError("A notification needs a title.")
    if len(scope) > SCOPE_MAX_LENGTH:
        raise ValueError(f"A notification scope has at most {SCOPE_MAX_LENGTH} characters.")
    people = {r.pk: r for r in recipients if r is not None and r.is_active}
    if not people:
        return []
    with transaction.atomic():
        created = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=person,
                    kind=kind,
                    title=title,
                    body=body.strip(),
                    url=url,
                    actor=actor,
                    scope=scope,
                )
                for person in people.values()
            ]
        )
        modes = selectors.deliveries(user_ids=list(people), kinds_=[registered])
        at_once = [n.pk for n in created if modes[(n.recipient_id, kind)] == Delivery.IMMEDIATE]
        if at_once:
            # robust: a failure after the commit is logged, never the sender's error
            # (not a partial: Django names the callback by its __qualname__).
            transaction.on_commit(lambda: _email_now(notification_ids=at_once), robust=True)
    return created


def _email_now(*, notification_ids: list[int]) -> None:
    """After the commit: e-mail each notification. A failure is logged and leaves
    ``emailed_at`` empty, so the next daily digest carries it instead."""
    pending = Notification.objects.select_related("recipient").filter(
        pk__in=notification_ids, emailed_at__isnull=True, digest_sent=False
    )
    for notification in pending:
        recipient = notification.recipient
        kind = kind_get(notification.kind)
        if kind is None or not recipient.is_active or not recipient.email:
            continue
        try:
            emails.notification_email_send(notification=notification, kind=kind)
        except Exception:
            logger.exception("notification %s: e-mail failed, left for the digest", notification.pk)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def notifications_withdraw(*, recipient, scope: str) -> int:
    """Take back every notification of ``scope`` from ``recipient`` (a member banned
    or removed from a community: ``scope`` « community:<id> »). Returns how many.

    All of them go, read or not, e-mailed or not: what the list keeps shows its title
    and text again on every visit, and a banned person has lost the right to read what
    a private community's notifications say. What was already e-mailed cannot be
    recalled; what was not (waiting for the digest, or an immediate e-mail not yet
    gone) is never sent, since sending reads the rows first."""
    if not scope:
        raise ValueError("notifications_withdraw needs a scope.")
    with transaction.atomic():
        deleted, _by_model = Notification.objects.filter(recipient=recipient, scope=scope).delete()
    return deleted


def notifications_withdraw_about(*, url: str) -> int:
    """Take back, from everyone, the notifications that point at ``url`` (a message
    deleted or hidden: its excerpt must not stay in anyone's list). Returns how many."""
    if not url:
        raise ValueError("notifications_withdraw_about needs a url.")
    with transaction.atomic():
        deleted, _by_model = Notification.objects.filter(url=url).delete()
    return deleted


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark ``user``'s notifications read: those of ``ids`` (others' ids are ignored),
    or all of them when ``ids`` is None. Returns how many changed."""
    pending = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    with transaction.atomic():
        return pending.update(read_at=timezone.now())


def _checked(*, kind: str, mode: str) -> Delivery:
    if kind_get(kind) is None:
        raise ValidationError(_("Ce type de notification n'existe pas."), code="unknown_kind")
    try:
        return Delivery(mode)
    except ValueError:
        raise ValidationError(
            _("Choix d'envoi inconnu : %(mode)s."), code="unknown_mode", params={"mode": mode}
        ) from None


def preference_set(*, user, kind: str, mode: str) -> NotificationPreference:
    """How ``user`` receives ``kind`` by e-mail (immediate, digest, never)."""
    delivery = _checked(kind=kind, mode=mode)
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"mode": delivery}
        )
    return preference


def preferences_update(*, user, modes: dict[str, str]) -> None:
    """Several kinds at once (the preferences page): all checked before any is
    written, so a bad one changes nothing."""
    checked = {kind: _checked(kind=kind, mode=mode) for kind, mode in modes.items()}
    with transaction.atomic():
        for kind, delivery in checked.items():
            preference_set(user=user, kind=kind, mode=delivery)


def unsubscribe_apply(*, token: str) -> selectors.Unsubscription:
    """A one-click unsubscribe link: its kind (or every kind) set to « never ».
    Raises InvalidUnsubscribeLink for a token that was altered or is out of date."""
    unsubscription = selectors.unsubscription_read(token=token)
    with transaction.atomic():
        for kind in unsubscription.kinds:
            preference_set(user=unsubscription.user, kind=kind.code, mode=Delivery.NEVER)
        if unsubscription.all_kinds:
            # « Every kind » also means the kinds an app registers later.
            NotificationPreference.objects.update_or_create(
                user=unsubscription.user, kind=ALL_KINDS, defaults={"mode": Delivery.NEVER}
            )
    return unsubscription


def _digest_claim(items: list[Notification]) -> list[Notification]:
    """Mark ``items`` as sent in a digest before the e-mail leaves, and keep those this
    run claimed: a run started while another one sends finds them taken. One
    conditional UPDATE per row (it says whether this run flipped it), on every
    database; an e-mail costs far more than these."""
    claimed = []
    for notification in items:
        flipped = Notification.objects.filter(
            pk=notification.pk, digest_sent=False, emailed_at__isnull=True, read_at__isnull=True
        ).update(digest_sent=True)
        if flipped:
            claimed.append(notification)
    return claimed


def digest_send(*, now: datetime) -> int:
    """One e-mail per member with what they have neither read nor received by e-mail
    (in the last ``DIGEST_MAX_AGE``, up to ``now``), for kinds they did not set to
    « never ». Run daily (``manage.py notifications_send_digest``); a day the command
    missed is caught up the next day, and nothing is sent twice, even by two runs at
    once (each notification is claimed before its e-mail leaves). An immediate e-mail
    that failed is carried here. Returns the e-mails sent."""
    pending = list(
        Notification.objects.filter(
            created_at__gt=now - DIGEST_MAX_AGE,
            created_at__lte=now,
            emailed_at__isnull=True,
            digest_sent=False,
            read_at__isnull=True,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    registered = {code: kind_get(code) for code in {n.kind for n in pending}}
    modes = selectors.deliveries(
        user_ids={n.recipient_id for n in pending},
        kinds_=[kind for kind in registered.values() if kind is not None],
    )

    def wanted(notification: Notification) -> bool:
        if registered[notification.kind] is None:
            return False
        return modes[(notification.recipient_id, notification.kind)] != Delivery.NEVER

    sent = 0
    for _user_id, group in groupby(pending, key=lambda n: n.recipient_id):
        items = _digest_claim([n for n in group if wanted(n)])
        if not items:
            continue
        user = items[0].recipient
        try:
            emails.digest_email_send(user=user, notifications=items)
        except Exception:
            logger.exception("digest for user %s failed; the next run retries it", user.pk)
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(digest_sent=False)
            continue
        sent += 1
    return sent
