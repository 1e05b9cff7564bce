"""The one shape every searchable thing takes, whatever the backend.

Apps turn their objects into SearchDocument through the registry
(search/registry.py); backends only ever see documents.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _

PUBLIC = "public"
AUTHENTICATED = "authenticated"


@dataclass(frozen=True)
class Facet:
    name: str  # query parameter and facet key
    label: str
    parent: str | None = None  # hierarchical facets: theme → domain, departement → region


# Order = display order in the search page.
FACETS: tuple[Facet, ...] = (
    Facet("kind", _("Type de contenu")),
    Facet("domain", _("Domaine")),
    Facet("theme", _("Sous-thème"), parent="domain"),
    Facet("region", _("Région")),
    Facet("departement", _("Département"), parent="region"),
    Facet("public", _("Public")),
    Facet("stage", _("Stade")),
    Facet("structure", _("Type de structure")),
    Facet("source", _("Source")),
    Facet("scale", _("Échelle d'action")),
    Facet("year", _("Année de lancement")),
)
FACET_NAMES = tuple(f.name for f in FACETS)


@dataclass
class SearchDocument:
    kind: str
    object_id: str
    url: str
    title: str
    summary: str = ""
    body: str = ""
    domains: list[str] = field(default_factory=list)  # codes
    themes: list[str] = field(default_factory=list)  # sub-theme codes
    theme_labels: list[str] = field(default_factory=list)  # searched, shown
    publics: list[str] = field(default_factory=list)
    stage: str = ""
    structure: str = ""
    sources: list[str] = field(default_factory=list)
    scale: str = ""
    year: int | None = None
    tags: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)  # INSEE codes
    departements: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    territory_labels: list[str] = field(default_factory=list)  # searched, shown
    points: list[tuple[float, float]] = field(default_factory=list)  # (lat, lon)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    # Who may see it: PUBLIC, AUTHENTICATED, "user:<id>", "group:<id>",
    # "role:superuser", or any principal an app registers (e.g. "community:<id>").
    # search/pages.py turns Wagtail's view restrictions into these.
    visibility: list[str] = field(default_factory=lambda: [PUBLIC])
    image_url: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    def facet_values(self) -> dict[str, list[str]]:
        """Values by facet name, as filters and facet counts see them."""
        return {
            "kind": [self.kind],
            "domain": sorted(set(self.domains)),
            "theme": sorted(set(self.themes)),
            "region": sorted(set(self.regions)),
            "departement": sorted(set(self.departements)),
            "public": sorted(set(self.publics)),
            "stage": [self.stage] if self.stage else [],
            "structure": [self.structure] if self.structure else [],
            "source": sorted(set(self.sources)),
            "scale": [self.scale] if self.scale else [],
            "year": [str(self.year)] if self.year else [],
        }

    def display(self) -> dict:
        """What a result needs to be shown without touching the app's database."""
        return {
            "theme_labels": self.theme_labels,
            "territory_labels": self.territory_labels,
            "tags": self.tags,
            "image_url": self.image_url,
            "points": [list(p) for p in self.points],
        }

    def as_dict(self) -> dict:
        data = asdict(self)
        data["key"] = self.key
        return data

    def fingerprint(self) -> str:
        """A digest of everything the document says (visibility included): the
        index stores it, so a full reconciliation (``search_sync --full``) finds the
        documents whose content or visibility differs from the database."""
        # A shallow copy: the fields are plain values and lists, which json.dumps
        # reads as dataclasses.asdict() would give them, without its deep copies
        # (the largest cost of bulk indexing on the engine, benchmarks/search.py).
        data = dict(vars(self))
        data["visibility"] = sorted(set(self.visibility))
        text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:32]
