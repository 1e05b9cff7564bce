"""The one shape every searchable thing takes, whatever the backend.

Apps turn their objects into SearchDocument through the registry
(search/registry.py); backends only ever see documents.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PUBLIC = "public"
AUTHENTICATED = "authenticated"


@dataclass(frozen=True)
class Facet:
    """A facet an app declares (search/registry.py ``register_facet``), as the admin's
    ``list_filter`` is declared: the name documents use in ``facets``, its French
    label, the URL parameter of the page and the API, and how its values are shown."""

    name: str  # key in SearchDocument.facets, in filters and in facet counts
    label: str
    param: str  # URL parameter (French): « domaine », « annee »
    parent: str | None = None  # hierarchical facets: theme → domain, departement → region
    order: int = 100  # display order in the search page
    value_order: str = "count"  # "count" (most first) or "value_desc" (years: latest first)
    aliases: tuple[str, ...] = ()  # other names people use for the parameter (« themes »)
    # Listed among the search page's filters. An unlisted facet is still counted,
    # filtered by its parameter and exposed by the API (the month of publication
    # feeds the statistics, not the sidebar).
    listed: bool = True


# The one facet search/ owns: the kind of content, whatever the app.
KIND_FACET = Facet("kind", _("Type de contenu"), "type", order=0, aliases=("types", "kind"))
# And the month of publication (« 2026-03 »), derived from ``published_at`` for every
# kind: publications over time (/statistiques/) are facet counts of the same visible
# set as search.
MONTH_FACET = Facet(
    "month", _("Mois de publication"), "mois", order=90, value_order="value_desc", listed=False
)
# Bumped when derived facets change, so that a full reconciliation rewrites every
# document once (their fingerprints differ).
DERIVED_FACETS_VERSION = 2


def publication_month(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.year:04d}-{moment.month:02d}"


@dataclass
class SearchDocument:
    """What an app says of one object. ``facets`` holds the values filters and facet
    counts see (facet name → codes, names declared with ``register_facet``);
    ``keywords`` the labels searched between the title and the summary (themes,
    places, tags); ``display`` what a result shows without touching the app's
    database (``labels``, ``places``, ``tags``, ``image_url``…: plain JSON)."""

    kind: str
    object_id: str
    url: str
    title: str
    summary: str = ""
    body: str = ""
    keywords: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)
    points: list[tuple[float, float]] = field(default_factory=list)  # (lat, lon)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    # Who may see it: PUBLIC, AUTHENTICATED, "user:<id>", "group:<id>",
    # "role:superuser", or any principal an app registers (e.g. "community:<id>").
    # search/pages.py turns Wagtail's view restrictions into these.
    visibility: list[str] = field(default_factory=lambda: [PUBLIC])
    display: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    def facet_values(self) -> dict[str, list[str]]:
        """Values by facet name, as filters and facet counts see them."""
        values = {
            name: sorted({str(v) for v in items if v not in (None, "")})
            for name, items in self.facets.items()
        }
        values["kind"] = [self.kind]
        month = publication_month(self.published_at)
        values["month"] = [month] if month else []
        return values

    def stored_display(self) -> dict:
        """What the index keeps to show the result: ``display`` and the points."""
        return {**self.display, "points": [list(p) for p in self.points]}

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
        data["_derived"] = DERIVED_FACETS_VERSION
        text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:32]
