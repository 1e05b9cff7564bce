"""The daily digest as a background job (jobs/), besides its cron command."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.registry import JobKind, register_job_kind
from jobs.services import JobContext

from .services import digest_send

DIGEST = "notifications_digest"


def run_digest(context: JobContext) -> tuple[str, dict]:
    """Resumable: each notification is claimed before its e-mail leaves, so a
    digest started over sends nothing twice (notifications/services.py)."""
    sent = digest_send(now=timezone.now())
    context.report(force=True, read=sent, created=sent)
    return _("%(count)s résumés envoyés.") % {"count": sent}, {str(_("résumés envoyés")): sent}


def register() -> None:
    register_job_kind(
        JobKind(
            code=DIGEST, label=gettext_lazy("Résumé quotidien des notifications"), run=run_digest
        )
    )
