from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CurationConfig(AppConfig):
    name = "curation"
    verbose_name = _("Mise en avant")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import jobs, registrations

        registrations.connect()
        jobs.register()

        from core.page_cache import invalidate_on_change

        from .models import Selection, SelectionItem, TopicIntroduction

        invalidate_on_change(Selection, SelectionItem, TopicIntroduction)
