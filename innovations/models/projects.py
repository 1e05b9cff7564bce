"""Project pages: the unit of everything the Carrefour shows, searches and imports."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import body_blocks
from cms.models import BasePage

from ..geo import in_france
from ..validators import validate_sdgs, validate_siret
from .taxonomy import Method, Public, Theme
from .territories import Territory


class LegalStatus(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Coopérative")
    ESS = "entreprise-ess", _("Entreprise de l'ESS")
    COLLECTIVITE = "collectivite", _("Collectivité territoriale")
    ETABLISSEMENT_PUBLIC = "etablissement-public", _("Établissement public")
    FONDATION = "fondation", _("Fondation")
    COLLECTIF = "collectif-citoyen", _("Collectif citoyen")
    ENTREPRISE = "entreprise", _("Entreprise")
    AUTRE = "autre", _("Autre")


class Stage(models.TextChoices):
    IDEE = "idee", _("Idée")
    EXPERIMENTATION = "experimentation", _("Expérimentation")
    CONSOLIDATION = "consolidation", _("Consolidation")
    ESSAIMAGE = "essaimage", _("Essaimage")
    CHANGEMENT_ECHELLE = "changement-echelle", _("Changement d'échelle")


class Scale(models.TextChoices):
    QUARTIER = "quartier", _("Quartier")
    COMMUNE = "commune", _("Commune")
    INTERCOMMUNALITE = "intercommunalite", _("Intercommunalité")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    NATIONAL = "national", _("National")
    EUROPEEN = "europeen", _("Européen")


SDG_LABELS = {
    1: _("Pas de pauvreté"),
    2: _("Faim « zéro »"),
    3: _("Bonne santé et bien-être"),
    4: _("Éducation de qualité"),
    5: _("Égalité entre les sexes"),
    6: _("Eau propre et assainissement"),
    7: _("Énergie propre et d'un coût abordable"),
    8: _("Travail décent et croissance économique"),
    9: _("Industrie, innovation et infrastructure"),
    10: _("Inégalités réduites"),
    11: _("Villes et communautés durables"),
    12: _("Consommation et production responsables"),
    13: _("Mesures relatives à la lutte contre les changements climatiques"),
    14: _("Vie aquatique"),
    15: _("Vie terrestre"),
    16: _("Paix, justice et institutions efficaces"),
    17: _("Partenariats pour la réalisation des objectifs"),
}


class ProjectIndexPage(BasePage):
    """/projets/: the listing of live projects, filterable by domain and région.

    Served by innovations.views.listing, and project pages get their context from
    innovations.selectors, both through cms.page_views (innovations/views/registrations.py):
    a model imports neither views nor selectors."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["innovations.ProjectPage"]
    max_count = 1

    class Meta:
        verbose_name = _("liste des projets")


class ProjectTag(TaggedItemBase):
    content_object = ParentalKey(
        "innovations.ProjectPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ProjectPage(BasePage):
    summary = models.CharField(
        _("résumé"),
        max_length=300,
        help_text=_("Une ou deux phrases : ce que fait le projet, pour qui (300 caractères)."),
    )
    body = StreamField(body_blocks(), verbose_name=_("description"), blank=True)
    main_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image principale ou logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    structure_name = models.CharField(_("structure porteuse"), max_length=200, blank=True)
    legal_status = models.CharField(
        _("statut juridique"), max_length=30, choices=LegalStatus.choices, blank=True
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 chiffres, facultatif."),
    )
    themes = ParentalManyToManyField(Theme, verbose_name=_("thèmes"), blank=True)
    publics = ParentalManyToManyField(Public, verbose_name=_("publics"), blank=True)
    methods = ParentalManyToManyField(Method, verbose_name=_("méthodes"), blank=True)
    stage = models.CharField(_("stade"), max_length=30, choices=Stage.choices, blank=True)
    scale = models.CharField(
        _("échelle d'action"), max_length=30, choices=Scale.choices, blank=True
    )
    year_started = models.PositiveSmallIntegerField(
        _("année de lancement"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1850), MaxValueValidator(2100)],
    )
    sdgs = models.JSONField(
        _("objectifs de développement durable"),
        default=list,
        blank=True,
        validators=[validate_sdgs],
        help_text=_("Numéros des ODD (1 à 17)."),
    )
    tags = ClusterTaggableManager(through=ProjectTag, verbose_name=_("mots-clés"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    contact_email = models.EmailField(_("e-mail de contact public"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("main_image"),
        MultiFieldPanel(
            [FieldPanel("structure_name"), FieldPanel("legal_status"), FieldPanel("siret")],
            _("Structure porteuse"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("themes"),
                FieldPanel("publics"),
                FieldPanel("methods"),
                FieldPanel("stage"),
                FieldPanel("scale"),
                FieldPanel("year_started"),
                FieldPanel("sdgs"),
                FieldPanel("tags"),
            ],
            _("Classement"),
        ),
        InlinePanel("locations", label=_("Lieux"), min_num=0),
        MultiFieldPanel(
            [
                FieldPanel("website"),
                InlinePanel("links", label=_("Réseaux sociaux")),
                FieldPanel("contact_email"),
            ],
            _("Contact"),
        ),
    ]
    settings_panels = [*Page.settings_panels, FieldPanel("owner")]

    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("structure_name"),
        index.FilterField("owner"),
    ]

    parent_page_types = ["innovations.ProjectIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("projet")
        verbose_name_plural = _("projets")

    @property
    def summary_text(self) -> str:
        return self.summary


class ProjectLocation(Orderable):
    """Where the project acts: a commune, or only a département or a région."""

    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="locations")
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    panels = [
        # A chooser (a searchable modal, innovations/wagtail_hooks.py), not a <select>
        # of the 35 000 communes: Wagtail gives it to every admin foreign key to Territory.
        FieldPanel("territory"),
        FieldPanel("address"),
        FieldPanel("latitude"),
        FieldPanel("longitude"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")

    def clean(self) -> None:
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Indiquez la latitude et la longitude, ou aucune des deux."))
        if self.latitude is not None and not in_france(self.latitude, self.longitude):
            raise ValidationError({"latitude": _("Ces coordonnées sont en dehors de la France.")})

    @property
    def point(self) -> tuple[float, float] | None:
        """The location's own point, else the territory's centre."""
        if self.latitude is not None and self.longitude is not None:
            return (self.latitude, self.longitude)
        return self.territory_point

    @property
    def territory_point(self) -> tuple[float, float] | None:
        """The centre of the place's territory (or of its département or région when
        the commune has no position yet): what a viewer who may not see the exact
        coordinates is shown."""
        node = self.territory
        while node is not None:
            if node.has_point:
                return (node.latitude, node.longitude)
            node = node.parent
        return None


class ProjectLink(Orderable):
    page = ParentalKey(ProjectPage, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("adresse"))

    panels = [FieldPanel("url")]

    class Meta(Orderable.Meta):
        verbose_name = _("lien")


class ProjectMember(models.Model):
    """A co-editor of a project (the owner is the page's ``owner``)."""

    project = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    added_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("co-éditeur")
        verbose_name_plural = _("co-éditeurs")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_member_unique")
        ]
        ordering = ["added_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.project})"


class ProjectInvitation(models.Model):
    project = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.project}"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")


class ProjectClaim(models.Model):
    """A request to become the owner of a project that has none."""

    project = models.ForeignKey(ProjectPage, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="project_claims",
    )
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(
        _("statut"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("revendication")
        verbose_name_plural = _("revendications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=models.Q(status="pending"),
                name="project_claim_one_pending_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} ← {self.user}"
