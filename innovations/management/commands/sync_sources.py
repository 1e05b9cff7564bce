"""Scheduled syncs of every active source that publishes a feed (run from cron).

A feed is the source's complete list: what it lacks is unpublished. A sync that
would unpublish or re-identify more than IMPORT_UNPUBLISH_MAX_SHARE of a source's
projects stops before writing and waits for an editor's confirmation (in the
admin, or ``import_source <source> --confirm``): cron never confirms."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from innovations.models import RunStatus
from innovations.services.imports import import_runs_for_feeds, run_plan_lines, run_summary


class Command(BaseCommand):
    help = "Synchronise toutes les sources actives qui publient un flux."

    def handle(self, *args, **options):
        for run in import_runs_for_feeds():
            self.stdout.write(" ".join(filter(None, [run_summary(run=run), run.message])))
            if run.status == RunStatus.CONFIRM:
                for line in run_plan_lines(run=run):
                    self.stdout.write("  " + line)
