"""Load the official French territories (régions, départements, communes)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from innovations.territories import TerritoryDataError, default_communes_file, territories_load


class Command(BaseCommand):
    help = (
        "Charge les régions et départements (fournis avec le projet) et les communes du "
        "paquet npm @etalab/decoupage-administratif."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--communes",
            type=Path,
            default=None,
            help=f"Fichier communes.json (par défaut : {default_communes_file()} s'il existe).",
        )
        parser.add_argument(
            "--coordinates",
            type=Path,
            default=None,
            help="CSV code,latitude,longitude (facultatif).",
        )
        parser.add_argument(
            "--without-communes", action="store_true", help="Régions et départements seulement."
        )

    def handle(self, *args, communes, coordinates, without_communes, **options):
        self.verbosity = options["verbosity"]
        if without_communes:
            communes = None
        elif communes is None:
            if default_communes_file().exists():
                communes = default_communes_file()
            else:
                self.stderr.write(
                    self.style.WARNING(
                        "Paquet @etalab/decoupage-administratif absent (npm introuvable ?) : "
                        "seuls les régions et départements sont chargés."
                    )
                )
        elif not communes.exists():
            raise CommandError(f"Fichier introuvable : {communes}")

        def progress(done: int, total: int) -> None:
            if self.verbosity >= 1:
                width = 30
                filled = int(width * done / total) if total else width
                self.stdout.write(
                    f"\rCommunes : [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
                    ending="",
                )
                self.stdout.flush()

        try:
            report = territories_load(
                communes_path=communes, coordinates_path=coordinates, progress=progress
            )
        except TerritoryDataError as exc:
            raise CommandError(str(exc)) from None
        if report.communes:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.regions} régions, {report.departements} départements, "
                f"{report.communes} communes chargés"
                + (f" ({report.skipped} lignes ignorées)" if report.skipped else "")
                + "."
            )
        )
