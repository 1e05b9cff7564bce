"""Fail fast while PostgreSQL is down (issue 15, « Restart PostgreSQL under load »).

Without this, every request of an outage waits DATABASE_POOL_TIMEOUT (psycopg_pool's
``getconn`` waits its whole timeout even when the server refuses connections), and
under ASGI a process runs its synchronous views one after the other: requests pile
up behind each other's 5 s and the French 503 comes late (benchmarks/faults.py,
« postgres », measured 5.0 s per request before this).

A circuit breaker, per process: once a request has ended in the database's 503
(cms.views.server_error), the next requests get the same 503 at once, without
touching the pool. While it is open, at most once every PROBE_SECONDS one request
checks the server with a connection of its own (outside the pool, one-second
connect timeout: refused at once while the server is down); when it answers, the
breaker closes and requests go to a new pool (the old one's connections died with
the server, and it would reconnect only after its backoff).

Placed after the anonymous page cache: cached pages are still served during an
outage. Not for websockets (their consumers report errors in frames).
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

PROBE_SECONDS = 1.0
_lock = threading.Lock()
_state = {"open": False, "next_probe": 0.0}


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 of a database outage: French page (or JSON for the API), Retry-After.
    Rendered without the request context: its processors would ask the database."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "Service momentanément indisponible : réessayez dans une minute."},
            status=503,
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    response.database_unavailable = True
    return response


def _server_answers() -> bool:
    import psycopg

    params = connection.get_connection_params()
    params["connect_timeout"] = 1
    try:
        psycopg.connect(**params).close()
    except psycopg.Error:
        return False
    return True


def _fresh_pool() -> None:
    """The pool's connections died with the server, and it reconnects with a
    growing backoff (several seconds after a 10 s outage): start a new pool, whose
    first connection is made at once by the next request."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    if wrapper.vendor != "postgresql":
        return
    try:
        wrapper.close_pool()
    except Exception:  # an old pool that will not close cleanly is dropped anyway
        logger.exception("Closing the database pool failed")
        type(wrapper)._connection_pools.pop(wrapper.alias, None)


def trip() -> None:
    """The database just failed: open the breaker, unless the server answers a
    connection of its own — then the pool was only exhausted (overload), and
    refusing everyone for a second would turn a slow moment into errors."""
    if _state["open"] or not _server_answers():
        _open()


def refused() -> bool:
    """Whether a database call should fail at once (breaker open, server still
    silent); may probe the server."""
    return not _may_pass()


def _open() -> None:
    with _lock:
        if not _state["open"]:
            logger.warning("Database unavailable: answering 503 at once until it is back")
        _state["open"] = True
        _state["next_probe"] = time.monotonic() + PROBE_SECONDS


def _may_pass() -> bool:
    """Closed breaker, or the server answered the probe just now (breaker closed)."""
    if not _state["open"]:
        return True
    with _lock:
        if not _state["open"]:
            return True
        if time.monotonic() < _state["next_probe"]:
            return False
        _state["next_probe"] = time.monotonic() + PROBE_SECONDS
    if _server_answers():
        with _lock:
            _state["open"] = False
        logger.warning("Database answers again")
        _fresh_pool()
        return True
    return False


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = connection.vendor == "postgresql"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled or request.path == "/healthz":  # the probe reports it itself
            return self.get_response(request)
        if not _may_pass():
            return unavailable_response(request)
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False):
            trip()
        return response
