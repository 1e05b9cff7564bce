"""The background worker (``make worker``): django-tasks-db's ``db_worker`` on the
``background`` backend, every queue, which also hands the jobs of workers that
died back to the queue (``jobs_recover``) when it starts and every minute.

SIGTERM (systemd, ``make run``/``make serve`` stopping): django-tasks-db lets the
task in progress finish, then exits 0; a second signal stops it at once, and the
job is resumed by the next worker (a resumable job writes in whole batches).
"""

from __future__ import annotations

import logging
import threading

from django.db import connection
from django_tasks_db.management.commands import db_worker

from jobs.services import jobs_recover

logger = logging.getLogger(__name__)
RECOVER_EVERY = 60.0


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
            super().handle(*args, **options)
        finally:
            recoverer.stop.set()
