"""Wagtail admin screens for partner imports: sources, runs with progress and
reports (the projects a run unpublishes, named, and its confirmation step),
mappings as YAML, conflicts, records held for a reused identifier, duplicates and
partner API keys. Views parse
input and call innovations.services.imports / importing.duplicates."""

from __future__ import annotations

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
from wagtail.models import Page

from core.csvsafe import csv_download
from jobs.models import Job

from .importing.duplicates import duplicate_dismiss, projects_merge
from .importing.plan import field_label
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
from .models.imports import HeldStatus, ImportHeldRecord, Severity
from .permissions import is_editor
from .services import imports as services
from .services.import_runs import IMPORT_JOB


def _editor(request) -> None:
    if not is_editor(request.user):
        raise PermissionDenied


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier du partenaire"),
        required=False,
        help_text=gettext_lazy("CSV, XLSX, JSON ou GeoJSON. Sans fichier : le flux de la source."),
    )
    complete = forms.BooleanField(
        label=gettext_lazy("Fichier complet : c'est la liste entière des projets de la source"),
        required=False,
        help_text=gettext_lazy(
            "Les projets de la source absents du fichier seront dépubliés. Sans cette case, "
            "le fichier ajoute et met à jour seulement. Le flux de la source est toujours "
            "complet."
        ),
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
            "held": ImportHeldRecord.objects.filter(status=HeldStatus.PENDING).count(),
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
                complete=form.cleaned_data["complete"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            services.import_run_enqueue(run=run, user=request.user)
            return redirect("innovations_imports:run", run_id=run.pk)
    return TemplateResponse(
        request, "innovations/admin/import_form.html", {"source": source, "form": form}
    )


def _with_pages(request, items: list[dict]) -> list[dict]:
    """Plan items with their project's public address (links in the page)."""
    ids = {item["project_id"] for item in items if item.get("project_id")}
    pages = {page.pk: page for page in Page.objects.filter(pk__in=ids)}
    out = []
    for item in items:
        page = pages.get(item.get("project_id"))
        out.append({**item, "url": page.get_url(request) if page is not None else ""})
    return out


def _labelled(errors) -> list:
    """Rows of the report with their field's label (« site web », not « website »)."""
    errors = list(errors)
    for error in errors:
        error.field_label = field_label(error.field) if error.field else "—"
    return errors


def run_detail(request, run_id: int):
    _editor(request)
    run = get_object_or_404(ImportRun.objects.select_related("source"), pk=run_id)
    plan = run.plan or {}
    return TemplateResponse(
        request,
        "innovations/admin/import_run.html",
        {
            "run": run,
            "errors": _labelled(run.row_errors.filter(severity=Severity.ERROR)[:300]),
            "warnings": _labelled(run.row_errors.filter(severity=Severity.WARNING)[:300]),
            "running": run.status in (RunStatus.PENDING, RunStatus.RUNNING),
            # Its background job (jobs/): the cancel button while it runs.
            "job": Job.objects.filter(kind=IMPORT_JOB, params__run=run.pk).order_by("-pk").first(),
            "plan": plan,
            "unpublish": _with_pages(request, plan.get("unpublish", [])),
            "kept": _with_pages(request, plan.get("kept", [])),
            "reused": _with_pages(request, plan.get("reused", [])),
            "folded": _with_pages(request, plan.get("folded", [])),
            "held": run.held_records.filter(status=HeldStatus.PENDING).select_related("project"),
            "can_run_again": run.status in (RunStatus.DONE, RunStatus.CONFIRM)
            and (run.dry_run or run.status == RunStatus.CONFIRM),
        },
    )


@require_POST
def run_confirm(request, run_id: int):
    """After a dry run, or a run stopped for confirmation: the same file, for real.
    When the run touches too many of the source's projects, the editor must tick
    the confirmation under the list."""
    _editor(request)
    previous = get_object_or_404(ImportRun, pk=run_id)
    try:
        run = services.import_run_again(
            run=previous, user=request.user, confirmed=request.POST.get("confirm") == "on"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("innovations_imports:run", run_id=previous.pk)
    services.import_run_enqueue(run=run, user=request.user)
    messages.success(request, _("Import lancé."))
    return redirect("innovations_imports:run", run_id=run.pk)


def run_report_csv(request, run_id: int):
    _editor(request)
    run = get_object_or_404(ImportRun, pk=run_id)
    return csv_download(_report_rows(run), filename=f"rapport-import-{run.pk}.csv")


def _report_rows(run: ImportRun):
    yield [_("statut"), run.get_status_display(), run.message]
    for label, value in (
        (_("enregistrements lus"), run.records_read),
        (_("créés"), run.created),
        (_("mis à jour"), run.updated),
        (_("inchangés"), run.unchanged),
        (_("retenus (identifiant réutilisé)"), run.held),
        (_("lignes regroupées"), run.merged),
        (_("rejetés"), run.rejected),
        (_("ignorés"), run.skipped),
        (_("avertissements"), run.warnings),
        (_("dépubliés"), run.unpublished),
        (_("conflits"), run.conflicts),
        (_("doublons probables"), run.duplicates),
    ):
        yield [label, value]
    lines = services.run_plan_lines(run=run)
    if lines:
        yield []
        for line in lines:
            yield [line]
    for severity, title in (
        (Severity.ERROR, _("lignes rejetées")),
        (Severity.WARNING, _("avertissements (valeur ignorée, projet gardé)")),
    ):
        yield []
        yield [title]
        yield [_("ligne"), _("identifiant"), _("champ"), _("raison")]
        for error in run.row_errors.filter(severity=severity).iterator():
            yield [error.row, error.key, error.field, error.reason]


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


def held_index(request):
    _editor(request)
    held = ImportHeldRecord.objects.filter(status=HeldStatus.PENDING).select_related(
        "project", "source", "run"
    )[:200]
    return TemplateResponse(request, "innovations/admin/held.html", {"held": held})


@require_POST
def held_decide(request, held_id: int):
    _editor(request)
    held = get_object_or_404(ImportHeldRecord, pk=held_id)
    decision = request.POST.get("decision")
    if decision in ("same", "other"):
        services.held_record_resolve(held=held, same_project=decision == "same", user=request.user)
        messages.success(
            request,
            _("Projet mis à jour.") if decision == "same" else _("Nouveau projet créé."),
        )
    return redirect("innovations_imports:held")


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
    path("source/<id:source_id>/importer/", source_import, name="import"),
    path("source/<id:source_id>/correspondance/", source_mapping, name="mapping"),
    path("source/<id:source_id>/cles/", source_keys, name="keys"),
    path("import/<id:run_id>/", run_detail, name="run"),
    path("import/<id:run_id>/lancer/", run_confirm, name="confirm"),
    path("import/<id:run_id>/rapport.csv", run_report_csv, name="report"),
    path("conflits/", conflicts_index, name="conflicts"),
    path("conflits/<id:conflict_id>/", conflict_decide, name="conflict_decide"),
    path("identifiants-reutilises/", held_index, name="held"),
    path("identifiants-reutilises/<id:held_id>/", held_decide, name="held_decide"),
    path("doublons/", duplicates_index, name="duplicates"),
    path("doublons/<id:candidate_id>/", duplicate_decide, name="duplicate_decide"),
]


def menu_url() -> str:
    return reverse("innovations_imports:index")
