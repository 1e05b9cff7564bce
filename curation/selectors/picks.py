"""The picks of a selection that a viewer may see now.

Visibility is not decided here: each pick is turned into its search document by the
adapter of its kind (search/registry.py), which returns None for what must not be
found (a draft, an unpublished or restricted page, a secret community) and the
principals that may see it otherwise — the same rule as search, suggestions and the
API. A pick whose target was unpublished, restricted or made private simply stops
showing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from communities.models import Community
from search.documents import SearchDocument
from search.pages import page_visibility
from search.query import Hit
from search.registry import adapter_for_model, adapters, principals_for
from search.services import normalise_query

from ..models import Selection, SelectionItem


@dataclass(frozen=True)
class Pick:
    key: str
    kind: str
    kind_label: str
    title: str
    url: str
    summary: str = ""
    reason: str = ""
    image_url: str = ""
    places: tuple[str, ...] = ()

    @classmethod
    def of(cls, document: SearchDocument, *, reason: str = "") -> Pick:
        adapter = adapters().get(document.kind)
        return cls(
            key=document.key,
            kind=document.kind,
            kind_label=str(adapter.label) if adapter else "",
            title=document.title,
            url=document.url,
            summary=document.summary,
            reason=reason,
            image_url=document.display.get("image_url", ""),
            places=tuple(document.display.get("places", ())[:2]),
        )


def _current(queryset, now):
    return queryset.filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now)).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def documents_visible(*, objects: list, principals: frozenset[str]) -> dict[str, SearchDocument]:
    """Documents of ``objects`` (pages of any type, communities…) visible to
    ``principals``, by ``"<model label>:<pk>"``."""
    by_adapter: dict[str, tuple[object, list]] = {}
    found: dict[str, SearchDocument] = {}
    for obj in objects:
        model = type(obj)
        adapter = adapter_for_model(model)
        if adapter is None:
            if isinstance(obj, Page):  # a page no kind indexes (the home page…)
                visibility = page_visibility(obj) if obj.live else None
                if visibility and principals & set(visibility):
                    found[f"page:{obj.pk}"] = SearchDocument(
                        kind="page", object_id=str(obj.pk), url=obj.url or "", title=obj.title
                    )
            continue
        by_adapter.setdefault(adapter.kind, (adapter, []))[1].append(obj.pk)
    for adapter, ids in by_adapter.values():
        fresh = list(adapter.queryset().filter(pk__in=ids))
        for obj, document in adapter.documents(fresh):
            if document is not None and principals & set(document.visibility):
                prefix = "community" if isinstance(obj, Community) else "page"
                found[f"{prefix}:{obj.pk}"] = document
    return found


def selection_picks(
    *, selection: Selection | None, user, limit: int | None = None, now=None
) -> list[Pick]:
    """The current picks of ``selection`` that ``user`` may see, in order."""
    return picks_for_principals(
        selection=selection, principals=principals_for(user), limit=limit, now=now
    )


def picks_for_principals(
    *, selection: Selection | None, principals: frozenset[str], limit: int | None = None, now=None
) -> list[Pick]:
    if selection is None:
        return []
    now = now or timezone.now()
    if not selection.is_current(now):
        return []
    items = list(
        _current(SelectionItem.objects.filter(selection=selection), now)
        .select_related("community")
        .order_by("sort_order", "pk")
    )
    pages = {
        page.pk: page
        for page in Page.objects.filter(pk__in=[i.page_id for i in items if i.page_id]).specific()
    }
    targets = [pages[i.page_id] for i in items if i.page_id in pages]
    targets += [i.community for i in items if i.community_id]
    visible = documents_visible(objects=targets, principals=principals)
    picks = []
    for item in items:
        key = f"page:{item.page_id}" if item.page_id else f"community:{item.community_id}"
        document = visible.get(key)
        if document is not None:
            picks.append(Pick.of(document, reason=item.reason))
        if limit is not None and len(picks) >= limit:
            break
    return picks


def _terms(text: str) -> set[str]:
    return {normalise_query(term) for term in text.split(",") if normalise_query(term)}


def promoted_hits(text: str, principals: frozenset[str]) -> list[Hit]:
    """Search promotion provider: the current, visible picks of the current
    selections tied to this query (``Selection.search_queries``)."""
    query = normalise_query(text)
    if not query:
        return []
    now = timezone.now()
    hits = []
    for selection in Selection.objects.exclude(search_queries="").order_by("name"):
        if query not in _terms(selection.search_queries) or not selection.is_current(now):
            continue
        for pick in picks_for_principals(selection=selection, principals=principals, now=now):
            hits.append(
                Hit(
                    key=f"promoted:{pick.key}",
                    kind="promoted",
                    object_id=pick.key,
                    url=pick.url,
                    title=pick.title,
                    summary=pick.reason or pick.summary,
                    promoted=True,
                )
            )
    return hits
