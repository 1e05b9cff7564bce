from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = _("Recherche")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import signals
        from .geo import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="search_sqlite_fns")
        signals.connect()

        from accounts import personal_data

        from .alerts import export_saved_searches

        personal_data.register_exporter("recherches_enregistrees", export_saved_searches)

        # Editors' promoted pages lead cached anonymous results (core/page_cache.py).
        from wagtail.contrib.search_promotions.models import Query, SearchPromotion

        from core.page_cache import invalidate_on_change

        invalidate_on_change(Query, SearchPromotion)

        from . import jobs

        jobs.register()
