"""Checks of a community's projects, events, announcements, and of proposals."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from innovations.permissions import is_team_member
from innovations.selectors import projects_live

from ..models import CommunityProject, Event, Status
from ..permissions import CommunityPermissionDenied, can_moderate, is_community_editor
from .conditions import (
    own_event,
    require_active,
    require_active_member,
    require_moderator,
    require_signed_in,
)

# --- projects -----------------------------------------------------------------------


def _is_team(project, actor) -> bool:
    return is_team_member(project, actor)


def check_project_attach(community, actor, target=None, **options) -> None:
    """``target``: the project page."""
    require_active_member(
        community, actor, _("Seuls les membres de la communauté peuvent y rattacher un projet.")
    )
    require_active(community)
    if target is None or not _is_team(target, actor):
        raise CommunityPermissionDenied(_("Seule l'équipe du projet peut le rattacher."))
    if not target.live:
        raise ValidationError(_("Seul un projet publié peut être rattaché."), code="not_live")
    # A project under a Wagtail view restriction (login, password, groups) would show
    # in the community to people the restriction keeps out.
    if not projects_live().filter(pk=target.pk).exists():
        raise ValidationError(
            _(
                "Ce projet est en accès restreint : seul un projet ouvert à tous peut être "
                "rattaché à une communauté."
            ),
            code="restricted",
        )
    if CommunityProject.objects.filter(community=community, project=target).exists():
        raise ValidationError(
            _("Ce projet est déjà rattaché à cette communauté."), code="already_attached"
        )


def check_project_detach(community, actor, target=None, **options) -> None:
    require_signed_in(actor)
    allowed = can_moderate(community=community, user=actor) or (
        target is not None and _is_team(target, actor)
    )
    if not allowed:
        raise CommunityPermissionDenied(
            _("Seuls l'équipe du projet et les modérateurs peuvent le détacher.")
        )
    if not CommunityProject.objects.filter(community=community, project=target).exists():
        raise ValidationError(
            _("Ce projet n'est pas rattaché à cette communauté."), code="not_attached"
        )


# --- events and announcements -------------------------------------------------------


def check_event_create(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    require_active(community)


def _require_not_cancelled(event: Event) -> None:
    if event.cancelled:
        raise ValidationError(_("Cet événement est annulé."), code="cancelled")


def check_event_update(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    own_event(community, target)
    _require_not_cancelled(target)


check_event_cancel = check_event_update


def check_rsvp_set(community, actor, target=None, **options) -> None:
    """``target``: the event."""
    require_active_member(
        community, actor, _("Seuls les membres de la communauté peuvent répondre.")
    )
    require_active(community)
    own_event(community, target)
    _require_not_cancelled(target)
    if target.end <= timezone.now():
        raise ValidationError(_("Cet événement est terminé."), code="past")


def check_announcement_create(community, actor, target=None, **options) -> None:
    require_moderator(community, actor)
    require_active(community)


# --- proposals ----------------------------------------------------------------------


def proposals_open() -> bool:
    return bool(getattr(settings, "CARREFOUR_COMMUNITY_PROPOSALS", True))


def check_community_propose(community=None, actor=None, target=None, **options) -> None:
    require_signed_in(actor)
    if not proposals_open():
        raise CommunityPermissionDenied(
            _("Les propositions de communautés sont fermées pour le moment.")
        )


def _require_editor(actor) -> None:
    if not is_community_editor(actor):
        raise CommunityPermissionDenied(
            _("Seule l'équipe éditoriale peut valider ou refuser une communauté.")
        )


def check_community_approve(community, actor, target=None, **options) -> None:
    _require_editor(actor)
    if community.status != Status.PROPOSED:
        raise ValidationError(
            _("Cette communauté n'est pas en attente de validation."), code="not_proposed"
        )


check_community_refuse = check_community_approve
