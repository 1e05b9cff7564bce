"""Real-time channels of communities and direct messages (issue 13).

A message is stored before anyone hears of it: its id (one sequence for the whole
installation) is the order readers replay from (``subscribe`` with ``after``). The
sending service locks the channel row while it inserts, so within one channel ids
become visible in increasing order: a reader who saw id 40 never misses a 39 that
commits later. ``Channel.last_message_id`` is the newest id, written in that same
transaction: unread counts and the consumers' gap check read it.

Who may read or post is decided in communities/permissions.py (``channel_*``);
writes live in communities/services/chat/.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .community import Community

BODY_MAX_LENGTH = 4000
CHANNEL_NAME_MAX_LENGTH = 80
REPORT_REASON_MAX_LENGTH = 1000

# The fixed set of reactions (a picker, not free text: nothing to sanitise, nothing
# to moderate). Stored as the emoji itself.
REACTIONS: dict[str, str] = {
    "👍": _("D'accord"),
    "❤️": _("J'aime"),
    "😄": _("Content·e"),
    "🎉": _("Bravo"),
    "🤔": _("À creuser"),
    "👀": _("Je regarde"),
    "🙏": _("Merci"),
    "✅": _("Fait"),
}


class ChannelKind(models.TextChoices):
    COMMUNITY = "community", _("Salon de communauté")
    DIRECT = "direct", _("Message direct")


class Channel(models.Model):
    kind = models.CharField(
        _("type"), max_length=10, choices=ChannelKind.choices, default=ChannelKind.COMMUNITY
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("communauté"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channels",
    )
    name = models.CharField(_("nom"), max_length=CHANNEL_NAME_MAX_LENGTH)
    slug = models.SlugField(_("adresse"), max_length=CHANNEL_NAME_MAX_LENGTH, blank=True)
    topic = models.CharField(_("sujet"), max_length=300, blank=True)
    is_default = models.BooleanField(_("salon par défaut"), default=False)
    read_only = models.BooleanField(
        _("annonces (seuls les animateurs écrivent)"),
        default=False,
        help_text=_("Les membres lisent ; seuls les animateurs et modérateurs publient."),
    )
    moderators_only = models.BooleanField(
        _("réservé aux animateurs"),
        default=False,
        help_text=_("Seuls les animateurs, modérateurs et éditeurs lisent et écrivent."),
    )
    slow_mode_seconds = models.PositiveIntegerField(
        _("mode lent (secondes entre deux messages)"), default=0
    )
    # The newest message id of the channel, written with it (see the module's note).
    last_message_id = models.BigIntegerField(default=0, editable=False)
    # Direct messages: « <smaller user id>:<larger user id> », one conversation a pair.
    direct_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    class Meta:
        verbose_name = _("salon")
        verbose_name_plural = _("salons")
        ordering = ["community_id", "-is_default", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"],
                condition=Q(community__isnull=False),
                name="channel_unique_slug",
            ),
            models.CheckConstraint(
                condition=Q(kind="direct", community__isnull=True, direct_key__isnull=False)
                | Q(kind="community", community__isnull=False, direct_key__isnull=True),
                name="channel_kind_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_direct(self) -> bool:
        return self.kind == ChannelKind.DIRECT


class ChannelMember(models.Model):
    """One person's state in a channel: read marker, muted. For a direct conversation
    the two rows are also who may read it; in a community channel access comes from
    the community's membership and the row is created on first read or post."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_channels"
    )
    last_read_id = models.BigIntegerField(_("lu jusqu'à"), default=0)
    muted = models.BooleanField(_("notifications coupées"), default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lecteur d'un salon")
        verbose_name_plural = _("lecteurs des salons")
        constraints = [
            models.UniqueConstraint(fields=["channel", "user"], name="channel_member_unique")
        ]
        indexes = [models.Index(fields=["user", "channel"], name="channel_member_user")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.channel_id} (lu jusqu'à {self.last_read_id})"


class HiddenReason(models.TextChoices):
    REPORTS = "reports", _("Masqué après plusieurs signalements, en attente de modération")
    MODERATOR = "moderator", _("Masqué par la modération")


class Message(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_messages",
    )
    body = models.TextField(_("texte"))
    html = models.TextField(editable=False)
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("en réponse à"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="chat_mentions"
    )
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    edited_at = models.DateTimeField(_("modifié le"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("masqué le"), null=True, blank=True)
    hidden_reason = models.CharField(
        _("motif du masquage"), max_length=10, choices=HiddenReason.choices, blank=True
    )
    report_count = models.PositiveIntegerField(_("signalements en attente"), default=0)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["pk"]
        constraints = [
            # A resent frame (same sender, same client id) is the same message.
            models.UniqueConstraint(
                fields=["author", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_unique_client_id",
            )
        ]
        indexes = [
            models.Index(fields=["channel", "id"], name="message_channel_id"),
            models.Index(fields=["author", "channel", "id"], name="message_author_channel"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.body[:40]}"

    @property
    def is_visible(self) -> bool:
        """Shown to readers (not deleted, not hidden)."""
        return self.deleted_at is None and self.hidden_at is None


class MessageRevision(models.Model):
    """A text a message had before an edit: kept for moderators only."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("texte précédent"))
    replaced_at = models.DateTimeField(_("remplacé le"), default=timezone.now)

    class Meta:
        verbose_name = _("version précédente")
        verbose_name_plural = _("versions précédentes")
        ordering = ["message_id", "pk"]

    def __str__(self) -> str:
        return f"#{self.message_id} avant le {self.replaced_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16, choices=list(REACTIONS.items()))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("réaction")
        verbose_name_plural = _("réactions")
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.emoji} #{self.message_id}"


class ReportOutcome(models.TextChoices):
    PENDING = "pending", _("En attente")
    KEPT = "kept", _("Message conservé")
    HIDDEN = "hidden", _("Message masqué")
    DELETED = "deleted", _("Message supprimé")


class MessageReport(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("motif"), max_length=REPORT_REASON_MAX_LENGTH)
    created_at = models.DateTimeField(_("signalé le"), default=timezone.now)
    outcome = models.CharField(
        _("décision"), max_length=10, choices=ReportOutcome.choices, default=ReportOutcome.PENDING
    )
    resolved_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traité par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_unique_reporter")
        ]
        indexes = [models.Index(fields=["outcome", "message"], name="report_outcome")]

    def __str__(self) -> str:
        return f"#{self.message_id} : {self.reason[:40]}"


class ChatPreference(models.Model):
    """A person's choices for messaging (direct messages accepted or not)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_preference"
    )
    direct_messages = models.BooleanField(
        _("accepter les messages directs"),
        default=True,
        help_text=_(
            "Les membres des communautés que vous partagez peuvent vous écrire directement."
        ),
    )

    class Meta:
        verbose_name = _("préférence de messagerie")
        verbose_name_plural = _("préférences de messagerie")

    def __str__(self) -> str:
        return f"{self.user_id}: {'oui' if self.direct_messages else 'non'}"
