"""Project teams: the owner invites co-editors by e-mail; co-editors edit too."""

from __future__ import annotations

import secrets

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ProjectInvitation, ProjectMember, ProjectPage
from ..permissions import ProjectPermissionDenied, project_permissions
from .notifications import notify_invitation

INVITATION_VALIDITY_DAYS = 30


def invitation_create(*, project: ProjectPage, inviter, email: str) -> ProjectInvitation:
    if not project_permissions(project=project, user=inviter).manage_team:
        raise ProjectPermissionDenied(_("Seul le porteur du projet peut inviter."))
    email = email.strip().lower()
    owner_email = project.owner.email.lower() if project.owner else ""
    if email == owner_email or project.members.filter(user__email__iexact=email).exists():
        raise ValidationError(_("Cette personne fait déjà partie de l'équipe."), code="member")
    with transaction.atomic():
        pending = project.invitations.filter(email__iexact=email, accepted_at__isnull=True)
        pending.delete()  # a new invitation replaces an older one
        invitation = ProjectInvitation.objects.create(
            project=project, email=email, token=secrets.token_urlsafe(32), invited_by=inviter
        )
        notify_invitation(invitation=invitation)
    return invitation


def invitation_accept(*, token: str, user) -> ProjectMember:
    """Accept an invitation with an account whose verified e-mail matches it."""
    invitation = ProjectInvitation.objects.select_related("project").filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise ValidationError(_("Cette invitation n'existe pas ou a déjà servi."), code="invalid")
    age = timezone.now() - invitation.created_at
    if age.days > INVITATION_VALIDITY_DAYS:
        raise ValidationError(_("Cette invitation a expiré."), code="expired")
    verified = EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists()
    if not verified:
        raise ProjectPermissionDenied(
            _("Cette invitation est adressée à %(email)s : connectez-vous avec ce compte.")
            % {"email": invitation.email}
        )
    with transaction.atomic():
        member, _created = ProjectMember.objects.get_or_create(
            project=invitation.project, user=user, defaults={"invited_by": invitation.invited_by}
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member


def member_remove(*, project: ProjectPage, actor, member: ProjectMember) -> None:
    """The owner (or a curator) removes a co-editor; a co-editor may leave."""
    allowed = (
        project_permissions(project=project, user=actor).manage_team or member.user_id == actor.pk
    )
    if not allowed or member.project_id != project.pk:
        raise ProjectPermissionDenied(_("Vous ne pouvez pas retirer ce membre."))
    member.delete()
