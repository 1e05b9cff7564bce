"""The notification e-mails: French plain text, with an unsubscribe link in the body
and in the List-Unsubscribe header (RFC 2369; one-click POST, RFC 8058). Only
services.py calls these, after the transaction has committed."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.absolute_urls import absolute_url, site_root_url

from .kinds import Kind, kind_get
from .models import Notification
from .unsubscribe import unsubscribe_path


def _send(*, template: str, context: dict, to: str, unsubscribe_url: str) -> None:
    context = {
        **context,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": site_root_url(),
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        "list_url": absolute_url(reverse("notifications:list")),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"notifications/emails/{template}_subject.txt", context)
        body = render_to_string(f"notifications/emails/{template}_body.txt", context)
    EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no out-of-office replies to an automatic message.
            "Auto-Submitted": "auto-generated",
        },
    ).send(fail_silently=False)


def _item(notification: Notification) -> dict:
    return {
        "title": notification.title,
        "body": notification.body,
        # Through « ouvrir », so that reading from the e-mail marks it read.
        "open_url": absolute_url(
            reverse("notifications:open", kwargs={"notification_id": notification.pk})
        ),
    }


def notification_email_send(*, notification: Notification, kind: Kind) -> None:
    """One notification, at once (the kind's delivery is « immediate »)."""
    user = notification.recipient
    unsubscribe_url = absolute_url(unsubscribe_path(user_id=user.pk, kind=kind.code))
    _send(
        template="notification",
        context={
            "notification": _item(notification),
            "kind_label": kind.label,
            "unsubscribe_url": unsubscribe_url,
        },
        to=user.email,
        unsubscribe_url=unsubscribe_url,
    )


def digest_email_send(*, user, notifications: list[Notification]) -> None:
    """The daily digest of ``user``: one e-mail, a link to stop each kind it holds,
    and in the header a link that stops every kind."""
    codes = list(dict.fromkeys(n.kind for n in notifications))
    kinds = [kind for kind in (kind_get(code) for code in codes) if kind is not None]
    unsubscribe_all_url = absolute_url(unsubscribe_path(user_id=user.pk, kind=None))
    _send(
        template="digest",
        context={
            "count": len(notifications),
            "notifications": [_item(n) for n in notifications],
            "kinds": [
                {
                    "label": kind.label,
                    "unsubscribe_url": absolute_url(
                        unsubscribe_path(user_id=user.pk, kind=kind.code)
                    ),
                }
                for kind in kinds
            ],
            "unsubscribe_all_url": unsubscribe_all_url,
        },
        to=user.email,
        unsubscribe_url=unsubscribe_all_url,
    )
