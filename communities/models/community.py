"""Communities of action, their members, invitations, attached projects and the
moderators' audit trail.

Rules (who may do what) live in communities/permissions.py and rules/; writes in
communities/services/. These models only hold the data.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

INVITATION_VALIDITY = timedelta(days=30)


class Kind(models.TextChoices):
    THEMATIQUE = "thematique", _("Thématique")
    TERRITORIALE = "territoriale", _("Territoriale")
    MIXTE = "mixte", _("Mixte")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Publique : tout le monde la voit")
    PRIVATE = "private", _("Privée : visible dans l'annuaire, contenu réservé aux membres")
    SECRET = "secret", _("Secrète : hors annuaire, sur invitation seulement")


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Ouverte : chacun peut la rejoindre")
    REQUEST = "request", _("Sur demande, avec un message")
    INVITATION = "invitation", _("Sur invitation")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposée (en attente de validation)")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archivée")


class Role(models.TextChoices):
    OWNER = "owner", _("Propriétaire")
    MODERATOR = "moderator", _("Modérateur ou modératrice")
    MEMBER = "member", _("Membre")


class MembershipState(models.TextChoices):
    REQUESTED = "requested", _("Demande en attente")
    INVITED = "invited", _("Invité·e")
    ACTIVE = "active", _("Membre")
    LEFT = "left", _("Partie ou parti")
    BANNED = "banned", _("Exclu·e")


class Community(ClusterableModel):
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(
        _("adresse"),
        max_length=80,
        unique=True,
        help_text=_("Dans l'adresse de la page : /communautes/<adresse>/."),
    )
    short_description = models.CharField(
        _("description courte"),
        max_length=300,
        help_text=_("Une ou deux phrases montrées dans l'annuaire (300 caractères)."),
    )
    presentation = RichTextField(_("présentation"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.THEMATIQUE)
    theme_domains = models.ManyToManyField(
        "innovations.ThemeDomain", verbose_name=_("domaines"), blank=True, related_name="+"
    )
    themes = models.ManyToManyField(
        "innovations.Theme", verbose_name=_("sous-thèmes"), blank=True, related_name="+"
    )
    # Through a Wagtail orderable: the admin picks places with the territory chooser
    # (a searchable modal) rather than a <select> of 35 000 communes.
    territories = models.ManyToManyField(
        "innovations.Territory",
        verbose_name=_("territoires"),
        through="CommunityTerritory",
        blank=True,
        related_name="+",
    )
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        _("adhésion"), max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    charter = models.TextField(
        _("charte"),
        blank=True,
        help_text=_("Ce que les membres acceptent en rejoignant la communauté."),
    )
    contact_email = models.EmailField(_("contact des animateurs"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("communauté")
        verbose_name_plural = _("communautés")
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "visibility"], name="community_status_vis")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from ..paths import community_path

        return community_path(self)


class CommunityTerritory(Orderable):
    community = ParentalKey(Community, on_delete=models.CASCADE, related_name="territory_links")
    territory = models.ForeignKey(
        "innovations.Territory",
        verbose_name=_("territoire"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Une région, un département ou une commune."),
    )

    # No unique constraint on (community, territory): the admin's inline formset
    # would answer a place chosen twice with an integrity error; readers use
    # distinct() and a repeated place changes nothing.
    class Meta(Orderable.Meta):
        verbose_name = _("territoire de la communauté")
        verbose_name_plural = _("territoires de la communauté")

    def __str__(self) -> str:
        return str(self.territory)


class Membership(models.Model):
    community = models.ForeignKey(
        Community,
        verbose_name=_("communauté"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="community_memberships",
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(_("état"), max_length=10, choices=MembershipState.choices)
    request_message = models.TextField(_("message de demande"), blank=True)
    charter_accepted_at = models.DateTimeField(_("charte acceptée le"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité·e par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    joined_at = models.DateTimeField(_("membre depuis"), null=True, blank=True)
    # Muted by a moderator: reads the channels, posts nothing until then (issue 13).
    muted_until = models.DateTimeField(_("réduit au silence jusqu'au"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        ordering = ["community_id", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="membership_unique_user")
        ]
        indexes = [
            models.Index(fields=["user", "state"], name="membership_user_state"),
            models.Index(fields=["community", "state", "role"], name="membership_comm_state"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.community} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        return self.state == MembershipState.ACTIVE


class CommunityInvitation(models.Model):
    """An invitation by e-mail. The random token (stored, so it can be revoked) is the
    link's secret; it reaches people without an account: the public view keeps it in
    the session through allauth's sign-up, then calls ``invitation_accept``."""

    community = models.ForeignKey(
        Community,
        verbose_name=_("communauté"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("adresse e-mail"))
    token = models.CharField(max_length=64, unique=True)
    message = models.TextField(_("message"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité·e par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(_("déclinée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "email"], name="invitation_comm_email")]

    def __str__(self) -> str:
        return f"{self.email} → {self.community}"

    @property
    def is_used(self) -> bool:
        return self.accepted_at is not None or self.declined_at is not None

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class CommunityProject(models.Model):
    community = models.ForeignKey(
        Community,
        verbose_name=_("communauté"),
        on_delete=models.CASCADE,
        related_name="project_links",
    )
    project = models.ForeignKey(
        "innovations.ProjectPage",
        verbose_name=_("projet"),
        on_delete=models.CASCADE,
        related_name="community_links",
    )
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attached_at = models.DateTimeField(_("rattaché le"), default=timezone.now)

    class Meta:
        verbose_name = _("projet de la communauté")
        verbose_name_plural = _("projets des communautés")
        ordering = ["-attached_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "project"], name="community_project_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} ∈ {self.community}"


class AuditAction(models.TextChoices):
    COMMUNITY_CREATED = "community_created", _("Communauté créée")
    COMMUNITY_UPDATED = "community_updated", _("Communauté modifiée")
    COMMUNITY_PROPOSED = "community_proposed", _("Communauté proposée")
    COMMUNITY_APPROVED = "community_approved", _("Proposition validée")
    COMMUNITY_REFUSED = "community_refused", _("Proposition refusée")
    REQUESTED = "membership_requested", _("Demande d'adhésion")
    APPROVED = "membership_approved", _("Demande acceptée")
    REFUSED = "membership_refused", _("Demande refusée")
    JOINED = "membership_joined", _("Adhésion")
    LEFT = "membership_left", _("Départ")
    PROMOTED = "membership_promoted", _("Rôle augmenté")
    DEMOTED = "membership_demoted", _("Rôle réduit")
    REMOVED = "membership_removed", _("Membre retiré")
    BANNED = "membership_banned", _("Exclusion")
    UNBANNED = "membership_unbanned", _("Exclusion levée")
    OWNERSHIP = "ownership_transferred", _("Propriété transmise")
    INVITED = "invitation_created", _("Invitation envoyée")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation acceptée")
    INVITATION_DECLINED = "invitation_declined", _("Invitation déclinée")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation annulée")
    PROJECT_ATTACHED = "project_attached", _("Projet rattaché")
    PROJECT_DETACHED = "project_detached", _("Projet détaché")
    EVENT_CREATED = "event_created", _("Événement créé")
    EVENT_UPDATED = "event_updated", _("Événement modifié")
    EVENT_CANCELLED = "event_cancelled", _("Événement annulé")
    ANNOUNCEMENT = "announcement_created", _("Annonce publiée")
    CHANNEL_CREATED = "channel_created", _("Salon créé")
    CHANNEL_UPDATED = "channel_updated", _("Salon modifié")
    CHANNEL_ARCHIVED = "channel_archived", _("Salon archivé")
    MESSAGE_HIDDEN = "message_hidden", _("Message masqué")
    MESSAGE_RESTORED = "message_restored", _("Message rétabli")
    MESSAGE_DELETED = "message_deleted", _("Message supprimé par la modération")
    MEMBER_MUTED = "member_muted", _("Membre réduit au silence")
    MEMBER_UNMUTED = "member_unmuted", _("Silence levé")


class AuditEntry(models.Model):
    """Who did what, when: the trail moderators (and editors, in the admin) read."""

    community = models.ForeignKey(
        Community,
        verbose_name=_("communauté"),
        on_delete=models.CASCADE,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne concernée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_project = models.ForeignKey(
        "innovations.ProjectPage",
        verbose_name=_("projet concerné"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des communautés")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"], name="audit_comm_date")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.community}"
