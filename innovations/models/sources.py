"""Partner organisations that pool their projects, and where each project comes from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from .projects import ProjectPage


class Openness(models.TextChoices):
    """Who may receive a field of an imported project through the API and exports,
    from the most open to the most closed."""

    OPEN = "open", _("Données ouvertes (tout le monde)")
    COMMONS = "commons", _("Communs (membres connectés)")
    PARTNERS = "partners", _("Partenaires (clé d'API)")
    PRIVATE = "private", _("Privé (plateforme seulement)")


OPENNESS_ORDER = [Openness.OPEN, Openness.COMMONS, Openness.PARTNERS, Openness.PRIVATE]

# Fields of a project as the API and exports name them, and their level when the
# source says nothing (and for projects proposed on the site).
DEFAULT_OPENNESS: dict[str, str] = {
    "title": Openness.OPEN,
    "summary": Openness.OPEN,
    "description": Openness.OPEN,
    "themes": Openness.OPEN,
    "publics": Openness.OPEN,
    "methods": Openness.OPEN,
    "stage": Openness.OPEN,
    "scale": Openness.OPEN,
    "year_started": Openness.OPEN,
    "tags": Openness.OPEN,
    "locations": Openness.OPEN,
    "coordinates": Openness.OPEN,
    "structure_name": Openness.OPEN,
    "legal_status": Openness.OPEN,
    "siret": Openness.OPEN,
    "website": Openness.OPEN,
    "links": Openness.OPEN,
    "address": Openness.COMMONS,
    "contact_email": Openness.PARTNERS,
    # The replication sheet (issue 16): its content is open, its contact for members.
    "replication": Openness.OPEN,
    "replication_contact": Openness.COMMONS,
}


class Trust(models.TextChoices):
    DIRECT = "direct", _("Publication directe")
    MODERATION = "moderation", _("Envoi en modération")


class Licence(models.TextChoices):
    ETALAB_2 = "etalab-2.0", _("Licence Ouverte / Open Licence 2.0")
    ODBL = "odbl-1.0", _("ODbL 1.0")
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    CC_BY_SA = "cc-by-sa-4.0", _("CC BY-SA 4.0")
    CC0 = "cc0-1.0", _("CC0 1.0")
    RESERVED = "reserved", _("Tous droits réservés (partage entre partenaires)")


class Source(index.Indexed, models.Model):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    licence = models.CharField(
        _("licence des données"), max_length=20, choices=Licence.choices, default=Licence.ETALAB_2
    )
    contact_name = models.CharField(_("contact : nom"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact : e-mail"), blank=True)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Une source inactive n'est plus synchronisée.")
    )
    trust = models.CharField(
        _("niveau de confiance"),
        max_length=12,
        choices=Trust.choices,
        default=Trust.DIRECT,
        help_text=_("Les projets importés sont publiés directement, ou envoyés en modération."),
    )
    field_openness = models.JSONField(
        _("ouverture des champs"),
        default=dict,
        blank=True,
        help_text=_(
            "Niveau par champ (open, commons, partners, private) ; un champ absent garde "
            "son niveau par défaut."
        ),
    )
    mapping = models.JSONField(
        _("correspondance"),
        default=dict,
        blank=True,
        help_text=_("Comment les colonnes du partenaire deviennent des champs de projet."),
    )
    feed_url = models.URLField(
        _("adresse du flux"),
        max_length=500,
        blank=True,
        help_text=_("API JSON ou fichier publié par le partenaire, pour les synchronisations."),
    )
    feed_format = models.CharField(
        _("format du flux"),
        max_length=10,
        blank=True,
        choices=[("json", "JSON"), ("csv", "CSV"), ("geojson", "GeoJSON"), ("xlsx", "XLSX")],
    )
    feed_items_path = models.CharField(_("chemin des éléments (JSON)"), max_length=100, blank=True)
    feed_next_path = models.CharField(_("chemin de la page suivante"), max_length=100, blank=True)
    feed_page_param = models.CharField(_("paramètre de page"), max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("name"),
                FieldPanel("slug"),
                FieldPanel("website"),
                FieldPanel("logo"),
                FieldPanel("description"),
            ],
            _("Partenaire"),
        ),
        MultiFieldPanel([FieldPanel("contact_name"), FieldPanel("contact_email")], _("Contact")),
        MultiFieldPanel(
            [
                FieldPanel("active"),
                FieldPanel("trust"),
                FieldPanel("licence"),
                FieldPanel("field_openness"),
            ],
            _("Règles"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("feed_url"),
                FieldPanel("feed_format"),
                FieldPanel("feed_items_path"),
                FieldPanel("feed_next_path"),
                FieldPanel("feed_page_param"),
            ],
            _("Flux pour les synchronisations"),
        ),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("source partenaire")
        verbose_name_plural = _("sources partenaires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def openness_of(self, field: str) -> str:
        return self.field_openness.get(field) or DEFAULT_OPENNESS.get(field, Openness.PRIVATE)


class ProjectSourceRecord(models.Model):
    """One partner's listing of a project: « Projet référencé par … » with a link back,
    and what the last import brought (to skip unchanged records and to notice local
    edits). A project merged from several partners has several records."""

    project = models.ForeignKey(
        ProjectPage, on_delete=models.CASCADE, related_name="source_records"
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="records")
    source_url = models.URLField(_("adresse chez le partenaire"), max_length=500, blank=True)
    source_identifier = models.CharField(_("identifiant chez le partenaire"), max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64, blank=True)
    imported_values = models.JSONField(default=dict, blank=True)
    present = models.BooleanField(_("présent dans le dernier import"), default=True, db_index=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("référencement partenaire")
        verbose_name_plural = _("référencements partenaires")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_identifier"], name="source_record_unique_identifier"
            )
        ]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.source} : {self.source_identifier}"


class PartnerApiKey(models.Model):
    """A key that unlocks the « partners only » fields of the API. Only a hash is
    stored; the key is shown once, when created."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(_("début de la clé"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("clé d'API partenaire")
        verbose_name_plural = _("clés d'API partenaires")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
