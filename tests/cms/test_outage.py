"""PostgreSQL down: after one request has met the outage, the next ones get the
French 503 at once instead of waiting the pool's timeout each (cms/outage.py); a
probe of the server at most once a second closes the breaker when it answers."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from cms import outage


@pytest.fixture(autouse=True)
def closed_breaker(monkeypatch):
    monkeypatch.setitem(outage._state, "open", False)
    monkeypatch.setitem(outage._state, "next_probe", 0.0)
    yield


@pytest.fixture
def server(monkeypatch):
    state = {"up": False, "probes": 0}

    def answers() -> bool:
        state["probes"] += 1
        return state["up"]

    monkeypatch.setattr(outage, "_server_answers", answers)
    return state


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(outage.time, "monotonic", lambda: now[0])
    return now


def _middleware(views: list[str]):
    def view(request):
        views.append(request.path)
        if getattr(request, "database_down", False):
            return outage.unavailable_response(request)
        return HttpResponse("ok")

    middleware = outage.DatabaseOutageMiddleware(view)
    middleware.enabled = True  # the suite may run on SQLite
    return middleware


def test_after_one_failure_the_next_requests_get_the_french_503_at_once(server, clock):
    views: list[str] = []
    middleware = _middleware(views)
    failing = RequestFactory().get("/projets/")
    failing.database_down = True
    assert middleware(failing).status_code == 503
    assert views == ["/projets/"]

    page = middleware(RequestFactory().get("/"))
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "indisponible" in page.content.decode()
    api = middleware(RequestFactory().get("/api/v1/search"))
    assert api.status_code == 503 and "indisponible" in json.loads(api.content)["detail"]
    assert views == ["/projets/"]  # neither reached a view (nor the pool)
    assert server["probes"] == 1  # the failure's own check; none before a second

    clock[0] += 1.5
    assert middleware(RequestFactory().get("/")).status_code == 503
    assert middleware(RequestFactory().get("/")).status_code == 503
    assert server["probes"] == 2  # one probe a second, not one per request

    server["up"] = True
    clock[0] += 1.5
    assert middleware(RequestFactory().get("/")).content == b"ok"
    assert middleware(RequestFactory().get("/")).content == b"ok"
    assert server["probes"] == 3 and views == ["/projets/", "/", "/"]


def test_an_exhausted_pool_with_the_server_up_opens_nothing(server, clock):
    server["up"] = True  # the server answers: the pool was only busy
    views: list[str] = []
    middleware = _middleware(views)
    busy = RequestFactory().get("/projets/")
    busy.database_down = True
    assert middleware(busy).status_code == 503
    assert middleware(RequestFactory().get("/")).content == b"ok"
    assert views == ["/projets/", "/"]


def test_the_probe_reports_the_outage_itself(server, clock):
    views: list[str] = []
    outage.trip()
    assert _middleware(views)(RequestFactory().get("/healthz")).content == b"ok"
    assert views == ["/healthz"]


def test_cached_pages_are_still_served_during_an_outage():
    order = settings.MIDDLEWARE
    assert order.index("core.page_cache.AnonymousPageCacheMiddleware") < order.index(
        "cms.outage.DatabaseOutageMiddleware"
    )
