"""Announcements by a community's moderators, in its feed and to every member."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import notify
from ..models import Announcement, AuditAction, Community, FeedKind
from ._common import audit, check, feed_add, lock

BODY_MAX_LENGTH = 10_000


def _clean(title: str, body: str) -> tuple[str, str]:
    errors = {}
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = ValidationError(_("Donnez un titre à l'annonce."), code="required")
    elif len(title) > 200:
        errors["title"] = ValidationError(
            _("Le titre est trop long (200 caractères au plus)."), code="too_long"
        )
    if not body:
        errors["body"] = ValidationError(_("Écrivez le texte de l'annonce."), code="required")
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = ValidationError(
            _("Le texte est trop long (10 000 caractères au plus)."), code="too_long"
        )
    if errors:
        raise ValidationError(errors)
    return title, body


def announcement_create(*, community: Community, actor, title: str, body: str) -> Announcement:
    with transaction.atomic():
        community = lock(community)
        check("announcement_create", community=community, actor=actor)
        title, body = _clean(title, body)
        announcement = Announcement.objects.create(
            community=community, author=actor, title=title, body=body
        )
        feed_add(
            community=community,
            kind=FeedKind.ANNOUNCEMENT,
            actor=actor,
            announcement=announcement,
        )
        audit(community=community, actor=actor, action=AuditAction.ANNOUNCEMENT, message=title)
        notify.announcement_created(announcement=announcement)
    return announcement
