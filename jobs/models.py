"""A background job: what it is, how far it got, its report, and who may stop it.

django-tasks keeps the task itself (``DBTaskResult``: queued, running, finished);
a Job adds what people need to follow it — records read, created, updated and
rejected, a heartbeat to tell a live job from one whose worker was killed, a cancel
request, and the report — for every kind of work (partner imports, re-indexing,
alerts, digests), from the admin or from a command.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")
    FAILED = "failed", _("Échec")
    CANCELLED = "cancelled", _("Annulée")


ACTIVE = (JobStatus.PENDING, JobStatus.RUNNING)


class Job(models.Model):
    kind = models.CharField(_("type"), max_length=40)
    label = models.CharField(_("libellé"), max_length=255)
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("demandée par"),
    )
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    # Written with every progress report: a running job whose heartbeat is old was
    # left by a worker that died (jobs_recover hands it to the next worker).
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    total = models.PositiveIntegerField(_("à traiter"), default=0)
    read = models.PositiveIntegerField(_("lus"), default=0)
    created = models.PositiveIntegerField(_("créés"), default=0)
    updated = models.PositiveIntegerField(_("mis à jour"), default=0)
    rejected = models.PositiveIntegerField(_("rejetés"), default=0)
    cancel_requested = models.BooleanField(_("annulation demandée"), default=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("annulée par"),
    )
    message = models.TextField(_("message"), blank=True)
    report = models.JSONField(_("rapport"), default=dict, blank=True)

    class Meta:
        verbose_name = _("tâche de fond")
        verbose_name_plural = _("tâches de fond")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="jobs_status_heartbeat")]

    def __str__(self) -> str:
        return self.label

    @property
    def progress_percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.read / self.total))

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
