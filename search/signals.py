"""Index sync triggers: Wagtail publish, unpublish, move and delete, and model
save/delete of every registered kind and its dependencies. Receivers only enqueue
(search.indexing); documents are built after commit.

post_save/post_delete are connected without a sender, because apps register their
adapters in their own ready(), possibly after this one; the receivers cost a
dictionary lookup for unrelated models."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from .indexing import enqueue
from .registry import adapter_for_model, adapters


def _page_changed(sender, instance, **kwargs) -> None:
    specific_class = instance.specific_class if isinstance(instance, Page) else type(instance)
    adapter = adapter_for_model(specific_class)
    if adapter is not None:
        enqueue(kind=adapter.kind, object_ids=[instance.pk])
    if isinstance(instance, Page) and kwargs.get("url_path_after") is not None:
        # A move changes the URL of every descendant.
        for descendant in instance.get_descendants().specific(defer=True).iterator():
            descendant_adapter = adapter_for_model(type(descendant))
            if descendant_adapter is not None:
                enqueue(kind=descendant_adapter.kind, object_ids=[descendant.pk])


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
