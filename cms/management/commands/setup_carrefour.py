"""Everything `make run` needs in the database, idempotently: site tree,
territories, editorial pages, demo accounts and demo content."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.demo import demo_accounts_ensure
from cms.demo.editorial import editorial_pages_ensure
from cms.services import site_address_ensure, site_tree_ensure
from communities.demo.channels import demo_channels_ensure
from communities.demo.inspirations import demo_inspirations_ensure
from communities.demo.loader import demo_communities_ensure
from curation.demo import demo_curation_ensure
from innovations.demo.loader import demo_projects_ensure
from innovations.demo.replication import demo_replication_ensure
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
        self._synonyms()
        if no_demo:
            return
        users = demo_accounts_ensure()
        projects = demo_projects_ensure(index=index, users=users, publisher=users["editeur"])
        if projects:
            self.stdout.write(f"{len(projects)} projets de démonstration chargés.")
        sheets = demo_replication_ensure()
        if sheets:
            self.stdout.write(f"{sheets} fiches d'essaimage et filiations de démonstration.")
        communities = demo_communities_ensure(users=users, editor=users["editeur"])
        if communities:
            self.stdout.write(f"{len(communities)} communautés de démonstration chargées.")
        channels = demo_channels_ensure(users=users)
        if channels:
            self.stdout.write(f"{channels} salons de démonstration remplis.")
        inspirations = demo_inspirations_ensure(users=users)
        if inspirations:
            self.stdout.write(f"{inspirations} demandes « S'en inspirer » de démonstration.")
        curated = demo_curation_ensure(home=home, editor=users["editeur"])
        if curated:
            self.stdout.write(f"{curated} éléments de mise en avant créés (accueil, dossier…).")
        self._search_index()
        self.stdout.write(self.style.SUCCESS("Site prêt."))

    def _synonyms(self) -> None:
        """A first installation starts with the starter list of synonyms and acronyms;
        once editors own the list (any line at all), it is theirs: a line they
        deleted never comes back."""
        from search.models import SearchSynonym
        from search.synonyms import synonyms_seed_defaults

        if not SearchSynonym.objects.exists():
            added = synonyms_seed_defaults()
            self.stdout.write(f"{added} lignes de synonymes de départ ajoutées.")

    def _search_index(self) -> None:
        """An index that is missing, empty or out of step in size (new installation,
        a new engine, content loaded before the search app) is rebuilt; afterwards
        publish/unpublish signals keep it in step. An engine that does not answer
        does not stop the site: the queue and search_sync catch up."""
        from search.backends import BackendUnavailable
        from search.indexing import index_ensure

        try:
            count = index_ensure()
        except BackendUnavailable as exc:
            self.stdout.write(
                self.style.WARNING(f"Moteur de recherche injoignable, index non vérifié : {exc}")
            )
            return
        if count is not None:
            self.stdout.write(f"Index de recherche construit : {count} documents.")

    def _territories(self) -> None:
        communes = Territory.objects.filter(level=TerritoryLevel.COMMUNE).count()
        departements = Territory.objects.filter(level=TerritoryLevel.DEPARTEMENT)
        # Loaded before départements had a population (issue 16): loaded again, once.
        unpopulated = departements.filter(population__isnull=True).exists()
        if (
            not departements.exists()
            or unpopulated
            or (communes == 0 and default_communes_file().exists())
        ):
            call_command("load_territories", verbosity=self.verbosity)
        elif communes == 0:
            self.stdout.write(
                self.style.WARNING(
                    "Communes non chargées : installez npm puis relancez `make run` "
                    "(régions et départements seulement)."
                )
            )
