"""How a page type is shown: declared by the view layer of the app that owns it.

Wagtail puts ``serve()`` and ``get_context()`` on the page model, so a model ends up
importing its selectors and views — the circles of issue 11 (``cms.models ↔
cms.selectors``, ``innovations.models → innovations.selectors → innovations.models``,
a model importing ``innovations.views.listing``). Here the models stay data:
``BasePage.get_context()`` and ``BasePage.serve()`` ask this registry, which each
app's view layer fills from its ``AppConfig.ready()``:

- context providers, ``provider(page, request) -> dict``, merged in registration
  order into the template's context; a page type may have several (the home page
  shows sections of other apps);
- at most one view, ``view(request, page, *args, **kwargs) -> HttpResponse``, which
  replaces Wagtail's ``serve()`` (a listing with its own filters and pagination).

A page type also gets what is registered for its base classes. The registry imports
nothing of the project: any app above ``cms`` may register, ``cms`` never learns
who did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

ContextProvider = Callable[[Any, HttpRequest], dict]
PageView = Callable[..., HttpResponse]

_contexts: dict[type, list[ContextProvider]] = {}
_views: dict[type, PageView] = {}


def register_context(page_type: type, provider: ContextProvider) -> None:
    """Add ``provider`` to the context of ``page_type`` pages (once: registering the
    same provider again, as a second ``ready()`` in tests does, changes nothing)."""
    providers = _contexts.setdefault(page_type, [])
    if provider not in providers:
        providers.append(provider)


def register_view(page_type: type, view: PageView) -> None:
    _views[page_type] = view


def context_for(*, page, request: HttpRequest) -> dict:
    context: dict = {}
    # Base classes first, so that a subclass's provider has the last word.
    for klass in reversed(type(page).__mro__):
        for provider in _contexts.get(klass, ()):
            context.update(provider(page, request))
    return context


def view_for(*, page) -> PageView | None:
    for klass in type(page).__mro__:
        view = _views.get(klass)
        if view is not None:
            return view
    return None
