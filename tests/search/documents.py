"""Project-like search documents for the search tests: the fields projects declare
(innovations/search_facets.py) passed by name, as innovations/search_documents.py
builds them, so that each test says only what matters to it."""

from __future__ import annotations

from search.documents import SearchDocument

# keyword argument → facet name
FACET_ARGUMENTS = {
    "domains": "domain",
    "themes": "theme",
    "regions": "region",
    "departements": "departement",
    "publics": "public",
    "sources": "source",
}
SINGLE_ARGUMENTS = {"stage": "stage", "structure": "structure", "scale": "scale", "year": "year"}


def project_document(
    *,
    theme_labels=(),
    territory_labels=(),
    tags=(),
    image_url: str = "",
    communes=(),
    **fields,
) -> SearchDocument:
    facets = {}
    for argument, facet in FACET_ARGUMENTS.items():
        if argument in fields:
            facets[facet] = list(fields.pop(argument))
    for argument, facet in SINGLE_ARGUMENTS.items():
        if argument in fields:
            value = fields.pop(argument)
            facets[facet] = [value] if value not in (None, "") else []
    fields.setdefault("kind", "project")
    return SearchDocument(
        keywords=[*theme_labels, *territory_labels, *tags],
        facets={**facets, **fields.pop("facets", {})},
        display={
            "labels": list(theme_labels),
            "places": list(territory_labels),
            "tags": list(tags),
            "image_url": image_url,
        },
        **fields,
    )
