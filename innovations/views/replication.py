"""The team's essaimage screen (issue 16): the replication sheet, its resources and
« Inspiré de ». Plain forms (POST then redirect), usable without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..models import ProjectPage, ReplicationResource
from ..permissions import ProjectPermissionDenied, project_permissions
from ..replication_forms import LineageSearchForm, ResourceForm, SheetForm
from ..selectors.replication import (
    lineage_candidates,
    lineage_for,
    lineage_link,
    sheet_completeness,
    sheet_for,
    sheet_missing,
)
from ..services import replication as services
from .my_projects import _project_for


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _render(request, project, *, sheet_form=None, resource_form=None, search_form=None):
    sheet = sheet_for(project=project)
    search_form = search_form or LineageSearchForm(request.GET or None)
    candidates = []
    if search_form.is_bound and search_form.is_valid():
        candidates = lineage_candidates(
            project=project, user=request.user, text=search_form.cleaned_data["q"]
        )
    return render(
        request,
        "innovations/replication_edit.html",
        {
            "project": project,
            "sheet": sheet,
            "form": sheet_form or SheetForm(instance=sheet),
            "resource_form": resource_form or ResourceForm(),
            "search_form": search_form,
            "candidates": candidates,
            "completeness": sheet_completeness(sheet=sheet),
            "missing": sheet_missing(sheet=sheet),
            "resources": list(sheet.resources.all()) if sheet else [],
            "lineage": lineage_for(project=project, user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def replication_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "edit")
    if request.method == "POST":
        form = SheetForm(request.POST, instance=sheet_for(project=project))
        if form.is_valid():
            try:
                sheet = services.replication_sheet_update(
                    project=project, actor=request.user, data=form.to_input()
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Fiche d'essaimage enregistrée (remplie à %(percent)s %%).")
                    % {"percent": sheet_completeness(sheet=sheet)},
                )
                return redirect("innovations:replication_edit", project_id=project.pk)
        return _render(request, project, sheet_form=form)
    return _render(request, project)


@login_required
@require_POST
def resource_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "edit")
    form = ResourceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.replication_resource_add(
                project=project,
                actor=request.user,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"] or "",
                upload=form.cleaned_data["document"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Ressource ajoutée."))
            return redirect("innovations:replication_edit", project_id=project.pk)
    return _render(request, project, resource_form=form)


@login_required
@require_POST
def resource_remove(request: HttpRequest, project_id: int, resource_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "edit")
    resource = get_object_or_404(ReplicationResource, pk=resource_id, sheet__project=project)
    services.replication_resource_remove(resource=resource, actor=request.user)
    messages.success(request, _("Ressource retirée."))
    return redirect("innovations:replication_edit", project_id=project.pk)


@login_required
@require_POST
def lineage_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id, "edit")
    try:
        original_id = int(request.POST.get("original", ""))
    except ValueError:
        original_id = 0
    original = ProjectPage.objects.filter(pk=original_id).first()
    try:
        if original is None:
            raise ValidationError({"original": [_("Choisissez un projet dans la liste.")]})
        services.lineage_add(replication=project, original=original, actor=request.user)
    except ValidationError as exc:
        form = LineageSearchForm({"q": request.POST.get("q", "")})
        form.is_valid()
        for errors in getattr(exc, "error_dict", {"q": exc.messages}).values():
            form.add_error(None, errors)
        return _render(request, project, search_form=form)
    messages.success(
        request, _("« %(title)s » figure parmi vos inspirations.") % {"title": original.title}
    )
    return redirect("innovations:replication_edit", project_id=project.pk)


@login_required
@require_POST
def lineage_remove(request: HttpRequest, link_id: int) -> HttpResponse:
    link = lineage_link(link_id=link_id)
    if link is None:
        raise Http404(_("Filiation introuvable."))
    try:
        services.lineage_remove(link=link, actor=request.user)
    except ProjectPermissionDenied:
        raise Http404(_("Filiation introuvable.")) from None
    messages.success(request, _("Filiation retirée."))
    back = request.POST.get("project")
    mine = link.replication if str(link.replication_id) == back else link.original
    if project_permissions(project=mine, user=request.user).edit:
        return redirect("innovations:replication_edit", project_id=mine.pk)
    return redirect("innovations:my_projects")
