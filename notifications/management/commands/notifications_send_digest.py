"""Send the daily digest of notifications (run once a day, e.g. by cron at 7:00)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.services import digest_send


class Command(BaseCommand):
    help = (
        "Envoie à chaque membre un e-mail résumant ses notifications non lues qu'il "
        "n'a pas encore reçues par e-mail (sept jours au plus)."
    )

    def handle(self, *args, **options) -> None:
        sent = digest_send(now=timezone.now())
        self.stdout.write(f"Résumés envoyés : {sent}")
