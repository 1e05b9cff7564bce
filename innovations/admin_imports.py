"""Wagtail admin screens for partner imports: sources, runs with progress and
reports, mappings as YAML, conflicts, duplicates and partner API keys. Views parse
input and call innovations.services.imports / importing.duplicates."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .importing.duplicates import duplicate_dismiss, projects_merge
from .models import (
    ConflictResolution,
    DuplicateCandidate,
    DuplicateStatus,
    ImportConflict,
    ImportRun,
    PartnerApiKey,
    ProjectPage,
    RunStatus,
    Source,
)
from .permissions import is_editor
from .services import imports as services


def _editor(request) -> None:
    if not is_editor(request.user):
        raise PermissionDenied


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier du partenaire"),
        required=False,
        help_text=gettext_lazy("CSV, XLSX, JSON ou GeoJSON. Sans fichier : le flux de la source."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Essai à blanc (aperçu et erreurs, rien n'est écrit)"),
        required=False,
        initial=True,
    )


class MappingForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Correspondance (YAML ou JSON)"),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "monospace"}),
    )
    upload = forms.FileField(label=gettext_lazy("ou un fichier .yaml / .json"), required=False)


class KeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom de la clé (qui l'utilise)"), max_length=100)


def sources_index(request):
    _editor(request)
    sources = Source.objects.all().prefetch_related("runs")
    rows = [(source, source.runs.first()) for source in sources]
    return TemplateResponse(
        request,
        "innovations/admin/imports_index.html",
        {
            "rows": rows,
            "conflicts": ImportConflict.objects.filter(
                resolution=ConflictResolution.PENDING
            ).count(),
            "duplicates": DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING).count(),
        },
    )


def source_import(request, source_id: int):
    _editor(request)
    source = get_object_or_404(Source, pk=source_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.import_run_create(
                source=source,
                user=request.user,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            services.import_run_enqueue(run=run)
            return redirect("innovations_imports:run", run_id=run.pk)
    return TemplateResponse(
        request, "innovations/admin/import_form.html", {"source": source, "form": form}
    )


def run_detail(request, run_id: int):
    _editor(request)
    run = get_object_or_404(ImportRun.objects.select_related("source"), pk=run_id)
    return TemplateResponse(
        request,
        "innovations/admin/import_run.html",
        {
            "run": run,
            "errors": run.row_errors.all()[:300],
            "running": run.status in (RunStatus.PENDING, RunStatus.RUNNING),
        },
    )


@require_POST
def run_confirm(request, run_id: int):
    """After a dry run: the same file, for real."""
    _editor(request)
    dry = get_object_or_404(ImportRun, pk=run_id, dry_run=True)
    run = ImportRun.objects.create(
        source=dry.source,
        dry_run=False,
        file=dry.file.name if dry.file else "",
        filename=dry.filename,
        from_feed=dry.from_feed,
        triggered_by=request.user,
    )
    services.import_run_enqueue(run=run)
    messages.success(request, _("Import lancé."))
    return redirect("innovations_imports:run", run_id=run.pk)


def run_report_csv(request, run_id: int):
    _editor(request)
    run = get_object_or_404(ImportRun, pk=run_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rapport-import-{run.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("statut"), run.get_status_display(), run.message])
    for label, value in (
        (_("créés"), run.created),
        (_("mis à jour"), run.updated),
        (_("inchangés"), run.unchanged),
        (_("dépubliés"), run.unpublished),
        (_("rejetés"), run.rejected),
        (_("ignorés"), run.skipped),
        (_("conflits"), run.conflicts),
        (_("doublons probables"), run.duplicates),
    ):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow([_("ligne"), _("identifiant"), _("champ"), _("raison")])
    for error in run.row_errors.all():
        writer.writerow([error.row, error.key, error.field, error.reason])
    return response


def source_mapping(request, source_id: int):
    _editor(request)
    source = get_object_or_404(Source, pk=source_id)
    if request.GET.get("format") in ("yaml", "json"):
        fmt = request.GET["format"]
        response = HttpResponse(
            services.mapping_export(source=source, format=fmt),
            content_type="application/json" if fmt == "json" else "application/yaml",
        )
        response["Content-Disposition"] = f'attachment; filename="{source.slug}.{fmt}"'
        return response
    form = MappingForm(
        request.POST or None,
        request.FILES or None,
        initial={"text": services.mapping_export(source=source)},
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("upload")
        text = (
            upload.read().decode("utf-8", errors="replace") if upload else form.cleaned_data["text"]
        )
        try:
            services.mapping_update(source=source, text=text, user=request.user)
        except ValidationError as exc:
            form.add_error("text", exc)
        else:
            messages.success(request, _("Correspondance enregistrée."))
            return redirect("innovations_imports:mapping", source_id=source.pk)
    return TemplateResponse(
        request, "innovations/admin/mapping_form.html", {"source": source, "form": form}
    )


def conflicts_index(request):
    _editor(request)
    conflicts = ImportConflict.objects.filter(resolution=ConflictResolution.PENDING).select_related(
        "project", "source"
    )[:200]
    return TemplateResponse(request, "innovations/admin/conflicts.html", {"conflicts": conflicts})


@require_POST
def conflict_decide(request, conflict_id: int):
    _editor(request)
    conflict = get_object_or_404(ImportConflict, pk=conflict_id)
    try:
        services.conflict_resolve(
            conflict=conflict,
            apply_partner=request.POST.get("decision") == "partner",
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("innovations_imports:conflicts")


def duplicates_index(request):
    _editor(request)
    candidates = DuplicateCandidate.objects.filter(status=DuplicateStatus.PENDING).select_related(
        "project", "other"
    )[:200]
    return TemplateResponse(
        request, "innovations/admin/duplicates.html", {"candidates": candidates}
    )


@require_POST
def duplicate_decide(request, candidate_id: int):
    _editor(request)
    candidate = get_object_or_404(
        DuplicateCandidate, pk=candidate_id, status=DuplicateStatus.PENDING
    )
    keep = request.POST.get("keep")
    if keep in (str(candidate.project_id), str(candidate.other_id)):
        projects_merge(
            candidate=candidate, keep=ProjectPage.objects.get(pk=keep), editor=request.user
        )
        messages.success(request, _("Projets fusionnés."))
    else:
        duplicate_dismiss(candidate=candidate, editor=request.user)
        messages.success(request, _("Marqués comme différents."))
    return redirect("innovations_imports:duplicates")


def source_keys(request, source_id: int):
    _editor(request)
    source = get_object_or_404(Source, pk=source_id)
    form = KeyForm(request.POST or None)
    secret = ""
    if request.method == "POST" and "revoke" in request.POST:
        key = get_object_or_404(PartnerApiKey, pk=request.POST["revoke"], source=source)
        services.api_key_revoke(key=key, user=request.user)
        messages.success(request, _("Clé révoquée."))
        return redirect("innovations_imports:keys", source_id=source.pk)
    if request.method == "POST" and form.is_valid():
        _key, secret = services.api_key_create(
            source=source, name=form.cleaned_data["name"], user=request.user
        )
        form = KeyForm()
    return TemplateResponse(
        request,
        "innovations/admin/api_keys.html",
        {"source": source, "form": form, "secret": secret, "keys": source.api_keys.all()},
    )


urlpatterns = [
    path("", sources_index, name="index"),
    path("source/<int:source_id>/importer/", source_import, name="import"),
    path("source/<int:source_id>/correspondance/", source_mapping, name="mapping"),
    path("source/<int:source_id>/cles/", source_keys, name="keys"),
    path("import/<int:run_id>/", run_detail, name="run"),
    path("import/<int:run_id>/lancer/", run_confirm, name="confirm"),
    path("import/<int:run_id>/rapport.csv", run_report_csv, name="report"),
    path("conflits/", conflicts_index, name="conflicts"),
    path("conflits/<int:conflict_id>/", conflict_decide, name="conflict_decide"),
    path("doublons/", duplicates_index, name="duplicates"),
    path("doublons/<int:candidate_id>/", duplicate_decide, name="duplicate_decide"),
]


def menu_url() -> str:
    return reverse("innovations_imports:index")
