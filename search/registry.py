"""Where apps declare what they make searchable.

An app registers, from its AppConfig.ready():
- a DocumentAdapter per kind: how an object becomes a SearchDocument (or None when
  it must not be found: draft, private…), which objects to index on a full rebuild,
  and which model changes affect which documents;
- facets: name, French label, URL parameter, parent and value order (as the admin's
  ``list_filter``), each with its labeller turning codes (theme codes, INSEE
  codes…) into labels in the reader's language; one mechanism for the search page,
  the API, exports and the apps' own listings;
- principal providers: the visibility principals a user holds (e.g. their
  communities), so private content is found only by those who may see it;
- suggestion providers: extra « as you type » suggestions (themes, communes);
- concept providers: the facet values a query names (« personnes âgées » → the
  public « Seniors »): documents tagged with them match that part of the query too,
  with a lower weight than its words (search/interpret.py).

search/ never imports app internals beyond this registration.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from .documents import AUTHENTICATED, KIND_FACET, MONTH_FACET, PUBLIC, Facet, SearchDocument


class DocumentAdapter(ABC):
    kind: str = ""
    # Documents written often (chat messages): a new or edited one reaches the
    # anonymous pages cached (core/page_cache.py) within their timeout; one that
    # disappears (deleted, hidden, made private) invalidates them at once.
    frequent: bool = False
    label: str = ""
    model: type[models.Model] | None = None
    # « Plus récents » ranks news kinds by publication date and puts the others after
    # them (an editorial legal notice is published once and is not news).
    news: bool = False
    # Facets whose shared values make two documents of this kind « similar ».
    similar_facets: tuple[str, ...] = ()

    @abstractmethod
    def queryset(self) -> models.QuerySet:
        """Every object that may have a document (used by full rebuilds)."""

    @abstractmethod
    def document(self, obj) -> SearchDocument | None:
        """The object's document, or None if it must not be searchable now."""

    def documents(self, objects: list) -> list[tuple[object, SearchDocument | None]]:
        """Documents of many objects at once (bulk indexing). Adapters override it
        when a permission check can be made once for the whole batch."""
        return [(obj, self.document(obj)) for obj in objects]

    def dependencies(self) -> dict[type[models.Model], Callable[[models.Model], Iterable]]:
        """Other models whose changes alter documents of this kind: model → function
        giving the ids of the objects to reindex."""
        return {}

    def similar_hint(self, obj) -> str:
        """Extra text for « more like this » (optional)."""
        return ""


@dataclass(frozen=True)
class Suggestion:
    label: str
    category: str  # "title", "theme", "territory"
    url: str = ""
    param: str = ""  # query parameter to set (e.g. "theme")
    value: str = ""


@dataclass(frozen=True)
class Concept:
    """A facet value named in a query: ``phrase`` is what named it (a label or one of
    its synonyms, as the provider knows it), ``kind_label`` the French word for what
    it is (« thème », « public »), shown as « Compris : public Seniors »."""

    facet: str
    value: str
    label: str
    kind_label: str
    phrase: str

    @property
    def key(self) -> str:
        """``facet:value``: how the page and the API name it to drop it."""
        return f"{self.facet}:{self.value}"


ConceptProvider = Callable[[str], list[Concept]]

_adapters: dict[str, DocumentAdapter] = {}
Labeller = Callable[[Iterable[str]], dict[str, str]]
_facets: dict[str, Facet] = {KIND_FACET.name: KIND_FACET, MONTH_FACET.name: MONTH_FACET}
_labellers: dict[str, Labeller] = {}
_principal_providers: list[Callable[[object], Iterable[str]]] = []
_suggestion_providers: list[Callable[[str, int], list[Suggestion]]] = []
_concept_providers: list[ConceptProvider] = []


def register_adapter(adapter: DocumentAdapter) -> None:
    _adapters[adapter.kind] = adapter


def adapters() -> dict[str, DocumentAdapter]:
    return dict(_adapters)


def adapter_for_model(model: type[models.Model]) -> DocumentAdapter | None:
    for adapter in _adapters.values():
        if adapter.model is not None and issubclass(model, adapter.model):
            return adapter
    return None


@dataclass(frozen=True)
class FacetSort:
    """An order an app declares: documents whose ``facet`` holds ``values[0]`` first,
    then ``values[1]``…, the others last; ties by relevance (or at random, fairly,
    without text). « Prêts à essaimer d'abord » ranks projects by readiness."""

    name: str  # the « tri » value in URLs
    label: object  # French label (lazy), shown in the sort menu
    facet: str
    values: tuple[str, ...]


_sorts: dict[str, FacetSort] = {}


