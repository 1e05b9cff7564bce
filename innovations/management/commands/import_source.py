"""Import a partner's file, or sync its feed:
manage.py import_source SOURCE [FILE] [--dry-run] [--complete] [--confirm]."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from innovations.models import RunStatus, Source
from innovations.models.imports import Severity
from innovations.services.imports import (
    import_file,
    import_run_create,
    import_run_execute,
    run_plan_lines,
    run_summary,
)
from jobs.cli import Bar

SHOWN = 20


class Command(BaseCommand):
    help = "Importe le fichier d'un partenaire (ou synchronise son flux) avec sa correspondance."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Identifiant (slug) de la source partenaire.")
        parser.add_argument("file", nargs="?", type=Path, help="Fichier ; sans fichier : le flux.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Essai à blanc : rien n'est écrit."
        )
        parser.add_argument(
            "--complete",
            action="store_true",
            help=(
                "Le fichier est la liste complète des projets de la source : ceux qui n'y "
                "sont pas sont dépubliés. Sans cette option, un fichier ajoute et met à jour "
                "seulement. Le flux (sans fichier) est toujours complet."
            ),
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help=(
                "Confirme les dépublications et changements d'identité listés quand ils "
                "dépassent la part permise (IMPORT_UNPUBLISH_MAX_SHARE)."
            ),
        )

    def handle(self, *args, source, file, dry_run, complete, confirm, **options):
        verbosity = options["verbosity"]
        try:
            partner = Source.objects.get(slug=source)
        except Source.DoesNotExist:
            raise CommandError(_("Source inconnue : %(source)s") % {"source": source}) from None

        progress = Bar(_("Import"), enabled=verbosity >= 1)

        if file is not None:
            if not file.exists():
                raise CommandError(_("Fichier introuvable : %(path)s") % {"path": file})
            run = import_file(
                source=partner,
                path=file,
                dry_run=dry_run,
                complete=complete,
                confirmed=confirm,
                progress=progress,
            )
        else:
            try:
                run = import_run_create(
                    source=partner, user=None, dry_run=dry_run, confirmed=confirm
                )
            except Exception as exc:
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from None
            run = import_run_execute(run=run, progress=progress)
        progress.close()
        if run.status == RunStatus.FAILED:
            raise CommandError(run.message)
        if run.status == RunStatus.CONFIRM:
            for line in run_plan_lines(run=run):
                self.stdout.write("  " + line)
            raise CommandError(
                run.message + " " + _("Relancez avec --confirm pour importer quand même.")
            )
        self.stdout.write(self.style.SUCCESS(run_summary(run=run)))
        if verbosity < 1:
            return
        if run.dry_run:
            for line in run_plan_lines(run=run):
                self.stdout.write("  " + line)
            if run.plan.get("needs_confirmation"):
                self.stdout.write(
                    "  "
                    + _(
                        "Cet import touche %(share)s %% des projets de la source (au-delà de "
                        "%(limit)s %%) : l'import réel demandera --confirm."
                    )
                    % {
                        "share": run.plan["share_percent"],
                        "limit": run.plan["limit_percent"],
                    }
                )
            elif run.plan.get("absent"):
                self.stdout.write(
                    "  "
                    + _(
                        "%(count)s projets de la source sont absents du fichier : gardés "
                        "(fichier partiel ; --complete pour les dépublier)."
                    )
                    % {"count": run.plan["absent"]}
                )
        for severity, label in (
            (Severity.ERROR, _("ligne %(row)s (%(field)s) : %(reason)s")),
            (Severity.WARNING, _("avertissement, ligne %(row)s (%(field)s) : %(reason)s")),
        ):
            errors = run.row_errors.filter(severity=severity)
            for error in errors[:SHOWN]:
                self.stdout.write(
                    "  "
                    + label
                    % {"row": error.row, "field": error.field or "—", "reason": error.reason}
                )
            total = errors.count()
            if total > SHOWN:
                self.stdout.write(
                    "  "
                    + _("… et %(count)s autres (rapport complet dans l'administration).")
                    % {"count": total - SHOWN}
                )
