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
        notify.register_kinds()
