"""The shared taxonomy: theme domains → sub-themes, publics and methods.

Editors maintain them as Wagtail snippets. Codes are stable identifiers used by
imports, search documents and URLs: code never matches on labels.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9.-]*$",
    _("Minuscules sans accents, chiffres, tirets et points seulement."),
)


class TaxonomyTerm(index.Indexed, models.Model):
    code = models.CharField(_("code"), max_length=80, unique=True, validators=[code_validator])
    label = models.CharField(_("libellé"), max_length=120)
    sort_order = models.PositiveIntegerField(_("ordre"), default=0)

    panels = [FieldPanel("label"), FieldPanel("code"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("label"), index.AutocompleteField("label")]

    class Meta:
        abstract = True
        ordering = ["sort_order", "label"]

    def __str__(self) -> str:
        return self.label


class ThemeDomain(TaxonomyTerm):
    description = models.TextField(_("description"), blank=True)

    panels = [*TaxonomyTerm.panels, FieldPanel("description")]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")


class Theme(TaxonomyTerm):
    """A sub-theme; its domain gives the first level."""

    domain = models.ForeignKey(
        ThemeDomain, verbose_name=_("domaine"), on_delete=models.PROTECT, related_name="themes"
    )

    panels = [FieldPanel("domain"), *TaxonomyTerm.panels]

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("sous-thème")
        verbose_name_plural = _("sous-thèmes")
        ordering = ["domain__sort_order", "sort_order", "label"]


class Public(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("public")
        verbose_name_plural = _("publics")


class Method(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("méthode")
        verbose_name_plural = _("méthodes")
