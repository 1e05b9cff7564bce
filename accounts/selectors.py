"""Read-side queries about accounts and profiles."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Profile


def profile_visible(*, user_id: int, viewer) -> Profile | None:
    """The profile at /membres/<id>/, or None when the viewer may not see it.

    Public profiles are visible to everyone; a private one only to its owner and
    staff. Deactivated accounts have no public page.
    """
    profile = (
        Profile.objects.select_related("user", "home_territory")
        .filter(user_id=user_id, user__is_active=True)
        .first()
    )
    if profile is None:
        return None
    if profile.is_public:
        return profile
    if viewer.is_authenticated and (viewer.pk == user_id or viewer.is_staff):
        return profile
    return None


def profiles_public() -> QuerySet[Profile]:
    return Profile.objects.filter(is_public=True, user__is_active=True)
