"""Printed by `make run` just before the server starts: where to go, how to log in.

It also points the site's address (the default Wagtail Site) at the host and port
being served, so that `PORT=8011 make run` links to :8011 in canonical and share
links, the sitemap, exports, feeds and e-mails (core/absolute_urls.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from cms.services import site_address_ensure


class Command(BaseCommand):
    help = "Affiche l'adresse du site et les comptes de démonstration."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args, host: str, port: str, **options):
        url = f"http://{host}:{port}"
        site_address_ensure(hostname=host, port=int(port))
        line = "─" * 64
        self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Carrefour est servi sur {url}/"))
        self.stdout.write(f"  Administration (éditeurs, modérateurs) : {url}/admin/")
        if settings.EMBEDDED_DATABASE:
            self.stdout.write(f"  Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
            for account in DEMO_ACCOUNTS:
                role = account.note or ", ".join(account.groups) or "porteur de projet"
                self.stdout.write(f"    {account.email:32} {role}")
        else:
            self.stdout.write(
                "  Créez un compte d'administration : python manage.py createsuperuser"
            )
        self.stdout.write(
            "  Les e-mails (confirmation d'inscription, mot de passe oublié…) s'affichent "
            "ici, dans la console."
        )
        self.stdout.write(line)
