"""Anonymous pages and costly fragments served from the shared cache (Redis in
production), invalidated by one *content generation*.

Why not Django's ``cache_page`` / ``UpdateCacheMiddleware``: they expire by time
only, so a project unpublished at 10:00 would still be served until the timeout.
Here every cache key holds the current generation, and whatever changes what an
anonymous visitor may see bumps it once the transaction commits
(``content_changed``): the search index outbox (every project, community, event,
discussion and editorial page goes through it, bulk imports included), Wagtail's
publish/unpublish/move/delete and view restrictions, and the models apps declare
with ``invalidate_on_change`` (selections, partners, settings…). The next anonymous
request misses and is rendered afresh; an entry of an older generation is never
served, and is overwritten. One counter rather than per-page dependencies: a change is
rare next to reads (≈ one per minute at most outside imports), a page shows many
objects (lists, counts, maps, picks), and a missed dependency would show deleted
content — a correct and simple rule beats a clever and leaky one.

Every entry holds the generation it was made under, and one MGET reads the current
generation with the entry: a hit is one round trip to Redis. Only requests
without a session or messages cookie are served from the cache, and
only a 200 HTML/JSON response that sets no cookie (a CSRF token or a flash message
sets one) and is not ``private``/``no-store`` is stored. The language is part of
the key. When the cache does not answer (Redis stopped), requests go straight to
the views for a few seconds before trying again: pages stay up, only slower.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import cc_delim_re

logger = logging.getLogger(__name__)

GENERATION_KEY = "content-generation"
MAX_BODY = 2 * 1024 * 1024
CACHEABLE_TYPES = ("text/html", "application/json", "application/geo+json")
# Seconds during which a failing cache is not asked again.
BACKOFF_SECONDS = 5.0
_down_until = 0.0


def enabled() -> bool:
    return getattr(settings, "CARREFOUR_PAGE_CACHE_SECONDS", 0) > 0


def _cache_up() -> bool:
    return time.monotonic() >= _down_until


def _cache_failed(exc: Exception) -> None:
    global _down_until
    if _cache_up():
        logger.warning("Cache unreachable (%s): serving without it for %ss", exc, BACKOFF_SECONDS)
    _down_until = time.monotonic() + BACKOFF_SECONDS


def generation() -> int | None:
    """The current content generation, or None when the cache does not answer."""
    if not _cache_up():
        return None
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            # A fresh cache (or one restarted empty): start from the clock so that
            # entries written before a restart can never match a new generation.
            cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
            value = cache.get(GENERATION_KEY)
        return int(value) if value is not None else None
    except Exception as exc:  # any cache error: serve without the cache
        _cache_failed(exc)
        return None


def _bump() -> None:
    # Even when this process serves no cached page: the web workers may.
    if not _cache_up():
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet: the next read starts one
        pass
    except Exception as exc:
        # Entries already stored stay at most CARREFOUR_PAGE_CACHE_SECONDS old.
        _cache_failed(exc)


def content_changed() -> None:
    """What anonymous visitors see has changed: bump the generation now, so that
    nothing cached before the change is served again even if the commit hook is
    lost with its process, and again after commit, since a page rendered between
    the first bump and the commit may have read the old rows. Each call has its own
    commit hook, after the hooks already registered (the index updates of
    search.indexing.enqueue): never merged into an earlier one, which would run
    before them. Bulk writers enqueue a batch at a time: a few calls per batch."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def _on_change(sender, **kwargs) -> None:
    content_changed()


def invalidate_on_change(*models) -> None:
    """Saving or deleting one of these models changes anonymous pages."""
    for model in models:
        uid = f"page-cache-{model._meta.label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}-delete", weak=False)


def invalidate_on_m2m_change(*through_models) -> None:
    for through in through_models:
        m2m_changed.connect(
            _on_change, sender=through, dispatch_uid=f"page-cache-{through._meta.label}-m2m"
        )


