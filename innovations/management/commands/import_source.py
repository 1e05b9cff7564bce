"""Import a partner's file, or sync its feed: manage.py import_source SOURCE [FILE] [--dry-run]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from innovations.models import RunStatus, Source
from innovations.services.imports import (
    import_file,
    import_run_create,
    import_run_execute,
    run_summary,
)


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
            raise CommandError(_("Source inconnue : %(source)s") % {"source": source}) from None

        def progress(done: int, total: int) -> None:
            if verbosity >= 1 and total:
                width = 30
                filled = min(width, int(width * done / total))
                self.stdout.write(
                    f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=""
                )
                self.stdout.flush()

        if file is not None:
            if not file.exists():
                raise CommandError(_("Fichier introuvable : %(path)s") % {"path": file})
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
        self.stdout.write(self.style.SUCCESS(run_summary(run=run)))
        for error in run.row_errors.all()[:20] if verbosity >= 1 else []:
            self.stdout.write(
                "  "
                + _("ligne %(row)s (%(field)s) : %(reason)s")
                % {"row": error.row, "field": error.field or "—", "reason": error.reason}
            )
        if run.rejected > 20 and verbosity >= 1:
            self.stdout.write(
                "  "
                + _("… et %(count)s autres (rapport complet dans l'administration).")
                % {"count": run.rejected - 20}
            )
