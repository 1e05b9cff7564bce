"""The header's « Messages » badge, on every page of a signed-in member."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .selectors.channels import unread_total


def chat_unread(request) -> dict:
    """``chat_unread.unread``: unread messages in one's channels and direct
    conversations (muted channels left out), counted per request (never cached: a
    message read in another tab must not linger) and only when a template reads it;
    nothing at all for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"chat_unread": SimpleLazyObject(lambda: {"unread": unread_total(user=user)})}
