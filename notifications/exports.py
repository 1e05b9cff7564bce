"""What the notifications centre contributes to a member's personal-data download.
Nothing to anonymise: a deleted account's notifications go with it (CASCADE), and
where the member was the actor of someone else's, the actor becomes empty."""

from __future__ import annotations

from typing import Any

from .models import Notification, NotificationPreference


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_notifications(user) -> dict[str, Any]:
    return {
        "preferences": {
            p.kind: p.mode
            for p in NotificationPreference.objects.filter(user=user).order_by("kind")
        },
        "notifications": [
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "url": n.url,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
                "emailed_at": _iso(n.emailed_at),
                "digest_sent": n.digest_sent,
            }
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        ],
    }
