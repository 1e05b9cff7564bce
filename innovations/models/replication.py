"""Essaimage (issue 16): what a project gives to those who want to copy it — its
replication sheet and resources — and which projects descend from which.

Both live beside the page, not in its revisions: a team updates its sheet and
declares its origins at once (no moderation cycle for practical information), and
either side's team can remove a lineage link without editing the other's page."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .projects import ProjectPage


class Readiness(models.TextChoices):
    READY = "prete", _("Prêt à essaimer")
    MODELLING = "modelisation", _("En cours de modélisation")
    NOT_YET = "pas-encore", _("Pas encore prêt")


class BudgetRange(models.TextChoices):
    UNDER_10K = "moins-10k", _("Moins de 10 000 €")
    FROM_10K = "10k-50k", _("De 10 000 à 50 000 €")
    FROM_50K = "50k-150k", _("De 50 000 à 150 000 €")
    FROM_150K = "150k-500k", _("De 150 000 à 500 000 €")
    OVER_500K = "plus-500k", _("Plus de 500 000 €")


class TeamSize(models.TextChoices):
    VOLUNTEERS = "benevoles", _("Bénévoles seulement")
    ONE_TWO = "1-2", _("1 à 2 personnes")
    THREE_FIVE = "3-5", _("3 à 5 personnes")
    SIX_TEN = "6-10", _("6 à 10 personnes")
    OVER_TEN = "plus-10", _("Plus de 10 personnes")


class LaunchTime(models.TextChoices):
    UNDER_3 = "moins-3-mois", _("Moins de 3 mois")
    FROM_3 = "3-6-mois", _("3 à 6 mois")
    FROM_6 = "6-12-mois", _("6 à 12 mois")
    OVER_12 = "plus-12-mois", _("Plus d'un an")


class MethodLicence(models.TextChoices):
    CC_BY = "cc-by", _("CC BY 4.0 (attribution)")
    CC_BY_SA = "cc-by-sa", _("CC BY-SA 4.0 (attribution, partage dans les mêmes conditions)")
    CC_BY_NC = "cc-by-nc", _("CC BY-NC 4.0 (attribution, pas d'usage commercial)")
    CC_BY_NC_SA = "cc-by-nc-sa", _("CC BY-NC-SA 4.0")
    CC0 = "cc0", _("CC0 (domaine public)")
    ETALAB = "etalab-2.0", _("Licence Ouverte Etalab 2.0")
    ALL_RIGHTS = "tous-droits-reserves", _("Tous droits réservés (nous contacter)")


# The official addresses of the licences: the JSON-LD ``license`` and the page link.
LICENCE_URLS = {
    MethodLicence.CC_BY: "https://creativecommons.org/licenses/by/4.0/deed.fr",
    MethodLicence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
    MethodLicence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/deed.fr",
    MethodLicence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.fr",
    MethodLicence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/deed.fr",
    MethodLicence.ETALAB: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

# The fields a sheet is made of, in the order of the form, the page and the API; the
# completeness hint counts them (resources count as one).
SHEET_TEXT_FIELDS = ("transferable", "success_conditions", "obstacles", "partners_needed")
SHEET_CHOICE_FIELDS = ("readiness", "budget_range", "team_size", "time_to_launch", "licence")
SHEET_CONTACT_FIELDS = ("contact_name", "contact_email")
SHEET_FIELDS = (
    "readiness",
    "transferable",
    "success_conditions",
    "obstacles",
    "budget_range",
    "team_size",
    "time_to_launch",
    "partners_needed",
    "licence",
    "contact_name",
    "contact_email",
)
TEXT_MAX = 3000


class ReplicationSheet(models.Model):
    """« Essaimer ce projet »: what can be copied and on what conditions."""

    project = models.OneToOneField(
        ProjectPage, on_delete=models.CASCADE, related_name="replication_sheet"
    )
    readiness = models.CharField(
        _("prêt à essaimer ?"), max_length=20, choices=Readiness.choices, blank=True
    )
    transferable = models.TextField(
        _("ce qui peut être reproduit"),
        max_length=TEXT_MAX,
        blank=True,
        help_text=_("La méthode, les outils, l'organisation que d'autres peuvent reprendre."),
    )
    success_conditions = models.TextField(
        _("conditions de réussite"), max_length=TEXT_MAX, blank=True
    )
    obstacles = models.TextField(_("difficultés rencontrées"), max_length=TEXT_MAX, blank=True)
    budget_range = models.CharField(
        _("budget annuel"), max_length=20, choices=BudgetRange.choices, blank=True
    )
    team_size = models.CharField(
        _("taille de l'équipe"), max_length=20, choices=TeamSize.choices, blank=True
    )
    time_to_launch = models.CharField(
        _("délai de lancement"), max_length=20, choices=LaunchTime.choices, blank=True
    )
    partners_needed = models.TextField(
        _("partenaires nécessaires"), max_length=TEXT_MAX, blank=True
    )
    licence = models.CharField(
        _("licence de la méthode"), max_length=30, choices=MethodLicence.choices, blank=True
    )
    contact_name = models.CharField(_("contact pour essaimer"), max_length=120, blank=True)
    contact_email = models.EmailField(_("e-mail du contact pour essaimer"), blank=True)
    requests_paused = models.BooleanField(
        _("demandes « S'en inspirer » en pause"),
        default=False,
        help_text=_("Personne ne peut vous écrire par « S'en inspirer » tant que c'est coché."),
    )
    # What the last partner import wrote, field by field: an import overwrites a
    # field only while it still holds that value (a team's edit is never lost).
    imported_values = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(_("mise à jour le"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("fiche d'essaimage")
        verbose_name_plural = _("fiches d'essaimage")
        indexes = [models.Index(fields=["readiness"], name="replication_readiness")]

    def __str__(self) -> str:
        return str(self.project)

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")


class ReplicationResource(models.Model):
    """A document (a Wagtail document, checked on upload) or a link to copy from."""

    sheet = models.ForeignKey(ReplicationSheet, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("titre"), max_length=200)
    url = models.URLField(_("adresse"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ressource pour essaimer")
        verbose_name_plural = _("ressources pour essaimer")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(document__isnull=False) & models.Q(url=""))
                | (models.Q(document__isnull=True) & ~models.Q(url="")),
                name="replication_resource_document_or_link",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def href(self) -> str:
        return self.document.url if self.document_id else self.url


class ProjectLineage(models.Model):
    """« Inspiré de »: ``replication`` declares that ``original`` inspired it."""

    original = models.ForeignKey(
        ProjectPage, on_delete=models.CASCADE, related_name="replication_links"
    )
    replication = models.ForeignKey(
        ProjectPage, on_delete=models.CASCADE, related_name="inspiration_links"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a partner import declared the link (the source's own identifiers).
    source = models.ForeignKey(
        "innovations.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("filiation")
        verbose_name_plural = _("filiations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["original", "replication"], name="lineage_unique"),
            models.CheckConstraint(
                condition=~models.Q(original=models.F("replication")), name="lineage_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.replication} ← {self.original}"

    def clean(self) -> None:
        if self.original_id and self.original_id == self.replication_id:
            raise ValidationError(_("Un projet ne peut pas s'inspirer de lui-même."))
