"""Wagtail admin screens of the innovations app: project claims for editors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import DecisionForm
from .models import ProjectClaim
from .permissions import ProjectPermissionDenied, is_editor
from .selectors import claims_pending
from .services import claims as claim_services


def _require_editor(request) -> None:
    if not is_editor(request.user):
        raise PermissionDenied


def claims_index(request):
    _require_editor(request)
    decided = ProjectClaim.objects.exclude(status="pending").select_related(
        "project", "user", "decided_by"
    )[:30]
    return TemplateResponse(
        request,
        "innovations/admin/claims_index.html",
        {"pending": claims_pending(), "decided": decided, "form": DecisionForm()},
    )


@require_POST
def claim_decide(request, claim_id: int, decision: str):
    _require_editor(request)
    claim = get_object_or_404(ProjectClaim, pk=claim_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        if decision == "accepter":
            claim_services.claim_accept(claim=claim, editor=request.user, note=note)
            messages.success(
                request,
                _("%(user)s est désormais porteur de « %(project)s ».")
                % {"user": claim.user, "project": claim.project.title},
            )
        else:
            claim_services.claim_refuse(claim=claim, editor=request.user, note=note)
            messages.success(request, _("Revendication refusée."))
    except (ValidationError, ProjectPermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("innovations_claims:index")


urlpatterns = [
    path("", claims_index, name="index"),
    path("<id:claim_id>/<str:decision>/", claim_decide, name="decide"),
]
