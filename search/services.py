"""The one search service: views, the API, exports, feeds and other apps call it."""

from __future__ import annotations

import logging

from django.db.models import F
from django.utils import timezone

from core import page_cache
from core.text import fold

from .backends import BackendUnavailable, get_backend
from .models import SearchQueryDay
from .query import Hit, PlaceResolution, PlaceResolver, SearchQuery, SearchResults
from .registry import Suggestion, principals_for, promotion_providers, suggestion_providers

logger = logging.getLogger(__name__)

_place_resolver: PlaceResolver | None = None


class SearchUnavailable(RuntimeError):
    """The search engine does not answer: tell the user, do not pretend zero results."""


def register_place_resolver(resolver: PlaceResolver) -> None:
    """An app turns what was typed in « autour » (« Guéret (23) », « 75011 »,
    « Creuse ») into a PlaceResolution: a place, or the places to choose from."""
    global _place_resolver
    _place_resolver = resolver


def resolve_place(text: str) -> PlaceResolution | tuple[float, float, str] | None:
    return _place_resolver(text) if _place_resolver else None


def search(*, query: SearchQuery, record: bool = True) -> SearchResults:
    """Run ``query`` (whose principals say who is asking) on the configured backend,
    add the editors' promoted results, a correction when nothing is found, and
    count the query for the analytics."""
    backend = get_backend()
    try:
        if query.principals == _anonymous_principals():
            # What anyone may see: one cached answer per query and content
            # generation, shared by every process (core/page_cache.py).
            results = page_cache.cached_fragment(
                "search", (backend.name, query), lambda: backend.search(query)
            )
        else:
            results = backend.search(query)
    except BackendUnavailable as exc:
        raise SearchUnavailable(str(exc)) from exc
    if query.text and query.page == 1:
        results.promoted = _promoted(query)
        if results.total == 0 and not results.suggestion:
            try:
                results.suggestion = backend.vocabulary_suggestion(
                    query.text, principals=query.principals
                )
            except BackendUnavailable:  # found results (or none) stay an answer
                results.suggestion = ""
    if record and query.text and query.page == 1:
        _record(query.text, zero=results.total == 0)
    return results


def _promoted(query: SearchQuery) -> list[Hit]:
    """« Sélection de la rédaction »: pages editors attached to this query
    (wagtail.contrib.search_promotions), then the picks apps promote for it (a
    curation selection tied to the query: projects, communities, pages, with
    dates), when visible to the person searching."""
    hits = _page_promotions(query)
    seen = {hit.url for hit in hits}
    for provider in promotion_providers():
        for hit in provider(query.text, query.principals):
            if hit.url not in seen:
                seen.add(hit.url)
                hits.append(hit)
    return hits[:MAX_PROMOTED]


MAX_PROMOTED = 5


def _page_promotions(query: SearchQuery) -> list[Hit]:
    from wagtail.contrib.search_promotions.models import SearchPromotion
    from wagtail.search.utils import normalise_query_string

    if "public" not in query.principals:
        return []
    # Not Query.get(): it creates a row for every new text searched, a write per
    # search (and a change of what pages show, for the page cache).
    promotions = (
        SearchPromotion.objects.filter(query__query_string=normalise_query_string(query.text))
        .select_related("page")
        .order_by("sort_order")
    )
    hits = []
    for promotion in promotions[:5]:
        if promotion.page is None:
            if promotion.external_link_url:
                hits.append(
                    Hit(
                        key=f"promoted:{promotion.pk}",
                        kind="promoted",
                        object_id=str(promotion.pk),
                        url=promotion.external_link_url,
                        title=promotion.external_link_text or promotion.external_link_url,
                        summary=promotion.description,
                        promoted=True,
                    )
                )
            continue
        page = promotion.page.specific
        if not page.live or page.get_view_restrictions().exists():
            continue
        hits.append(
            Hit(
                key=f"promoted:{promotion.pk}",
                kind="promoted",
                object_id=str(page.pk),
                url=page.url,
                title=page.title,
                summary=promotion.description or getattr(page, "summary_text", ""),
                promoted=True,
            )
        )
    return hits[:3]


def normalise_query(text: str) -> str:
    return " ".join(fold(text).split())[:200]


def _anonymous_principals() -> frozenset[str]:
    from django.contrib.auth.models import AnonymousUser

    return principals_for(AnonymousUser())


def record_on_cache_hits(request, *, query: SearchQuery, results: SearchResults) -> None:
    """The page or API answer may be served again from the page cache: count each of
    those searches too, as the service counted this one."""
    if query.text and query.page == 1:
        page_cache.on_hit(request, "search.services.record_cached", query.text, results.total == 0)


def record_cached(text: str, zero: bool) -> None:
    _record(text, zero=zero)


def _record(text: str, *, zero: bool) -> None:
    query = normalise_query(text)
    if not query:
        return
    today = timezone.localdate()
    try:
        row, created = SearchQueryDay.objects.get_or_create(
            day=today, query=query, defaults={"searches": 1, "zero_results": int(zero)}
        )
        if not created:
            SearchQueryDay.objects.filter(pk=row.pk).update(
                searches=F("searches") + 1, zero_results=F("zero_results") + int(zero)
            )
    except Exception:  # analytics must never break a search
        logger.exception("Could not record search analytics")


def suggest(*, text: str, user, limit: int = 8) -> list[Suggestion]:
    """Suggestions as you type: titles of visible documents, then themes and
    territories from the apps' providers."""
    text = (text or "").strip()[:100]
    if len(text) < 2:
        return []
    principals = principals_for(user)
    try:
        titles = get_backend().suggest_titles(text, principals=principals, limit=max(3, limit // 2))
    except BackendUnavailable:  # engine down: themes and places still answer
        titles = []
    suggestions = [Suggestion(label=title, category="title", url=url) for title, url in titles]
    for provider in suggestion_providers():
        suggestions.extend(provider(text, limit))
    return suggestions[:limit]


def similar(*, key: str, user, limit: int = 4) -> list[Hit]:
    try:
        return get_backend().similar(key, principals=principals_for(user), limit=limit)
    except BackendUnavailable:
        return []
