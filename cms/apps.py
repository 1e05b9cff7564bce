from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site et pages éditoriales")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import core.converters  # noqa: F401 — registers <id:…> before any URLconf loads
        from search.registry import register_adapter

        from .search_documents import EditorialPageAdapter

        register_adapter(EditorialPageAdapter())
