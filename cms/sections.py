"""What the live blocks of a composed page show, declared by the apps above cms.

The home page's blocks (cms/home_blocks.py) are data an editor arranges: a
selection, key figures, the latest content, a map teaser. What they show comes from
apps cms may not import (projects, communities, curation): each block asks this
registry by name in ``get_context``, and an app fills it from its
``AppConfig.ready()`` (curation/registrations.py), as ``cms/page_views.py`` does for
page types. A block without a provider renders its empty state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

SectionProvider = Callable[..., dict]

_providers: dict[str, SectionProvider] = {}


def register_section(name: str, provider: SectionProvider) -> None:
    """``provider(value=..., request=...) -> dict`` for blocks named ``name``."""
    _providers[name] = provider


def section_context(name: str, *, value: Any, request: HttpRequest | None) -> dict:
    provider = _providers.get(name)
    if provider is None:
        return {}
    return provider(value=value, request=request)
