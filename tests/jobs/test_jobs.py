"""Background jobs (jobs/): progress, report, cancel, and a killed worker's job
resumed by the next one without duplicates or half batches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from innovations.importing import engine
from innovations.models import ImportRun, ProjectPage, ProjectSourceRecord, RunStatus, Source, Trust
from innovations.services.imports import import_run_create, import_run_enqueue
from jobs import registry
from jobs.models import Job, JobStatus
from jobs.services import job_cancel, job_create, job_run, job_start, jobs_recover
from tests.innovations.importing.test_engine import HEADER, MAPPING, row

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no except clause catches it."""


@pytest.fixture
def kind():
    seen = {}

    def run(context):
        for done in range(1, 4):
            context.report(read=done, total=3, created=done)
            if seen.get("cancel_after") == done:
                job_cancel(job=context.job)
                context.report(force=True)
        return "Fini.", {"lignes": 3}

    registry.register_job_kind(registry.JobKind(code="essai", label="Essai", run=run))
    yield seen
    registry._kinds.pop("essai", None)


def test_a_job_runs_in_the_background_and_keeps_its_report(
    kind, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="essai", label="Essai", user=editor)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.read, job.total, job.created) == (3, 3, 3)
    assert job.report == {"lignes": 3} and job.message == "Fini."
    assert job.created_by == editor and job.attempts == 1


def test_a_pending_job_is_cancelled_at_once(kind, editor):
    job = job_create(kind="essai", label="Essai")
    job = job_cancel(job=job, user=editor)
    assert job.status == JobStatus.CANCELLED and job.cancelled_by == editor
    assert job_run(job_id=job.pk).status == JobStatus.CANCELLED  # never started


def test_a_running_job_stops_between_two_batches(kind):
    kind["cancel_after"] = 1
    job = job_create(kind="essai", label="Essai")
    job = job_run(job_id=job.pk)
    assert job.status == JobStatus.CANCELLED
    assert job.read == 1  # the second batch never started
    assert "rien n'est resté à moitié" in job.message


def test_an_unknown_kind_is_refused_in_french():
    from jobs.services import JobError

    with pytest.raises(JobError, match="Type de tâche inconnu"):
        job_create(kind="nimporte", label="?")


# --- imports ----------------------------------------------------------------------


@pytest.fixture
def source(projects_index):
    return Source.objects.create(
        name="Réseau Partenaire", slug="reseau", trust=Trust.DIRECT, mapping=MAPPING
    )


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(engine, "BATCH", 2)


def _upload(count: int) -> SimpleUploadedFile:
    text = HEADER + "".join(row(f"P{i}", f"Projet numéro {i}") for i in range(count))
    return SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")


def _run(source, editor) -> ImportRun:
    return import_run_create(source=source, user=editor, upload=_upload(5))


