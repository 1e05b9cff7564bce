from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The kinds come from the apps that send them (notifications/kinds.py).
        from accounts import personal_data

        from . import exports

        personal_data.register_exporter("notifications", exports.export_notifications)

        from . import jobs

        jobs.register()
