"""The project team: invite co-editors, accept an invitation, remove a member."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import InvitationForm
from ..models import ProjectMember
from ..permissions import ProjectPermissionDenied
from ..services import team as team_services
from .my_projects import _project_for


@login_required
@require_http_methods(["GET", "POST"])
def project_team(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "view_draft")
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team_services.invitation_create(
                project=project, inviter=request.user, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        except ProjectPermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("innovations:project_team", project_id=project.pk)
    return render(
        request,
        "innovations/project_team.html",
        {
            "project": project,
            "form": form,
            "members": project.members.select_related("user__profile"),
            "invitations": project.invitations.filter(accepted_at__isnull=True),
        },
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, project_id: int, member_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "view_draft")
    member = get_object_or_404(ProjectMember, pk=member_id, project=project)
    try:
        team_services.member_remove(project=project, actor=request.user, member=member)
    except ProjectPermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Membre retiré de l'équipe."))
    if member.user_id == request.user.pk:
        return redirect("innovations:my_projects")
    return redirect("innovations:project_team", project_id=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            member = team_services.invitation_accept(token=token, user=request.user)
        except (ValidationError, ProjectPermissionDenied) as exc:
            error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        else:
            messages.success(
                request,
                _("Vous faites maintenant partie de l'équipe de « %(title)s ».")
                % {"title": member.project.title},
            )
            return redirect("innovations:my_projects")
    return render(request, "innovations/invitation_accept.html", {"error": error})
