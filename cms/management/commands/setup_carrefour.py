"""Everything `make run` needs in the database, idempotently: site tree,
territories, editorial pages, demo accounts and demo content."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.demo import demo_accounts_ensure
from cms.demo.editorial import editorial_pages_ensure
from cms.services import site_address_ensure, site_tree_ensure
from innovations.demo.loader import demo_projects_ensure
from innovations.models import Territory, TerritoryLevel
from innovations.services.setup import project_index_ensure
from innovations.territories import default_communes_file


class Command(BaseCommand):
    help = (
        "Prépare le site : arborescence, territoires, pages éditoriales et contenu "
        "de démonstration."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Sans contenu de démonstration.")
        parser.add_argument(
            "--host", default="", help="Adresse servie (sans SITE_URL) : nom du site Wagtail."
        )
        parser.add_argument("--port", type=int, default=None, help="Port servi (sans SITE_URL).")

    def handle(self, *args, no_demo: bool, host: str = "", port: int | None = None, **options):
        self.verbosity = options["verbosity"]
        home = site_tree_ensure()
        # The site's address follows SITE_URL when declared (each deployment), or the
        # served host and port (make run, through carrefour_welcome too).
        site_address_ensure(hostname=host, port=port)
        self._territories()
        index = project_index_ensure(home=home)
        created = editorial_pages_ensure(home=home)
        if created:
            self.stdout.write(f"{len(created)} pages éditoriales créées.")
        if no_demo:
            return
        users = demo_accounts_ensure()
        projects = demo_projects_ensure(index=index, users=users, publisher=users["editeur"])
        if projects:
            self.stdout.write(f"{len(projects)} projets de démonstration chargés.")
        self._search_index()
        self.stdout.write(self.style.SUCCESS("Site prêt."))

    def _search_index(self) -> None:
        """An empty index (new installation, or content loaded before the search
        app) is built once; afterwards publish/unpublish signals keep it in step."""
        from search.backends import get_backend
        from search.indexing import reindex

        if not get_backend().keys():
            count = reindex()
            self.stdout.write(f"Index de recherche construit : {count} documents.")

    def _territories(self) -> None:
        communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE).count()
        departements = Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT).count()
        if departements == 0 or (communes == 0 and default_communes_file().exists()):
            call_command("load_territories", verbosity=self.verbosity)
        elif communes == 0:
            self.stdout.write(
                self.style.WARNING(
                    "Communes non chargées : installez npm puis relancez `make run` "
                    "(régions et départements seulement)."
                )
            )
