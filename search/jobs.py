"""Search's background jobs (jobs/): re-indexing everything and sending alerts,
started from the admin (« Tâches de fond ») or by their commands with ``--fond``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.registry import JobKind, register_job_kind
from jobs.services import JobContext

from .alerts import AlertsReport, alerts_send
from .indexing import reindex

REINDEX = "search_reindex"
ALERTS = "search_alerts"


def run_reindex(context: JobContext) -> tuple[str, dict]:
    """Resumable: the rebuild writes a new index and swaps it in at the end (the
    database backend in one transaction), so one started over replaces nothing
    half-built; cancelled, the old index stays."""
    kinds = context.job.params.get("kinds") or None
    written = reindex(
        kinds=kinds, progress=lambda done, total: context.report(read=done, total=total)
    )
    context.report(force=True, read=written, created=written)
    return _("%(count)s documents indexés.") % {"count": written}, {
        str(_("documents indexés")): written
    }


def run_alerts(context: JobContext) -> tuple[str, dict]:
    """Resumable: each announced document is claimed once per saved search before
    its e-mail leaves (search/alerts.py), so a run started over sends nothing twice."""

    def progress(report: AlertsReport, total: int) -> None:
        context.report(
            read=report.checked, total=total, created=report.sent, rejected=len(report.failed)
        )

    report = alerts_send(only=context.job.params.get("only"), progress=progress)
    figures = {
        str(_("recherches vérifiées")): report.checked,
        str(_("e-mails envoyés")): report.sent,
        str(_("nouveautés annoncées")): report.items,
        str(_("non envoyées")): len(report.failed),
    }
    if report.failed:
        figures[str(_("erreurs"))] = report.failed[:20]
    return _("%(count)s e-mails envoyés.") % {"count": report.sent}, figures


def register() -> None:
    register_job_kind(
        JobKind(code=REINDEX, label=gettext_lazy("Réindexation complète"), run=run_reindex)
    )
    register_job_kind(
        JobKind(
            code=ALERTS, label=gettext_lazy("Alertes des recherches enregistrées"), run=run_alerts
        )
    )
