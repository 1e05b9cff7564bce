"""Import a partner's file, or sync its feed: manage.py import_source SOURCE [FILE] [--dry-run]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from innovations.models import RunStatus, Source
from innovations.services.imports import import_file, import_run_create, import_run_execute


class Command(BaseCommand):
    help = "Importe le fichier d'un partenaire (ou synchronise son flux) avec sa correspondance."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Identifiant (slug) de la source partenaire.")
        parser.add_argument("file", nargs="?", type=Path, help="Fichier ; sans fichier : le flux.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Essai à blanc : rien n'est écrit."
        )

    def handle(self, *args, source, file, dry_run, **options):
        verbosity = options["verbosity"]
        try:
            partner = Source.objects.get(slug=source)
        except Source.DoesNotExist:
            raise CommandError(f"Source inconnue : {source}") from None

        def progress(done: int, total: int) -> None:
            if verbosity >= 1 and total:
                width = 30
                filled = min(width, int(width * done / total))
                self.stdout.write(
                    f"\rImport : [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
                )
                self.stdout.flush()

        if file is not None:
            if not file.exists():
                raise CommandError(f"Fichier introuvable : {file}")
            run = import_file(source=partner, path=file, dry_run=dry_run, progress=progress)
        else:
            try:
                run = import_run_create(source=partner, user=None, dry_run=dry_run)
            except Exception as exc:
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
            run = import_run_execute(run=run, progress=progress)
        self.stdout.write("")
        if run.status == RunStatus.FAILED:
            raise CommandError(run.message)
        label = "Essai à blanc" if run.dry_run else "Import"
        self.stdout.write(
            self.style.SUCCESS(
                f"{label} terminé : {run.created} créés, {run.updated} mis à jour, "
                f"{run.unchanged} inchangés, {run.unpublished} dépubliés, {run.rejected} lignes "
                f"rejetées, {run.skipped} ignorées, {run.conflicts} conflits, "
                f"{run.duplicates} doublons probables."
            )
        )
        for error in run.row_errors.all()[:20] if verbosity >= 1 else []:
            self.stdout.write(f"  ligne {error.row} ({error.field or '—'}) : {error.reason}")
        if run.rejected > 20 and verbosity >= 1:
            self.stdout.write(f"  … et {run.rejected - 20} autres (rapport complet dans l'admin).")
