"""Announcements by moderators, and the feed of each community.

Why a FeedItem table rather than a selector merging memberships, project links,
events and announcements at read time: the personal feed « Mon fil » merges every
community of a member, and a merge of four tables sorted by date cannot be paginated
without reading every row of the four (or four queries per page with their own
cursors). One row per event, written by the service that makes it happen, gives one
indexed query per page (``community_id IN (…) AND id < cursor ORDER BY id DESC``),
keyset-paginated by ``id``. The row points at what it announces: deleting the
announcement, event or project link deletes the item (CASCADE), and the services
delete a member's « a rejoint » items when the person leaves, is removed or banned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .community import Community, CommunityProject
from .events import Event


class Announcement(models.Model):
    community = models.ForeignKey(
        Community,
        verbose_name=_("communauté"),
        on_delete=models.CASCADE,
        related_name="announcements",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    created_at = models.DateTimeField(_("publiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("annonce")
        verbose_name_plural = _("annonces")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class FeedKind(models.TextChoices):
    MEMBER_JOINED = "member_joined", _("Nouveau membre")
    PROJECT_ATTACHED = "project_attached", _("Projet rattaché")
    EVENT_CREATED = "event_created", _("Nouvel événement")
    ANNOUNCEMENT = "announcement", _("Annonce")


class FeedItem(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="feed_items")
    kind = models.CharField(max_length=20, choices=FeedKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    project_link = models.ForeignKey(
        CommunityProject, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("élément du fil")
        verbose_name_plural = _("fil des communautés")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community", "-id"], name="feed_comm_id")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.community_id}"
