"""Background work of this app: a partner import runs as a job (jobs/) whose
runner, ``run_import_job``, lives beside the service it calls (issue 11: a task
module that calls services while services enqueue its tasks made a circle).
Listed here for the reader."""

from __future__ import annotations

from .services.import_runs import IMPORT_JOB, run_import_job

__all__ = ["IMPORT_JOB", "run_import_job"]
