from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et profils")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import exports, personal_data

        personal_data.register_exporter("compte", exports.export_account)
        personal_data.register_exporter("profil", exports.export_profile)
