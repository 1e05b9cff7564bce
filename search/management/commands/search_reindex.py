"""Rebuild the search index from the database (no moment without results)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from jobs.cli import Bar, add_background_option, started_line
from jobs.services import job_start
from search.backends import BackendUnavailable, get_backend
from search.indexing import reindex
from search.jobs import REINDEX
from search.registry import adapters


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche (tous les types, ou ceux donnés)."

    def add_arguments(self, parser):
        parser.add_argument("kinds", nargs="*", help=f"Types : {', '.join(adapters())}")
        add_background_option(parser)

    def handle(self, *args, kinds, fond=False, **options):
        verbosity = options["verbosity"]
        unknown = set(kinds) - set(adapters())
        if unknown:
            raise CommandError(f"Type inconnu : {', '.join(sorted(unknown))}")
        if fond:
            job = job_start(
                kind=REINDEX, label="Réindexation complète", params={"kinds": list(kinds)}
            )
            self.stdout.write(started_line(job))
            return
        started = time.perf_counter()
        bar = Bar("Indexation", enabled=verbosity >= 1)
        try:
            count = reindex(kinds=kinds or None, progress=bar)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except BackendUnavailable as exc:
            raise CommandError(f"Moteur de recherche injoignable : {exc}") from None
        finally:
            bar.close()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} documents indexés en {elapsed:.1f} s ({get_backend().name})."
            )
        )
