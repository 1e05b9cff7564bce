"""Notifications kept for each member, and their e-mail preferences per kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import CODE_MAX_LENGTH, Delivery

TITLE_MAX_LENGTH = 200
URL_MAX_LENGTH = 500
SCOPE_MAX_LENGTH = 64


class Notification(models.Model):
    """Something that happened for ``recipient``. Always shown on the site; e-mailed
    at once (``emailed_at``) or in the daily digest (``digest_sent``) according to the
    recipient's preference for its ``kind`` (see notifications/kinds.py)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("destinataire"),
    )
    kind = models.CharField(_("type"), max_length=CODE_MAX_LENGTH)
    title = models.CharField(_("titre"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("texte"), blank=True)
    # A path of the site (« /communautes/… »), never another host: the « ouvrir »
    # view redirects to it.
    url = models.CharField(_("adresse"), max_length=URL_MAX_LENGTH, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur de l'action"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("envoyée par e-mail le"), null=True, blank=True)
    digest_sent = models.BooleanField(_("envoyée dans un résumé"), default=False)
    # What the notification belongs to, in the sender's words (« community:12 »):
    # ``notifications_withdraw`` takes back a person's notifications of a scope they
    # may no longer see (a member banned from a private community). Blank: none.
    scope = models.CharField(_("portée"), max_length=SCOPE_MAX_LENGTH, blank=True, default="")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The list, the header's unread count, « tout marquer comme lu ».
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notif_recipient_read"
            ),
            # Withdrawing a scope from a recipient (only rows that have one).
            models.Index(
                fields=["recipient", "scope"],
                name="notif_recipient_scope",
                condition=~Q(scope=""),
            ),
            # The daily digest: what was not e-mailed yet, by date.
            models.Index(
                fields=["created_at"],
                name="notif_digest_pending",
                condition=Q(emailed_at__isnull=True, digest_sent=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A member's e-mail choice for one kind; without a row, the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("membre"),
    )
    kind = models.CharField(_("type"), max_length=CODE_MAX_LENGTH)
    mode = models.CharField(_("envoi par e-mail"), max_length=16, choices=Delivery.choices)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.mode}"
