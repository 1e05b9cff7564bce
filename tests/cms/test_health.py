"""/healthz reports each service and answers 503 when a required one is down."""

from __future__ import annotations

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_reports_every_service(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "search"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from cms import health

    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["detail"] == "OperationalError"  # no host names leaked
    assert body["checks"]["cache"]["ok"] is True


def test_a_failing_optional_service_does_not_fail_healthz(client, monkeypatch, settings):
    from cms import health

    settings.HEALTHZ_REQUIRED = ["database", "cache", "channel_layer"]

    def broken():
        raise ConnectionError("search engine unreachable")

    monkeypatch.setitem(health.CHECKS, "search", broken)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["search"] == {
        "ok": False,
        "required": False,
        "backend": "",
        "detail": "ConnectionError",
        "duration_ms": response.json()["checks"]["search"]["duration_ms"],
    }
