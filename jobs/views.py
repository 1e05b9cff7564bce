"""The admin's « Tâches de fond »: every job with its progress, its report when
done, a cancel button while it runs, and buttons that start the jobs editors may
start (re-indexing, alerts, digest). Imports start from their own screens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import Job
from .registry import job_kind, job_kinds
from .services import JobError, job_cancel, job_start

# Started from this page; imports need a source and a file (their own screens).
STARTABLE = ("search_reindex", "search_alerts", "notifications_digest")


def _require(request, permission: str = "jobs.view_job") -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def index(request):
    _require(request)
    jobs = Job.objects.select_related("created_by").order_by("-created_at", "-pk")
    page = Paginator(jobs, 30).get_page(request.GET.get("p"))
    startable = [
        kind
        for code in STARTABLE
        if (kind := job_kind(code)) is not None and request.user.has_perm(kind.permission)
    ]
    return TemplateResponse(
        request,
        "jobs/admin_index.html",
        {
            "page": page,
            "startable": startable,
            "running": any(job.active for job in page),
            "kinds": {code: kind.label for code, kind in job_kinds().items()},
        },
    )


def detail(request, job_id: int):
    _require(request)
    job = get_object_or_404(Job.objects.select_related("created_by", "cancelled_by"), pk=job_id)
    kind = job_kind(job.kind)
    return TemplateResponse(
        request,
        "jobs/admin_detail.html",
        {
            "job": job,
            "kind_label": kind.label if kind else job.kind,
            "can_cancel": job.active
            and request.user.has_perm(kind.permission if kind else "jobs.change_job"),
        },
    )


@require_POST
def cancel(request, job_id: int):
    job = get_object_or_404(Job, pk=job_id)
    kind = job_kind(job.kind)
    _require(request, kind.permission if kind else "jobs.change_job")
    try:
        job = job_cancel(job=job, user=request.user)
    except JobError as exc:
        messages.error(request, str(exc))
    else:
        if job.status == "cancelled":
            messages.success(request, _("Tâche annulée."))
        else:
            messages.success(
                request,
                _("Annulation demandée : la tâche s'arrête à la fin du lot en cours."),
            )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("jobs_admin:detail", job_id=job.pk)


@require_POST
def start(request, kind_code: str):
    kind = job_kind(kind_code)
    if kind is None or kind_code not in STARTABLE:
        raise PermissionDenied
    _require(request, kind.permission)
    job = job_start(kind=kind.code, label=str(kind.label), user=request.user)
    messages.success(request, _("Tâche lancée : le worker la prend en charge."))
    return redirect("jobs_admin:detail", job_id=job.pk)


urlpatterns = [
    path("", index, name="index"),
    path("<int:job_id>/", detail, name="detail"),
    path("<int:job_id>/annuler/", cancel, name="cancel"),
    path("lancer/<slug:kind_code>/", start, name="start"),
]
