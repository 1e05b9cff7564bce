"""Curation's background job (jobs/): building a territory's portrait in PDF,
asked for by the portrait's address (curation/views/portraits.py)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.registry import JobKind, register_job_kind
from jobs.services import JobContext

from .services.portraits import PORTRAIT_JOB, portrait_build


def run_portrait(context: JobContext) -> tuple[str, dict]:
    """Resumable: the data to print is in the job's parameters and the file is
    written whole under its final name (services/portraits.py), so a run started
    over writes the same PDF again."""
    context.report(force=True, total=1, read=0)
    name, size = portrait_build(params=context.job.params, asked_at=context.job.created_at)
    context.report(force=True, read=1, created=1)
    return _("Portrait prêt : %(name)s.") % {"name": name}, {str(_("octets")): size}


def register() -> None:
    register_job_kind(
        JobKind(code=PORTRAIT_JOB, label=gettext_lazy("Portrait d'un territoire"), run=run_portrait)
    )
