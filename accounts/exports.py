"""What the accounts app contributes to a user's personal-data download."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_account(user) -> dict[str, Any]:
    return {
        "email": user.email,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "is_active": user.is_active,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        # Identifiers only: access tokens are secrets of the provider, not data about you.
        "social_accounts": [
            {"provider": s.provider, "uid": s.uid, "date_joined": _iso(s.date_joined)}
            for s in SocialAccount.objects.filter(user=user)
        ],
    }


def export_profile(user) -> dict[str, Any] | None:
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    territory = profile.home_territory
    data = {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "organisation": profile.organisation,
        "organisation_type": profile.organisation_type,
        "role": profile.role,
        "home_territory": (
            {"level": territory.level, "code": territory.code, "name": territory.name}
            if territory
            else None
        ),
        "avatar": profile.avatar.url if profile.avatar else None,
        "is_public": profile.is_public,
        "created_at": _iso(profile.created_at),
        "updated_at": _iso(profile.updated_at),
    }
    if hasattr(profile, "interests"):
        data["interests"] = [
            {"code": t.code, "label": t.label} for t in profile.interests.order_by("code")
        ]
    return data
