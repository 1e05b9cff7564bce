"""« S'en inspirer » (issue 16): a member asks a project's team how to copy what
they do, where and for which organisation; the team accepts (a direct conversation
opens between them) or declines with a message. Here, beside the channels, because
accepting one opens a conversation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chat import Channel

ORGANISATION_MAX = 200
MESSAGE_MAX = 2000


class InspirationStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")
    WITHDRAWN = "withdrawn", _("Retirée")


class InspirationRequest(models.Model):
    project = models.ForeignKey(
        "innovations.ProjectPage", on_delete=models.CASCADE, related_name="inspiration_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inspiration_requests"
    )
    territory = models.ForeignKey(
        "innovations.Territory",
        verbose_name=_("où"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.CharField(_("pour quelle organisation"), max_length=ORGANISATION_MAX)
    message = models.TextField(_("pourquoi"), max_length=MESSAGE_MAX)
    status = models.CharField(
        _("état"),
        max_length=10,
        choices=InspirationStatus.choices,
        default=InspirationStatus.PENDING,
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    decided_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.TextField(_("réponse de l'équipe"), max_length=MESSAGE_MAX, blank=True)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("demande « S'en inspirer »")
        verbose_name_plural = _("demandes « S'en inspirer »")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="inspiration_requester"),
            models.Index(fields=["project", "status"], name="inspiration_project_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "requester"],
                condition=models.Q(status="pending"),
                name="inspiration_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.project}"
