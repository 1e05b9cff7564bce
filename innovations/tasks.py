"""Background tasks (django-tasks): imports run outside the request that asked.

Each task is defined beside the service it runs (issue 11: a task module that
calls services while services enqueue its tasks made a circle). Listed here for
the reader, and so that tasks queued under ``innovations.tasks.<name>`` before the
move still resolve when the worker picks them up.
"""

from __future__ import annotations

from .services.import_runs import run_import_task

__all__ = ["run_import_task"]
