"""Background tasks (django-tasks): imports run outside the request that asked."""

from __future__ import annotations

from django_tasks import task

from .models import ImportRun


@task(backend="imports")
def run_import_task(run_id: int) -> str:
    from .services.imports import import_run_execute

    run = ImportRun.objects.select_related("source").get(pk=run_id)
    run = import_run_execute(run=run)
    return run.status
