"""A search request and its results, the same for the page, the API, exports and
feeds. URL parameters are French; internally facets use the names in documents.py."""

from __future__ import annotations

import datetime
import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from core.textsafe import has_control_characters

from . import registry
from .registry import Concept

# Parameters of the search itself; each registered facet adds its own
# (search/registry.py ``facet_params``: facet name → parameter).
OWN_PARAMS: tuple[str, ...] = ("autour", "lat", "lon", "rayon", "tri", "page", "par_page")


def accepted_params() -> tuple[str, ...]:
    """Every parameter the search surfaces read (the page also reads « vue »)."""
    return ("q", *registry.facet_params().values(), *OWN_PARAMS, DROP_CONCEPT_PARAM)


# « sans_concept=public:seniors »: a concept understood in the query, dropped by the
# visitor (search/interpret.py); kept in the shareable URL.
DROP_CONCEPT_PARAM = "sans_concept"
MAX_DROPPED_CONCEPTS = 10
SORTS = ("pertinence", "recents", "alpha", "distance")


def sorts() -> tuple[str, ...]:
    """The orders a search accepts: ours, then those apps declared (``FacetSort``)."""
    return (*SORTS, *registry.facet_sorts())


# Kinds whose publication date is news: « Plus récents » ranks them by that date and
# puts the other documents after them (editorial pages — legal notice, about… — are
# published once and are not news): adapters say so (``DocumentAdapter.news``).
DEFAULT_RADIUS_KM = 30
MAX_RADIUS_KM = 500
MAX_PER_PAGE = 100
MAX_PAGE = 500
MAX_WARNINGS = 10


@dataclass(frozen=True)
class GeoFilter:
    """Around a point. With ``area`` (a département or a région: ``("departement",
    "23")``), the documents *in* that area, whatever their distance, and the point is
    its centre: distances are measured (and sorted) from it, ``km`` does not apply."""

    lat: float
    lon: float
    km: float
    label: str = ""
    area: tuple[str, str] | None = None
    note: str = ""  # the position is approximate: says from where distances are measured
    others: tuple[PlaceChoice, ...] = ()  # homonyms of the place, not chosen

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
    dropped_concepts: tuple[str, ...] = ()  # « facet:value » keys, see interpret.py
    # Only documents published after this moment (saved-search alerts: « new since
    # the last e-mail »). Not a URL parameter.
    published_after: datetime.datetime | None = None

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
    def default_sort(self) -> str:
        """Around a place, the nearest first; otherwise the most relevant."""
        return "distance" if self.geo is not None else "pertinence"

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
        for facet, param in registry.facet_params().items():
            for value in self.filters.get(facet, ()):
                params.append((param, value))
        if self.geo is not None:
            if self.geo.label:
                params.append(("autour", self.geo.label))
            else:
                params.extend([("lat", f"{self.geo.lat:.5f}"), ("lon", f"{self.geo.lon:.5f}")])
            if self.geo.area is None:
                params.append(("rayon", f"{self.geo.km:g}"))
        if self.sort != self.default_sort:
            params.append(("tri", self.sort))
        if self.text:
            params.extend((DROP_CONCEPT_PARAM, key) for key in self.dropped_concepts)
        return params

    def dropping(self, key: str) -> SearchQuery:
        """The same search without the concept ``key`` (« public:seniors »)."""
        if key in self.dropped_concepts:
            return self
        return replace(self, dropped_concepts=(*self.dropped_concepts, key), page=1)

    def keeping(self, key: str) -> SearchQuery:
        """The same search with the concept ``key`` understood again."""
        kept = tuple(k for k in self.dropped_concepts if k != key)
        return replace(self, dropped_concepts=kept, page=1)


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
    # What the query was understood to name (search/interpret.py), and the concepts
    # the visitor dropped (found in the query, not applied).
    concepts: list[Concept] = field(default_factory=list)
    dropped_concepts: list[Concept] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.query.per_page))


class QueryError(ValueError):
    """A parameter has a value that cannot be understood; the message says which."""


@dataclass(frozen=True)
class PlaceChoice:
    """A place offered to choose from: ``value``, given back as « autour », names
    exactly this place; ``detail`` tells homonyms apart (département, population)."""

    label: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class Place:
    """Where « autour » points: its centre, the label the field shows back, the area
    when it is a département or a région (see GeoFilter), a note when the position is
    approximate, and the homonyms that were not chosen (« Creuse » the département,
    not the commune of the Somme)."""

    lat: float
    lon: float
    label: str
    area: tuple[str, str] | None = None
    note: str = ""
    others: tuple[PlaceChoice, ...] = ()


@dataclass(frozen=True)
class PlaceResolution:
    """What a place resolver answers: a place, or choices — homonyms when
    ``ambiguous`` (several places have exactly that name or postal code), else
    suggestions for a name that matched nothing exactly."""

    place: Place | None
    choices: tuple[PlaceChoice, ...] = ()
    ambiguous: bool = False


class PlaceError(QueryError):
    """« autour » names no place, or several: the message says so, ``choices`` are
    the places to pick from (each re-runs the search with that exact place)."""

    def __init__(
        self,
        message: str,
        *,
        text: str,
        choices: tuple[PlaceChoice, ...] = (),
        ambiguous: bool = False,
    ):
        super().__init__(message)
        self.text = text
        self.choices = choices
        self.ambiguous = ambiguous  # several places answer: a question, not an error


