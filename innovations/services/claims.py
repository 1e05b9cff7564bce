"""Claims: a person asks to become the owner of a project nobody owns (typically
imported from a partner); editors accept or refuse."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ClaimStatus, ProjectClaim, ProjectPage
from ..permissions import ProjectPermissionDenied, is_editor, project_permissions
from .notifications import notify_claim_created, notify_claim_decided


def claim_create(*, project: ProjectPage, user, message: str) -> ProjectClaim:
    if not project_permissions(project=project, user=user).claim:
        raise ProjectPermissionDenied(_("Ce projet ne peut pas être revendiqué."))
    if project.claims.filter(user=user, status=ClaimStatus.PENDING).exists():
        raise ValidationError(_("Vous avez déjà une demande en attente pour ce projet."))
    with transaction.atomic():
        claim = ProjectClaim.objects.create(project=project, user=user, message=message.strip())
        notify_claim_created(claim=claim)
    return claim


def _decide(claim: ProjectClaim, editor, status: str, note: str) -> None:
    claim.status = status
    claim.decided_by = editor
    claim.decided_at = timezone.now()
    claim.decision_note = note.strip()
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    notify_claim_decided(claim=claim)


def claim_accept(*, claim: ProjectClaim, editor, note: str = "") -> ProjectPage:
    """The claimant becomes owner; other pending claims on the project are refused."""
    if not is_editor(editor):
        raise ProjectPermissionDenied(_("Seuls les éditeurs traitent les revendications."))
    with transaction.atomic():
        claim = ProjectClaim.objects.select_for_update().get(pk=claim.pk)
        project = ProjectPage.objects.select_for_update().get(pk=claim.project_id)
        if claim.status != ClaimStatus.PENDING:
            raise ValidationError(_("Cette demande a déjà été traitée."))
        if project.owner_id is not None or claim.user is None:
            raise ValidationError(_("Ce projet a déjà un porteur."))
        project.owner = claim.user
        project.save(update_fields=["owner"])
        _decide(claim, editor, ClaimStatus.ACCEPTED, note)
        for other in project.claims.filter(status=ClaimStatus.PENDING).exclude(pk=claim.pk):
            _decide(
                other,
                editor,
                ClaimStatus.REFUSED,
                _("Le projet a été attribué à une autre personne."),
            )
    return project


def claim_refuse(*, claim: ProjectClaim, editor, note: str = "") -> ProjectClaim:
    if not is_editor(editor):
        raise ProjectPermissionDenied(_("Seuls les éditeurs traitent les revendications."))
    with transaction.atomic():
        claim = ProjectClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.PENDING:
            raise ValidationError(_("Cette demande a déjà été traitée."))
        _decide(claim, editor, ClaimStatus.REFUSED, note)
    return claim
