"""Apply index updates that waited (engine down); run it from cron every minute."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from search.indexing import pending_count, process


class Command(BaseCommand):
    help = "Applique les mises à jour d'index en attente (à lancer régulièrement, par cron)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Sans attendre les délais.")

    def handle(self, *args, all: bool, **options):
        if all:
            from django.utils import timezone

            from search.models import IndexQueue

            IndexQueue.objects.update(next_attempt_at=timezone.now())
        report = process(limit=5000)
        self.stdout.write(
            f"{report.indexed} indexés, {report.deleted} retirés, {report.failed} en échec, "
            f"{pending_count()} en attente."
        )
        for error in report.errors:
            self.stderr.write(error)
