"""Rebuild the search index from the database (no moment without results)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from search.backends import BackendUnavailable, get_backend
from search.indexing import reindex
from search.registry import adapters


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche (tous les types, ou ceux donnés)."

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help=f"Types : {', '.join(adapters())}")

    def handle(self, *args, kinds, **options):
        verbosity = options["verbosity"]
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if verbosity >= 1 and total:
                width = 30
                filled = min(width, int(width * done / total))
                self.stdout.write(
                    f"\rIndexation : [{'#' * filled}{'.' * (width - filled)}] {done}/{total}",
                    ending="",
                )
                self.stdout.flush()

        try:
            count = reindex(kinds=kinds or None, progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except BackendUnavailable as exc:
            raise CommandError(f"Moteur de recherche injoignable : {exc}") from None
        elapsed = time.perf_counter() - started
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} documents indexés en {elapsed:.1f} s ({get_backend().name})."
            )
        )
