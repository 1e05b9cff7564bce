"""The background worker (``make worker``): django-tasks-db's ``db_worker`` on the
``background`` backend, every queue, which also hands the jobs of workers that
died back to the queue (``jobs_recover``) when it starts and every minute.

SIGTERM (systemd, ``make run``/``make serve`` stopping): django-tasks-db lets the
task in progress finish, then exits 0; a second signal stops it at once, and the
job is resumed by the next worker (a resumable job writes in whole batches).

The database restarting or unreachable: django-tasks-db's loop lets the error out
and the process would exit; ops/supervise.py would start it again, and again — each
start waits the pool's timeout once more — until its limit of restarts a minute stops
all of ``make serve`` (benchmarks/faults.py, « postgres »). So the worker waits
instead, and starts its loop again when the database answers.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import InterfaceError, OperationalError, connection, connections
from django_tasks_db.management.commands import db_worker

from jobs.services import jobs_recover

logger = logging.getLogger(__name__)
RECOVER_EVERY = 60.0
DATABASE_RETRY_SECONDS = 2.0


class _Recoverer(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True, name="jobs-recover")
        self.stop = threading.Event()

    def run(self) -> None:
        while True:
            try:
                for job in jobs_recover():
                    logger.warning("Job %s (%s): %s", job.pk, job.kind, job.get_status_display())
            except Exception:  # the database restarting: tried again a minute later
                logger.exception("Recovering stopped jobs failed")
            finally:
                connection.close()
            if self.stop.wait(RECOVER_EVERY):
                return


class Command(db_worker.Command):
    help = "Exécute les tâches de fond (imports, réindexation, alertes, résumés)."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(backend_name="background", queue_name="*", reload=False)

    def handle(self, *args, **options) -> None:
        recoverer = _Recoverer()
        recoverer.start()
        try:
            while True:
                try:
                    super().handle(*args, **options)
                    return
                except (OperationalError, InterfaceError) as exc:
                    # A task in progress stays « running »: jobs_recover resumes its job.
                    logger.warning(
                        "Database unavailable (%s): the worker tries again in %ss",
                        exc,
                        DATABASE_RETRY_SECONDS,
                    )
                    connections.close_all()
                    time.sleep(DATABASE_RETRY_SECONDS)
        finally:
            recoverer.stop.set()
