"""Apply index updates that waited (engine down); run it from cron every minute.
With --full, also compare the whole index with the database and repair every
difference (nightly cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from search.indexing import BackendUnavailable, pending_count, process, reconcile
from search.models import IndexQueue
from search.registry import adapters


class Command(BaseCommand):
    help = (
        "Applique les mises à jour d'index en attente (cron, chaque minute) ; avec --full, "
        "compare tout l'index à la base et répare chaque différence (cron, chaque nuit)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Sans attendre les délais.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Réconciliation complète : contenu et visibilité de chaque document.",
        )
        parser.add_argument(
            "kinds", nargs="*", help="Types à réconcilier avec --full (par défaut : tous)."
        )

    def handle(self, *args, all: bool, full: bool, kinds: list[str], **options):
        if kinds and not full:
            raise CommandError("Les types ne s'indiquent qu'avec --full.")
        unknown = set(kinds) - set(adapters())
        if unknown:
            raise CommandError(
                f"Type inconnu : {', '.join(sorted(unknown))} "
                f"(connus : {', '.join(sorted(adapters()))})."
            )
        if all:
            IndexQueue.objects.update(next_attempt_at=timezone.now())
        report = process(limit=5000)
        self.stdout.write(
            f"{report.indexed} indexés, {report.deleted} retirés, {report.failed} en échec, "
            f"{pending_count()} en attente."
        )
        for error in report.errors:
            self.stderr.write(error)
        if not full:
            return
        try:
            reconciled = reconcile(kinds=kinds or None)
        except BackendUnavailable as exc:
            raise CommandError(f"Le moteur de recherche ne répond pas : {exc}") from None
        self.stdout.write(
            f"Réconciliation : {reconciled.checked} documents vérifiés, "
            f"{reconciled.repaired} réparés, {reconciled.removed} retirés."
        )
        for key in reconciled.repaired_keys[:20]:
            self.stdout.write(f"  réparé : {key}")
        for key in reconciled.removed_keys[:20]:
            self.stdout.write(f"  retiré : {key}")
