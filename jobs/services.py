"""Background jobs: create, run in the worker, report progress, cancel, resume.

The django-tasks task that runs a job lives here beside the services (as
innovations/services/import_runs.py does): the task calls ``job_run`` and
``job_enqueue`` enqueues the task.

A killed worker — or a database that goes away under a resumable job — leaves its
job « running » with a heartbeat that stops moving;
``jobs_recover`` (the worker calls it every minute, see ``carrefour_worker``) puts
such a job back in the queue for the next worker — every kind registered as
resumable writes in whole transactional batches and skips what it already wrote,
so starting over adds nothing twice and no batch is ever left half-written.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Job, JobStatus
from .registry import job_kind

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
STALE_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 3
REPORT_EVERY = 0.5  # seconds between two writes of the figures


class JobCancelled(Exception):
    """Raised inside a job between two batches when an editor cancelled it."""


class JobError(Exception):
    """A job that cannot be started or cancelled (French message)."""


def job_create(*, kind: str, label: str, params: dict | None = None, user=None) -> Job:
    if job_kind(kind) is None:
        raise JobError(_("Type de tâche inconnu : %(kind)s.") % {"kind": kind})
    return Job.objects.create(
        kind=kind,
        label=label[:255],
        params=params or {},
        created_by=user if user is not None and user.is_authenticated else None,
    )


def job_enqueue(*, job: Job) -> None:
    """Hand the job to the background worker once it is committed."""
    transaction.on_commit(lambda: run_job_task.enqueue(job.pk))


def job_start(*, kind: str, label: str, params: dict | None = None, user=None) -> Job:
    job = job_create(kind=kind, label=label, params=params, user=user)
    job_enqueue(job=job)
    return job


def job_cancel(*, job: Job, user=None) -> Job:
    """Cancel a job: at once if it has not started, else between two batches."""
    if not job.active:
        raise JobError(_("Cette tâche est déjà terminée : elle ne peut plus être annulée."))
    who = user if user is not None and user.is_authenticated else None
    stopped = Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
        status=JobStatus.CANCELLED,
        cancelled_by=who,
        finished_at=timezone.now(),
        message=_("Annulée avant d'avoir commencé."),
    )
    if not stopped:
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            cancel_requested=True, cancelled_by=who
        )
    job.refresh_from_db()
    return job


class JobContext:
    """What a running job sees: its Job, and ``report()`` for its figures."""

    def __init__(self, job: Job, *, echo=None):
        self.job = job
        self._echo = echo
        self._written = 0.0
        self.cancelled = threading.Event()

    def report(self, *, force: bool = False, **figures: int) -> None:
        """Set the figures given (read, total, created, updated, rejected); they are
        written at most every half second. Raises JobCancelled if asked to stop."""
        for name, value in figures.items():
            setattr(self.job, name, value)
        if self._echo:
            self._echo(self.job)
        now = time.monotonic()
        if force or now - self._written >= REPORT_EVERY:
            self._written = now
            fields = ("total", "read", "created", "updated", "rejected")
            Job.objects.filter(pk=self.job.pk).update(
                heartbeat_at=timezone.now(), **{f: getattr(self.job, f) for f in fields}
            )
            if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
                self.cancelled.set()
        self.check()

    def check(self) -> None:
        if self.cancelled.is_set():
            raise JobCancelled


class _Heartbeat(threading.Thread):
    """Writes the job's heartbeat while it runs (even in a long step with no
    progress to report) and notices a cancel request."""

    def __init__(self, context: JobContext):
        super().__init__(daemon=True, name=f"job-{context.job.pk}-heartbeat")
        self.context = context
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.wait(HEARTBEAT_SECONDS):
                self._beat()
        finally:
            connection.close()

    def _beat(self) -> None:
        try:
            Job.objects.filter(pk=self.context.job.pk).update(heartbeat_at=timezone.now())
            if Job.objects.filter(pk=self.context.job.pk, cancel_requested=True).exists():
                self.context.cancelled.set()
        except Exception:  # the database restarting: the next beat tries again
            logger.warning("Heartbeat of job %s not written", self.context.job.pk)
            close_old_connections()


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def job_run(*, job_id: int, echo=None) -> Job:
    """Run a pending job here and now (the worker's task, or a command's
    ``--now``). A job another worker holds, or already finished, is left alone."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        worker=_worker_name(),
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job
    Job.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
    job.attempts += 1
    kind = job_kind(job.kind)
    context = JobContext(job, echo=echo)
    if job.cancel_requested:
        context.cancelled.set()
    beat = _Heartbeat(context)
    beat.start()
    try:
        if kind is None:
            raise JobError(_("Type de tâche inconnu : %(kind)s.") % {"kind": job.kind})
        message, report = kind.run(context)
    except JobCancelled:
        job.status = JobStatus.CANCELLED
        job.message = _(
            "Annulée en cours de route : ce qui était déjà écrit l'est complètement, "
            "rien n'est resté à moitié."
        )
        job.report = {}
    except Exception as exc:
        if kind is not None and kind.resumable and _database_unavailable(exc):
            # The database went away under the job (restart, failover): as when its
            # worker dies, it stays « running », its heartbeat stops, and
            # jobs_recover hands it to a worker once the database answers again.
            logger.warning("Job %s interrupted, the database is unavailable: %s", job.pk, exc)
            return job
        logger.exception("Job %s failed", job.pk)
        job.status = JobStatus.FAILED
        job.message = _("La tâche s'est arrêtée : %(error)s") % {"error": exc}
        job.report = {}
    else:
        job.status = JobStatus.DONE
        job.message, job.report = message, report
    finally:
        beat.done.set()
        beat.join(timeout=5)
    job.finished_at = timezone.now()
    job.heartbeat_at = job.finished_at
    job.save()
    return job


def _database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@task(backend="background")
def run_job_task(job_id: int) -> str:
    return job_run(job_id=job_id).status


def jobs_recover(*, now=None, stale_after: timedelta = STALE_AFTER) -> list[Job]:
    """Jobs left running by a worker that died (no heartbeat for ``stale_after``):
    back in the queue, or failed after MAX_ATTEMPTS, or cancelled if that was asked."""
    now = now or timezone.now()
    stale = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=now - stale_after) | Q(heartbeat_at__isnull=True)
    )
    recovered = []
    for job in stale:
        kind = job_kind(job.kind)
        if job.cancel_requested:
            changes = {
                "status": JobStatus.CANCELLED,
                "finished_at": now,
                "message": _("Annulée (le worker qui l'exécutait s'est arrêté)."),
            }
        elif kind is None or not kind.resumable or job.attempts >= MAX_ATTEMPTS:
            changes = {
                "status": JobStatus.FAILED,
                "finished_at": now,
                "message": _(
                    "Le worker qui l'exécutait s'est arrêté %(count)s fois : tâche abandonnée, "
                    "relancez-la après avoir vérifié les journaux."
                )
                % {"count": job.attempts},
            }
        else:
            changes = {"status": JobStatus.PENDING, "worker": ""}
        # Only if nobody touched it meanwhile (its heartbeat is still the stale one).
        if Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(**changes):
            job.refresh_from_db()
            if job.status == JobStatus.PENDING:
                logger.warning("Job %s resumed after its worker stopped", job.pk)
                job_enqueue(job=job)
            recovered.append(job)
    return recovered