PlaceResolver = Callable[[str], PlaceResolution | tuple[float, float, str] | None]


def _resolution(resolved) -> PlaceResolution:
    """A resolver's answer as a PlaceResolution (a bare (lat, lon, label) is a place)."""
    if isinstance(resolved, PlaceResolution):
        return resolved
    if resolved is None:
        return PlaceResolution(None)
    lat, lon, label = resolved
    return PlaceResolution(Place(lat, lon, label))


def _place_error(text: str, resolution: PlaceResolution) -> PlaceError:
    if resolution.ambiguous and resolution.choices:
        message = _("Plusieurs lieux correspondent à « %(place)s » : précisez lequel.")
    elif resolution.choices:
        message = _("Lieu inconnu « %(place)s » : vouliez-vous dire l'un de ces lieux ?")
    else:
        message = _(
            "Lieu inconnu « %(place)s » : indiquez une commune, un code postal, "
            "un département ou une région."
        )
    return PlaceError(
        message % {"place": text},
        text=text,
        choices=resolution.choices,
        ambiguous=bool(resolution.ambiguous and resolution.choices),
    )


# Names people (and other APIs) use for our parameters: the warning suggests ours.
# Facets add theirs (their name and ``Facet.aliases``), param_aliases().
PARAM_ALIASES: dict[str, str] = {
    "query": "q",
    "search": "q",
    "text": "q",
    "near": "autour",
    "place": "autour",
    "commune": "autour",
    "radius": "rayon",
    "distance": "rayon",
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "sort": "tri",
    "order": "tri",
    "ordering": "tri",
    "page_size": "par_page",
    "per_page": "par_page",
    "limit": "par_page",
    "size": "par_page",
}


def param_aliases() -> dict[str, str]:
    aliases = dict(PARAM_ALIASES)
    for facet in registry.facets():
        for name in (facet.name, *facet.aliases):
            if name != facet.param:
                aliases.setdefault(name, facet.param)
    return aliases


def unknown_param_warnings(params) -> list[str]:
    """A French warning for each parameter the search does not know, suggesting the
    one meant (« kind » → « type »): an unknown parameter is ignored, never silently."""
    known = accepted_params()
    aliases = param_aliases()
    unknown = [name for name in dict.fromkeys(params.keys()) if name not in known]
    warnings = []
    for name in unknown[:MAX_WARNINGS]:
        shown = name if len(name) <= 40 else name[:40] + "…"
        guess = aliases.get(name.lower().strip())
        if guess is None or guess not in known:
            close = difflib.get_close_matches(name.lower(), known, n=1, cutoff=0.75)
            guess = close[0] if close else None
        if guess:
            warnings.append(
                _("Paramètre inconnu « %(name)s » (ignoré) : vouliez-vous dire « %(param)s » ?")
                % {"name": shown, "param": guess}
            )
        else:
            warnings.append(
                _("Paramètre inconnu « %(name)s » (ignoré). Paramètres acceptés : %(known)s.")
                % {"name": shown, "known": ", ".join(known)}
            )
    if len(unknown) > MAX_WARNINGS:
        warnings.append(
            _("Et %(count)s autres paramètres inconnus, ignorés.")
            % {"count": len(unknown) - MAX_WARNINGS}
        )
    return warnings


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
    resolve_place: PlaceResolver | None = None,
    per_page: int = 20,
) -> SearchQuery:
    """Build a SearchQuery from URL parameters (a QueryDict or a dict of lists).

    Raises QueryError with a French message for values that make no sense, and
    PlaceError (a QueryError with the places to choose from) when « autour » names
    no place or several.
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
    for facet, param in registry.facet_params().items():
        values = tuple(dict.fromkeys(v.strip()[:120] for v in getlist(param) if v and v.strip()))
        if values:
            filters[facet] = values[:30]
    sort = (params.get("tri") or "").strip()
    if sort and sort not in sorts():
        raise QueryError(
            _("Tri inconnu « %(sort)s » (attendus : %(sorts)s).")
            % {"sort": sort, "sorts": ", ".join(sorts())}
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
        resolution = _resolution(resolve_place(place[:150]) if resolve_place else None)
        found = resolution.place
        if found is None:
            raise _place_error(place[:150], resolution)
        geo = GeoFilter(
            found.lat,
            found.lon,
            radius or DEFAULT_RADIUS_KM,
            found.label,
            area=found.area,
            note=found.note,
            others=found.others,
        )
    elif lat is not None or lon is not None:
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise QueryError(_("« lat » et « lon » vont ensemble et doivent être valides."))
        geo = GeoFilter(lat, lon, radius or DEFAULT_RADIUS_KM)
    dropped = tuple(
        dict.fromkeys(
            v.strip()[:160] for v in getlist(DROP_CONCEPT_PARAM) if isinstance(v, str) and v.strip()
        )
    )[:MAX_DROPPED_CONCEPTS]
    return SearchQuery(
        text=(params.get("q") or "").strip()[:300],
        dropped_concepts=dropped,
        filters=filters,
        geo=geo,
        # Without « tri »: nearest first around a place, most relevant otherwise.
        sort=sort or ("distance" if geo is not None else "pertinence"),
        page=page,
        per_page=per_page,
        principals=principals,
        seed=daily_seed(),
    )
