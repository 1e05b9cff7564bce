"""One-click unsubscribe links: signed, so that they work without logging in.

A token names a member and a kind (or every kind, for the digest's
List-Unsubscribe header). It has no expiry: a link in an old e-mail must keep
working (RFC 8058), and all it can do is stop e-mails to that member. Django's
signing (SECRET_KEY, a salt of our own) makes a tampered token unreadable.
"""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from .kinds import ALL_KINDS

SALT = "notifications.unsubscribe"


class InvalidUnsubscribeLink(ValueError):
    """The token was cut, altered, or names what no longer exists."""


def unsubscribe_token(*, user_id: int, kind: str | None) -> str:
    """``kind`` None: every kind (the digest's header)."""
    return signing.dumps({"u": user_id, "k": kind or ALL_KINDS}, salt=SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str | None]:
    """``(user_id, kind)`` of a token (kind None: every kind), or InvalidUnsubscribeLink."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise InvalidUnsubscribeLink(token) from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise InvalidUnsubscribeLink(token)
    kind = data.get("k")
    if not isinstance(kind, str):
        raise InvalidUnsubscribeLink(token)
    return data["u"], None if kind == ALL_KINDS else kind


def unsubscribe_path(*, user_id: int, kind: str | None) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return reverse("notifications:unsubscribe", kwargs={"token": token})
