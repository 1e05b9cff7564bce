from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationsConfig(AppConfig):
    name = "innovations"
    verbose_name = _("Innovations sociales")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import personal_data as registry
        from search import registry as search_registry
        from search.services import register_place_resolver

        from . import personal_data, receivers, search_documents, search_facets

        receivers.connect()

        from django.utils.translation import gettext_lazy

        from jobs.registry import JobKind, register_job_kind

        from .services.import_runs import IMPORT_JOB, run_import_job

        register_job_kind(
            JobKind(
                code=IMPORT_JOB,
                label=gettext_lazy("Import de partenaire"),
                run=run_import_job,
                permission="innovations.change_source",
            )
        )
        registry.register_exporter("projets", personal_data.export_projects)
        registry.register_anonymiser("projets", personal_data.anonymise_projects)
        search_registry.register_adapter(search_documents.ProjectAdapter())
        search_facets.register()
        search_registry.register_suggestion_provider(search_documents.suggest_themes_and_places)
        search_registry.register_concept_provider(search_documents.taxonomy_concepts)
        search_documents.connect_concept_cache()
        register_place_resolver(search_documents.resolve_place)
        # What this app shows on pages other apps own (home, profiles, listing).
        from .views import registrations

        registrations.connect()

        from .notify import register_kinds

        register_kinds()

        from core.page_cache import invalidate_on_change

        from . import models

        invalidate_on_change(
            models.Source,
            models.Territory,
            models.Theme,
            models.ThemeDomain,
            models.Public,
            models.Method,
            models.ProjectMember,
            # Essaimage (issue 16): the sheet, its resources and the lineage are on
            # the anonymous project pages, saved outside the page's revisions.
            models.ReplicationSheet,
            models.ReplicationResource,
            models.ProjectLineage,
        )
