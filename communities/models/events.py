"""Community events and the members' answers (with a waiting list when full)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from .community import Community

DEFAULT_TIMEZONE = "Europe/Paris"


class Event(models.Model):
    community = models.ForeignKey(
        Community, verbose_name=_("communauté"), on_delete=models.CASCADE, related_name="events"
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Stored in UTC like every aware datetime; ``timezone`` says how to show them
    # (and how the services read a naive date typed in a form).
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    timezone = models.CharField(_("fuseau horaire"), max_length=64, default=DEFAULT_TIMEZONE)
    commune = models.ForeignKey(
        "innovations.Territory",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": "commune"},
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    online_url = models.URLField(_("lien en ligne"), blank=True)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Vide : pas de limite.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled = models.BooleanField(_("annulé"), default=False)
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="event_ends_after_start")
        ]
        indexes = [
            models.Index(fields=["community", "start"], name="event_comm_start"),
            models.Index(fields=["start", "reminder_sent_at"], name="event_reminders"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from ..paths import event_path

        return event_path(self)


class Answer(models.TextChoices):
    GOING = "going", _("J'y vais")
    MAYBE = "maybe", _("Peut-être")
    NOT_GOING = "not_going", _("Je n'y vais pas")


class Rsvp(models.Model):
    """One member's answer. ``waitlisted`` answers ``going`` wait for a place, in the
    order of ``waitlisted_at``; the first one takes a place that frees up."""

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="rsvps"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="community_rsvps",
    )
    answer = models.CharField(_("réponse"), max_length=10, choices=Answer.choices)
    waitlisted = models.BooleanField(_("en liste d'attente"), default=False)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="rsvp_unique_user")]
        indexes = [models.Index(fields=["event", "answer", "waitlisted"], name="rsvp_event_answer")]

    def __str__(self) -> str:
        return f"{self.user} — {self.event} ({self.get_answer_display()})"

    @property
    def is_confirmed(self) -> bool:
        return self.answer == Answer.GOING and not self.waitlisted