def register_sort(sort: FacetSort) -> None:
    _sorts[sort.name] = sort


def facet_sorts() -> dict[str, FacetSort]:
    return dict(_sorts)


def register_facet(facet: Facet, labeller: Labeller | None = None) -> None:
    """Declare a facet (and how its codes read). Apps sharing a facet (projects and
    communities both have themes) register it once each: the last label wins, the
    parameter must not change."""
    known = _facets.get(facet.name)
    if known is not None and known.param != facet.param:
        raise ValueError(f"facet {facet.name!r} already uses parameter {known.param!r}")
    clash = [f.name for f in _facets.values() if f.param == facet.param and f.name != facet.name]
    if clash:
        raise ValueError(f"parameter {facet.param!r} already names facet {clash[0]!r}")
    _facets[facet.name] = facet
    if labeller is not None:
        _labellers[facet.name] = labeller


_facet_pages: dict[str, Callable[[str], str | None]] = {}


def register_facet_page(name: str, resolver: Callable[[str], str | None]) -> None:
    """The page an app gives a facet value (a theme's, a territory's): ``resolver``
    turns the value into its address, or None. The search page links active filters
    to it."""
    _facet_pages[name] = resolver


def facet_page_url(name: str, value: str) -> str | None:
    resolver = _facet_pages.get(name)
    return resolver(value) if resolver else None


def unregister_facet(name: str) -> None:
    """For the app (or test) that registered it; « kind » and « month » stay."""
    if name not in (KIND_FACET.name, MONTH_FACET.name):
        _facets.pop(name, None)
        _labellers.pop(name, None)


def facets() -> tuple[Facet, ...]:
    """Every declared facet, in display order."""
    return tuple(sorted(_facets.values(), key=lambda f: (f.order, f.name)))


def facet_names() -> tuple[str, ...]:
    return tuple(f.name for f in facets())


def facet_params() -> dict[str, str]:
    """Facet name → URL parameter."""
    return {f.name: f.param for f in facets()}


def facet(name: str) -> Facet | None:
    return _facets.get(name)


def order_by_value(name: str) -> bool:
    """Whether the facet's values are listed by value, latest first (years)."""
    known = _facets.get(name)
    return known is not None and known.value_order == "value_desc"


def news_kinds() -> tuple[str, ...]:
    return tuple(kind for kind, adapter in _adapters.items() if adapter.news)


def similar_facets(kind: str) -> tuple[str, ...]:
    adapter = _adapters.get(kind)
    return adapter.similar_facets if adapter else ()


def unregister_adapter(kind: str) -> None:
    _adapters.pop(kind, None)


def facet_labels(facet: str, values: Iterable[str]) -> dict[str, str]:
    values = list(values)
    if facet == "kind":
        return {v: str(_adapters[v].label) if v in _adapters else v for v in values}
    labeller = _labellers.get(facet)
    return labeller(values) if labeller else {v: v for v in values}


def register_principal_provider(provider: Callable[[object], Iterable[str]]) -> None:
    _principal_providers.append(provider)


def principals_for(user) -> frozenset[str]:
    """Every principal ``user`` holds: documents visible to any of them are found."""
    principals = {PUBLIC}
    if user is not None and user.is_authenticated and user.is_active:
        principals.add(AUTHENTICATED)
        principals.add(f"user:{user.pk}")
        principals.update(f"group:{pk}" for pk in user.groups.values_list("pk", flat=True))
        if user.is_superuser:
            principals.add("role:superuser")
        for provider in _principal_providers:
            principals.update(provider(user))
    return frozenset(principals)


def register_suggestion_provider(provider: Callable[[str, int], list[Suggestion]]) -> None:
    _suggestion_providers.append(provider)


def suggestion_providers() -> list[Callable[[str, int], list[Suggestion]]]:
    return list(_suggestion_providers)


PromotionProvider = Callable[[str, frozenset[str]], list]
_promotion_providers: list[PromotionProvider] = []


def register_promotion_provider(provider: PromotionProvider) -> None:
    """``provider(text, principals)`` returns promoted Hits (« Sélection de la
    rédaction ») for a query, among what ``principals`` may see. Once per function."""
    if provider not in _promotion_providers:
        _promotion_providers.append(provider)


def promotion_providers() -> list[PromotionProvider]:
    return list(_promotion_providers)


def register_concept_provider(provider: ConceptProvider) -> None:
    """``provider(text)`` returns the concepts the query text names (an app knows its
    taxonomy; search/ knows no field). Registering the same function twice is a no-op."""
    if provider not in _concept_providers:
        _concept_providers.append(provider)


def concept_providers() -> list[ConceptProvider]:
    return list(_concept_providers)
