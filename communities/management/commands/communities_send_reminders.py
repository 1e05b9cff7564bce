"""Remind the participants of the events that start within 24 hours (run hourly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from communities.services import event_reminders_send


class Command(BaseCommand):
    help = "Envoie les rappels des événements qui commencent dans les 24 heures."

    def handle(self, *args, **options):
        count = event_reminders_send(now=timezone.now())
        self.stdout.write(f"{count} événement(s) rappelé(s).")
