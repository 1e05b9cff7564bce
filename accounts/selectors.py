"""Read-side queries about accounts and profiles."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

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
    return profile if _may_see_profile(profile, user_id, viewer) else None


@dataclass(frozen=True)
class PersonShown:
    """How a person is named to a viewer: with a link to their profile when the
    viewer may open it, else a neutral mention (their privacy setting holds)."""

    name: str
    url: str = ""


def _may_see_profile(profile: Profile | None, user_id: int, viewer) -> bool:
    if profile is None or not profile.user.is_active:
        return False
    if profile.is_public:
        return True
    return bool(viewer.is_authenticated and (viewer.pk == user_id or viewer.is_staff))


def person_shown(*, user, viewer) -> PersonShown:
    """The name (and profile link) of ``user`` as ``viewer`` may see it: every page
    that names a member (project owner, team, communities…) asks here."""
    profile = getattr(user, "profile", None)
    if _may_see_profile(profile, user.pk, viewer):
        return PersonShown(name=str(user), url=profile.get_absolute_url())
    return PersonShown(name=str(_("Un membre du Carrefour (profil privé)")))


def profiles_public() -> QuerySet[Profile]:
    return Profile.objects.filter(is_public=True, user__is_active=True)
