"""« Mes projets »: propose, edit, submit, preview and follow one's projects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import ProjectFormBundle
from ..models import ProjectPage
from ..permissions import ProjectPermissionDenied, project_permissions
from ..selectors import project_revisions, project_status, projects_of_user
from ..services import projects as project_services


def _project_for(request: HttpRequest, project_id: int, action: str) -> ProjectPage:
    project = get_object_or_404(ProjectPage, pk=project_id)
    if not getattr(project_permissions(project=project, user=request.user), action):
        # Drafts do not exist for people outside the team.
        raise Http404(_("Projet introuvable."))
    return project


@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    return render(
        request, "innovations/my_projects.html", {"entries": projects_of_user(user=request.user)}
    )


def _render_form(request, bundle, *, project=None, status=None):
    return render(
        request,
        "innovations/project_form.html",
        {"bundle": bundle, "form": bundle.main, "project": project, "status": status},
    )


def _save(request, bundle, *, project=None):
    submit = "submit" in request.POST
    data = bundle.to_input()
    try:
        if project is None:
            project = project_services.project_create(user=request.user, data=data, submit=submit)
        else:
            project = project_services.project_update(
                project=project, user=request.user, data=data, submit=submit
            )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in bundle.main.fields else None
                bundle.main.add_error(target, errors)
        else:
            bundle.main.add_error("image" if data.image else None, exc)
        return None
    status = project_status(project=project)
    if status.code == "moderation":
        messages.success(
            request, _("Projet envoyé en modération. Nous vous écrivons dès qu'il est relu.")
        )
    else:
        messages.success(request, _("Brouillon enregistré."))
    return project


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        bundle = ProjectFormBundle(request.POST, request.FILES)
        if bundle.is_valid() and _save(request, bundle) is not None:
            return redirect("innovations:my_projects")
    else:
        bundle = ProjectFormBundle()
    return _render_form(request, bundle)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "edit")
    status = project_status(project=project)
    if request.method == "POST":
        bundle = ProjectFormBundle(request.POST, request.FILES)
        if bundle.is_valid() and _save(request, bundle, project=project) is not None:
            return redirect("innovations:my_projects")
    else:
        bundle, _draft = ProjectFormBundle.for_project(project)
    return _render_form(request, bundle, project=project, status=status)


@login_required
@require_POST
def project_submit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "submit")
    try:
        project_services.project_submit(project=project, user=request.user)
    except (ValidationError, ProjectPermissionDenied) as exc:
        messages.error(request, " ".join(exc.messages) if hasattr(exc, "messages") else str(exc))
    else:
        messages.success(request, _("Projet envoyé en modération."))
    return redirect("innovations:my_projects")


@login_required
def project_history(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "view_draft")
    return render(
        request,
        "innovations/project_history.html",
        {
            "project": project,
            "status": project_status(project=project),
            "revisions": project_revisions(project=project),
        },
    )


@login_required
def project_preview(request: HttpRequest, project_id: int) -> HttpResponse:
    """The latest revision, as it will look once published (team and curators only)."""
    project = _project_for(request, project_id, "view_draft")
    draft = project.get_latest_revision_as_object()
    request.is_preview = True  # the template shows the « Aperçu » notice
    response = draft.serve_preview(request, draft.default_preview_mode)
    response.headers["X-Robots-Tag"] = "noindex"
    return response
