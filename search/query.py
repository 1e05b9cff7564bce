"""A search request and its results, the same for the page, the API, exports and
feeds. URL parameters are French; internally facets use the names in documents.py."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from cms.textsafe import has_control_characters

from .documents import FACET_NAMES

# facet name → URL parameter
PARAMS: dict[str, str] = {
    "kind": "type",
    "domain": "domaine",
    "theme": "theme",
    "region": "region",
    "departement": "departement",
    "public": "public",
    "stage": "stade",
    "structure": "structure",
    "source": "source",
    "scale": "echelle",
    "year": "annee",
}
SORTS = ("pertinence", "recents", "alpha", "distance")
DEFAULT_RADIUS_KM = 30
MAX_RADIUS_KM = 500
MAX_PER_PAGE = 100
MAX_PAGE = 500


@dataclass(frozen=True)
class GeoFilter:
    lat: float
    lon: float
    km: float
    label: str = ""

    def bbox(self) -> tuple[float, float, float, float]:
        """(south, west, north, east) enclosing the circle."""
        dlat = self.km / 111.2
        dlon = self.km / (111.32 * max(math.cos(math.radians(self.lat)), 0.01))
        return (self.lat - dlat, self.lon - dlon, self.lat + dlat, self.lon + dlon)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    geo: GeoFilter | None = None
    sort: str = "pertinence"
    page: int = 1
    per_page: int = 20
    principals: frozenset[str] = frozenset({"public"})
    seed: int = 0  # varies the order of ties, once a day
    facets: bool = True
    highlight: bool = True

    def without(self, facet: str, value: str | None = None) -> SearchQuery:
        filters = dict(self.filters)
        if value is None:
            filters.pop(facet, None)
        else:
            remaining = tuple(v for v in filters.get(facet, ()) if v != value)
            if remaining:
                filters[facet] = remaining
            else:
                filters.pop(facet, None)
        return replace(self, filters=filters, page=1)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def effective_sort(self) -> str:
        if self.sort == "distance" and self.geo is None:
            return "pertinence"
        return self.sort

    def to_params(self) -> list[tuple[str, str]]:
        """Back to URL parameters (shareable, bookmarkable state)."""
        params: list[tuple[str, str]] = []
        if self.text:
            params.append(("q", self.text))
        for facet in FACET_NAMES:
            for value in self.filters.get(facet, ()):
                params.append((PARAMS[facet], value))
        if self.geo is not None:
            if self.geo.label:
                params.append(("autour", self.geo.label))
            else:
                params.extend([("lat", f"{self.geo.lat:.5f}"), ("lon", f"{self.geo.lon:.5f}")])
            params.append(("rayon", f"{self.geo.km:g}"))
        if self.sort != "pertinence":
            params.append(("tri", self.sort))
        return params


@dataclass
class Hit:
    key: str
    kind: str
    object_id: str
    url: str
    title: str
    summary: str
    published_at: datetime.datetime | None = None
    display: dict = field(default_factory=dict)
    highlights: dict[str, str] = field(default_factory=dict)
    distance_km: float | None = None
    score: float = 0.0
    promoted: bool = False


@dataclass
class FacetCount:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResults:
    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    suggestion: str = ""  # « did you mean »
    promoted: list[Hit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


class QueryError(ValueError):
    """A parameter has a value that cannot be understood; the message says which."""


def daily_seed(today: datetime.date | None = None) -> int:
    today = today or datetime.date.today()
    return today.toordinal() % 9973


def check_text(name: str, value: str) -> str:
    """``value`` of parameter ``name``, refused when it holds control characters
    (NUL, escape…): nobody types them, PostgreSQL refuses NUL, and XML (the feeds)
    cannot carry them. Checked here, once, for the page, the API, exports and feeds."""
    if has_control_characters(value):
        raise QueryError(
            _("« %(name)s » contient un caractère de contrôle, non autorisé.") % {"name": name}
        )
    return value


def _floats(params, name: str) -> float | None:
    raw = (params.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise QueryError(_("« %(name)s » doit être un nombre.") % {"name": name}) from None
    if not math.isfinite(value):
        raise QueryError(_("« %(name)s » doit être un nombre.") % {"name": name})
    return value


def parse_params(
    params,
    *,
    principals: frozenset[str],
    resolve_place: Callable[[str], tuple[float, float, str] | None] | None = None,
    per_page: int = 20,
) -> SearchQuery:
    """Build a SearchQuery from URL parameters (a QueryDict or a dict of lists).

    Raises QueryError with a French message for values that make no sense.
    """

    def getlist(name: str) -> list[str]:
        if hasattr(params, "getlist"):
            values = params.getlist(name)
        else:
            value = params.get(name, [])
            values = value if isinstance(value, list) else [value]
        return [check_text(name, v) if isinstance(v, str) else v for v in values]

    for name in ("q", "tri", "page", "par_page", "autour", "lat", "lon", "rayon"):
        if isinstance(value := params.get(name), str):
            check_text(name, value)

    filters = {}
    for facet, param in PARAMS.items():
        values = tuple(dict.fromkeys(v.strip()[:120] for v in getlist(param) if v and v.strip()))
        if values:
            filters[facet] = values[:30]
    sort = (params.get("tri") or "pertinence").strip()
    if sort not in SORTS:
        raise QueryError(
            _("Tri inconnu « %(sort)s » (attendus : %(sorts)s).")
            % {"sort": sort, "sorts": ", ".join(SORTS)}
        )
    try:
        page = int(params.get("page") or 1)
    except ValueError:
        raise QueryError(_("« page » doit être un nombre entier.")) from None
    if page < 1 or page > MAX_PAGE:
        raise QueryError(_("« page » doit être compris entre 1 et %(max)s.") % {"max": MAX_PAGE})
    size = params.get("par_page")
    if size:
        try:
            per_page = int(size)
        except ValueError:
            raise QueryError(_("« par_page » doit être un nombre entier.")) from None
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise QueryError(
                _("« par_page » doit être compris entre 1 et %(max)s.") % {"max": MAX_PER_PAGE}
            )
    radius = _floats(params, "rayon")
    if radius is not None and not 0 < radius <= MAX_RADIUS_KM:
        raise QueryError(
            _("« rayon » doit être compris entre 1 et %(max)s km.") % {"max": MAX_RADIUS_KM}
        )
    geo = None
    place = (params.get("autour") or "").strip()
    lat, lon = _floats(params, "lat"), _floats(params, "lon")
    if place:
        resolved = resolve_place(place) if resolve_place else None
        if resolved is None:
            raise QueryError(
                _("Lieu inconnu « %(place)s » : choisissez une commune de la liste.")
                % {"place": place}
            )
        geo = GeoFilter(resolved[0], resolved[1], radius or DEFAULT_RADIUS_KM, resolved[2])
    elif lat is not None or lon is not None:
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise QueryError(_("« lat » et « lon » vont ensemble et doivent être valides."))
        geo = GeoFilter(lat, lon, radius or DEFAULT_RADIUS_KM)
    return SearchQuery(
        text=(params.get("q") or "").strip()[:300],
        filters=filters,
        geo=geo,
        sort=sort,
        page=page,
        per_page=per_page,
        principals=principals,
        seed=daily_seed(),
    )
