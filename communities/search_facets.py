"""The facets communities add to the search (search/registry.py ``register_facet``).

Themes and territories are the projects' facets (``domain``, ``theme``, ``region``,
``departement``, declared by innovations/search_facets.py): community and event
documents fill the same names, so one « Domaine » filter finds projects,
communities and events alike. Only what projects do not have is declared here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from search.documents import Facet

from .models import JoinPolicy, Kind

# Short labels: the models' choices explain each policy at length (« Ouverte :
# chacun peut la rejoindre »), too long for a filter.
JOIN_POLICY_LABELS = {
    JoinPolicy.OPEN: _("Ouverte"),
    JoinPolicy.REQUEST: _("Sur demande"),
    JoinPolicy.INVITATION: _("Sur invitation"),
}


def _labels(mapping):
    # Lazy labels turned into text at each call, in the language of the request.
    return lambda values: {v: str(mapping.get(v, v)) for v in values}


COMMUNITY_FACETS = (
    (
        Facet("community_kind", _("Type de communauté"), "type_communaute", order=90),
        _labels(dict(Kind.choices)),
    ),
    (Facet("join_policy", _("Adhésion"), "adhesion", order=91), _labels(JOIN_POLICY_LABELS)),
)


def register() -> None:
    from search.registry import register_facet

    for facet, labeller in COMMUNITY_FACETS:
        register_facet(facet, labeller)
