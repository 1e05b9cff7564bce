"""Account services: profiles, avatars, personal-data export and account deletion."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from . import personal_data
from .avatars import avatar_reencode
from .models import Profile

logger = logging.getLogger(__name__)
User = get_user_model()


def default_display_name(*, email: str) -> str:
    local = (email or "").split("@", 1)[0]
    return (local.replace(".", " ").replace("_", " ").strip() or "membre")[:80]


def profile_ensure(*, user: User, display_name: str = "") -> Profile:
    """Return the user's profile, creating it on first use."""
    profile, _created = Profile.objects.get_or_create(
        user=user,
        defaults={"display_name": display_name or default_display_name(email=user.email)},
    )
    return profile


@dataclass(frozen=True, kw_only=True)
class AvatarChange:
    upload: UploadedFile | None = None
    remove: bool = False


def profile_update(
    *,
    user: User,
    fields: dict[str, Any],
    interests: list | None = None,
    avatar: AvatarChange | None = None,
) -> Profile:
    """Update the profile of ``user``. ``fields`` were validated by the caller's form.

    The avatar is re-encoded before anything is written, so a bad image leaves the
    profile untouched.
    """
    new_avatar = avatar_reencode(avatar.upload) if avatar and avatar.upload else None
    with transaction.atomic():
        profile = profile_ensure(user=user)
        for name, value in fields.items():
            setattr(profile, name, value)
        old_avatar_name = profile.avatar.name if profile.avatar else ""
        if new_avatar is not None:
            profile.avatar.save(new_avatar.name, new_avatar, save=False)
        elif avatar and avatar.remove:
            profile.avatar = ""
        profile.full_clean()
        profile.save()
        if interests is not None:
            profile.interests.set(interests)
        if old_avatar_name and old_avatar_name != (profile.avatar.name if profile.avatar else ""):
            storage = profile.avatar.storage
            transaction.on_commit(lambda: storage.delete(old_avatar_name))
    return profile


def personal_data_export(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about ``user``, as JSON-ready data."""
    data: dict[str, Any] = {
        "format": "carrefour-donnees-personnelles/1",
        "generated_at": timezone.now().isoformat(),
    }
    for section, exporter in sorted(personal_data.exporters().items()):
        data[section] = exporter(user)
    return data


def account_delete(*, user: User) -> None:
    """Delete the account. Content the user authored is kept but anonymised: each
    app's registered anonymiser runs first (see README, « Données personnelles »)."""
    with transaction.atomic():
        for name, anonymise in sorted(personal_data.anonymisers().items()):
            logger.info("account_delete: anonymiser %s for user %s", name, user.pk)
            anonymise(user)
        avatar_name = ""
        profile = Profile.objects.filter(user=user).first()
        if profile is not None and profile.avatar:
            avatar_name = profile.avatar.name
            storage = profile.avatar.storage
        user.delete()
        if avatar_name:
            transaction.on_commit(lambda: storage.delete(avatar_name))
