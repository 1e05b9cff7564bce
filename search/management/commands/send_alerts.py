"""E-mail the alerts of saved searches that are due (daily or weekly).

Meant for cron (docs/deploiement.md), e.g. every hour:
    0 * * * *  cd /srv/carrefour && .venv/bin/python manage.py send_alerts
Idempotent: a second run in a row sends nothing (search/alerts.py).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jobs.cli import Bar, add_background_option, started_line
from jobs.services import job_start
from search.alerts import alerts_send
from search.jobs import ALERTS


class Command(BaseCommand):
    help = (
        "Envoie par e-mail les nouveautés des recherches enregistrées dont l'alerte est due "
        "(quotidienne ou hebdomadaire). Relancée aussitôt, elle n'envoie rien deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--search",
            type=int,
            action="append",
            dest="only",
            help="Vérifier cette recherche enregistrée (identifiant) même si elle n'est pas due.",
        )
        add_background_option(parser)

    def handle(self, *args, only=None, fond=False, **options):
        if fond:
            job = job_start(
                kind=ALERTS, label="Alertes des recherches enregistrées", params={"only": only}
            )
            self.stdout.write(started_line(job))
            return
        bar = Bar("Alertes", enabled=options["verbosity"] >= 1)
        try:
            report = alerts_send(only=only, progress=lambda r, total: bar(r.checked, total))
        finally:
            bar.close()
        self.stdout.write(
            f"{report.checked} recherches vérifiées, {report.sent} e-mails envoyés, "
            f"{report.items} nouveautés annoncées."
        )
        for failure in report.failed:
            self.stderr.write(f"Non envoyée : {failure}")
        if report.failed:
            raise SystemExit(1)
