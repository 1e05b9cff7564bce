"""Scheduled syncs of every active source that publishes a feed (run from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from innovations.services.imports import import_runs_for_feeds, run_summary


class Command(BaseCommand):
    help = "Synchronise toutes les sources actives qui publient un flux."

    def handle(self, *args, **options):
        for run in import_runs_for_feeds():
            self.stdout.write(" ".join(filter(None, [run_summary(run=run), run.message])))
