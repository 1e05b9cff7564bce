from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = _("Communautés d'action")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import personal_data as registry

        from . import notify, personal_data

        registry.register_exporter("communautes", personal_data.export_communities)
        registry.register_anonymiser("communautes", personal_data.anonymise_communities)
        registry.register_exporter("inspirations", personal_data.export_inspirations)
        registry.register_anonymiser("inspirations", personal_data.anonymise_inspirations)
        notify.register_kinds()
        notify.inspirations.register_kinds()
        # Search (communities and events, their facets, members' principals), the
        # project page's « Communautés » section.
        from search import registry as search_registry

        from . import registrations, search_documents, search_facets, search_messages

        search_registry.register_adapter(search_documents.CommunityAdapter())
        search_registry.register_adapter(search_documents.EventAdapter())
        search_registry.register_adapter(search_messages.MessageAdapter())
        search_facets.register()
        search_registry.register_principal_provider(search_documents.search_principals)
        registrations.connect()

        # Shown on anonymous pages beside the searchable documents (counts, feeds,
        # linked projects): their changes move the page cache's generation.
        from core.page_cache import invalidate_on_change

        from . import models

        invalidate_on_change(
            models.Membership,
            models.Announcement,
            models.FeedItem,
            models.CommunityProject,
            models.Channel,
            models.Rsvp,
        )
