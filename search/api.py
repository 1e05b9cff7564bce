"""GET /api/v1/search: the search page's results as JSON, same parameters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import create_model

from core.api_errors import ErrorOut, ValidationErrorOut

from . import registry
from .query import (
    DEFAULT_RADIUS_KM,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_RADIUS_KM,
    PlaceError,
    QueryError,
    parse_params,
    sorts,
    unknown_param_warnings,
)
from .registry import principals_for
from .services import SearchUnavailable, record_on_cache_hits, resolve_place, search

router = Router(tags=["Recherche"])


class PointOut(Schema):
    lat: float
    lon: float


class ResultOut(Schema):
    kind: str
    title: str
    url: str
    summary: str
    highlights: dict[str, str]
    themes: list[str]
    territory: list[str]
    points: list[PointOut]
    published_at: datetime | None
    distance_km: float | None = None


class FacetValueOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class ConceptOut(Schema):
    """A facet value the query was understood to name (« personnes âgées » → public
    Seniors): documents tagged with it match that part of the query too."""

    facet: str = Field(description="La facette (« public », « theme », « domain »).")
    value: str = Field(description="Le code de la valeur (« seniors »).")
    label: str = Field(description="Son libellé (« Seniors »).")
    kind: str = Field(description="Ce qu'elle est, en toutes lettres (« public », « thème »).")
    phrase: str = Field(description="Ce qui l'a nommée dans la requête (« personnes âgées »).")
    key: str = Field(
        description="« facet:value » : à passer dans « sans_concept » pour ne pas en tenir compte."
    )


class LinksOut(Schema):
    self: str
    next: str | None = None
    previous: str | None = None


class SearchOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ResultOut]
    promoted: list[ResultOut]
    facets: dict[str, list[FacetValueOut]] = Field(
        description="Comptes par facette (nom de facette → valeurs). Pour filtrer sur une "
        "valeur, passer le paramètre que donne « facet_parameters » (kind → type…)."
    )
    facet_parameters: dict[str, str] = Field(
        description="Nom de chaque facette → paramètre de requête qui filtre sur elle "
        "(« kind » se filtre par « type=project »)."
    )
    suggestion: str
    concepts: list[ConceptOut] = Field(
        description="Ce que la requête a été comprise nommer (thèmes, publics…), appliqué."
    )
    dropped_concepts: list[ConceptOut] = Field(
        description="Concepts reconnus mais écartés par « sans_concept »."
    )
    links: LinksOut
    warnings: list[str] = Field(
        description="Ce qui a été ignoré, en français : un paramètre inconnu est signalé "
        "(« Paramètre inconnu « kind » (ignoré) : vouliez-vous dire « type » ? »), "
        "jamais ignoré en silence."
    )


class PlaceChoiceOut(Schema):
    label: str = Field(description="Le lieu, tel qu'à afficher.")
    value: str = Field(description="La valeur d'« autour » qui désigne exactement ce lieu.")
    detail: str = Field(description="Ce qui le distingue de ses homonymes.")


class QueryErrorOut(Schema):
    """Paramètre incompris (400) : le message dit lequel et pourquoi. Pour un lieu
    (« autour ») inconnu ou ambigu (« Montreuil », « 23000 »), les lieux possibles
    sont dans « candidates » : relancer avec la « value » de l'un d'eux."""

    detail: str
    candidates: list[PlaceChoiceOut] = []


def query_error(exc: QueryError) -> tuple[int, dict]:
    """A QueryError as the API answers it: 400, with the places to choose from."""
    choices = exc.choices if isinstance(exc, PlaceError) else ()
    return 400, {
        "detail": str(exc),
        "candidates": [{"label": c.label, "value": c.value, "detail": c.detail} for c in choices],
    }


def _bounds(description: str, **keywords) -> dict:
    """A parameter's description and JSON Schema bounds, for the OpenAPI schema."""
    return {"description": description, "json_schema_extra": keywords}


def _choices_without_default(values) -> Callable[[dict], None]:
    """An enum without a « default » in the schema: the default depends on other
    parameters (« tri »: « distance » around a place, else « pertinence »)."""

    def extra(schema: dict) -> None:
        schema.pop("default", None)
        # A callable: the orders apps declare are known once they are ready.
        schema["enum"] = list(values() if callable(values) else values)

    return extra


