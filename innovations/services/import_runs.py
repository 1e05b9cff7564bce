"""Executing a partner import run: now, or in the background (django-tasks).

The background task lives here, beside the service it runs, rather than in
innovations/tasks.py: a task calls a service and a service enqueues the task, so
the two in separate modules import each other (issue 11). This module imports no
other service module; innovations.services.imports re-exports what it offers.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Job
from jobs.services import JobContext, JobError, job_start

from ..importing import engine
from ..importing.mapping import MappingError, compile_mapping
from ..importing.readers import ImportFileError, read_bytes, read_http_json
from ..models import ImportRun, RunStatus


def _reader(run: ImportRun):
    source = run.source
    if run.file:

        def read():
            with run.file.open("rb") as handle:
                return read_bytes(handle.read(), filename=run.filename)

        return read
    if source.feed_format in ("", "json"):
        return lambda: read_http_json(
            source.feed_url,
            items_path=source.feed_items_path or None,
            next_path=source.feed_next_path or None,
            page_param=source.feed_page_param or None,
        )

    def download():
        import requests

        try:
            response = requests.get(source.feed_url, timeout=60)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise ImportFileError(
                _("Le flux du partenaire ne répond pas (%(error)s).") % {"error": exc}
            ) from None
        return read_bytes(response.content, filename=source.feed_url, format=source.feed_format)

    return download


def import_run_execute(*, run: ImportRun, progress=None, resumable: bool = False) -> ImportRun:
    """Execute a pending run: read, map, validate, write; its report is kept on it.
    ``resumable``: see ``engine.run_import`` (the background job's)."""
    if run.status not in (RunStatus.PENDING, RunStatus.FAILED):
        return run
    try:
        mapping = compile_mapping(run.source.mapping)
    except MappingError as exc:
        run.status, run.message = RunStatus.FAILED, str(exc)
        run.finished_at = timezone.now()
        run.save()
        return run
    return engine.run_import(
        run=run, mapping=mapping, read=_reader(run), progress=progress, resumable=resumable
    )


def run_import_job(context: JobContext) -> tuple[str, dict]:
    """The background job of a run (jobs/). Resumable: every batch is one
    transaction, and the records an earlier attempt wrote are skipped on the next
    (their content hash is that of the file), so a run started over after its
    worker died — or after the database went away under it — adds nothing twice.
    Cancelled between two batches."""
    run = ImportRun.objects.select_related("source").get(pk=context.job.params["run"])
    if run.status == RunStatus.RUNNING:  # its worker died mid-run: start over
        run.status = RunStatus.PENDING
        # The figures become those of the attempt that finishes: what the dead one
        # wrote is « inchangé » now (its records are skipped by their hash), so
        # keeping its « créés » would count those records twice (read ≠ the sum).
        run.processed = run.created = run.updated = run.conflicts = 0
        run.message = _("Reprise après l'arrêt du worker précédent.")
        run.save(
            update_fields=["status", "processed", "created", "updated", "conflicts", "message"]
        )

    def progress(processed: int, total: int) -> None:
        context.report(
            read=processed,
            total=total,
            created=run.created,
            updated=run.updated,
            rejected=run.rejected,
        )

    run = import_run_execute(run=run, progress=progress, resumable=True)
    context.report(force=True, read=run.processed, total=run.total, rejected=run.rejected)
    if run.status == RunStatus.FAILED:
        raise JobError(run.message)
    report = {
        str(_("créés")): run.created,
        str(_("mis à jour")): run.updated,
        str(_("inchangés")): run.unchanged,
        str(_("dépubliés")): run.unpublished,
        str(_("rejetés")): run.rejected,
        str(_("conflits")): run.conflicts,
    }
    return run.get_status_display(), report


def import_run_enqueue(*, run: ImportRun, user=None) -> Job:
    """Execute in the background (a job, jobs/) once the run is committed."""
    return job_start(
        kind=IMPORT_JOB,
        label=_("Import « %(source)s »") % {"source": run.source.name},
        params={"run": run.pk},
        user=user or run.triggered_by,
    )


IMPORT_JOB = "import"
