"""Index sync triggers: Wagtail publish, unpublish, move and delete, and model
save/delete of every registered kind and its dependencies. Receivers only enqueue
(search.indexing); documents are built after commit.

post_save/post_delete are connected without a sender, because apps register their
adapters in their own ready(), possibly after this one; the receivers cost a
dictionary lookup for unrelated models."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from .indexing import enqueue
from .registry import adapter_for_model, adapters


def _page_changed(sender, instance, **kwargs) -> None:
    specific_class = instance.specific_class if isinstance(instance, Page) else type(instance)
    adapter = adapter_for_model(specific_class)
    if adapter is not None:
        enqueue(kind=adapter.kind, object_ids=[instance.pk])
    if isinstance(instance, Page) and kwargs.get("url_path_after") is not None:
        # A move changes the URL of every descendant, and maybe who may see it
        # (moved under a restricted page).
        _descendants_changed(instance)


def _descendants_changed(page: Page) -> None:
    """Re-index every searchable page below ``page``, one queue write per kind."""
    by_kind: dict[str, list[int]] = {}
    for pk, content_type_id in page.get_descendants().values_list("pk", "content_type_id"):
        model = _model_of(content_type_id)
        adapter = adapter_for_model(model) if model is not None else None
        if adapter is not None:
            by_kind.setdefault(adapter.kind, []).append(pk)
    for kind, ids in by_kind.items():
        enqueue(kind=kind, object_ids=ids)


def _model_of(content_type_id: int):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_id(content_type_id).model_class()


def _restriction_changed(sender, instance, **kwargs) -> None:
    """A view restriction added, changed (its groups too) or removed: the page and
    everything below it may now be found by others (Wagtail sends no signal for it)."""
    if kwargs.get("raw") or kwargs.get("action", "post_").startswith("pre_"):
        return
    if isinstance(instance, PageViewRestriction):
        page_ids = [instance.page_id]
    else:  # group.pageviewrestriction_set.add(…): the m2m seen from the group
        page_ids = list(
            PageViewRestriction.objects.filter(pk__in=kwargs.get("pk_set") or ()).values_list(
                "page_id", flat=True
            )
        )
    # A restriction deleted with its page: the page's own delete cleans the index.
    for page in Page.objects.filter(pk__in=page_ids):
        _page_changed(sender, page)
        _descendants_changed(page)


def _model_changed(sender, instance, **kwargs) -> None:
    adapter = adapter_for_model(sender)
    if adapter is not None:
        enqueue(kind=adapter.kind, object_ids=[instance.pk])


def _dependency_changed(sender, instance, **kwargs) -> None:
    for adapter in adapters().values():
        for model, affected in adapter.dependencies().items():
            if isinstance(instance, model):
                enqueue(kind=adapter.kind, object_ids=affected(instance))


def connect() -> None:
    page_published.connect(_page_changed, dispatch_uid="search_page_published")
    page_unpublished.connect(_page_changed, dispatch_uid="search_page_unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="search_page_moved")
    post_save.connect(
        _restriction_changed, sender=PageViewRestriction, dispatch_uid="search_restriction_saved"
    )
    post_delete.connect(
        _restriction_changed, sender=PageViewRestriction, dispatch_uid="search_restriction_deleted"
    )
    m2m_changed.connect(
        _restriction_changed,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="search_restriction_groups",
    )
    post_delete.connect(_any_delete, dispatch_uid="search_any_delete")
    post_save.connect(_any_save, dispatch_uid="search_any_save")


def _any_save(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if isinstance(instance, Page):
        # Draft saves do not change what is live; publish/unpublish signals do.
        return
    _model_changed(sender, instance)
    _dependency_changed(sender, instance)


def _any_delete(sender, instance, **kwargs) -> None:
    # A deleted page sends one signal per class of its chain (Page, ProjectPage…):
    # only the registered class's signal maps to an adapter.
    _model_changed(sender, instance)
    _dependency_changed(sender, instance)
