"""The facets projects declare to the search (search/registry.py ``register_facet``),
as the admin's ``list_filter`` is declared: name, French label, URL parameter,
hierarchy and how codes read in the reader's language. The search page, the API,
exports and the /projets/ listing all count and filter through them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from search.documents import Facet
from search.registry import FacetSort

from .models import (
    LegalStatus,
    Public,
    Readiness,
    Scale,
    Source,
    Stage,
    Territory,
    TerritoryLevel,
    Theme,
    ThemeDomain,
    localized_label,
)


def _by_code(model):
    def labels(values):
        rows = model.objects.filter(code__in=list(values)).values_list("code", "label", "label_en")
        return {code: localized_label(french, english) for code, french, english in rows}

    return labels


def _territories(level):
    def labels(values):
        return dict(
            Territory.objects.filter(level=level, code__in=list(values)).values_list("code", "name")
        )

    return labels


def _choices(choices):
    # The lazy labels are kept and turned into text at each call, in the language of
    # the request (a str() here, at import, would freeze them in French).
    mapping = dict(choices)
    return lambda values: {v: str(mapping.get(v, v)) for v in values}


def _sources(values):
    return dict(Source.objects.filter(slug__in=list(values)).values_list("slug", "name"))


# (facet, labeller), in display order. Themes and territories are shared with the
# other kinds that carry them (communities, events): they declare the same names.
PROJECT_FACETS = (
    (
        Facet("domain", _("Domaine"), "domaine", order=10, aliases=("domains",)),
        _by_code(ThemeDomain),
    ),
    (
        Facet("theme", _("Sous-thème"), "theme", parent="domain", order=11, aliases=("themes",)),
        _by_code(Theme),
    ),
    (
        Facet("region", _("Région"), "region", order=20, aliases=("regions",)),
        _territories(TerritoryLevel.REGION),
    ),
    (
        Facet(
            "departement",
            _("Département"),
            "departement",
            parent="region",
            order=21,
            aliases=("departements", "department"),
        ),
        _territories(TerritoryLevel.DEPARTEMENT),
    ),
    (Facet("public", _("Public"), "public", order=30), _by_code(Public)),
    (Facet("stage", _("Stade"), "stade", order=40), _choices(Stage.choices)),
    (
        Facet("structure", _("Type de structure"), "structure", order=50),
        _choices(LegalStatus.choices),
    ),
    (Facet("source", _("Source"), "source", order=60), _sources),
    (Facet("scale", _("Échelle d'action"), "echelle", order=70), _choices(Scale.choices)),
    (Facet("year", _("Année de lancement"), "annee", order=80, value_order="value_desc"), None),
    # The replication sheet's readiness (issue 16): « Prêt à essaimer » first.
    (
        Facet("essaimage", _("Essaimage"), "essaimage", order=35),
        _choices(Readiness.choices),
    ),
)
# « Prêts à essaimer d'abord »: ready projects, then those being modelled, then the rest.
READINESS_SORT = FacetSort(
    name="essaimage",
    label=_("Prêts à essaimer d'abord"),
    facet="essaimage",
    values=(Readiness.READY, Readiness.MODELLING),
)


def register() -> None:
    from search.registry import register_facet, register_sort

    for facet, labeller in PROJECT_FACETS:
        register_facet(facet, labeller)
    register_sort(READINESS_SORT)
