"""Partner organisations that pool their projects, and where each project comes from."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from .projects import ProjectPage


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

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("website"),
        FieldPanel("logo"),
        FieldPanel("description"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("source partenaire")
        verbose_name_plural = _("sources partenaires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectSourceRecord(models.Model):
    """One partner's listing of a project: « Projet référencé par … » with a link back.

    A project merged from several partners has several records.
    """

    project = models.ForeignKey(
        ProjectPage, on_delete=models.CASCADE, related_name="source_records"
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="records")
    source_url = models.URLField(_("adresse chez le partenaire"), max_length=500, blank=True)
    source_identifier = models.CharField(_("identifiant chez le partenaire"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

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