class _SearchParams(Schema):
    """Same parameters as the /recherche/ page; repeat a facet parameter for OR.

    The bounds are parse_params's (search/query.py, from the same constants),
    stated here so that the schema tells them. They are not validated here but by
    parse_params, the one check shared by the page, the API, exports and feeds:
    a value out of bounds is a 400 with a French message, as on the page — not
    pydantic's 422 in English. A wrong *type* (page=deux) is ninja's 422. What
    no schema can say (« lat » needs « lon », « autour » must name one place,
    no control characters) is the same documented 400. A parameter not listed here
    is not refused: it is ignored and named in the answer's « warnings »."""

    q: str = Field("", description="Texte recherché (300 caractères au plus).")
    autour: str = Field(
        "",
        description="Lieu autour duquel chercher : une commune (« Guéret (23) », « Paris »), "
        "un code postal (« 75011 ») ou INSEE, un département ou une région (« Creuse » : "
        "les résultats situés dedans, « rayon » ne s'applique pas). Les distances partent "
        "du lieu ; sans « tri », les plus proches d'abord. Un nom porté par plusieurs "
        "communes (« Montreuil ») ou un code postal partagé : 400 avec les lieux possibles.",
    )
    lat: float | None = Field(
        None, **_bounds("Latitude du centre, avec « lon ».", minimum=-90, maximum=90)
    )
    lon: float | None = Field(
        None, **_bounds("Longitude du centre, avec « lat ».", minimum=-180, maximum=180)
    )
    rayon: float | None = Field(
        None,
        **_bounds(
            f"Rayon en km autour du centre ({DEFAULT_RADIUS_KM} par défaut).",
            exclusiveMinimum=0,
            maximum=MAX_RADIUS_KM,
        ),
    )
    tri: str = Field(
        "",
        description="Ordre des résultats : « pertinence » par défaut, « distance » par défaut "
        "autour d'un lieu ; « recents » : les projets du plus récent au plus ancien, puis "
        "les pages éditoriales (qui ne sont pas des nouvelles) ; « alpha » ; « essaimage » : "
        "les projets prêts à essaimer d'abord, puis ceux en cours de modélisation.",
        json_schema_extra=_choices_without_default(sorts),
    )
    page: int = Field(1, **_bounds("Page de résultats.", minimum=1, maximum=MAX_PAGE))
    par_page: int = Field(20, **_bounds("Résultats par page.", minimum=1, maximum=MAX_PER_PAGE))
    sans_concept: list[str] = Field(
        [],
        description="Concepts compris à ne pas appliquer, par leur « key » (« public:seniors ») "
        "telle que la donne « concepts » ; à répéter pour plusieurs.",
    )


def _with_facets(base: type[Schema]) -> type[Schema]:
    """The parameters plus one list per facet the apps registered (read when the URL
    configuration loads, after every AppConfig.ready): the schema names them, and
    parse_params reads whatever facet is registered, schema or not."""
    fields = {
        facet.param: (
            list[str],
            Field([], description=f"{facet.label} (facette « {facet.name} ») ; à répéter : OU."),
        )
        for facet in registry.facets()
    }
    return create_model("SearchParams", __base__=base, __doc__=base.__doc__, **fields)


SearchParams = _with_facets(_SearchParams)

# What /search and /projects answer besides their result.
SEARCH_ERRORS = {400: QueryErrorOut, 422: ValidationErrorOut, 503: ErrorOut}


def _concept(concept) -> dict:
    return {
        "facet": concept.facet,
        "value": concept.value,
        "label": concept.label,
        "kind": concept.kind_label,
        "phrase": concept.phrase,
        "key": concept.key,
    }


def _result(hit) -> dict:
    return {
        "kind": hit.kind,
        "title": hit.title,
        "url": hit.url,
        "summary": hit.summary,
        "highlights": hit.highlights,
        "themes": hit.display.get("labels", []),
        "territory": hit.display.get("places", []),
        "points": [{"lat": lat, "lon": lon} for lat, lon in hit.display.get("points", [])],
        "published_at": hit.published_at,
        "distance_km": hit.distance_km,
    }


@router.get(
    "/search",
    response={200: SearchOut, **SEARCH_ERRORS},
    summary="Rechercher projets et pages",
)
def search_endpoint(request: HttpRequest, params: Query[SearchParams]):
    """Mêmes paramètres que la page /recherche/. Chaque facette de la réponse dit, dans
    « facet_parameters », le paramètre qui filtre sur elle ; un paramètre inconnu est
    ignoré et signalé dans « warnings »."""
    try:
        query = parse_params(
            request.GET, principals=principals_for(request.user), resolve_place=resolve_place
        )
    except QueryError as exc:
        return query_error(exc)
    try:
        results = search(query=query)
        record_on_cache_hits(request, query=query, results=results)
    except SearchUnavailable:
        raise HttpError(503, _("La recherche est momentanément indisponible.")) from None
    base = query.to_params() + ([("par_page", str(query.per_page))] if query.per_page != 20 else [])
    path = request.path

    def link(page: int) -> str:
        return f"{path}?{urlencode([*base, ('page', str(page))])}"

    return {
        "count": results.total,
        "page": query.page,
        "pages": results.pages,
        "results": [_result(hit) for hit in results.hits],
        "promoted": [_result(hit) for hit in results.promoted],
        "facets": {
            facet.name: [
                {"value": f.value, "label": f.label, "count": f.count, "selected": f.selected}
                for f in results.facets.get(facet.name, [])
            ]
            for facet in registry.facets()
        },
        "facet_parameters": registry.facet_params(),
        "suggestion": results.suggestion,
        "concepts": [_concept(concept) for concept in results.concepts],
        "dropped_concepts": [_concept(concept) for concept in results.dropped_concepts],
        "warnings": unknown_param_warnings(request.GET),
        "links": {
            "self": link(query.page),
            "next": link(query.page + 1) if query.page < results.pages else None,
            "previous": link(query.page - 1) if query.page > 1 else None,
        },
    }


__all__ = ["SearchParams", "router"]
