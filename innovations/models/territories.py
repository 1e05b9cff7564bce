"""Official French territories (INSEE Code officiel géographique): régions,
départements and communes, with their codes, names, parents and positions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.text import fold


class TerritoryLevel(models.TextChoices):
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")
    COMMUNE = "commune", _("Commune")


class Territory(models.Model):
    level = models.CharField(_("niveau"), max_length=12, choices=TerritoryLevel.choices)
    code = models.CharField(_("code INSEE"), max_length=5)
    name = models.CharField(_("nom"), max_length=120)
    # Folded name (lowercase, no accents, no punctuation) for prefix autocomplete.
    search_name = models.CharField(max_length=120, db_index=True, editable=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("territoire parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Denormalised codes: filters by région or département need no join.
    region_code = models.CharField(_("code région"), max_length=3, blank=True, db_index=True)
    departement_code = models.CharField(
        _("code département"), max_length=3, blank=True, db_index=True
    )
    postal_codes = models.CharField(
        _("codes postaux"), max_length=400, blank=True, help_text=_("Séparés par des espaces.")
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="territory_unique_level_code")
        ]
        indexes = [models.Index(fields=["level", "search_name"], name="territory_level_name")]

    def __str__(self) -> str:
        if self.level == TerritoryLevel.COMMUNE:
            return f"{self.name} ({self.departement_code})"
        if self.level == TerritoryLevel.DEPARTEMENT:
            return f"{self.name} ({self.code})"
        return self.name

    def save(self, *args, **kwargs):
        # Derived field only, no business rule: keeps the folded name in step.
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def key(self) -> str:
        """Stable identifier used in URLs and search documents, e.g. ``departement:23``."""
        return f"{self.level}:{self.code}"

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None
