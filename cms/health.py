"""Health of the services the platform depends on, for /healthz."""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    backend: str
    detail: str
    duration_ms: float
    required: bool


def _database() -> tuple[str, str]:
    from cms import outage

    if connection.vendor == "postgresql" and outage.refused():
        raise OperationalError("base de données indisponible (coupe-circuit ouvert)")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (OperationalError, InterfaceError):
        if connection.vendor == "postgresql":
            outage.trip()
        raise
    return connection.vendor, "ok"


def _cache() -> tuple[str, str]:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("la valeur écrite n'a pas été relue")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1], "ok"


def _channel_layer() -> tuple[str, str]:
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("aucune couche de canaux configurée")

    async def round_trip() -> None:
        import asyncio

        channel = await layer.new_channel()
        await layer.send(channel, {"type": "healthz.ping"})
        message = await asyncio.wait_for(layer.receive(channel), timeout=2)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("message inattendu")

    async_to_sync(round_trip)()
    return type(layer).__name__, "ok"


def _search() -> tuple[str, str]:
    from search.health import search_backend_health

    return search_backend_health()


CHECKS: dict[str, Callable[[], tuple[str, str]]] = {
    "database": _database,
    "cache": _cache,
    "channel_layer": _channel_layer,
    "search": _search,
}


def details_visible(*, user, authorization: str) -> bool:
    """Whether /healthz may say which backends run and how they fail (which helps
    an attacker): to editors with access to the admin (a permission, not a group
    name), or to a probe sending ``Authorization: Bearer <HEALTHZ_TOKEN>``; anyone
    else gets the status alone."""
    if user is not None and user.has_perm("wagtailadmin.access_admin"):
        return True
    token = settings.HEALTHZ_TOKEN
    scheme, _, sent = authorization.partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(sent.strip().encode(), token.encode())
    )


def run_checks() -> list[Check]:
    results = []
    required = set(settings.HEALTHZ_REQUIRED)
    database_down = ""
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            if name == "search" and database_down and not settings.ELASTICSEARCH_URL:
                # The database backend searches the database that just failed: asking
                # it again would wait the pool's timeout a second time (a probe
                # answering in 10 s, benchmarks/faults.py « postgres »).
                raise RuntimeError(database_down)
            backend, detail = check()
            ok = True
        except Exception as exc:  # a health check reports every failure, whatever its type
            # Messages may name hosts or users: only shown when DEBUG is on.
            message = f"{type(exc).__name__}: {exc}" if settings.DEBUG else type(exc).__name__
            backend, detail, ok = "", message[:300], False
            if name == "database":
                database_down = f"base de données indisponible ({type(exc).__name__})"
        results.append(
            Check(
                name=name,
                ok=ok,
                backend=backend,
                detail=detail,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                required=name in required,
            )
        )
    return results
