"""The header's unread count, on every page of a signed-in member."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def notification_centre(request) -> dict:
    """``notification_centre.unread``: counted once, and only when a template reads
    it (one COUNT query); nothing at all for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_centre": SimpleLazyObject(lambda: {"unread": unread_count(user=user)})}
