"""Creating communities: editors in the Wagtail admin, members by proposal.

Proposals (setting ``CARREFOUR_COMMUNITY_PROPOSALS``, on by default) create a
community with status « proposée », its proposer as owner; editors approve or refuse
it from the admin (``community_approve`` / ``community_refuse``). Why not the
projects' Wagtail moderation workflow: it moderates pages (revisions, publication);
a community is a snippet whose only decision is « open it or not », so a status and
two services, audited and notified like every other change, say it all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.html import linebreaks
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import notify
from ..models import (
    AuditAction,
    Community,
    JoinPolicy,
    Kind,
    Membership,
    MembershipState,
    Role,
    Status,
    Visibility,
)
from ..permissions import CommunityPermissionDenied, is_community_editor
from ..realtime import doorbell
from ._common import audit, check, clean_message, lock
from .channels import default_channel_ensure
from .membership import activate_membership


@dataclass
class CommunityInput:
    """A proposal. ``presentation`` is plain text (paragraphs separated by blank
    lines): a member's text is never taken as HTML."""

    name: str
    short_description: str
    kind: str = Kind.THEMATIQUE
    presentation: str = ""
    visibility: str = Visibility.PUBLIC
    join_policy: str = JoinPolicy.OPEN
    charter: str = ""
    contact_email: str = ""
    theme_domains: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    territories: list = field(default_factory=list)


def unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "communaute"
    slug, n = base, 2
    while Community.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean(data: CommunityInput) -> dict:
    errors: dict[str, ValidationError] = {}
    name = (data.name or "").strip()
    short = (data.short_description or "").strip()
    if not name:
        errors["name"] = ValidationError(_("Donnez un nom à la communauté."), code="required")
    elif len(name) > 120:
        errors["name"] = ValidationError(
            _("Le nom est trop long (120 caractères au plus)."), code="too_long"
        )
    if not short:
        errors["short_description"] = ValidationError(
            _("Décrivez la communauté en une ou deux phrases."), code="required"
        )
    elif len(short) > 300:
        errors["short_description"] = ValidationError(
            _("La description courte est trop longue (300 caractères au plus)."), code="too_long"
        )
    choices = {"kind": Kind, "visibility": Visibility, "join_policy": JoinPolicy}
    for name_, enum in choices.items():
        if getattr(data, name_) not in enum.values:
            errors[name_] = ValidationError(_("Choix inconnu."), code="invalid_choice")
    email = (data.contact_email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = ValidationError(
                _("Saisissez une adresse e-mail valide."), code="invalid_email"
            )
    for name_ in ("presentation", "charter"):
        try:
            clean_message(getattr(data, name_) or "")
        except ValidationError as exc:
            errors[name_] = exc
    if errors:
        raise ValidationError(errors)
    presentation = (data.presentation or "").strip()
    return {
        "name": name,
        "short_description": short,
        "kind": data.kind,
        "presentation": linebreaks(presentation, autoescape=True) if presentation else "",
        "visibility": data.visibility,
        "join_policy": data.join_policy,
        "charter": (data.charter or "").strip(),
        "contact_email": email,
    }


def community_propose(*, user, data: CommunityInput) -> Community:
    """A member proposes a community: it waits for the editors, its proposer owns it."""
    with transaction.atomic():
        check("community_propose", community=None, actor=user)
        fields = _clean(data)
        community = Community.objects.create(
            slug=unique_slug(fields["name"]), status=Status.PROPOSED, proposed_by=user, **fields
        )
        community.theme_domains.set(data.theme_domains)
        community.themes.set(data.themes)
        community.territories.set(data.territories)
        membership = activate_membership(community=community, user=user, charter_accepted=True)
        membership.role = Role.OWNER
        membership.save(update_fields=["role"])
        audit(community=community, actor=user, action=AuditAction.COMMUNITY_PROPOSED)
        default_channel_ensure(community=community)
        notify.proposal_created(community=community, proposer=user)
    return community


def community_approve(*, community: Community, actor, message: str = "") -> Community:
    with transaction.atomic():
        community = lock(community)
        check("community_approve", community=community, actor=actor)
        message = clean_message(message)
        community.status = Status.ACTIVE
        community.save(update_fields=["status", "updated_at"])
        audit(
            community=community,
            actor=actor,
            action=AuditAction.COMMUNITY_APPROVED,
            message=message,
        )
        notify.proposal_decided(community=community, approved=True, actor=actor, message=message)
    return community


def community_refuse(*, community: Community, actor, message: str = "") -> Community:
    """A refused proposal is archived: only its proposer (and editors) still see it."""
    with transaction.atomic():
        community = lock(community)
        check("community_refuse", community=community, actor=actor)
        message = clean_message(message)
        community.status = Status.ARCHIVED
        community.save(update_fields=["status", "updated_at"])
        audit(
            community=community,
            actor=actor,
            action=AuditAction.COMMUNITY_REFUSED,
            message=message,
        )
        notify.proposal_decided(community=community, approved=False, actor=actor, message=message)
    return community


def community_admin_saved(
    *, community: Community, actor, created: bool, previous_status: str | None = None
) -> None:
    """After an editor saved the community in the Wagtail admin (inside the admin's
    transaction): audit it, and make sure the community has an owner: the editor who
    created it owns it until they hand it over (``ownership_transfer``). A proposal
    the editor opened by changing its status is approved as by ``community_approve``."""
    if not is_community_editor(actor):
        raise CommunityPermissionDenied(_("Seule l'équipe éditoriale modifie les communautés."))
    with transaction.atomic():
        community = lock(community)
        has_owner = Membership.objects.filter(
            community=community,
            role=Role.OWNER,
            state=MembershipState.ACTIVE,
            user__is_active=True,
        ).exists()
        if not has_owner:
            membership = activate_membership(community=community, user=actor, charter_accepted=True)
            membership.role = Role.OWNER
            membership.save(update_fields=["role"])
        audit(
            community=community,
            actor=actor,
            action=AuditAction.COMMUNITY_CREATED if created else AuditAction.COMMUNITY_UPDATED,
        )
        default_channel_ensure(community=community)
        # Its visibility or status may have changed: readers of its channels are
        # checked again (those who lost access are cut off).
        for channel_id in community.channels.values_list("pk", flat=True):
            doorbell.ring_recheck(channel_id=channel_id)
        if previous_status == Status.PROPOSED and community.status != Status.PROPOSED:
            approved = community.status == Status.ACTIVE
            audit(
                community=community,
                actor=actor,
                action=AuditAction.COMMUNITY_APPROVED
                if approved
                else AuditAction.COMMUNITY_REFUSED,
            )
            notify.proposal_decided(community=community, approved=approved, actor=actor, message="")