def stable(value):
    """``value`` with sets and dicts in a fixed order and dataclasses as tuples: its
    repr is the same in every process (a frozenset's order follows the process's
    string hash seed), so that every worker shares one cache entry."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple((f.name, stable(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, dict):
        return tuple(sorted((repr(stable(k)), stable(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return tuple(sorted(repr(stable(v)) for v in value))
    if isinstance(value, list | tuple):
        return tuple(stable(v) for v in value)
    return value


def cached_fragment(
    name: str,
    parts: tuple,
    build: Callable[[], Any],
    *,
    keep: Callable[[Any], bool] = lambda value: True,
    timeout: int | None = None,
) -> Any:
    """``build()``'s value, cached under this generation (facet counts, key figures,
    map data…); built afresh when the cache is off or does not answer. A value
    ``keep`` refuses (an answer made while the engine was down) is not stored."""
    if not enabled():
        return build()
    # Fragments hold labels: the active language is part of every key.
    digest = hashlib.sha256(repr((translation.get_language(), stable(parts))).encode()).hexdigest()[
        :32
    ]
    key = f"fragment:{name}:{digest}"
    current, found = _read(key)
    if current is None:
        return build()
    if found is not None and found[0] == current:
        return found[1]
    value = build()
    if not keep(value):
        return value
    try:
        cache.set(key, (current, value), timeout or settings.CARREFOUR_PAGE_CACHE_SECONDS)
    except Exception as exc:
        _cache_failed(exc)
    return value


def _read(key: str) -> tuple[int | None, Any]:
    """The generation and the entry under ``key``, in one round trip to Redis
    (MGET). Entries hold the generation they were made under: one made under an
    older generation is a miss, and is overwritten."""
    if not _cache_up():
        return None, None
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception as exc:
        _cache_failed(exc)
        return None, None
    current = found.get(GENERATION_KEY)
    if current is None:
        current = generation()
        return current, None
    return int(current), found.get(key)


def on_hit(request: HttpRequest, hook: str, *args) -> None:
    """Run ``hook`` (a dotted path) with ``args`` on every later cache hit of this
    response too — e.g. the search page counts each query for the analytics."""
    hooks = getattr(request, "_page_cache_hooks", None)
    if hooks is None:
        hooks = request._page_cache_hooks = []
    hooks.append((hook, args))


def _run_hooks(hooks) -> None:
    for dotted, args in hooks:
        module, _, name = dotted.rpartition(".")
        try:
            getattr(importlib.import_module(module), name)(*args)
        except Exception:
            logger.exception("Page cache hook %s failed", dotted)


def _bypass(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return True
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return True
    return any(request.path.startswith(prefix) for prefix in settings.PAGE_CACHE_EXCLUDED_PATHS)


def _key(request: HttpRequest, language: str) -> str:
    raw = "|".join(
        (
            request.method,
            request.get_host(),
            request.get_full_path(),
            language,
            # The API answers by Accept as well as by URL.
            request.headers.get("Accept", "")[:100],
        )
    )
    return f"page:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def _storable(response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith(CACHEABLE_TYPES):
        return False
    control = {
        d.strip().lower().split("=")[0]
        for d in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if control & {"private", "no-store", "no-cache"}:
        return False
    return len(response.content) <= MAX_BODY


class AnonymousPageCacheMiddleware:
    """Placed before the session, locale and authentication middleware, so that a
    hit costs one round trip to Redis and none of them: whether a request may be
    served from the cache is read from its cookies alone, and its language as
    cms.middleware.FrenchFirstLocaleMiddleware reads it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def _language(self, request: HttpRequest) -> str:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        return chosen if chosen in self.languages else settings.LANGUAGE_CODE

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or _bypass(request):
            return self.get_response(request)
        key = _key(request, self._language(request))
        current, found = _read(key)
        if current is None:
            return self.get_response(request)
        if found is not None and found[0] == current:
            _generation, status, headers, content, hooks = found
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
            _run_hooks(hooks)
            return response
        response = self.get_response(request)
        if _storable(response):
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("set-cookie", "x-cache")
            ]
            entry = (
                current,
                response.status_code,
                headers,
                response.content,
                getattr(request, "_page_cache_hooks", []),
            )
            try:
                cache.set(key, entry, settings.CARREFOUR_PAGE_CACHE_SECONDS)
            except Exception as exc:
                _cache_failed(exc)
            response["X-Cache"] = "miss"
        return response
