"""The shared taxonomy: theme domains → sub-themes, publics and methods.

Editors maintain them as Wagtail snippets. Codes are stable identifiers used by
imports, search documents and URLs: code never matches on labels.

**Labels in two languages.** The French label is the source; each term also has an
English label (``label_en``, editable in the admin, seeded for the default taxonomy
from ``innovations/data/taxonomy.json``). Reading ``term.label`` gives the label in
the interface's language (the English one when the interface is in English and an
English label is set, the French one otherwise), so every template, form, API and
export that shows ``theme.label`` or ``str(theme)`` follows the language switcher;
queries (``filter(label=…)``, ``order_by("label")``, ``values_list("code", "label")``)
still work on the French column, and ``term.label_fr`` is the French label, which the
search index stores (a French index whatever the editor's admin language).

Why not django-modeltranslation: it rewrites queries by the active language too
(``values_list("code", "label")`` in the import planner, orderings, ``filter``), so a
document indexed or an import planned during an English request would silently store
English; it needs its app in INSTALLED_APPS before the admin, a ``label_fr`` copy of
every label and wagtail-modeltranslation for the admin panels. One extra language on
four small models is one field and one accessor (``LocalizedLabelField`` below).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index

code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9.-]*$",
    _("Minuscules sans accents, chiffres, tirets et points seulement."),
)


def localized_label(french: str, english: str = "") -> str:
    """The label to show in the active language: English when the interface is in
    English and a translation exists, French otherwise. The one rule for every
    taxonomy label (model instances and the facet labellers' ``values_list``)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language == "en" and english:
        return english
    return french


class LocalizedLabelField(models.CharField):
    """The French label, stored in the ``label`` column and queried as ``label``,
    kept on the instance as ``<name>_fr`` (its attname, as a foreign key keeps its id
    in ``<name>_id``); the instance's ``<name>`` is then free for a property that
    reads the label in the active language and writes the French one. Model forms,
    saves and validation go through the attname: they always see the French label.

    Deconstructed as a plain CharField: the database column and the migrations are
    those of the original ``label`` field."""

    def get_attname(self) -> str:
        return f"{self.name}_fr"

    def get_attname_column(self) -> tuple[str, str]:
        return self.get_attname(), self.db_column or self.name

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only=private_only)
        french, english = self.attname, f"{name}_en"

        def read(instance) -> str:
            return localized_label(getattr(instance, french), getattr(instance, english, ""))

        def write(instance, value) -> None:
            setattr(instance, french, value)

        setattr(cls, name, property(read, write, doc=_("Libellé dans la langue de l'interface.")))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class TaxonomyTerm(index.Indexed, models.Model):
    code = models.CharField(_("code"), max_length=80, unique=True, validators=[code_validator])
    label = LocalizedLabelField(_("libellé"), max_length=120)
    label_en = models.CharField(
        _("libellé en anglais"),
        max_length=120,
        blank=True,
        help_text=_("Montré quand l'interface est en anglais ; vide : le libellé français."),
    )
    sort_order = models.PositiveIntegerField(_("ordre"), default=0)
    # Query understanding (innovations/search_documents.py, taxonomy_concepts): a
    # search naming the term by its label or one of these finds the projects tagged
    # with it, even when their text says it otherwise.
    synonyms = models.TextField(
        _("synonymes"),
        blank=True,
        help_text=_(
            "Autres façons de le dire, séparées par des virgules (par exemple, pour "
            "Seniors : personnes âgées, aînés, retraités). Une recherche qui en contient "
            "un trouve aussi les projets classés ici."
        ),
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("label_en"),
        FieldPanel("code"),
        FieldPanel("synonyms"),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("label"),
        index.AutocompleteField("label"),
        index.SearchField("label_en"),
        index.AutocompleteField("label_en"),
    ]

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

    @property
    def slug(self) -> str:
        """Its page's address, /themes/<slug>/ (the code's « . » becomes « - »)."""
        return self.code.replace(".", "-")


class Public(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("public")
        verbose_name_plural = _("publics")


class Method(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("méthode")
        verbose_name_plural = _("méthodes")