def test_an_import_is_a_job_with_its_figures(
    source, editor, small_batches, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_run_enqueue(run=_run(source, editor), user=editor)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert (job.read, job.total, job.created, job.rejected) == (5, 5, 5, 0)
    assert job.report["créés"] == 5


def test_a_cancelled_import_keeps_whole_batches_only(source, editor, small_batches, monkeypatch):
    run = _run(source, editor)
    job = import_run_enqueue(run=run, user=editor)  # not committed: the worker has not run it
    advance = engine._advance

    def cancel_after_first_batch(run_, count, **kwargs):
        # The editor presses « Annuler » while the first batch is being written.
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        advance(run_, count, **kwargs)

    monkeypatch.setattr(engine, "_advance", cancel_after_first_batch)
    monkeypatch.setattr("jobs.services.REPORT_EVERY", 0.0)
    job = job_run(job_id=job.pk)
    run.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert run.status == RunStatus.CANCELLED
    assert ProjectSourceRecord.objects.filter(source=source).count() == 2  # one whole batch
    assert run.created == 2


def test_a_killed_worker_s_import_is_resumed_without_duplicates(
    source, editor, small_batches, monkeypatch, django_capture_on_commit_callbacks
):
    run = _run(source, editor)
    job = import_run_enqueue(run=run, user=editor)
    advance = engine._advance
    calls = []

    def killed_after_first_batch(run_, count, **kwargs):
        advance(run_, count, **kwargs)
        calls.append(count)
        if len(calls) == 1:
            raise WorkerKilled

    monkeypatch.setattr(engine, "_advance", killed_after_first_batch)
    with pytest.raises(WorkerKilled):
        job_run(job_id=job.pk)
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == JobStatus.RUNNING and run.status == RunStatus.RUNNING
    assert ProjectSourceRecord.objects.filter(source=source).count() == 2

    # Too early: the heartbeat is fresh, nobody takes it over.
    assert jobs_recover() == []
    later = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        recovered = jobs_recover(now=later)
    assert [j.pk for j in recovered] == [job.pk]
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.attempts == 2
    assert run.status == RunStatus.DONE
    records = ProjectSourceRecord.objects.filter(source=source)
    assert records.count() == 5
    assert len({r.source_identifier for r in records}) == 5
    assert ProjectPage.objects.filter(title__startswith="Projet numéro").count() == 5
    # The report adds up: the first attempt's batch is « unchanged » on the second.
    assert (run.created, run.unchanged) == (3, 2)
    assert run.created + run.updated + run.unchanged + run.rejected == run.records_read == 5


def test_an_import_cut_off_from_the_database_is_resumed_not_failed(
    source, editor, small_batches, monkeypatch, django_capture_on_commit_callbacks
):
    """PostgreSQL restarting under an import (benchmarks/faults.py, « postgres »): the
    run is not failed — it stays running like a killed worker's, and is resumed once
    the database answers, adding nothing twice."""
    from django.db import OperationalError

    run = _run(source, editor)
    job = import_run_enqueue(run=run, user=editor)
    advance = engine._advance
    calls = []

    def database_gone_after_first_batch(run_, count, **kwargs):
        advance(run_, count, **kwargs)
        calls.append(count)
        if len(calls) == 1:
            raise OperationalError("couldn't get a connection after 5.00 sec")

    monkeypatch.setattr(engine, "_advance", database_gone_after_first_batch)
    job = job_run(job_id=job.pk)
    run.refresh_from_db()
    assert job.status == JobStatus.RUNNING and run.status == RunStatus.RUNNING
    assert ProjectSourceRecord.objects.filter(source=source).count() == 2  # one whole batch
    with django_capture_on_commit_callbacks(execute=True):
        assert [j.pk for j in jobs_recover(now=timezone.now() + timedelta(minutes=5))] == [job.pk]
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2, job.message
    assert run.status == RunStatus.DONE
    assert ProjectSourceRecord.objects.filter(source=source).count() == 5
    assert (run.created, run.unchanged) == (3, 2)


def test_an_import_run_from_a_command_still_fails_on_a_database_error(source, monkeypatch):
    """Outside a job nobody resumes the run: it fails, with its message."""
    from django.db import OperationalError

    from innovations.services.imports import import_run_execute

    run = import_run_create(source=source, user=None, upload=_upload(3))

    def database_gone(run_, count, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(engine, "_advance", database_gone)
    run = import_run_execute(run=run)
    assert run.status == RunStatus.FAILED
    assert "relancez l'import" in run.message


def test_a_job_whose_worker_keeps_dying_is_given_up(kind):
    job = job_create(kind="essai", label="Essai")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=3, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    [job] = jobs_recover()
    assert job.status == JobStatus.FAILED
    assert "3 fois" in job.message


# --- admin and commands -----------------------------------------------------------


def test_editors_follow_start_and_cancel_jobs_in_the_admin(
    client, editor, kind, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    pending = job_create(kind="essai", label="Essai en attente")
    page = client.get(reverse("jobs_admin:index"))
    assert page.status_code == 200
    assert "Essai en attente" in page.content.decode()
    assert "Réindexation complète" in page.content.decode()  # a button to start it
    response = client.post(reverse("jobs_admin:cancel", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == JobStatus.CANCELLED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs_admin:start", args=["search_reindex"]))
    job = Job.objects.get(kind="search_reindex")
    assert job.status == JobStatus.DONE, job.message
    detail = client.get(reverse("jobs_admin:detail", args=[job.pk])).content.decode()
    assert "documents indexés" in detail


def test_members_without_the_permission_see_no_jobs(client, user):
    client.force_login(user)
    assert client.get(reverse("jobs_admin:index")).status_code in (302, 403)


def test_commands_hand_their_work_to_the_worker(capsys, django_capture_on_commit_callbacks):
    call_command("search_reindex", "--fond")
    call_command("send_alerts", "--fond")
    assert Job.objects.filter(kind="search_reindex", status=JobStatus.PENDING).exists()
    assert Job.objects.filter(kind="search_alerts").exists()
    assert "confiée au worker" in capsys.readouterr().out


def test_the_worker_waits_for_the_database_instead_of_exiting(monkeypatch):
    """The database restarting: django-tasks-db's loop lets OperationalError out; the
    worker must wait and loop again, not exit (ops/supervise.py would restart it
    until its limit stops all of make serve)."""
    from django.db import OperationalError
    from django_tasks_db.management.commands import db_worker

    from jobs.management.commands import carrefour_worker

    calls = []

    def run(self):
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("connection refused")

    monkeypatch.setattr(db_worker.Worker, "run", run)
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)
    monkeypatch.setattr(carrefour_worker, "_Recoverer", _NoRecoverer)
    monkeypatch.setattr(carrefour_worker.time, "sleep", lambda seconds: None)
    # (Not call_command: the suite's « background » backend runs tasks immediately,
    # which the command's option parser refuses.)
    carrefour_worker.Command().handle(
        verbosity=0,
        queue_name="*",
        interval=0,
        batch=False,
        backend_name="background",
        startup_delay=False,
        reload=False,
        max_tasks=None,
        worker_id="essai",
    )
    assert len(calls) == 3


class _NoRecoverer:
    def __init__(self):
        import threading

        self.stop = threading.Event()

    def start(self):
        pass
